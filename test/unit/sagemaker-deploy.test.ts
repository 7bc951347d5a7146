/**
 * The SageMaker engine with in-memory fakes: exact request shapes (aws-sdk-client-mock) for the model,
 * the endpoint config and the deployment config; the plan's traffic steps; the outcome judged from
 * DescribeEndpoint (including the spec's unconfirmed cases); the history read from tags.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  AddTagsCommand,
  DeleteTagsCommand,
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListEndpointConfigsCommand,
  ListModelsCommand,
  ListTagsCommand,
  SageMakerClient,
  SageMakerServiceException,
  UpdateEndpointCommand,
  type DescribeEndpointCommandOutput
} from '@aws-sdk/client-sagemaker';
import { parseDuration } from '../../src/duration.js';
import { ACTIONS } from '../../src/generated/actions.js';
import { Inputs } from '../../src/inputs.js';
import { MemoryLogger } from '../../src/report.js';
import type { EngineContext } from '../../src/sagemaker/apply.js';
import { deploy } from '../../src/sagemaker/deploy.js';
import { cleanup, reconcile, rollbackTarget, type Version } from '../../src/sagemaker/history.js';
import { readDeployOptions, type DeployOptions } from '../../src/sagemaker/options.js';
import type { EndpointState } from '../../src/sagemaker/state.js';
import {
  checkWaitTimeout,
  configRequest,
  deploymentConfig,
  modelRequest,
  trafficSteps,
  variant
} from '../../src/sagemaker/plan.js';
import { deploySummary, trafficChart } from '../../src/sagemaker/summary.js';
import { isVersionName, TAG, versionName } from '../../src/sagemaker/tags.js';
import { describeState, judge, phaseEnd, waitForEndpoint } from '../../src/sagemaker/watch.js';

const ROLE = 'arn:aws:iam::123456789012:role/sagemaker-execution';
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/news@sha256:' + 'b'.repeat(64);
const NOW = new Date('2026-01-02T03:04:05Z');
const SHA = '0123456789abcdef0123456789abcdef01234567';
const NEW = 'news-20260102030405-0123456';
const OLD = 'news-20251201000000-fedcba9';
const OLD_ARN = `arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/${OLD}`;
const NEW_ARN = `arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/${NEW}`;

function options(values: Record<string, string>): DeployOptions {
  const all: Record<string, string> = { 'endpoint-name': 'news', image: IMAGE, 'role-arn': ROLE, ...values };
  return readDeployOptions(new Inputs((n) => all[n], ACTIONS['deploy-canary'].inputs, 'deploy-canary'));
}

const sm = mockClient(SageMakerClient);
const cw = mockClient(CloudWatchClient);
let log: MemoryLogger;
const engine = (): EngineContext => ({
  log,
  scale: 1,
  sha: SHA,
  runUrl: 'https://github.com/octo/news/actions/runs/1',
  holder: '1.1',
  now: () => NOW,
  timing: { sleep: async () => {} }
});
const client = () => new SageMakerClient({ region: 'us-east-1' });
const TO_NEW = { target: NEW, previous: OLD };
const clients = () => ({
  sagemaker: new SageMakerClient({ region: 'us-east-1' }),
  cloudwatch: new CloudWatchClient({ region: 'us-east-1' })
});
const notFound = (what: string) =>
  new SageMakerServiceException({
    name: 'ValidationException',
    $fault: 'client',
    $metadata: {},
    message: `Could not find ${what}.`
  });
const endpoint = (status: string, config: string, extra: Partial<DescribeEndpointCommandOutput> = {}) =>
  ({
    EndpointName: 'news',
    EndpointStatus: status,
    EndpointConfigName: config,
    ...extra
  }) as DescribeEndpointCommandOutput;
/** The mutating commands the engine sent, by name. */
const mutating = () =>
  sm
    .calls()
    .filter((c) => !isLeaseCall(c.args[0].input as { Tags?: Array<{ Key?: string }>; TagKeys?: string[] }))
    .map((c) => c.args[0].constructor.name.replace(/Command$/, ''))
    .filter((name) => !/^(Describe|List)/.test(name));
/** The lease's own tag writes, which change no version. */
const isLeaseCall = (input: { Tags?: Array<{ Key?: string }>; TagKeys?: string[] }) =>
  [...(input.Tags ?? []).map((t) => t.Key), ...(input.TagKeys ?? [])].some((k) => k?.startsWith(TAG.lease));

beforeEach(() => {
  sm.reset();
  cw.reset();
  log = new MemoryLogger();
  sm.on(AddTagsCommand).resolves({});
  sm.on(ListEndpointConfigsCommand).resolves({ EndpointConfigs: [] });
  sm.on(ListModelsCommand).resolves({ Models: [] });
});

