/** The plan and the exact requests deploy-canary sends (aws-sdk-client-mock), without an endpoint. */
import { mockClient } from 'aws-sdk-client-mock';
import {
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListTagsCommand,
  SageMakerClient,
  UpdateEndpointCommand
} from '@aws-sdk/client-sagemaker';
import { Inputs } from '../../src/inputs.js';
import { ACTIONS } from '../../src/generated/actions.js';
import { MemoryLogger } from '../../src/report.js';
import { deploy } from '../../src/sagemaker/deploy.js';
import { readDeployOptions, type DeployOptions } from '../../src/sagemaker/options.js';
import { deploymentConfig, planDeployment, trafficSteps } from '../../src/sagemaker/plan.js';
import type { EndpointState } from '../../src/sagemaker/state.js';
import { versionName } from '../../src/sagemaker/tags.js';

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/news@sha256:' + 'b'.repeat(64);
const options = (values: Record<string, string> = {}): DeployOptions =>
  readDeployOptions(
    new Inputs(
      (n) => ({ 'endpoint-name': 'news', image: IMAGE, 'model-data': 's3://m/model.tar.gz', ...values })[n],
      ACTIONS['deploy-canary'].inputs,
      'deploy-canary'
    )
  );
const ctx = {
  sha: '0123456789abcdef',
  runUrl: 'https://github.com/o/r/actions/runs/1',
  now: new Date('2026-11-24T10:20:30Z')
};

const liveState: EndpointState = {
  endpoint: {
    EndpointName: 'news',
    EndpointArn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/news',
    CreationTime: new Date(0),
    LastModifiedTime: new Date(0),
    EndpointConfigName: 'news-old',
    EndpointStatus: 'InService',
    $metadata: {}
  },
  config: {
    EndpointConfigName: 'news-old',
    EndpointConfigArn: 'arn',
    CreationTime: new Date(0),
    ProductionVariants: [
      {
        VariantName: 'AllTraffic',
        ModelName: 'news-old',
        InstanceType: 'ml.m5.large',
        InitialInstanceCount: 2,
        InitialVariantWeight: 1
      }
    ],
    $metadata: {}
  },
  configTags: {},
  models: {
    AllTraffic: {
      ModelName: 'news-old',
      ModelArn: 'arn',
      CreationTime: new Date(0),
      ExecutionRoleArn: 'arn:aws:iam::123456789012:role/live',
      PrimaryContainer: { Image: 'old-image', ModelDataUrl: 's3://m/old.tar.gz' },
      $metadata: {}
    }
  }
};

describe('names', () => {
  it('versions are <endpoint>-<time>-<sha7>, valid and at most 63 characters', () => {
    expect(versionName('news', 'abcdef0123', ctx.now)).toBe('news-20261124102030-abcdef0');
    const long = versionName('e'.repeat(63), 'abcdef0123', ctx.now);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/);
  });
});

