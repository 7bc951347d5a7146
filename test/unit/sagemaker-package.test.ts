/**
 * deploy-canary's model-package and rollback's to-approved, request shapes with aws-sdk-client-mock:
 * the package resolved before anything else (refused unless Approved, with no other call), the model
 * made of `Containers: [{ModelPackageName}]` with its link tag, the same package live is unchanged,
 * and to-approved describing each earlier version's package until one is still Approved.
 */
import { mockClient } from 'aws-sdk-client-mock';
import {
  AddTagsCommand,
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  ListEndpointConfigsCommand,
  ListModelPackagesCommand,
  ListTagsCommand,
  SageMakerClient,
  SageMakerServiceException,
  UpdateEndpointCommand,
  type DescribeModelPackageCommandOutput
} from '@aws-sdk/client-sagemaker';
import { ACTIONS } from '../../src/generated/actions.js';
import { Inputs } from '../../src/inputs.js';
import { MemoryLogger } from '../../src/report.js';
import type { EngineContext } from '../../src/sagemaker/apply.js';
import { approvedTarget } from '../../src/sagemaker/approved.js';
import { deploy } from '../../src/sagemaker/deploy.js';
import { readDeployOptions } from '../../src/sagemaker/options.js';
import { redacted } from '../../src/sagemaker/plan.js';
import { rollback } from '../../src/sagemaker/rollback.js';
import { TAG } from '../../src/sagemaker/tags.js';

const ROLE = 'arn:aws:iam::123456789012:role/sagemaker-execution';
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/news@sha256:' + 'c'.repeat(64);
const arnOf = (v: number) => `arn:aws:sagemaker:us-east-1:123456789012:model-package/news/${v}`;
const NEW = 'news-20260102030405-0123456';
const OLD = 'news-20251201000000-fedcba9';
const configArn = (name: string) => `arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/${name}`;

const sm = mockClient(SageMakerClient);
let log: MemoryLogger;
const engine = (): EngineContext => ({
  log,
  scale: 1,
  sha: '0123456789abcdef0123456789abcdef01234567',
  runUrl: 'https://github.com/octo/news/actions/runs/1',
  holder: '1.1',
  now: () => new Date('2026-01-02T03:04:05Z'),
  timing: { sleep: async () => {} }
});
const clients = () => ({ sagemaker: new SageMakerClient({ region: 'us-east-1' }) });
const options = (values: Record<string, string>) => {
  const all: Record<string, string> = { 'endpoint-name': 'news', 'role-arn': ROLE, wait: 'false', ...values };
  return readDeployOptions(new Inputs((n) => all[n], ACTIONS['deploy-canary'].inputs, 'deploy-canary'));
};
const notFound = (message: string) =>
  new SageMakerServiceException({ name: 'ValidationException', $fault: 'client', $metadata: {}, message });
const pkg = (v: number, status: string) =>
  ({
    $metadata: {},
    ModelPackageArn: arnOf(v),
    ModelPackageGroupName: 'news',
    ModelPackageVersion: v,
    ModelApprovalStatus: status as 'Approved',
    InferenceSpecification: {
      Containers: [{ Image: IMAGE, ModelDataUrl: `s3://models/news/${v}.tar.gz` }],
      SupportedContentTypes: ['application/json'],
      SupportedResponseMIMETypes: ['application/json']
    },
    ModelMetrics: {
      ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: 's3://m/q.json' } }
    },
    CustomerMetadataProperties: {
      'mlops-actions:metrics': `accuracy=0.9${v}`,
      'mlops-actions:git-sha': 'abc'
    }
  }) as unknown as DescribeModelPackageCommandOutput;
const calls = () => sm.calls().map((c) => c.args[0].constructor.name.replace(/Command$/, ''));

beforeEach(() => {
  sm.reset();
  log = new MemoryLogger();
  sm.on(AddTagsCommand).resolves({});
});