/** An endpoint live on OLD (AllTraffic, image `live`). */
function liveEndpoint(live = '123456789012.dkr.ecr.us-east-1.amazonaws.com/news@sha256:' + 'a'.repeat(64)) {
  sm.on(DescribeEndpointConfigCommand, { EndpointConfigName: OLD }).resolves({
    EndpointConfigName: OLD,
    EndpointConfigArn: OLD_ARN,
    ProductionVariants: [
      { VariantName: 'AllTraffic', ModelName: OLD, InstanceType: 'ml.m5.large', InitialInstanceCount: 2 }
    ]
  });
  sm.on(DescribeModelCommand, { ModelName: OLD }).resolves({
    ModelName: OLD,
    ExecutionRoleArn: ROLE,
    PrimaryContainer: { Image: live }
  });
  sm.on(ListTagsCommand).resolves({
    Tags: [
      { Key: TAG.endpoint, Value: 'news' },
      { Key: TAG.wentLive, Value: '2025-12-01T00:00:00.000Z' }
    ]
  });
  sm.on(DescribeEndpointConfigCommand, { EndpointConfigName: NEW }).resolves({
    EndpointConfigName: NEW,
    EndpointConfigArn: NEW_ARN,
    ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: NEW }]
  });
  sm.on(DescribeModelCommand, { ModelName: NEW }).resolves({ ModelName: NEW, ModelArn: `arn:model/${NEW}` });
}

describe('request builders', () => {
  it('model: image, model data, environment, role and the toolkit tags', () => {
    const o = options({
      'model-data': 's3://models/news/model.tar.gz',
      environment: 'LOG_LEVEL: debug',
      tags: 'team: ml'
    });
    expect(modelRequest(NEW, o, ROLE, { team: 'ml', [TAG.endpoint]: 'news' })).toEqual({
      ModelName: NEW,
      ExecutionRoleArn: ROLE,
      PrimaryContainer: {
        Image: IMAGE,
        ModelDataUrl: 's3://models/news/model.tar.gz',
        Environment: { LOG_LEVEL: 'debug' }
      },
      Tags: [
        { Key: 'team', Value: 'ml' },
        { Key: 'mlops-actions:endpoint', Value: 'news' }
      ]
    });
  });

  it('endpoint config: instances or serverless, data capture of input and output', () => {
    const o = options({
      'data-capture': 's3://capture/news',
      'data-capture-percent': '25',
      'instance-type': 'ml.c5.xlarge',
      'instance-count': '3'
    });
    expect(configRequest(NEW, [variant(o, 'AllTraffic', NEW)], o, {})).toEqual({
      EndpointConfigName: NEW,
      ProductionVariants: [
        {
          VariantName: 'AllTraffic',
          ModelName: NEW,
          InitialVariantWeight: 1,
          InstanceType: 'ml.c5.xlarge',
          InitialInstanceCount: 3
        }
      ],
      DataCaptureConfig: {
        EnableCapture: true,
        InitialSamplingPercentage: 25,
        DestinationS3Uri: 's3://capture/news',
        CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }]
      },
      Tags: []
    });
    const serverless = options({ 'serverless-memory': '2048', 'serverless-max-concurrency': '5' });
    expect(variant(serverless, 'AllTraffic', NEW)).toEqual({
      VariantName: 'AllTraffic',
      ModelName: NEW,
      InitialVariantWeight: 1,
      ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 }
    });
  });

  it('deployment config: canary by capacity percent, with alarms; the timeout covers every wait', () => {
    expect(deploymentConfig(options({ alarms: 'news-5xx\nnews-latency' }))).toEqual({
      BlueGreenUpdatePolicy: {
        TrafficRoutingConfiguration: {
          Type: 'CANARY',
          CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 },
          WaitIntervalInSeconds: 600
        },
        TerminationWaitInSeconds: 0,
        MaximumExecutionTimeoutInSeconds: 1200 + 1800
      },
      AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'news-5xx' }, { AlarmName: 'news-latency' }] }
    });
  });

  it('deployment config: canary by instance count, linear, all at once with a termination wait', () => {
    expect(
      deploymentConfig(options({ 'canary-size': '1', 'instance-count': '4' })).BlueGreenUpdatePolicy
    ).toMatchObject({
      TrafficRoutingConfiguration: { Type: 'CANARY', CanarySize: { Type: 'INSTANCE_COUNT', Value: 1 } }
    });
    expect(
      deploymentConfig(
        options({ strategy: 'linear', 'linear-step': '25%', 'instance-count': '4', 'bake-time': '5m' })
      )
    ).toEqual({
      BlueGreenUpdatePolicy: {
        TrafficRoutingConfiguration: {
          Type: 'LINEAR',
          LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 25 },
          WaitIntervalInSeconds: 300
        },
        TerminationWaitInSeconds: 0,
        MaximumExecutionTimeoutInSeconds: 4 * 300 + 1800
      }
    });
    expect(
      deploymentConfig(options({ strategy: 'all-at-once', 'bake-time': '0s', 'termination-wait': '15m' }))
    ).toEqual({
      BlueGreenUpdatePolicy: {
        TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 0 },
        TerminationWaitInSeconds: 900,
        MaximumExecutionTimeoutInSeconds: 900 + 1800
      }
    });
  });
});

