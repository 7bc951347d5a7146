/**
 * deploy-canary's model-package and rollback's to-approved through their built bundles against the
 * emulator, with packages registered and decided by the register-model and approve-model bundles:
 * deploy from a group (its latest Approved package) and from an ARN, refuse an unapproved package
 * before any mutating call, the same package again is unchanged, and after the newer package is
 * Rejected, rollback to-approved returns the endpoint to the older package's model.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListModelsCommand,
  ListTagsCommand,
  SageMakerClient
} from '@aws-sdk/client-sagemaker';
import { awsClient } from '../../src/aws.js';
import { runBundle } from '../helpers/bundle.js';
import { deployRuns, image, ROLE } from '../helpers/deploy-runs.js';
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';

const GROUP = 'news-ranker';
const ENDPOINT = 'ranker';
let emu: RunningEmulator;
let sm: SageMakerClient;
const { run } = deployRuns(() => emu.env);
const arnOf = (v: number) => `arn:aws:sagemaker:us-east-1:123456789012:model-package/${GROUP}/${v}`;
const register = (n: number, extra: Record<string, string> = {}) =>
  runBundle(
    'register-model',
    {
      'model-package-group': GROUP,
      image: image(n),
      'model-data': `s3://models/ranker/${n}.tar.gz`,
      ...extra
    },
    { env: emu.env }
  );
const decide = (version: number, decision: string) =>
  runBundle('approve-model', { 'model-package': arnOf(version), decision }, { env: emu.env });
const deployPackage = (pkg: string, extra: Record<string, string> = {}) =>
  run('deploy-canary', {
    'endpoint-name': ENDPOINT,
    'model-package': pkg,
    'role-arn': ROLE,
    'bake-time': '1m',
    ...extra
  });
/** The package the endpoint's model is made from, read from SageMaker. */
async function servedPackage(endpoint: string): Promise<string | undefined> {
  const e = await sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
  const config = await sm.send(
    new DescribeEndpointConfigCommand({ EndpointConfigName: e.EndpointConfigName })
  );
  const model = await sm.send(
    new DescribeModelCommand({ ModelName: config.ProductionVariants![0].ModelName })
  );
  return model.Containers?.[0]?.ModelPackageName;
}
const mutating = () => emu.emulator.mutatingCalls().map((c) => c.operation);

beforeAll(async () => {
  emu = await startEmulator({ timeScale: 0.002 });
  const config = emu.clientConfig;
  sm = awsClient(SageMakerClient, 'SageMaker', config);
  await awsClient(S3Client, 'S3', config).send(new CreateBucketCommand({ Bucket: 'ml-metrics' }));
  const first = await register(1, {
    approval: 'Approved',
    metrics: '{"ndcg": 0.81}',
    'metrics-path': 's3://ml-metrics/ranker/'
  });
  expect(first.outputs['model-package-arn']).toBe(arnOf(1));
  const second = await register(2);
  expect(second.outputs).toMatchObject({ 'model-package-arn': arnOf(2), status: 'PendingManualApproval' });
});
afterAll(() => emu.stop());