describe('deploy-canary model-package', () => {
  it('an ARN: DescribeModelPackage first, then a model of Containers [{ModelPackageName}] tagged with the package', async () => {
    sm.on(DescribeModelPackageCommand).resolves(pkg(2, 'Approved'));
    sm.on(DescribeEndpointCommand).rejects(notFound('Could not find endpoint "news".'));
    sm.on(DescribeModelCommand).rejects(notFound('Could not find model.'));
    sm.on(DescribeEndpointConfigCommand).rejects(notFound('Could not find endpoint configuration.'));
    sm.on(ListTagsCommand).resolves({ Tags: [] });

    const o = options({ 'model-package': arnOf(2), environment: 'LOG_LEVEL: debug' });
    const result = await deploy(o, clients(), engine());

    expect(calls()[0]).toBe('DescribeModelPackage');
    expect(sm.commandCalls(DescribeModelPackageCommand)[0].args[0].input).toEqual({
      ModelPackageName: arnOf(2)
    });
    const model = sm.commandCalls(CreateModelCommand)[0].args[0].input;
    expect(model).toMatchObject({
      ModelName: NEW,
      ExecutionRoleArn: ROLE,
      Containers: [{ ModelPackageName: arnOf(2), Environment: { LOG_LEVEL: 'debug' } }]
    });
    expect(model.PrimaryContainer).toBeUndefined();
    expect(model.Tags).toEqual(
      expect.arrayContaining([
        { Key: TAG.modelPackage, Value: arnOf(2) },
        { Key: TAG.image, Value: IMAGE },
        // The package's metrics, for metrics-gate's endpoint: baseline.
        { Key: 'mlops-actions:metrics', Value: 'accuracy=0.92' }
      ])
    );
    expect(model.Tags!.map((t) => t.Key)).not.toContain(TAG.modelData);
    const config = sm.commandCalls(CreateEndpointConfigCommand)[0].args[0].input;
    expect(config.Tags).toEqual(expect.arrayContaining([{ Key: TAG.modelPackage, Value: arnOf(2) }]));
    expect(sm.commandCalls(CreateEndpointCommand)).toHaveLength(1);
    expect(result.status).toBe('in-progress');
    expect(result.plan.modelPackage).toEqual({
      arn: arnOf(2),
      group: 'news',
      version: 2,
      status: 'Approved',
      image: IMAGE,
      modelData: 's3://models/news/2.tar.gz',
      metrics: [{ kind: 'ModelQuality.Statistics', uri: 's3://m/q.json' }],
      metricTags: { 'mlops-actions:metrics': 'accuracy=0.92' }
    });
    // The plan as printed hides the environment's values beside the package.
    expect(redacted(result.plan).createModel!.Containers).toEqual([
      { ModelPackageName: arnOf(2), Environment: { LOG_LEVEL: '***' } }
    ]);
  });

  it('a group: ListModelPackages for its newest Approved package, then that one described', async () => {
    sm.on(ListModelPackagesCommand).resolves({
      ModelPackageSummaryList: [
        {
          ModelPackageArn: arnOf(3),
          ModelPackageGroupName: 'news',
          ModelPackageVersion: 3,
          ModelApprovalStatus: 'Approved',
          CreationTime: new Date(),
          ModelPackageStatus: 'Completed'
        }
      ]
    });
    sm.on(DescribeModelPackageCommand).resolves(pkg(3, 'Approved'));
    sm.on(DescribeEndpointCommand).rejects(notFound('Could not find endpoint "news".'));
    const result = await deploy(options({ 'model-package': 'news', 'dry-run': 'true' }), clients(), engine());
    expect(sm.commandCalls(ListModelPackagesCommand)[0].args[0].input).toEqual({
      ModelPackageGroupName: 'news',
      ModelApprovalStatus: 'Approved',
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 1,
      NextToken: undefined
    });
    expect(result.status).toBe('planned');
    expect(result.plan.createModel!.Containers).toEqual([{ ModelPackageName: arnOf(3) }]);
  });

  it.each(['PendingManualApproval', 'Rejected'])(
    'a %s package is refused in one sentence before any other call',
    async (status) => {
      sm.on(DescribeModelPackageCommand).resolves(pkg(4, status));
      await expect(deploy(options({ 'model-package': 'news/4' }), clients(), engine())).rejects.toThrow(
        `Input "model-package" names ${arnOf(4)}, which is ${status}, not Approved: approve it with approve-model first.`
      );
      expect(calls()).toEqual(['DescribeModelPackage']);
    }
  );

  it('the same package live (same environment) is unchanged; another environment is an update', async () => {
    sm.on(DescribeModelPackageCommand).resolves(pkg(2, 'Approved'));
    sm.on(DescribeEndpointCommand).resolves({
      EndpointName: 'news',
      EndpointStatus: 'InService',
      EndpointConfigName: OLD
    });
    sm.on(DescribeEndpointConfigCommand).resolves({
      EndpointConfigName: OLD,
      EndpointConfigArn: configArn(OLD),
      ProductionVariants: [
        { VariantName: 'AllTraffic', ModelName: OLD, InstanceType: 'ml.m5.large', InitialInstanceCount: 2 }
      ]
    });
    sm.on(DescribeModelCommand).resolves({
      ModelName: OLD,
      ExecutionRoleArn: ROLE,
      Containers: [{ ModelPackageName: arnOf(2) }]
    });
    sm.on(ListTagsCommand).resolves({
      Tags: [
        { Key: TAG.endpoint, Value: 'news' },
        { Key: TAG.wentLive, Value: '2025-12-01T00:00:00.000Z' }
      ]
    });
    const same = await deploy(options({ 'model-package': arnOf(2) }), clients(), engine());
    expect(same.status).toBe('unchanged');
    expect(same.plan.notes).toEqual([`Model package ${arnOf(2)} is already live on news (config ${OLD}).`]);
    expect(calls().filter((c) => !/^(Describe|List)/.test(c))).toEqual([]);

    const other = await deploy(
      options({ 'model-package': arnOf(2), environment: 'A: 1', 'dry-run': 'true' }),
      clients(),
      engine()
    );
    expect(other.plan.action).toBe('update');
  });
});