describe('traffic steps', () => {
  it.each([
    ['canary 10% of 2 instances is one instance: half the traffic', { 'canary-size': '10%' }, [50, 100]],
    ['canary 10% of 20 instances', { 'canary-size': '10%', 'instance-count': '20' }, [10, 100]],
    [
      'canary 25% of 10 instances rounds up to 3',
      { 'canary-size': '25%', 'instance-count': '10' },
      [30, 100]
    ],
    ['canary of 1 instance of 4', { 'canary-size': '1', 'instance-count': '4' }, [25, 100]],
    ['linear 20% of 10 instances', { strategy: 'linear', 'instance-count': '10' }, [20, 40, 60, 80, 100]],
    ['linear 20% of 2 instances', { strategy: 'linear' }, [50, 100]],
    [
      'linear 30% of 10 instances',
      { strategy: 'linear', 'linear-step': '30%', 'instance-count': '10' },
      [30, 60, 90, 100]
    ],
    [
      'serverless shifts the percentage itself',
      { 'serverless-memory': '1024', 'serverless-max-concurrency': '2' },
      [10, 100]
    ],
    ['all at once', { strategy: 'all-at-once' }, [100]],
    ['weights', { strategy: 'weights', 'canary-weight': '15' }, [15]]
  ])('%s', (_, values, percents) => {
    expect(trafficSteps(options(values)).map((s) => s.percent)).toEqual(percents);
  });

  it('inputs together: a wait-timeout the bakes alone exceed, or more than 8 hours of waiting, is refused naming the input', () => {
    expect(() => checkWaitTimeout(options({ 'bake-time': '30m', 'wait-timeout': '1h' }))).toThrow(
      'Input "wait-timeout" is 1h, but this deployment waits 1h (2 traffic steps baking 30m each) before it can finish: raise wait-timeout above that, or set wait to false.'
    );
    expect(() =>
      checkWaitTimeout(options({ 'bake-time': '30m', 'wait-timeout': '1h', wait: 'false' }))
    ).not.toThrow();
    expect(() =>
      options({ strategy: 'linear', 'linear-step': '10%', 'instance-count': '10', 'bake-time': '1h' })
    ).toThrow(
      /^Input "bake-time" is too long for this deployment: 10 traffic steps baking 1h each make 10h of waiting, but SageMaker allows a deployment 8h in all .* or use a bigger linear-step\.$/
    );
  });
});

describe('names and history', () => {
  const state = (tags: Record<string, string>, status = 'InService'): EndpointState => ({
    endpoint: endpoint(status, OLD, { LastModifiedTime: new Date('2026-01-01T10:00:00Z') }),
    config: {
      EndpointConfigName: OLD,
      EndpointConfigArn: OLD_ARN,
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: OLD }]
    } as unknown as EndpointState['config'],
    configTags: { [TAG.endpoint]: 'news', ...tags },
    models: {}
  });
  it('reconcile marks the config that serves live, and drops a rolled-back mark it should not carry', async () => {
    sm.on(DescribeEndpointConfigCommand, { EndpointConfigName: OLD }).resolves(state({}).config!);
    sm.on(DescribeModelCommand).resolves({ ModelArn: 'arn:model' });
    sm.on(DeleteTagsCommand).resolves({});
    await reconcile(client(), state({ [TAG.rolledBack]: '2026-01-01T11:00:00Z' }), log);
    expect(sm.commandCalls(DeleteTagsCommand)[0].args[0].input).toEqual({
      ResourceArn: OLD_ARN,
      TagKeys: [TAG.rolledBack, TAG.rollbackReason]
    });
    expect(sm.commandCalls(AddTagsCommand).map((c) => c.args[0].input)).toEqual([
      { ResourceArn: OLD_ARN, Tags: [{ Key: TAG.wentLive, Value: '2026-01-01T10:00:00.000Z' }] },
      { ResourceArn: 'arn:model', Tags: [{ Key: TAG.wentLive, Value: '2026-01-01T10:00:00.000Z' }] }
    ]);
    sm.resetHistory();
    // Nothing to do: marked live already, still updating, or not the toolkit's config of this endpoint.
    await reconcile(client(), state({ [TAG.wentLive]: '2026-01-01T10:00:00Z' }), log);
    await reconcile(client(), state({}, 'Updating'), log);
    await reconcile(client(), { ...state({}), configTags: { [TAG.endpoint]: 'other' } }, log);
    expect(sm.calls()).toEqual([]);
  });

  it('cleanup reclaims orphans (never live, never rolled back, made before the run) beyond what keep-versions keeps', async () => {
    const before = new Date('2026-01-02T00:00:00Z');
    const at = (h: number) => new Date(Date.parse('2026-01-01T00:00:00Z') + h * 3600e3);
    const versions: Version[] = [
      { configName: 'v4', arn: 'a4', created: new Date('2026-01-03T00:00:00Z'), tags: {} },
      { configName: 'v3', arn: 'a3', created: at(3), tags: {} },
      { configName: 'v2', arn: 'a2', created: at(2), tags: { [TAG.wentLive]: 'x' } },
      { configName: 'v1', arn: 'a1', created: at(1), tags: { [TAG.rolledBack]: 'x' } }
    ];
    sm.on(DescribeEndpointConfigCommand).resolves({ ProductionVariants: [] });
    sm.on(DeleteEndpointConfigCommand).resolves({});
    const deleted = await cleanup(client(), {
      endpoint: 'news',
      versions,
      keep: 5,
      protect: ['v2'],
      before,
      log
    });
    // v4 is newer than the run (another run may still use it); v1 was rolled back from: history.
    expect(deleted).toEqual(['v3']);
    expect(log.text()).toContain('Reclaimed 1 config(s) that never reached the endpoint');
  });

  it('version names fit SageMaker (63 characters) and are recognised per endpoint', () => {
    const long = 'a-very-long-endpoint-name-for-the-news-classifier-of-octo-org';
    const name = versionName(long, SHA, NOW);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/);
    expect(isVersionName(name, long)).toBe(true);
    expect(versionName('news', SHA, NOW)).toBe(NEW);
    expect(isVersionName(NEW, 'news')).toBe(true);
    expect(isVersionName('news-keep-20260102030405-0123456', 'news')).toBe(false);
    expect(isVersionName('news-manual', 'news')).toBe(false);
  });

  const v = (configName: string, tags: Record<string, string>): Version => ({
    configName,
    arn: `arn:${configName}`,
    created: new Date(),
    tags
  });

  it('the rollback target is the version that went live last, skipping ones rolled back from since', () => {
    const versions = [
      v('v4', { [TAG.rolledBack]: '2026-01-04T00:00:00Z' }),
      v('v3', { [TAG.wentLive]: '2026-01-03T00:00:00Z' }),
      v('v2', { [TAG.wentLive]: '2026-01-02T00:00:00Z', [TAG.rolledBack]: '2026-01-02T01:00:00Z' }),
      v('v1', { [TAG.wentLive]: '2026-01-05T00:00:00Z', [TAG.rolledBack]: '2026-01-01T12:00:00Z' })
    ];
    // v1 was rolled back from once, but went live again later (a rollback to it): it counts.
    expect(rollbackTarget(versions, 'v3')?.configName).toBe('v1');
    expect(rollbackTarget(versions, 'v1')?.configName).toBe('v3');
    expect(rollbackTarget([versions[0], versions[2]], 'v4')).toBeUndefined();
  });

  it('cleanup keeps the newest keep-versions and the protected ones, and models a kept config still uses', async () => {
    const versions = ['v5', 'v4', 'v3', 'v2', 'v1'].map((name) => v(name, { [TAG.wentLive]: 'x' }));
    const models: Record<string, string[]> = {
      v5: ['m5'],
      v4: ['m4'],
      v3: ['m3', 'm2'],
      v2: ['m2'],
      v1: ['m1']
    };
    for (const [config, names] of Object.entries(models)) {
      sm.on(DescribeEndpointConfigCommand, { EndpointConfigName: config }).resolves({
        ProductionVariants: names.map((ModelName) => ({ VariantName: ModelName, ModelName }))
      });
    }
    sm.on(DeleteEndpointConfigCommand).resolves({});
    sm.on(DeleteModelCommand).resolves({});
    const deleted = await cleanup(new SageMakerClient({ region: 'us-east-1' }), {
      endpoint: 'news',
      versions,
      keep: 2,
      protect: ['v5', 'v3'],
      before: NOW,
      log
    });
    expect(deleted).toEqual(['v2', 'v1']);
    expect(
      sm.commandCalls(DeleteEndpointConfigCommand).map((c) => c.args[0].input.EndpointConfigName)
    ).toEqual(['v2', 'v1']);
    // m2 serves the kept v3 too: only m1 goes.
    expect(sm.commandCalls(DeleteModelCommand).map((c) => c.args[0].input.ModelName)).toEqual(['m1']);
  });
});