describe('deployment config per strategy', () => {
  it('canary 10% with alarms', () => {
    expect(deploymentConfig(options({ alarms: 'a,b' }))).toEqual({
      BlueGreenUpdatePolicy: {
        TrafficRoutingConfiguration: {
          Type: 'CANARY',
          CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 },
          WaitIntervalInSeconds: 600
        },
        TerminationWaitInSeconds: 0,
        MaximumExecutionTimeoutInSeconds: 3000
      },
      AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'a' }, { AlarmName: 'b' }] }
    });
  });
  it('canary of one instance', () => {
    expect(
      deploymentConfig(options({ 'canary-size': '1', 'instance-count': '4' })).BlueGreenUpdatePolicy!
        .TrafficRoutingConfiguration!.CanarySize
    ).toEqual({ Type: 'INSTANCE_COUNT', Value: 1 });
    expect(trafficSteps(options({ 'canary-size': '1', 'instance-count': '4' }))).toEqual([
      { percent: 25, bakeSeconds: 600 },
      { percent: 100, bakeSeconds: 600 }
    ]);
  });
  it('linear 25% and all-at-once with a termination wait; no alarms means no AutoRollbackConfiguration', () => {
    const linear = deploymentConfig(options({ strategy: 'linear', 'linear-step': '25%', 'bake-time': '5m' }));
    expect(linear.BlueGreenUpdatePolicy!.TrafficRoutingConfiguration).toEqual({
      Type: 'LINEAR',
      LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 25 },
      WaitIntervalInSeconds: 300
    });
    expect(linear.AutoRollbackConfiguration).toBeUndefined();
    const all = deploymentConfig(options({ strategy: 'all-at-once', 'termination-wait': '15m' }));
    expect(all.BlueGreenUpdatePolicy).toMatchObject({
      TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 600 },
      TerminationWaitInSeconds: 900
    });
  });
  it('the execution timeout covers every wait and stays within 600-28800', () => {
    expect(
      deploymentConfig(
        // 10 steps of 45m and 20m of termination wait: 7h50m of waiting, the most SageMaker allows.
        options({
          strategy: 'linear',
          'linear-step': '10%',
          'instance-count': '10',
          'bake-time': '45m',
          'termination-wait': '20m',
          'wait-timeout': '8h'
        })
      ).BlueGreenUpdatePolicy!.MaximumExecutionTimeoutInSeconds
    ).toBe(28800);
    expect(
      deploymentConfig(options({ 'bake-time': '0s' })).BlueGreenUpdatePolicy!.MaximumExecutionTimeoutInSeconds
    ).toBe(1800);
  });
});

describe('plans', () => {
  it('first deployment: create, all at once, role required', () => {
    expect(() => planDeployment({ configTags: {}, models: {} }, options(), ctx)).toThrow(
      'Input "role-arn" is required on the first deployment of news'
    );
    const plan = planDeployment(
      { configTags: {}, models: {} },
      options({ 'role-arn': 'arn:aws:iam::123456789012:role/r' }),
      ctx
    );
    expect(plan).toMatchObject({
      action: 'create',
      newConfig: 'news-20261124102030-0123456',
      steps: [{ percent: 100 }]
    });
  });
  it('update reuses the live model role and keeps the variant name', () => {
    const plan = planDeployment(liveState, options(), ctx);
    expect(plan.action).toBe('update');
    expect(plan.createModel).toEqual({
      ModelName: 'news-20261124102030-0123456',
      ExecutionRoleArn: 'arn:aws:iam::123456789012:role/live',
      PrimaryContainer: { Image: IMAGE, ModelDataUrl: 's3://m/model.tar.gz' },
      Tags: [
        { Key: 'mlops-actions:endpoint', Value: 'news' },
        { Key: 'mlops-actions:git-sha', Value: '0123456789abcdef' },
        { Key: 'mlops-actions:image', Value: IMAGE },
        { Key: 'mlops-actions:model-data', Value: 's3://m/model.tar.gz' },
        { Key: 'mlops-actions:run-url', Value: 'https://github.com/o/r/actions/runs/1' },
        { Key: 'mlops-actions:strategy', Value: 'canary' }
      ]
    });
    expect(plan.createConfig!.ProductionVariants).toEqual([
      {
        VariantName: 'AllTraffic',
        ModelName: 'news-20261124102030-0123456',
        InitialVariantWeight: 1,
        InstanceType: 'ml.m5.large',
        InitialInstanceCount: 2
      }
    ]);
  });
  it('data capture and serverless variants', () => {
    const capture = planDeployment(
      liveState,
      options({ 'data-capture': 's3://cap/news', 'data-capture-percent': '25' }),
      ctx
    );
    expect(capture.createConfig!.DataCaptureConfig).toEqual({
      EnableCapture: true,
      InitialSamplingPercentage: 25,
      DestinationS3Uri: 's3://cap/news',
      CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }]
    });
    const serverless = planDeployment(
      { configTags: {}, models: {} },
      options({
        'serverless-memory': '2048',
        'serverless-max-concurrency': '10',
        'role-arn': 'arn:aws:iam::123456789012:role/r'
      }),
      ctx
    );
    expect(serverless.createConfig!.ProductionVariants![0]).toEqual({
      VariantName: 'AllTraffic',
      ModelName: serverless.modelName,
      InitialVariantWeight: 1,
      ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 10 }
    });
  });
  it('weights: the live variant keeps 100-w, the candidate takes w', () => {
    const plan = planDeployment(liveState, options({ strategy: 'weights', 'canary-weight': '15' }), ctx);
    expect(plan.action).toBe('weights-canary');
    expect(
      plan.createConfig!.ProductionVariants!.map((v) => [v.VariantName, v.ModelName, v.InitialVariantWeight])
    ).toEqual([
      ['AllTraffic', 'news-old', 85],
      ['Candidate', plan.modelName, 15]
    ]);
    expect(plan.createConfig!.Tags).toEqual(
      expect.arrayContaining([{ Key: 'mlops-actions:previous-config', Value: 'news-old' }])
    );
  });
  it('weights on a live serverless endpoint is refused before any request', () => {
    const serverlessLive: EndpointState = {
      ...liveState,
      config: {
        ...liveState.config!,
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: 'news-old',
            ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 }
          }
        ]
      }
    };
    expect(() => planDeployment(serverlessLive, options({ strategy: 'weights' }), ctx)).toThrow(
      'Input "strategy" cannot be weights on news: it is serverless, and a serverless endpoint has one production variant; use canary, linear or all-at-once.'
    );
  });
  it('the same image, model data and size already live is unchanged', () => {
    const same: EndpointState = {
      ...liveState,
      models: {
        AllTraffic: {
          ...liveState.models.AllTraffic,
          PrimaryContainer: { Image: IMAGE, ModelDataUrl: 's3://m/model.tar.gz' }
        }
      }
    };
    expect(planDeployment(same, options(), ctx).action).toBe('unchanged');
    expect(planDeployment(same, options({ 'instance-count': '3' }), ctx).action).toBe('update');
    expect(planDeployment(same, options({ environment: 'A=1' }), ctx).action).toBe('update');
  });
});

