/**
 * The worst day of a deployment, through the built bundles against the emulator with a lossy proxy
 * between them: answers lost after SageMaker acted, requests that never arrive, a connection lost
 * while watching, two runs at once, another deployment that wins, and hostile text. Each asserts what
 * the endpoint serves afterwards, that every config it serves or can roll back to still exists, and
 * the outputs the workflow sees.
 */
import {
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  ListEndpointConfigsCommand,
  ListModelsCommand,
  ListTagsCommand,
  SageMakerClient,
  UpdateEndpointCommand
} from '@aws-sdk/client-sagemaker';
import { awsClient } from '../../src/aws.js';
import type { BundleOptions } from '../helpers/bundle.js';
import { deployRuns, image, ROLE } from '../helpers/deploy-runs.js';
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';
import { startLossyProxy, type LossyProxy } from '../helpers/lossy-proxy.js';
import { plantedCommands } from '../helpers/workflow-commands.js';

let emu: RunningEmulator;
let proxy: LossyProxy;
let sm: SageMakerClient;
/** Bundles through the proxy (few SDK attempts, so a dropped request fails fast). */
const { run, deploy } = deployRuns(() => ({
  ...emu.env,
  AWS_ENDPOINT_URL: proxy.url,
  AWS_MAX_ATTEMPTS: '3'
}));

beforeAll(async () => {
  emu = await startEmulator({ timeScale: 0.002 });
  proxy = await startLossyProxy(emu.url);
  sm = awsClient(SageMakerClient, 'SageMaker', emu.clientConfig);
});
afterAll(async () => {
  await proxy.stop();
  await emu.stop();
});
beforeEach(() => {
  proxy.clear();
  emu.emulator.faults = { 'sagemaker.instanceLimit': 1000 };
});

const endpointNow = (name: string) => sm.send(new DescribeEndpointCommand({ EndpointName: name }));
const configs = async (endpoint: string) =>
  ((await sm.send(new ListEndpointConfigsCommand({ NameContains: endpoint }))).EndpointConfigs ?? []).map(
    (c) => c.EndpointConfigName!
  );
const models = async (endpoint: string) =>
  ((await sm.send(new ListModelsCommand({ NameContains: endpoint }))).Models ?? []).map((m) => m.ModelName!);
const tags = async (config: string) => {
  const arn = (await sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: config })))
    .EndpointConfigArn;
  return Object.fromEntries(
    ((await sm.send(new ListTagsCommand({ ResourceArn: arn }))).Tags ?? []).map((t) => [t.Key, t.Value])
  );
};
/** Calls `fn` once, when the bundle's log first contains `text`. */
const when =
  (text: string, fn: () => void): BundleOptions['onStart'] =>
  (child, log) => {
    const timer = setInterval(() => {
      if (log().includes(text)) {
        clearInterval(timer);
        fn();
      }
    }, 2);
    child.on('exit', () => clearInterval(timer));
  };