describe('judging the outcome', () => {
  it('success is InService on the config just deployed; InService on another is a rollback, with the reason', async () => {
    expect(await judge(endpoint('InService', NEW), TO_NEW, { sagemaker: client() })).toEqual({
      status: 'deployed'
    });
    expect(
      await judge(endpoint('InService', OLD, { FailureReason: 'Alarm news-5xx fired.' }), TO_NEW, {
        sagemaker: client()
      })
    ).toEqual({
      status: 'rolled-back',
      reason: `The deployment of ${NEW} to news was rolled back: Alarm news-5xx fired. The endpoint serves ${OLD} again.`
    });
  });

  it('an empty FailureReason after a rollback (reports say it happens) names the alarms in ALARM, or says none was given', async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'news-latency' }] });
    const cloudwatch = new CloudWatchClient({ region: 'us-east-1' });
    expect(
      await judge(endpoint('InService', OLD, { FailureReason: '' }), TO_NEW, {
        sagemaker: client(),
        cloudwatch,
        alarms: ['news-5xx', 'news-latency']
      })
    ).toMatchObject({
      status: 'rolled-back',
      reason: expect.stringContaining('rolled back: alarm news-latency in ALARM.')
    });
    expect(cw.commandCalls(DescribeAlarmsCommand)[0].args[0].input).toEqual({
      AlarmNames: ['news-5xx', 'news-latency'],
      StateValue: 'ALARM'
    });
    expect(await judge(endpoint('InService', OLD), TO_NEW, { sagemaker: client() })).toMatchObject({
      reason: expect.stringContaining('SageMaker gave no reason')
    });
  });

  it('another config taking over is superseded, not a rollback; the target seen live before it is a success', async () => {
    sm.on(DescribeEndpointConfigCommand, { EndpointConfigName: 'other' }).resolves({
      EndpointConfigArn: 'arn:other'
    });
    sm.on(ListTagsCommand, { ResourceArn: 'arn:other' }).resolves({
      Tags: [{ Key: TAG.runUrl, Value: 'https://github.com/octo/news/actions/runs/99' }]
    });
    const pending = (config: string) => ({ PendingDeploymentSummary: { EndpointConfigName: config } });
    expect(await judge(endpoint('InService', 'other'), TO_NEW, { sagemaker: client() })).toEqual({
      status: 'superseded',
      by: 'other',
      reason: `Another deployment superseded ${NEW} on news: the endpoint moved to other (made by https://github.com/octo/news/actions/runs/99), so nothing rolled back and ${NEW} is not live; it serves other. Run again if ${NEW} should win.`
    });
    expect(
      await judge(endpoint('Updating', OLD, pending('other')), TO_NEW, { sagemaker: client() })
    ).toMatchObject({
      status: 'superseded',
      by: 'other'
    });
    expect(await judge(endpoint('Updating', NEW, pending('other')), TO_NEW, { sagemaker: client() })).toEqual(
      {
        status: 'deployed'
      }
    );
  });

  it('Failed and UpdateRollbackFailed are failures that say what a person must do', async () => {
    expect(
      await judge(endpoint('Failed', OLD, { FailureReason: 'Boom.' }), TO_NEW, { sagemaker: client() })
    ).toEqual({
      status: 'failed',
      reason:
        'Endpoint news is Failed: Boom. A failed endpoint can only be deleted: delete it (aws sagemaker delete-endpoint --endpoint-name news) and deploy again to recreate it.'
    });
    expect(await judge(endpoint('UpdateRollbackFailed', OLD), TO_NEW, { sagemaker: client() })).toMatchObject(
      {
        status: 'failed',
        reason: expect.stringContaining('A person must decide')
      }
    );
  });

  it('one line of state: status, config, the new fleet, moving weights', () => {
    expect(
      describeState(
        endpoint('Updating', OLD, {
          PendingDeploymentSummary: {
            EndpointConfigName: NEW,
            StartTime: NOW,
            ProductionVariants: [
              {
                VariantName: 'AllTraffic',
                VariantStatus: [{ Status: 'Baking', StatusMessage: 'Baking 10%' }]
              }
            ]
          },
          ProductionVariants: [
            { VariantName: 'AllTraffic', CurrentWeight: 90, DesiredWeight: 0 },
            { VariantName: 'Candidate', CurrentWeight: 10, DesiredWeight: 1 }
          ]
        })
      )
    ).toBe(
      `Updating on ${OLD}, deploying ${NEW}: Baking (Baking 10%), weights AllTraffic 90->0, Candidate 10->1`
    );
  });
});

