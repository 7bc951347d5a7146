/**
 * register-model and approve-model on the worst day, through the built bundles against the emulator:
 * answers lost after the registry acted (the SDK retries; one group, one version), two runs of the
 * same contents at once (one package for both), and outside values carrying a line break and
 * workflow commands (the runner would obey none of them).
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { ListModelPackagesCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { awsClient } from '../../src/aws.js';
import { runBundle } from '../helpers/bundle.js';
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';
import { startLossyProxy } from '../helpers/lossy-proxy.js';
import { plantedCommands } from '../helpers/workflow-commands.js';

const image = (n: number) =>
  `123456789012.dkr.ecr.us-east-1.amazonaws.com/news@sha256:${String(n).repeat(64)}`;
const PLANTED = /^(planted|evil)/;
let emu: RunningEmulator;
let sm: SageMakerClient;

beforeAll(async () => {
  emu = await startEmulator();
  const config = emu.clientConfig;
  sm = awsClient(SageMakerClient, 'SageMaker', config);
  await awsClient(S3Client, 'S3', config).send(new CreateBucketCommand({ Bucket: 'ml-metrics' }));
});
afterAll(() => emu.stop());

const inputs = (n: number, extra: Record<string, string> = {}) => ({
  'model-package-group': 'worst-day',
  image: image(n),
  'model-data': `s3://ml-models/news/${n}.tar.gz`,
  metrics: '{"accuracy": 0.9}',
  'metrics-path': 's3://ml-metrics/worst-day',
  ...extra
});
const versions = async () =>
  (
    await sm.send(
      new ListModelPackagesCommand({ ModelPackageGroupName: 'worst-day', SortOrder: 'Ascending' })
    )
  ).ModelPackageSummaryList!.map((p) => p.ModelPackageVersion);

it('answers lost after the group and the package were made: the retries find them, one version', async () => {
  const proxy = await startLossyProxy(emu.url);
  try {
    for (const operation of ['CreateModelPackageGroup', 'CreateModelPackage', 'UpdateModelPackage'])
      proxy.add({ operation, action: 'drop-answer', times: 1 });
    const env = { ...emu.env, AWS_ENDPOINT_URL: proxy.url };
    const made = await runBundle('register-model', inputs(1), { env, timeoutMs: 120_000 });
    expect(made.errors).toEqual([]);
    expect(made.outputs).toMatchObject({ 'model-package-version': '1', status: 'PendingManualApproval' });
    const approved = await runBundle(
      'approve-model',
      { 'model-package': made.outputs['model-package-arn'], decision: 'Approved' },
      { env, timeoutMs: 120_000 }
    );
    expect(approved.errors).toEqual([]);
    expect(approved.outputs.status).toBe('Approved');
    expect(
      proxy.log
        .filter((l) => l.fate === 'drop-answer')
        .map((l) => l.operation)
        .sort()
    ).toEqual(['CreateModelPackage', 'CreateModelPackageGroup', 'UpdateModelPackage']);
    expect(await versions()).toEqual([1]);
  } finally {
    await proxy.stop();
  }
}, 240_000);

it('two runs of the same contents at once get one package', async () => {
  const [a, b] = await Promise.all([
    runBundle('register-model', inputs(2), { env: emu.env }),
    runBundle('register-model', inputs(2), { env: emu.env })
  ]);
  expect([a.errors, b.errors]).toEqual([[], []]);
  expect(a.outputs['model-package-arn']).toBe(b.outputs['model-package-arn']);
  expect(await versions()).toEqual([1, 2]);
});

it('a line break and workflow commands in outside values start no command', async () => {
  const register = await runBundle(
    'register-model',
    inputs(3, {
      description: 'retrained\n::set-output name=model-package-arn::evil',
      metrics: '{"::error::planted": 1, "accuracy": 0.9}',
      tags: 'note: "a\\n::warning::planted"'
    }),
    { env: emu.env }
  );
  const approve = await runBundle(
    'approve-model',
    {
      'model-package': 'worst-day/1',
      decision: 'Rejected',
      description: 'bad data\n::set-output name=status::evil\n##[error]planted'
    },
    { env: emu.env }
  );
  for (const run of [register, approve]) {
    expect(plantedCommands(run, PLANTED)).toEqual([]);
    expect(Object.values(run.outputs)).not.toContain('evil');
  }
  expect(approve.outputs.status).toBe('Rejected');
});