describe('rollback to-approved', () => {
  /** Three earlier versions (newest first): 3 from a Rejected package, 2 hand-imaged, 1 Approved. */
  function history() {
    const names = [
      'news-20251203000000-ccccccc',
      'news-20251202000000-bbbbbbb',
      'news-20251201000000-aaaaaaa'
    ];
    sm.on(ListEndpointConfigsCommand).resolves({
      EndpointConfigs: [NEW, ...names].map((n) => ({
        EndpointConfigName: n,
        EndpointConfigArn: configArn(n),
        CreationTime: new Date()
      }))
    });
    const tags = (name: string, live: string, extra: Record<string, string> = {}) =>
      sm.on(ListTagsCommand, { ResourceArn: configArn(name) }).resolves({
        Tags: Object.entries({ [TAG.endpoint]: 'news', [TAG.wentLive]: live, ...extra }).map(
          ([Key, Value]) => ({
            Key,
            Value
          })
        )
      });
    tags(NEW, '2025-12-04T00:00:00.000Z', { [TAG.modelPackage]: arnOf(4) });
    tags(names[0], '2025-12-03T00:00:00.000Z', { [TAG.modelPackage]: arnOf(3) });
    tags(names[1], '2025-12-02T00:00:00.000Z');
    tags(names[2], '2025-12-01T00:00:00.000Z', { [TAG.modelPackage]: arnOf(1) });
    sm.on(DescribeModelPackageCommand, { ModelPackageName: arnOf(3) }).resolves(pkg(3, 'Rejected'));
    sm.on(DescribeModelPackageCommand, { ModelPackageName: arnOf(1) }).resolves(pkg(1, 'Approved'));
    return names;
  }

  it('skips a Rejected package and a version not from a package; describes only what it must', async () => {
    const names = history();
    const target = await approvedTarget(new SageMakerClient({}), 'news', NEW, log);
    expect(target.version.configName).toBe(names[2]);
    expect(target.package).toEqual({ arn: arnOf(1), version: 1, status: 'Approved' });
    expect(sm.commandCalls(DescribeModelPackageCommand).map((c) => c.args[0].input.ModelPackageName)).toEqual(
      [arnOf(3), arnOf(1)]
    );
    expect(log.lines.join('\n')).toContain(`Skipped ${names[0]} (${arnOf(3)} is Rejected).`);
    expect(log.lines.join('\n')).toContain(`Skipped ${names[1]} (not from a package).`);
  });

  it('none still Approved: one sentence naming each version checked', async () => {
    const names = history();
    sm.on(DescribeModelPackageCommand, { ModelPackageName: arnOf(1) }).rejects(
      notFound(`Model package ${arnOf(1)} not found`)
    );
    await expect(approvedTarget(new SageMakerClient({}), 'news', NEW)).rejects.toThrow(
      `Endpoint news has no earlier version made from a model package that is still Approved: ${names[0]} (${arnOf(3)} is Rejected), ${names[1]} (not from a package), ${names[2]} (${arnOf(1)} is deleted); nothing was rolled back, so approve and deploy a package or give "to" instead of "to-approved".`
    );
  });

  it('rollback sends UpdateEndpoint to the version of the Approved package and reports it', async () => {
    const names = history();
    sm.on(DescribeEndpointCommand).resolves({
      EndpointName: 'news',
      EndpointStatus: 'InService',
      EndpointConfigName: NEW
    });
    sm.on(DescribeEndpointConfigCommand).resolves({
      EndpointConfigName: NEW,
      EndpointConfigArn: configArn(NEW)
    });
    sm.on(UpdateEndpointCommand).resolves({ EndpointArn: 'arn:endpoint/news' });
    const result = await rollback(
      { endpointName: 'news', wait: false, waitTimeoutSeconds: 60, toApproved: true },
      clients(),
      engine()
    );
    expect(sm.commandCalls(UpdateEndpointCommand).map((c) => c.args[0].input)).toEqual([
      { EndpointName: 'news', EndpointConfigName: names[2] }
    ]);
    expect(result).toMatchObject({
      status: 'in-progress',
      endpointConfig: names[2],
      rolledBackFrom: NEW,
      modelPackage: { arn: arnOf(1), version: 1, status: 'Approved' }
    });
  });
});