describe('deploy with a fake SageMaker', () => {
  it('first deployment: CreateModel, CreateEndpointConfig, CreateEndpoint with these exact requests, then marks the version live', async () => {
    sm.on(DescribeEndpointCommand)
      .rejectsOnce(notFound('endpoint "news"'))
      .resolvesOnce(endpoint('Creating', NEW))
      .resolves(endpoint('InService', NEW));
    sm.on(CreateModelCommand).resolves({ ModelArn: `arn:model/${NEW}` });
    sm.on(CreateEndpointConfigCommand).resolves({ EndpointConfigArn: NEW_ARN });
    sm.on(CreateEndpointCommand).resolves({ EndpointArn: 'arn:endpoint/news' });
    liveEndpoint();
    const result = await deploy(
      options({ 'model-data': 's3://models/news/model.tar.gz', tags: 'team: ml' }),
      clients(),
      engine()
    );
    expect(result).toMatchObject({ status: 'deployed', plan: { action: 'create', newConfig: NEW } });
    const tags = [
      { Key: 'team', Value: 'ml' },
      { Key: TAG.endpoint, Value: 'news' },
      { Key: TAG.gitSha, Value: SHA },
      { Key: TAG.image, Value: IMAGE },
      { Key: TAG.modelData, Value: 's3://models/news/model.tar.gz' },
      { Key: TAG.runUrl, Value: 'https://github.com/octo/news/actions/runs/1' },
      { Key: TAG.madeBy, Value: '1.1' },
      { Key: TAG.strategy, Value: 'canary' }
    ];
    expect(sm.commandCalls(CreateModelCommand)[0].args[0].input).toEqual({
      ModelName: NEW,
      ExecutionRoleArn: ROLE,
      PrimaryContainer: { Image: IMAGE, ModelDataUrl: 's3://models/news/model.tar.gz' },
      Tags: tags
    });
    expect(sm.commandCalls(CreateEndpointConfigCommand)[0].args[0].input).toEqual({
      EndpointConfigName: NEW,
      ProductionVariants: [
        {
          VariantName: 'AllTraffic',
          ModelName: NEW,
          InitialVariantWeight: 1,
          InstanceType: 'ml.m5.large',
          InitialInstanceCount: 2
        }
      ],
      Tags: tags
    });
    expect(sm.commandCalls(CreateEndpointCommand)[0].args[0].input).toEqual({
      EndpointName: 'news',
      EndpointConfigName: NEW,
      Tags: [
        { Key: 'team', Value: 'ml' },
        { Key: TAG.endpoint, Value: 'news' }
      ]
    });
    expect(mutating()).toEqual([
      'CreateModel',
      'CreateEndpointConfig',
      'CreateEndpoint',
      'AddTags',
      'AddTags'
    ]);
    expect(sm.commandCalls(AddTagsCommand).map((c) => c.args[0].input)).toEqual([
      { ResourceArn: NEW_ARN, Tags: [{ Key: TAG.wentLive, Value: NOW.toISOString() }] },
      { ResourceArn: `arn:model/${NEW}`, Tags: [{ Key: TAG.wentLive, Value: NOW.toISOString() }] }
    ]);
    expect(log.text()).toContain(`endpoint news: Creating on ${NEW}\nendpoint news: InService on ${NEW}`);
  });

  it('canary update: UpdateEndpoint with the deployment config; back on the old config is a rollback, tagged so', async () => {
    liveEndpoint();
    sm.on(DescribeEndpointCommand)
      .resolvesOnce(endpoint('InService', OLD))
      .resolvesOnce(endpoint('Updating', OLD))
      .resolvesOnce(endpoint('RollingBack', OLD))
      .resolves(endpoint('InService', OLD, { FailureReason: 'Alarm news-5xx went into ALARM.' }));
    sm.on(CreateModelCommand).resolves({});
    sm.on(CreateEndpointConfigCommand).resolves({ EndpointConfigArn: NEW_ARN });
    sm.on(UpdateEndpointCommand).resolves({});
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'news-5xx' }] });
    const o = options({ alarms: 'news-5xx' });
    const result = await deploy(o, clients(), engine());
    expect(sm.commandCalls(UpdateEndpointCommand)[0].args[0].input).toEqual({
      EndpointName: 'news',
      EndpointConfigName: NEW,
      DeploymentConfig: deploymentConfig(o)
    });
    // RollingBack (whether SageMaker shows it is unconfirmed) is waited through like Updating.
    expect(result).toMatchObject({
      status: 'rolled-back',
      polls: 3,
      reason: expect.stringContaining('Alarm news-5xx went into ALARM')
    });
    expect(sm.commandCalls(AddTagsCommand).map((c) => c.args[0].input)).toEqual([
      {
        ResourceArn: NEW_ARN,
        Tags: [
          { Key: TAG.rolledBack, Value: NOW.toISOString() },
          { Key: TAG.rollbackReason, Value: expect.stringContaining('Alarm news-5xx went into ALARM') }
        ]
      }
    ]);
  });

  it('the image already live is unchanged: no mutating call', async () => {
    liveEndpoint(IMAGE);
    sm.on(ListTagsCommand).resolves({
      Tags: [
        { Key: TAG.endpoint, Value: 'news' },
        { Key: TAG.wentLive, Value: '2025-12-01T00:00:00.000Z' }
      ]
    });
    sm.on(DescribeEndpointCommand).resolves(endpoint('InService', OLD));
    const result = await deploy(options({}), clients(), engine());
    expect(result).toMatchObject({ status: 'unchanged', plan: { action: 'unchanged', newConfig: OLD } });
    expect(mutating()).toEqual([]);
  });

  it('dry-run plans against the live endpoint and makes no mutating call', async () => {
    liveEndpoint();
    sm.on(DescribeEndpointCommand).resolves(endpoint('Updating', OLD));
    const result = await deploy(options({ 'dry-run': 'true', strategy: 'linear' }), clients(), engine());
    expect(result.status).toBe('planned');
    expect(result.plan).toMatchObject({
      action: 'update',
      previousConfig: OLD,
      newConfig: NEW,
      deploymentConfig: { BlueGreenUpdatePolicy: {} }
    });
    expect(result.plan.notes).toContain('The endpoint is Updating now: a real run waits for it first.');
    expect(mutating()).toEqual([]);
  });

  it('a SageMaker refusal while applying (a quota) fails in one sentence that says what still serves', async () => {
    liveEndpoint();
    sm.on(DescribeEndpointCommand).resolves(endpoint('InService', OLD));
    sm.on(CreateModelCommand).resolves({});
    sm.on(CreateEndpointConfigCommand).resolves({});
    sm.on(UpdateEndpointCommand).rejects(
      new SageMakerServiceException({
        name: 'ResourceLimitExceeded',
        $fault: 'client',
        $metadata: {},
        message: "The account-level service limit 'ml.m5.large for endpoint usage' is 4 Instances."
      })
    );
    sm.on(DeleteEndpointConfigCommand).resolves({});
    sm.on(DeleteModelCommand).resolves({});
    await expect(deploy(options({}), clients(), engine())).rejects.toThrow(
      `SageMaker refused UpdateEndpoint (ResourceLimitExceeded: The account-level service limit 'ml.m5.large for endpoint usage' is 4 Instances). Lower instance-count or request a higher quota in Service Quotas. The endpoint still serves ${OLD}.`
    );
    // What never served is deleted again: no orphan config or model.
    expect(mutating()).toEqual([
      'CreateModel',
      'CreateEndpointConfig',
      'UpdateEndpoint',
      'DeleteEndpointConfig',
      'DeleteModel'
    ]);
    expect(sm.commandCalls(DeleteModelCommand)[0].args[0].input).toEqual({ ModelName: NEW });
    expect(sm.commandCalls(DeleteEndpointConfigCommand)[0].args[0].input).toEqual({
      EndpointConfigName: NEW
    });
  });

  it('a version name already taken (the same commit deployed within the second) moves to the next second', async () => {
    liveEndpoint();
    sm.on(DescribeEndpointCommand).resolves(endpoint('InService', OLD));
    sm.on(CreateModelCommand)
      .rejectsOnce(
        new SageMakerServiceException({
          name: 'ValidationException',
          $fault: 'client',
          $metadata: {},
          message: `Cannot create already existing model "arn:aws:sagemaker:us-east-1:123456789012:model/${NEW}".`
        })
      )
      .resolves({});
    sm.on(CreateEndpointConfigCommand).resolves({});
    sm.on(UpdateEndpointCommand).resolves({});
    const next = versionName('news', SHA, new Date(NOW.valueOf() + 1000));
    await deploy(options({ wait: 'false' }), clients(), engine());
    expect(sm.commandCalls(CreateModelCommand).map((c) => c.args[0].input.ModelName)).toEqual([NEW, next]);
    expect(sm.commandCalls(CreateEndpointConfigCommand)[0].args[0].input.EndpointConfigName).toBe(next);
    expect(sm.commandCalls(UpdateEndpointCommand)[0].args[0].input.EndpointConfigName).toBe(next);
  });

  it('a refused endpoint config deletes the model made for it; a lost answer deletes nothing', async () => {
    liveEndpoint();
    sm.on(DescribeEndpointCommand).resolves(endpoint('InService', OLD));
    sm.on(CreateModelCommand).resolves({});
    sm.on(DeleteModelCommand).resolves({});
    sm.on(CreateEndpointConfigCommand).rejects(
      new SageMakerServiceException({
        name: 'ValidationException',
        $fault: 'client',
        $metadata: {},
        message: 'Serverless endpoints have one variant.'
      })
    );
    await expect(deploy(options({}), clients(), engine())).rejects.toThrow(
      'SageMaker refused CreateEndpointConfig'
    );
    expect(mutating()).toEqual(['CreateModel', 'CreateEndpointConfig', 'DeleteModel']);

    sm.reset();
    liveEndpoint();
    sm.on(DescribeEndpointCommand).resolves(endpoint('InService', OLD));
    sm.on(CreateModelCommand).resolves({});
    sm.on(CreateEndpointConfigCommand).rejects(
      Object.assign(new Error('socket hang up'), { name: 'TimeoutError' })
    );
    await expect(deploy(options({}), clients(), engine())).rejects.toThrow('socket hang up');
    expect(mutating()).toEqual(['CreateModel', 'CreateEndpointConfig']);
  });

  it('a wait that times out is an outcome: in-progress with the state the endpoint was left in', async () => {
    liveEndpoint();
    let t = 0;
    sm.on(DescribeEndpointCommand)
      .resolvesOnce(endpoint('InService', OLD))
      .resolves(
        endpoint('Updating', OLD, { PendingDeploymentSummary: { EndpointConfigName: NEW, StartTime: NOW } })
      );
    sm.on(CreateModelCommand).resolves({});
    sm.on(CreateEndpointConfigCommand).resolves({});
    sm.on(UpdateEndpointCommand).resolves({});
    const ctx = engine();
    ctx.timing = { clock: { now: () => t }, sleep: async (ms) => void (t += ms) };
    const result = await deploy(options({ 'bake-time': '1m', 'wait-timeout': '10m' }), clients(), ctx);
    expect(result.status).toBe('in-progress');
    expect(result.reason).toBe(
      `Timed out after 10m waiting for endpoint news; it was left Updating on ${OLD}, deploying ${NEW}. SageMaker carries on; raise wait-timeout or watch the endpoint in the console.`
    );
    // 5 s, growing by half up to 30 s, with jitter: about 24 polls in 10 minutes.
    expect(result.polls).toBeGreaterThan(18);
    expect(result.polls).toBeLessThan(32);
  });
});