describe('requests sent (aws-sdk-client-mock)', () => {
  const sm = mockClient(SageMakerClient);
  const client = new SageMakerClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' }
  });
  it('dry-run sends only reads; a real run sends CreateModel, CreateEndpointConfig, UpdateEndpoint with the DeploymentConfig', async () => {
    sm.reset();
    sm.on(DescribeEndpointCommand).resolves(liveState.endpoint!);
    sm.on(DescribeEndpointConfigCommand).resolves(liveState.config!);
    sm.on(DescribeModelCommand).resolves(liveState.models.AllTraffic);
    sm.on(ListTagsCommand).resolves({ Tags: [] });
    sm.on(CreateEndpointConfigCommand).resolves({ EndpointConfigArn: 'arn' });
    const engine = { log: new MemoryLogger(), scale: 1, sha: ctx.sha, holder: '1.1', now: () => ctx.now };
    const dry = await deploy({ ...options({ 'dry-run': 'true' }) }, { sagemaker: client }, engine);
    expect(dry.status).toBe('planned');
    expect(
      sm
        .calls()
        .map((c) => c.args[0].constructor.name)
        .filter((n) => !/^(Describe|List)/.test(n))
    ).toEqual([]);
    const started = await deploy(options({ wait: 'false', alarms: '' }), { sagemaker: client }, engine);
    expect(started.status).toBe('in-progress');
    expect(sm.commandCalls(CreateModelCommand)[0].args[0].input.ModelName).toBe(
      'news-20261124102030-0123456'
    );
    expect(sm.commandCalls(UpdateEndpointCommand)[0].args[0].input).toEqual({
      EndpointName: 'news',
      EndpointConfigName: 'news-20261124102030-0123456',
      DeploymentConfig: deploymentConfig(options())
    });
  });
});
