/**
 * register-model and approve-model through their built bundles against the emulator's Model Registry
 * and S3: register (group created, metrics stored content-addressed), re-register (the same package
 * back, no mutating call), a changed image (a new version), approve, approve again (a no-op that says
 * so), reject; and what each job summary shows.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  ListModelPackagesCommand,
  ListTagsCommand,
  SageMakerClient
} from '@aws-sdk/client-sagemaker';
import { awsClient } from '../../src/aws.js';
import { runBundle } from '../helpers/bundle.js';
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/news@sha256:' + 'a'.repeat(64);
const RUN_URL = 'https://github.com/octo-org/news-classifier/actions/runs/4242';
let emu: RunningEmulator;
let sm: SageMakerClient;
let s3: S3Client;
let workspace: string;

beforeAll(async () => {
  emu = await startEmulator();
  const config = emu.clientConfig;
  sm = awsClient(SageMakerClient, 'SageMaker', config);
  s3 = awsClient(S3Client, 'S3', config);
  await s3.send(new CreateBucketCommand({ Bucket: 'ml-metrics' }));
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-ws-'));
  fs.writeFileSync(
    path.join(workspace, 'metrics.json'),
    JSON.stringify({ accuracy: 0.97, eval: { f1: 0.91 }, notes: 'baseline run' })
  );
});
afterAll(() => emu.stop());

const registerInputs = {
  'model-package-group': 'news-classifier',
  image: IMAGE,
  'model-data': 's3://ml-models/news/model.tar.gz',
  environment: 'MODEL_NAME: news\nLOG_LEVEL: info',
  metrics: 'metrics.json',
  'metrics-path': 's3://ml-metrics/news/',
  'instance-types': 'ml.m5.large, ml.c5.xlarge',
  tags: 'team: ml'
};
const register = (inputs: Record<string, string> = {}) =>
  runBundle('register-model', { ...registerInputs, ...inputs }, { env: emu.env, workspace });
const decide = (inputs: Record<string, string>) =>
  runBundle('approve-model', inputs, { env: emu.env, workspace });

let arn = '';

describe('register-model', () => {
  it('creates the group and version 1 with the container, metrics in S3 and provenance in its metadata', async () => {
    const run = await register();
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    arn = run.outputs['model-package-arn'];
    expect(arn).toBe('arn:aws:sagemaker:us-east-1:123456789012:model-package/news-classifier/1');
    expect(run.outputs['model-package-version']).toBe('1');
    expect(run.outputs.status).toBe('PendingManualApproval');

    const group = await sm.send(
      new DescribeModelPackageGroupCommand({ ModelPackageGroupName: 'news-classifier' })
    );
    expect(group.ModelPackageGroupDescription).toBe(
      'Model packages of octo-org/news-classifier, registered by mlops-actions register-model.'
    );
    const tags = await sm.send(new ListTagsCommand({ ResourceArn: group.ModelPackageGroupArn }));
    expect(tags.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'team', Value: 'ml' },
        { Key: 'mlops-actions:repository', Value: 'octo-org/news-classifier' }
      ])
    );

    const pkg = await sm.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
    expect(pkg.InferenceSpecification).toEqual({
      Containers: [
        {
          Image: IMAGE,
          ModelDataUrl: 's3://ml-models/news/model.tar.gz',
          Environment: { MODEL_NAME: 'news', LOG_LEVEL: 'info' }
        }
      ],
      SupportedContentTypes: ['application/json'],
      SupportedResponseMIMETypes: ['application/json'],
      SupportedRealtimeInferenceInstanceTypes: ['ml.m5.large', 'ml.c5.xlarge']
    });
    const uri = pkg.ModelMetrics?.ModelQuality?.Statistics?.S3Uri ?? '';
    expect(pkg.ModelMetrics?.ModelQuality?.Statistics?.ContentType).toBe('application/json');
    expect(uri).toMatch(/^s3:\/\/ml-metrics\/news\/[a-f0-9]{64}\.json$/);
    const stored = await s3.send(
      new GetObjectCommand({ Bucket: 'ml-metrics', Key: uri.replace('s3://ml-metrics/', '') })
    );
    expect(JSON.parse(await stored.Body!.transformToString())).toEqual({
      accuracy: 0.97,
      eval: { f1: 0.91 },
      notes: 'baseline run'
    });
    expect(pkg.CustomerMetadataProperties).toEqual({
      'mlops-actions:git-sha': '0123456789abcdef0123456789abcdef01234567',
      'mlops-actions:repository': 'octo-org/news-classifier',
      'mlops-actions:run-url': RUN_URL,
      'mlops-actions:image-digest': 'sha256:' + 'a'.repeat(64),
      'mlops-actions:metrics': 'accuracy=0.97 eval.f1=0.91'
    });
    expect(pkg.MetadataProperties).toEqual({
      CommitId: '0123456789abcdef0123456789abcdef01234567',
      Repository: 'octo-org/news-classifier',
      GeneratedBy: RUN_URL
    });
    expect(pkg.ModelPackageDescription).toBe(
      'octo-org/news-classifier at 0123456, registered by mlops-actions register-model.'
    );

    expect(run.summary).toContain('## register-model: news-classifier: 🆕 registered version 1');
    expect(run.summary).toContain(
      `| Package | \`${arn}\` ([console](https://us-east-1.console.aws.amazon.com/`
    );
    expect(run.summary).toContain('| Approval status | ⏳ PendingManualApproval |');
    expect(run.summary).toContain(`| Image | \`${IMAGE}\` |`);
    expect(run.summary).toContain('| Group created | yes, by this run |');
    expect(run.summary).toContain('| accuracy | 0.97 |');
    expect(run.summary).toContain('| eval.f1 | 0.91 |');
    expect(run.summary).toContain('Next: approve it with approve-model');
    expect(run.log).toContain("Metric not copied to the package's metadata: notes (text).");
  });

  it('a re-run with the same image, model data and metrics returns version 1 with no mutating call', async () => {
    emu.emulator.calls.splice(0);
    const run = await register({ description: 'a re-run', approval: 'Approved' });
    expect(run.exitCode).toBe(0);
    expect(run.outputs['model-package-arn']).toBe(arn);
    expect(run.outputs['model-package-version']).toBe('1');
    expect(run.outputs.status).toBe('PendingManualApproval');
    expect(emu.emulator.mutatingCalls()).toEqual([]);
    expect(run.log).toContain(
      'has this image, model data and metrics already: returning it, no new version.'
    );
    expect(run.log).toContain(
      'Its approval stays PendingManualApproval: approval Approved applies to a new package'
    );
    expect(run.summary).toContain('version 1 has these contents already (no new version)');
    const list = await sm.send(new ListModelPackagesCommand({ ModelPackageGroupName: 'news-classifier' }));
    expect(list.ModelPackageSummaryList).toHaveLength(1);
  });

  it('another image is a new version, Approved when asked, from inline metrics', async () => {
    const run = await register({
      image: IMAGE.replace('a'.repeat(64), 'b'.repeat(64)),
      metrics: '{"accuracy": 0.98}',
      approval: 'Approved'
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs['model-package-version']).toBe('2');
    expect(run.outputs.status).toBe('Approved');
    expect(run.summary).not.toContain('Group created');
    expect(run.summary).not.toContain('Next: approve it');
  });
});

describe('approve-model', () => {
  it('approves a package by ARN with who and why and the run URL', async () => {
    const run = await decide({
      'model-package': arn,
      decision: 'Approved',
      description: 'Approved by octocat | a reviewer\n::warning::of production'
    });
    expect(run.errors).toEqual([]);
    expect(run.outputs).toEqual({
      'model-package-arn': arn,
      status: 'Approved',
      'previous-status': 'PendingManualApproval'
    });
    const pkg = await sm.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
    expect(pkg.ModelApprovalStatus).toBe('Approved');
    expect(pkg.ApprovalDescription).toBe(
      `Approved by octocat | a reviewer ::warning::of production (run ${RUN_URL})`
    );
    expect(run.log).not.toMatch(/^::warning::/m);
    expect(run.summary).toContain(
      '## approve-model: news-classifier version 1: ✅ Approved (was PendingManualApproval)'
    );
    expect(run.summary).toContain('| Approval status | PendingManualApproval → ✅ Approved |');
    expect(run.summary).toContain(
      '| Commit | [`0123456789ab`](https://github.com/octo-org/news-classifier/commit/0123456789abcdef0123456789abcdef01234567) |'
    );
    expect(run.summary).toContain(
      '| Who and why | Approved by octocat \\| a reviewer ::warning::of production (run https://github.com/'
    );
    expect(run.summary).toContain('| accuracy | 0.97 |');
  });

  it('approving it again is a no-op that says so: no mutating call', async () => {
    emu.emulator.calls.splice(0);
    const run = await decide({ 'model-package': 'news-classifier', version: '1', decision: 'approved' });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toEqual({
      'model-package-arn': arn,
      status: 'Approved',
      'previous-status': 'Approved'
    });
    expect(emu.emulator.mutatingCalls()).toEqual([]);
    expect(run.log).toContain(`${arn} is Approved already: nothing to do`);
    expect(run.summary).toContain('✅ Approved already, nothing changed');
  });

  it('rejects it, by <group>/<version>, with the default description naming the actor', async () => {
    const run = await decide({ 'model-package': 'news-classifier/1', decision: 'Rejected' });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toEqual({
      'model-package-arn': arn,
      status: 'Rejected',
      'previous-status': 'Approved'
    });
    const pkg = await sm.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
    expect(pkg.ModelApprovalStatus).toBe('Rejected');
    expect(pkg.ApprovalDescription).toBe(`Rejected by octocat (run ${RUN_URL})`);
    expect(run.summary).toContain('⛔ Rejected (was Approved)');
  });

  it('a package that does not exist: one sentence naming the input, no mutating call', async () => {
    emu.emulator.calls.splice(0);
    const run = await decide({ 'model-package': 'news-classifier', version: '9', decision: 'Approved' });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      'Input "model-package" names the model package news-classifier/9, which does not exist in this region: check the group and version.'
    ]);
    expect(emu.emulator.mutatingCalls()).toEqual([]);
  });
});