describe('waiting', () => {
  const virtual = () => {
    let t = 0;
    return { clock: { now: () => t }, sleep: async (ms: number) => void (t += ms) };
  };
  const throttled = () =>
    new SageMakerServiceException({
      name: 'ThrottlingException',
      $fault: 'client',
      $metadata: {},
      message: 'Rate exceeded'
    });

  it('a poll throttled beyond the SDK retries is one more try at the next poll, not a failure', async () => {
    sm.on(DescribeEndpointCommand)
      .resolvesOnce(endpoint('Updating', OLD))
      .rejectsOnce(throttled())
      .resolves(endpoint('InService', NEW));
    const watched = await waitForEndpoint('news', {
      sagemaker: new SageMakerClient({ region: 'us-east-1' }),
      log,
      timeoutSeconds: 600,
      timing: virtual()
    });
    expect(watched.endpoint?.EndpointStatus).toBe('InService');
    expect(watched.polls).toBe(3);
    expect(log.text()).toContain(
      "debug: DescribeEndpoint news was throttled beyond the SDK's retries; polling on."
    );
  });

  it('a first read that fails is an error (nothing to wait on)', async () => {
    sm.on(DescribeEndpointCommand).rejects(throttled());
    await expect(
      waitForEndpoint('news', {
        sagemaker: new SageMakerClient({ region: 'us-east-1' }),
        log,
        timeoutSeconds: 600,
        timing: virtual()
      })
    ).rejects.toMatchObject({ name: 'ThrottlingException' });
  });

  it('logs each change once, and while nothing changes a line at most every minute of service time', async () => {
    let n = 0;
    sm.on(DescribeEndpointCommand).callsFake(() =>
      ++n < 60
        ? endpoint('Updating', OLD, { PendingDeploymentSummary: { EndpointConfigName: NEW, StartTime: NOW } })
        : endpoint('InService', NEW)
    );
    const watched = await waitForEndpoint('news', {
      sagemaker: new SageMakerClient({ region: 'us-east-1' }),
      log,
      timeoutSeconds: 3600,
      scale: 0.01,
      timing: virtual()
    });
    const lines = log.lines.filter((l) => !l.startsWith('debug'));
    expect(lines[0]).toBe(`endpoint news: Updating on ${OLD}, deploying ${NEW}`);
    expect(lines.at(-1)).toBe(`endpoint news: InService on ${NEW}`);
    const still = lines.filter((l) => l.includes('still Updating'));
    expect(still[0]).toMatch(/^endpoint news: still Updating on \S+, deploying \S+ \(for 1m( \d+s)?\)$/);
    // One line a minute at most, and one within 96 s (the polls are at most 36 s apart; 1 s of rounding).
    const fors = still.map((l) => parseDuration(/\(for ([^)]+)\)$/.exec(l)![1].replace(/ /g, ''))!);
    fors.slice(1).forEach((f, i) => expect(f - fors[i]).toBeGreaterThanOrEqual(60));
    fors.slice(1).forEach((f, i) => expect(f - fors[i]).toBeLessThanOrEqual(97));
    // The changes are in service time, whatever the scale.
    expect(watched.changes.map((c) => c.state)).toEqual([
      `Updating on ${OLD}, deploying ${NEW}`,
      `InService on ${NEW}`
    ]);
    expect(watched.changes[1].seconds).toBeGreaterThan(900);
  });

  it('knows when a bake or termination wait ends: from the waits given, else from the endpoint itself', () => {
    const baking = (status: string) =>
      endpoint('Updating', OLD, {
        PendingDeploymentSummary: {
          EndpointConfigName: NEW,
          StartTime: NOW,
          ProductionVariants: [
            { VariantName: 'AllTraffic', VariantStatus: [{ Status: status as never, StartTime: NOW }] }
          ]
        },
        LastDeploymentConfig: {
          BlueGreenUpdatePolicy: {
            TrafficRoutingConfiguration: { Type: 'CANARY', WaitIntervalInSeconds: 300 },
            TerminationWaitInSeconds: 120
          }
        }
      });
    expect(phaseEnd(baking('Baking'), { bakeSeconds: 600 })).toBe(NOW.getTime() + 600_000);
    expect(phaseEnd(baking('Baking'), {})).toBe(NOW.getTime() + 300_000);
    expect(phaseEnd(baking('Deleting'), { scale: 0.01 })).toBe(NOW.getTime() + 1200);
    expect(phaseEnd(baking('Creating'), { bakeSeconds: 600 })).toBeUndefined();
    expect(phaseEnd(endpoint('InService', NEW), { bakeSeconds: 600 })).toBeUndefined();
  });

  it("an empty FailureReason is explained by the alarms of the endpoint's own last deployment", async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'from-endpoint' }] });
    const back = endpoint('InService', OLD, {
      LastDeploymentConfig: { AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'from-endpoint' }] } }
    });
    expect(
      await judge(back, TO_NEW, {
        sagemaker: client(),
        cloudwatch: new CloudWatchClient({ region: 'us-east-1' })
      })
    ).toMatchObject({
      reason: expect.stringContaining('alarm from-endpoint in ALARM')
    });
    expect(cw.commandCalls(DescribeAlarmsCommand)[0].args[0].input.AlarmNames).toEqual(['from-endpoint']);
  });
});

