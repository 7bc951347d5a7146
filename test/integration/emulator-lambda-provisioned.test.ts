/**
 * Provisioned concurrency in the emulator's docker hosting, where the control plane (provisioned.ts,
 * DeleteFunction) and the runtime (environments.ts) meet: configs made with
 * PutProvisionedConcurrencyConfig turn READY when their environments polled, FAILED when one fails
 * its init, IN_PROGRESS then READY again on the next Put; DeleteFunction of a version or of the
 * function removes its environments.
 */
import {
  DeleteFunctionCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetProvisionedConcurrencyConfigCommand,
  PutProvisionedConcurrencyConfigCommand,
  UpdateAliasCommand
} from '@aws-sdk/client-lambda';
import {
  fixtureImage,
  leftContainers,
  makeFunction,
  startLambdaWorld,
  type FunctionSpec,
  type LambdaWorld
} from '../helpers/lambda-emulator.js';
import { lambdaRuns, parse, report, until } from '../helpers/lambda-runs.js';

let world: LambdaWorld;
let image: string;
const make = (name: string, spec: Omit<FunctionSpec, 'image'>) =>
  makeFunction(world, name, { image, ...spec });
const { invoke, metric, environments, provisionedConfig, putProvisioned } = lambdaRuns(() => world);

beforeAll(async () => {
  // Time scale 0.01: a CloudWatch period of 60 s lasts 600 ms.
  world = await startLambdaWorld({ hosting: 'docker', timeScale: 0.01, now: Date.now });
  image = await fixtureImage(world);
}, 120_000);

afterAll(async () => {
  await world?.stop();
  expect(await leftContainers(world)).toEqual([]);
}, 60_000);

describe('provisioned concurrency', () => {
  it('turns READY once its environments polled; invocations then have no cold start', async () => {
    await make('prov', { versions: [{}], aliases: { live: { version: '1' } } });
    expect((await putProvisioned('prov', 'live', 2)).Status).toBe('IN_PROGRESS');
    const record = () => provisionedConfig('prov', 'live');
    await until(async () => (await record()).Status !== 'IN_PROGRESS');
    expect(await record()).toMatchObject({
      Status: 'READY',
      AllocatedProvisionedConcurrentExecutions: 2,
      AvailableProvisionedConcurrentExecutions: 2
    });
    const envs = environments('prov');
    expect(envs.map((e) => e.state)).toEqual(['idle', 'idle']);
    const out = await invoke('prov:live');
    expect(report(out)).not.toContain('Init Duration');
    expect(parse(out).env.AWS_LAMBDA_INITIALIZATION_TYPE).toBe('provisioned-concurrency');
    expect(
      await metric('ProvisionedConcurrencyInvocations', { FunctionName: 'prov', Resource: 'prov:live' })
    ).toBe(1);
    // One of its two environments busy.
    expect(
      await metric(
        'ProvisionedConcurrencyUtilization',
        { FunctionName: 'prov', Resource: 'prov:live' },
        'Maximum'
      )
    ).toBe(0.5);
    // A second Put on the same qualifier: IN_PROGRESS again, then READY with the environments it asks for.
    expect((await putProvisioned('prov', 'live', 1)).Status).toBe('IN_PROGRESS');
    await until(async () => (await record()).Status === 'READY');
    expect(await record()).toMatchObject({ AllocatedProvisionedConcurrentExecutions: 1 });
    await until(() => environments('prov').length === 1);
    expect(environments('prov').map((e) => e.spec.provisioned)).toEqual(['prov:live']);
    await world.lambda.send(
      new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: 'prov', Qualifier: 'live' })
    );
    expect(await until(() => environments('prov').length === 0)).toBe(true);
  }, 60_000);

  it('turns FAILED with a reason when an environment fails its init', async () => {
    await make('provbad', {
      versions: [{ environment: { FAIL_INIT: 'bad weights' } }],
      provisioned: { '1': 1 }
    });
    const record = () => provisionedConfig('provbad', '1');
    await until(async () => (await record()).Status !== 'IN_PROGRESS');
    expect((await record()).Status).toBe('FAILED');
    expect((await record()).StatusReason).toContain('bad weights');
  }, 30_000);
});

describe('the control plane removes what the runtime runs', () => {
  it('DeleteFunction of a version removes its environments (provisioned and on demand); of the function, all', async () => {
    await make('gone', {
      versions: [{ environment: { GREETING: 'one' } }, { environment: { GREETING: 'two' } }],
      provisioned: { '1': 1 }
    });
    await until(async () => (await provisionedConfig('gone', '1')).Status === 'READY');
    await invoke('gone:2');
    await invoke('gone');
    const versions = () =>
      environments('gone')
        .map((e) => e.version.Version)
        .sort();
    expect(versions()).toEqual(['$LATEST', '1', '2']);
    await world.lambda.send(new DeleteFunctionCommand({ FunctionName: 'gone', Qualifier: '1' }));
    expect(await until(() => versions().join() === '$LATEST,2')).toBe(true);
    await world.lambda.send(new DeleteFunctionCommand({ FunctionName: 'gone', Qualifier: '2' }));
    expect(await until(() => versions().join() === '$LATEST')).toBe(true);
    await world.lambda.send(new DeleteFunctionCommand({ FunctionName: 'gone' }));
    expect(await until(() => versions().length === 0)).toBe(true);
  }, 60_000);

  it('a FAILED config is tried again by the next Put on its qualifier, even at the same LastModified (manual clock)', async () => {
    const manual = await startLambdaWorld({ hosting: 'docker', timeScale: 0.01 });
    try {
      const uri = await fixtureImage(manual);
      await makeFunction(manual, 'retry', {
        image: uri,
        versions: [{ environment: { FAIL_INIT: 'bad weights' } }, {}],
        aliases: { live: { version: '1' } }
      });
      const get = () =>
        manual.lambda.send(
          new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'retry', Qualifier: 'live' })
        );
      const put = (n: number) =>
        manual.lambda.send(
          new PutProvisionedConcurrencyConfigCommand({
            FunctionName: 'retry',
            Qualifier: 'live',
            ProvisionedConcurrentExecutions: n
          })
        );
      await put(1);
      await until(async () => (await get()).Status !== 'IN_PROGRESS');
      expect((await get()).Status).toBe('FAILED');
      // The fixed build behind the alias, and the same config put again.
      await manual.lambda.send(
        new UpdateAliasCommand({ FunctionName: 'retry', Name: 'live', FunctionVersion: '2' })
      );
      expect((await put(1)).Status).toBe('IN_PROGRESS');
      await until(async () => (await get()).Status !== 'IN_PROGRESS');
      expect(await get()).toMatchObject({ Status: 'READY', AvailableProvisionedConcurrentExecutions: 1 });
    } finally {
      await manual.stop();
    }
  }, 60_000);
});