async function settled(name: string) {
  for (;;) {
    const e = await endpointNow(name);
    if (!['Creating', 'Updating'].includes(e.EndpointStatus!)) return e;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('lost answers: what SageMaker did is kept and watched, never cleaned up', () => {
  it.each(['CreateModel', 'CreateEndpointConfig', 'CreateEndpoint'])(
    'a first deployment whose %s answer is lost deploys, with one model and one config',
    async (operation) => {
      const name = `${operation.toLowerCase()}-lost`;
      proxy.add({ operation, action: 'drop-answer', times: 1 });
      const result = await deploy(name, 1);
      expect(proxy.log).toContainEqual({ operation, fate: 'drop-answer' });
      expect(result.errors).toEqual([]);
      expect(result.outputs.status).toBe('deployed');
      const live = await endpointNow(name);
      expect(live).toMatchObject({
        EndpointStatus: 'InService',
        EndpointConfigName: result.outputs['endpoint-config']
      });
      expect(await configs(name)).toEqual([result.outputs['endpoint-config']]);
      expect(await models(name)).toEqual([result.outputs['model-name']]);
    }
  );

  it('an update whose answer is lost is refused on the retry, yet it went through: deployed, and the old version stays to roll back to', async () => {
    const v1 = await deploy('lost-update', 1);
    proxy.add({ operation: 'UpdateEndpoint', action: 'drop-answer', times: 1 });
    const v2 = await deploy('lost-update', 2);
    expect(v2.errors).toEqual([]);
    expect(v2.outputs).toMatchObject({
      status: 'deployed',
      'previous-endpoint-config': v1.outputs['endpoint-config']
    });
    expect((await endpointNow('lost-update')).EndpointConfigName).toBe(v2.outputs['endpoint-config']);
    expect(await configs('lost-update')).toEqual(
      expect.arrayContaining([v1.outputs['endpoint-config'], v2.outputs['endpoint-config']])
    );
    expect(await tags(v2.outputs['endpoint-config'])).toHaveProperty(['mlops-actions:went-live']);
    // A rollback now goes to v1, whose config and model are still there; its own lost answer is fine too.
    proxy.add({ operation: 'UpdateEndpoint', action: 'drop-answer', times: 1 });
    const back = await run('rollback', { 'endpoint-name': 'lost-update' });
    expect(back.errors).toEqual([]);
    expect(back.outputs).toMatchObject({
      status: 'rolled-back',
      'endpoint-config': v1.outputs['endpoint-config']
    });
  });

  it('an update that never arrives fails saying what still serves, deletes nothing, and the next run reclaims what it left', async () => {
    const v1 = await deploy('never', 1);
    proxy.add({ operation: 'UpdateEndpoint', action: 'drop' });
    const v2 = await deploy('never', 2);
    proxy.clear();
    expect(v2.exitCode).toBe(1);
    expect(v2.errors[0]).toMatch(
      new RegExp(
        `^UpdateEndpoint got no answer from SageMaker .*The endpoint still serves ${v1.outputs['endpoint-config']}\\. Nothing was deleted`
      )
    );
    expect((await endpointNow('never')).EndpointConfigName).toBe(v1.outputs['endpoint-config']);
    const left = (await configs('never')).filter((c) => c !== v1.outputs['endpoint-config']);
    expect(left).toHaveLength(1);
    const v3 = await deploy('never', 3);
    expect(v3.outputs.status).toBe('deployed');
    expect(v3.log).toContain(
      `Reclaimed 1 config(s) that never reached the endpoint (a refused or lost update): ${left[0]}.`
    );
    expect((await configs('never')).sort()).toEqual(
      [v1.outputs['endpoint-config'], v3.outputs['endpoint-config']].sort()
    );
    expect((await models('never')).sort()).toEqual(
      [v1.outputs['model-name'], v3.outputs['model-name']].sort()
    );
  });
});

describe('a connection lost while watching, and the re-run', () => {
  it('ends in-progress with the config being deployed; the re-run reconciles, so a later rollback goes one version back', async () => {
    const v1 = await deploy('cut', 1);
    const v2 = await deploy(
      'cut',
      2,
      { 'bake-time': '10m' },
      {
        onStart: when('Updating endpoint cut', () =>
          proxy.add({ operation: 'DescribeEndpoint', action: 'drop' })
        )
      }
    );
    proxy.clear();
    expect(v2.exitCode).toBe(1);
    expect(v2.outputs).toMatchObject({
      status: 'in-progress',
      'previous-endpoint-config': v1.outputs['endpoint-config']
    });
    const deploying = v2.outputs['endpoint-config'];
    expect(v2.errors[0]).toMatch(
      /^Lost the connection to SageMaker while watching endpoint cut .*run this step again/
    );
    expect(v2.summary).toContain('still in progress');
    expect(v2.summary).toContain(deploying);

    await settled('cut');
    const again = await deploy('cut', 2, { 'bake-time': '10m' });
    expect(again.outputs).toMatchObject({ status: 'unchanged', 'endpoint-config': deploying });
    expect(again.log).toContain(`Reconciled the history of cut: it serves ${deploying}`);
    expect(await tags(deploying)).toHaveProperty(['mlops-actions:went-live']);

    const v3 = await deploy('cut', 3);
    expect(v3.outputs.status).toBe('deployed');
    const back = await run('rollback', { 'endpoint-name': 'cut' });
    expect(back.outputs).toMatchObject({ status: 'rolled-back', 'endpoint-config': deploying });
  });
});

describe('two runs at once', () => {
  it("the second waits for the first one's lease instead of racing it; both deploy, neither says rolled back", async () => {
    await deploy('race', 1);
    // Bakes of 10m (2.4 s here) keep the first run's lease held well past the second's start.
    const [a, b] = await Promise.all([
      deploy('race', 2, { 'bake-time': '10m' }),
      deploy('race', 3, { 'bake-time': '10m' })
    ]);
    const statuses = [a.outputs.status, b.outputs.status];
    expect(statuses).toEqual(['deployed', 'deployed']);
    const waited = [a, b].filter((r) =>
      /is being deployed by run 4242\.1\.[0-9a-f]{6} .*waiting for it to finish/.test(r.log)
    );
    expect(waited).toHaveLength(1);
    const [second] = waited;
    const first = second === a ? b : a;
    expect(second.outputs['previous-endpoint-config']).toBe(first.outputs['endpoint-config']);
    expect((await endpointNow('race')).EndpointConfigName).toBe(second.outputs['endpoint-config']);
    expect(Object.keys(await tags(second.outputs['endpoint-config']))).not.toContain(
      'mlops-actions:rolled-back'
    );
    const endpointArn = (await endpointNow('race')).EndpointArn;
    const left = ((await sm.send(new ListTagsCommand({ ResourceArn: endpointArn }))).Tags ?? []).map(
      (t) => t.Key
    );
    expect(left).not.toContain('mlops-actions:lease');
  });

  it('another deployment that wins while this one is watched is superseded: named with its run, nothing tagged rolled back', async () => {
    const v1 = await deploy('beaten', 1);
    // Another tool (not taking the lease) deploys its own config as soon as this run's goes live.
    await sm.send(
      new CreateModelCommand({
        ModelName: 'beaten-other',
        ExecutionRoleArn: ROLE,
        PrimaryContainer: { Image: image(9) }
      })
    );
    await sm.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: 'beaten-other',
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: 'beaten-other',
            InstanceType: 'ml.m5.large',
            InitialInstanceCount: 1
          }
        ],
        Tags: [
          { Key: 'mlops-actions:endpoint', Value: 'beaten' },
          {
            Key: 'mlops-actions:run-url',
            Value: 'https://github.com/octo-org/news-classifier/actions/runs/99'
          }
        ]
      })
    );
    // This run's polls are held while its config goes live and the other one replaces it.
    const beaten = await deploy(
      'beaten',
      2,
      { 'bake-time': '10m' },
      {
        onStart: when('Baking with 100%', () => {
          proxy.add({ operation: 'DescribeEndpoint', action: 'hold' });
          void (async () => {
            await settled('beaten');
            await sm.send(
              new UpdateEndpointCommand({ EndpointName: 'beaten', EndpointConfigName: 'beaten-other' })
            );
            await settled('beaten');
            proxy.clear();
          })();
        })
      }
    );
    expect(beaten.exitCode).toBe(1);
    expect(beaten.outputs.status).toBe('superseded');
    expect(beaten.errors[0]).toBe(
      `Another deployment superseded ${beaten.outputs['endpoint-config']} on beaten: the endpoint moved to beaten-other (made by https://github.com/octo-org/news-classifier/actions/runs/99), so nothing rolled back and ${beaten.outputs['endpoint-config']} is not live; it serves beaten-other. Run again if ${beaten.outputs['endpoint-config']} should win.`
    );
    expect(Object.keys(await tags(beaten.outputs['endpoint-config']))).not.toContain(
      'mlops-actions:rolled-back'
    );
    expect(Object.keys(await tags(v1.outputs['endpoint-config']))).not.toContain('mlops-actions:rolled-back');
  });
});