describe('summary', () => {
  it('a canary chart with its bakes and the alarms that roll it back, a link to the console', () => {
    const o = options({ alarms: 'news-5xx', 'instance-count': '10' });
    const plan = {
      endpointName: 'news',
      action: 'update' as const,
      strategy: o.strategy,
      previousConfig: OLD,
      newConfig: NEW,
      steps: trafficSteps(o),
      terminationWaitSeconds: 0,
      alarms: o.alarms,
      notes: []
    };
    expect(trafficChart(plan)).toBe(
      '```mermaid\nflowchart LR\n' +
        `  S0["new fleet<br/>${NEW}"]\n` +
        '  --> S1["10% of traffic<br/>bake 10m"]\n' +
        '  --> S2["100% of traffic<br/>bake 10m"]\n' +
        `  --> S3["old fleet ${OLD}<br/>retired"]\n` +
        `  R["alarm in ALARM while baking:<br/>all traffic back to ${OLD}"]\n` +
        '  S1 -.-> R\n  S2 -.-> R\n```\n'
    );
    const md = deploySummary(
      { plan, status: 'deployed', polls: 12, waitedSeconds: 1500, changes: [], deleted: ['news-old'] },
      IMAGE,
      undefined,
      'eu-west-1',
      1520
    );
    expect(md).toContain(
      '| Endpoint | [news](https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/endpoints/news) |'
    );
    expect(md).toContain(`| Config | ${OLD} → ${NEW} |`);
    expect(md).toContain('| Strategy | canary: 10% → 100%, bake 10m, auto-rollback on news-5xx |');
    expect(md).toContain('| Duration | 25m 20s |');
    expect(md).toContain('| Cleaned up | news-old |');
    expect(md).not.toContain('The requests a real run would send');
  });

  it('a dry run shows the requests a real run would send', async () => {
    liveEndpoint();
    sm.on(DescribeEndpointCommand).resolves(endpoint('InService', OLD));
    const result = await deploy(options({ 'dry-run': 'true' }), clients(), engine());
    const md = deploySummary(result, IMAGE, undefined, 'us-east-1', 1);
    expect(md).toContain('## deploy-canary: news: 📝 planned (dry run, nothing changed)');
    const json = JSON.parse(/```json\n([\s\S]*?)\n```/.exec(md)![1]);
    expect(Object.keys(json)).toEqual(['CreateModel', 'CreateEndpointConfig', 'UpdateEndpoint']);
    expect(json.UpdateEndpoint).toEqual({
      EndpointName: 'news',
      EndpointConfigName: NEW,
      DeploymentConfig: result.plan.deploymentConfig
    });
  });
});