describe('deploy-canary model-package', () => {
  it('a group deploys its latest Approved package: the model names it, its tags link it, the summary shows it', async () => {
    const deployed = await deployPackage(GROUP);
    expect(deployed.errors).toEqual([]);
    expect(deployed.outputs.status).toBe('deployed');
    const model = await sm.send(new DescribeModelCommand({ ModelName: deployed.outputs['model-name'] }));
    expect(model.Containers).toEqual([{ ModelPackageName: arnOf(1) }]);
    expect(model.PrimaryContainer).toBeUndefined();
    const tags = Object.fromEntries(
      ((await sm.send(new ListTagsCommand({ ResourceArn: model.ModelArn }))).Tags ?? []).map((t) => [
        t.Key,
        t.Value
      ])
    );
    expect(tags).toMatchObject({
      'mlops-actions:model-package': arnOf(1),
      'mlops-actions:image': image(1),
      'mlops-actions:endpoint': ENDPOINT
    });
    expect(tags['mlops-actions:model-data']).toBeUndefined();
    // The package's metrics, copied onto the model for metrics-gate's endpoint: baseline.
    expect(tags['mlops-actions:metrics']).toBe('ndcg=0.81');
    expect(deployed.summary).toContain('#### Metrics');
    expect(deployed.summary).toContain('| ndcg | 0.81 |');
    expect(deployed.log).toContain(`Model package ${arnOf(1)} (version 1, Approved): ${image(1)}.`);
    expect(deployed.summary).toContain(`| Model package | \`${arnOf(1)}\` (${GROUP}, version 1) |`);
    expect(deployed.summary).toContain('| Approval status | ✅ Approved |');
    expect(deployed.summary).toMatch(
      /\| Package metrics \| ModelQuality\.Statistics: `s3:\/\/ml-metrics\/ranker\/[a-f0-9]{64}\.json` \|/
    );
    expect(deployed.summary).toContain(`| Image | \`${image(1)}\` |`);
    expect(deployed.summary).toContain('| Model data | `s3://models/ranker/1.tar.gz` |');
  });

  it('the same package again (by ARN) is unchanged, with no mutating call', async () => {
    emu.emulator.calls.splice(0);
    const again = await deployPackage(arnOf(1));
    expect(again.errors).toEqual([]);
    expect(again.outputs.status).toBe('unchanged');
    expect(again.log).toContain(`Model package ${arnOf(1)} is already live on ${ENDPOINT}`);
    expect(mutating()).toEqual([]);
  });

  it('a dry run prints the package ARN and status in the plan and changes nothing', async () => {
    await decide(2, 'Approved');
    emu.emulator.calls.splice(0);
    const planned = await deployPackage(arnOf(2), { 'dry-run': 'true' });
    expect(planned.outputs.status).toBe('planned');
    expect(planned.log).toContain(`"arn": "${arnOf(2)}"`);
    expect(planned.log).toContain('"status": "Approved"');
    expect(planned.summary).toContain(`"ModelPackageName": "${arnOf(2)}"`);
    expect(mutating()).toEqual([]);
    await decide(2, 'Rejected');
  });

  it('an unapproved package is refused in one sentence naming its ARN and status: no endpoint, no model', async () => {
    for (const [n, status] of [
      [3, 'PendingManualApproval'],
      [4, 'Rejected']
    ] as const) {
      const arn = (await register(n)).outputs['model-package-arn'];
      if (status === 'Rejected') await decide(n, 'Rejected');
      emu.emulator.calls.splice(0);
      const refused = await run('deploy-canary', {
        'endpoint-name': 'ranker-new',
        'model-package': arn,
        'role-arn': ROLE
      });
      expect(refused.exitCode).toBe(1);
      expect(refused.errors).toEqual([
        `Input "model-package" names ${arn}, which is ${status}, not Approved: approve it with approve-model first.`
      ]);
      expect(mutating()).toEqual([]);
    }
    await expect(sm.send(new DescribeEndpointCommand({ EndpointName: 'ranker-new' }))).rejects.toThrow();
    const models = await sm.send(new ListModelsCommand({ NameContains: 'ranker-new' }));
    expect(models.Models).toEqual([]);
  });
});

describe('rollback to-approved', () => {
  it('after the newer package is Rejected, the endpoint serves the older Approved package again', async () => {
    await decide(2, 'Approved');
    const newer = await deployPackage(GROUP);
    expect(newer.errors).toEqual([]);
    expect(newer.outputs.status).toBe('deployed');
    expect(await servedPackage(ENDPOINT)).toBe(arnOf(2));
    const older = newer.outputs['previous-endpoint-config'];

    await decide(2, 'Rejected');
    const back = await run('rollback', {
      'endpoint-name': ENDPOINT,
      'to-approved': 'true',
      reason: 'package 2 was rejected'
    });
    expect(back.errors).toEqual([]);
    expect(back.outputs).toMatchObject({
      status: 'rolled-back',
      'endpoint-config': older,
      'rolled-back-from': newer.outputs['endpoint-config']
    });
    expect(await servedPackage(ENDPOINT)).toBe(arnOf(1));
    expect(back.summary).toContain(`| Model package | \`${arnOf(1)}\` (version 1) |`);
    expect(back.summary).toContain('| Approval status | ✅ Approved (checked now) |');

    // Again, with the live package still Approved (a rejection of a package that is not live):
    // nothing to roll back, nothing changed.
    emu.emulator.calls.splice(0);
    const again = await run('rollback', { 'endpoint-name': ENDPOINT, 'to-approved': 'true' });
    expect(again.errors).toEqual([]);
    expect(again.outputs).toMatchObject({ status: 'unchanged', 'endpoint-config': older });
    expect(again.log).toContain(`made from ${arnOf(1)}, which is still Approved`);
    expect(mutating()).toEqual([]);
  });

  it('once the older package is Rejected too, none is left: one sentence, nothing changed', async () => {
    // Deploy 2 again (approved for a moment), so that the history holds two package versions.
    await decide(2, 'Approved');
    expect((await deployPackage(arnOf(2))).outputs.status).toBe('deployed');
    await decide(1, 'Rejected');
    await decide(2, 'Rejected');
    emu.emulator.calls.splice(0);
    const none = await run('rollback', { 'endpoint-name': ENDPOINT, 'to-approved': 'true' });
    expect(none.exitCode).toBe(1);
    expect(none.errors).toHaveLength(1);
    expect(none.errors[0]).toMatch(
      new RegExp(
        `^Endpoint ${ENDPOINT} has no earlier version made from a model package that is still Approved: ${ENDPOINT}-\\S+ \\(${arnOf(1)} is Rejected\\)`
      )
    );
    expect(none.errors[0]).toContain('nothing was rolled back');
    expect(mutating()).toEqual([]);
    expect(await servedPackage(ENDPOINT)).toBe(arnOf(2));
  });
});