describe('a first deployment', () => {
  it('is not refused for bakes it does not have: wait-timeout 5m with a 10m bake creates the endpoint (4m here)', async () => {
    const first = await deploy('fresh', 1, { 'bake-time': '10m', 'wait-timeout': '5m' });
    expect(first.errors).toEqual([]);
    expect(first.outputs.status).toBe('deployed');
    // The next deployment has two bakes of 10m: that one is refused, naming wait-timeout, before any change.
    const next = await deploy('fresh', 2, { 'bake-time': '10m', 'wait-timeout': '5m' });
    expect(next.errors).toEqual([
      'Input "wait-timeout" is 5m, but this deployment waits 20m (2 traffic steps baking 10m each) before it can finish: raise wait-timeout above that, or set wait to false.'
    ]);
  });
});

describe('hostile text', () => {
  it('a rollback reason carrying a newline and ::set-output plants no workflow command anywhere', async () => {
    await deploy('hostile', 1);
    await deploy('hostile', 2);
    const back = await run('rollback', {
      'endpoint-name': 'hostile',
      reason: 'oops\n::set-output name=status::deployed\n::error::planted'
    });
    expect(back.outputs.status).toBe('rolled-back');
    expect(back.log).toContain('::set-output name=status::deployed');
    expect(plantedCommands(back, /set-output|planted/)).toEqual([]);
  });

  it('a dry run shows environment variables by name, never their values', async () => {
    const dry = await deploy('secret', 1, {
      'dry-run': 'true',
      environment: 'DB_PASSWORD=hunter2-secret\nMODE=fast'
    });
    expect(dry.outputs.status).toBe('planned');
    expect(dry.log).toContain('"DB_PASSWORD": "***"');
    expect(dry.log + dry.summary).not.toContain('hunter2-secret');
    expect(dry.log + dry.summary).not.toContain('fast');
  });
});
