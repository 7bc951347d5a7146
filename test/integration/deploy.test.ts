/**
 * deploy-canary, promote and rollback: their bundles, run as the runner runs them, against the
 * emulator (time-scaled: a 10-minute bake takes 0.6 s) through the real AWS SDK.
 */
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  ListEndpointConfigsCommand,
  ListTagsCommand,
  SageMakerClient
} from '@aws-sdk/client-sagemaker';
import { awsClient } from '../../src/aws.js';
import { runBundle, type BundleRun } from '../helpers/bundle.js';
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';

const SCALE = 0.001;
const ROLE = 'arn:aws:iam::123456789012:role/sagemaker-execution';
const image = (n: number) =>
  `123456789012.dkr.ecr.us-east-1.amazonaws.com/news@sha256:${String(n).repeat(64).slice(0, 64)}`;
let emu: RunningEmulator;
let sm: SageMakerClient;
let cw: CloudWatchClient;
let counter = 0;

const run = (
  action: string,
  inputs: Record<string, string>,
  options: Parameters<typeof runBundle>[2] = {}
): Promise<BundleRun> =>
  runBundle(action, inputs, {
    ...options,
    env: { ...emu.env, GITHUB_SHA: `${String(++counter).padStart(7, '0')}abcdef`, ...options.env }
  });
const deploy = (
  endpoint: string,
  n: number,
  extra: Record<string, string> = {},
  options: Parameters<typeof runBundle>[2] = {}
) =>
  run(
    'deploy-canary',
    {
      'endpoint-name': endpoint,
      image: image(n),
      'model-data': `s3://models/news/${n}/model.tar.gz`,
      'role-arn': ROLE,
      ...extra
    },
    options
  );
const endpointNow = (endpoint: string) => sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
const configTags = async (config: string) => {
  const arn = (await sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: config })))
    .EndpointConfigArn;
  return Object.fromEntries(
    ((await sm.send(new ListTagsCommand({ ResourceArn: arn }))).Tags ?? []).map((t) => [t.Key, t.Value])
  );
};
const mutating = () => emu.emulator.mutatingCalls().map((c) => c.operation);

beforeAll(async () => {
  emu = await startEmulator({ timeScale: SCALE });
  const config = {
    action: 'test',
    region: 'us-east-1',
    endpoint: emu.url,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' }
  };
  sm = awsClient(SageMakerClient, 'SageMaker', config);
  cw = awsClient(CloudWatchClient, 'CloudWatch', config);
  await cw.send(
    new PutMetricAlarmCommand({
      AlarmName: 'news-5xx',
      MetricName: 'Invocation5XXErrors',
      Namespace: 'AWS/SageMaker',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold'
    })
  );
  await cw.send(
    new PutMetricAlarmCommand({
      AlarmName: 'news-latency',
      MetricName: 'ModelLatency',
      Namespace: 'AWS/SageMaker',
      Statistic: 'Average',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1e6,
      ComparisonOperator: 'GreaterThanThreshold'
    })
  );
});
afterAll(() => emu.stop());
beforeEach(async () => {
  emu.emulator.faults = {};
  await cw.send(new SetAlarmStateCommand({ AlarmName: 'news-5xx', StateValue: 'OK', StateReason: 'reset' }));
  emu.emulator.calls.splice(0);
});

describe('deploy-canary', () => {
  let first: BundleRun;
  let second: BundleRun;

  it('first deployment: creates model, config and endpoint, all at once', async () => {
    first = await deploy('news', 1);
    expect(first.errors).toEqual([]);
    expect(first.outputs).toMatchObject({ status: 'deployed', 'variant-name': 'AllTraffic' });
    expect(first.outputs['endpoint-config']).toMatch(/^news-\d{14}-0000001$/);
    expect(first.outputs['model-name']).toBe(first.outputs['endpoint-config']);
    expect(mutating()).toEqual(['CreateModel', 'CreateEndpointConfig', 'CreateEndpoint', 'AddTags']);
    const endpoint = await endpointNow('news');
    expect([endpoint.EndpointStatus, endpoint.EndpointConfigName]).toEqual([
      'InService',
      first.outputs['endpoint-config']
    ]);
    const tags = await configTags(first.outputs['endpoint-config']);
    expect(tags).toMatchObject({
      'mlops-actions:endpoint': 'news',
      'mlops-actions:image': image(1),
      'mlops-actions:git-sha': '0000001abcdef',
      'mlops-actions:run-url': 'https://github.com/octo-org/news-classifier/actions/runs/4242'
    });
    expect(tags['mlops-actions:went-live']).toMatch(/^\d{4}-/);
    expect(first.summary).toContain('first deployment (all at once)');
    expect(first.summary).toContain('console.aws.amazon.com/sagemaker/home?region=us-east-1#/endpoints/news');
  });

  it('canary: shifts 10%, bakes, then the rest, and reports the configs', async () => {
    second = await deploy('news', 2, { alarms: 'news-5xx, news-latency' });
    expect(second.errors).toEqual([]);
    expect(second.outputs).toMatchObject({
      status: 'deployed',
      'previous-endpoint-config': first.outputs['endpoint-config']
    });
    expect((await endpointNow('news')).EndpointConfigName).toBe(second.outputs['endpoint-config']);
    expect(second.log).toContain('Baking with 10% of traffic on the new fleet');
    expect(second.log).toContain('Baking with 100% of traffic on the new fleet');
    expect(second.summary).toContain('canary: 10% → 100%, bake 10m, auto-rollback on news-5xx, news-latency');
    expect(second.summary).toContain('```mermaid\nflowchart LR');
    expect(second.summary).toContain(
      `${first.outputs['endpoint-config']} → ${second.outputs['endpoint-config']}`
    );
  });

  it('deploying what is already live is a no-op: unchanged, no mutating call', async () => {
    const again = await deploy('news', 2, { alarms: 'news-5xx' });
    expect(again.exitCode).toBe(0);
    expect(again.outputs).toMatchObject({
      status: 'unchanged',
      'endpoint-config': second.outputs['endpoint-config']
    });
    expect(mutating()).toEqual([]);
  });

  it('an alarm firing while baking rolls back: the action fails with status rolled-back and the endpoint is on the old config', async () => {
    const result = await deploy(
      'news',
      3,
      { alarms: 'news-5xx' },
      {
        onStart: (_child, log) => {
          const timer = setInterval(() => {
            if (log().includes('Baking with 10%')) {
              clearInterval(timer);
              void cw.send(
                new SetAlarmStateCommand({
                  AlarmName: 'news-5xx',
                  StateValue: 'ALARM',
                  StateReason: 'errors'
                })
              );
            }
          }, 5);
        }
      }
    );
    expect(result.exitCode).toBe(1);
    expect(result.outputs.status).toBe('rolled-back');
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(
      /^The deployment of news-\S+ to news was rolled back: Alarm news-5xx went into ALARM while baking with 10% of traffic/
    );
    expect(result.errors[0]).toContain(`The endpoint serves ${second.outputs['endpoint-config']} again.`);
    expect((await endpointNow('news')).EndpointConfigName).toBe(second.outputs['endpoint-config']);
    expect((await configTags(result.outputs['endpoint-config']))['mlops-actions:rolled-back']).toBeDefined();
    expect(result.summary).toContain('rolled back');
  });

  it('linear: steps of 20% with a bake after each', async () => {
    const result = await deploy('news', 4, { strategy: 'linear', 'bake-time': '1m' });
    expect(result.outputs.status).toBe('deployed');
    for (const p of [20, 40, 60, 80, 100]) expect(result.log).toContain(`Baking with ${p}% of traffic`);
    expect(result.summary).toContain('linear: 20% → 40% → 60% → 80% → 100%, bake 1m');
  });

  it('all-at-once with a termination wait', async () => {
    const result = await deploy('news', 5, { strategy: 'all-at-once', 'termination-wait': '5m' });
    expect(result.outputs.status).toBe('deployed');
    expect(result.log).toContain('Waiting before the old fleet is terminated');
    expect(result.summary).toContain('old fleet retired after 5m');
  });

  it('dry-run prints the plan and makes no mutating call', async () => {
    const result = await deploy('news', 6, { 'dry-run': 'true', strategy: 'linear', 'linear-step': '25%' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs.status).toBe('planned');
    expect(result.log).toContain('"action": "update"');
    expect(result.log).toContain('"Type": "LINEAR"');
    expect(result.summary).toContain('planned (dry run, nothing changed)');
    expect(mutating()).toEqual([]);
  });

  it('a deployment while another is in progress waits for it, then deploys', async () => {
    const started = await deploy('news', 7, { wait: 'false' });
    expect(started.outputs.status).toBe('in-progress');
    const next = await deploy('news', 8);
    expect(next.errors).toEqual([]);
    expect(next.log).toContain('Endpoint news is Updating: waiting for it to settle before deploying.');
    expect(next.outputs['previous-endpoint-config']).toBe(started.outputs['endpoint-config']);
    expect(next.outputs.status).toBe('deployed');
  });

  it('survives 30% throttling (the SDK retries; AWS_MAX_ATTEMPTS honoured)', async () => {
    emu.emulator.faults.throttle = 0.3;
    const result = await deploy('news', 9, {}, { env: { AWS_MAX_ATTEMPTS: '12' } });
    expect(result.errors).toEqual([]);
    expect(result.outputs.status).toBe('deployed');
    expect(emu.emulator.calls.filter((c) => c.error === 'ThrottlingException').length).toBeGreaterThan(0);
  });

  it('a wait timeout says what state the endpoint was left in', async () => {
    const result = await deploy('news', 10, { 'bake-time': '1h', 'wait-timeout': '1s' });
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toMatch(
      /^Timed out after 1s waiting for endpoint news; it was left Updating on news-\S+, deploying news-\S+: \w+.* SageMaker carries on; raise wait-timeout or watch the endpoint in the console\.$/
    );
  });

  it('a cancelled workflow leaves the deployment to SageMaker and says so', async () => {
    await new Promise((r) => setTimeout(r, 4000)); // let the previous update finish
    const result = await deploy(
      'news',
      11,
      { 'bake-time': '1h' },
      {
        onStart: (child, log) => {
          const timer = setInterval(() => {
            if (log().includes('Baking')) {
              clearInterval(timer);
              child.kill('SIGTERM');
            }
          }, 5);
        }
      }
    );
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toMatch(
      /^Cancelled while waiting for endpoint news; it was left Updating .* SageMaker carries on with the deployment by itself \(and rolls back on its alarms\); watch the endpoint in the console\.$/
    );
  });

  it('UpdateRollbackFailed fails the action and asks for a person', async () => {
    const endpoint = 'news-urf';
    await deploy(endpoint, 1);
    emu.emulator.faults['sagemaker.nextUpdate'] = 'UpdateRollbackFailed';
    const result = await deploy(endpoint, 2, { alarms: 'news-5xx' });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.status).toBe('failed');
    expect(result.errors[0]).toMatch(
      /^Endpoint news-urf is UpdateRollbackFailed: the update and its rollback both failed .* A person must decide/
    );
    const refused = await deploy(endpoint, 3);
    expect(refused.errors[0]).toMatch(
      /^Endpoint news-urf is UpdateRollbackFailed: it may serve a mix of two versions and needs a person/
    );
  });

  it('a Failed endpoint: the action fails with the reason, and the next run refuses and says what to do', async () => {
    emu.emulator.faults['sagemaker.nextUpdate'] = 'Failed';
    const result = await deploy('news-failed', 1);
    expect(result.outputs.status).toBe('failed');
    expect(result.errors[0]).toMatch(
      /^Endpoint news-failed is Failed: Request to service failed.* delete it \(aws sagemaker delete-endpoint --endpoint-name news-failed\)/
    );
    emu.emulator.calls.splice(0);
    const refused = await deploy('news-failed', 2);
    expect(refused.errors[0]).toMatch(/^Endpoint news-failed is Failed .*only deleting it is possible/);
    expect(mutating()).toEqual([]);
  });

  it('a new fleet that fails its health check is rolled back', async () => {
    await deploy('news-health', 1);
    emu.emulator.faults['sagemaker.failHealthCheck'] = true;
    const result = await deploy('news-health', 2);
    expect(result.outputs.status).toBe('rolled-back');
    expect(result.errors[0]).toContain('did not pass the ping health check');
  });

  it('keeps keep-versions versions, never the live one or the rollback target', async () => {
    for (let n = 1; n <= 4; n++)
      expect((await deploy('news-keep', n, { 'keep-versions': '2' })).outputs.status).toBe('deployed');
    const configs = (
      await sm.send(new ListEndpointConfigsCommand({ NameContains: 'news-keep' }))
    ).EndpointConfigs!.map((c) => c.EndpointConfigName);
    expect(configs).toHaveLength(2);
    const live = (await endpointNow('news-keep')).EndpointConfigName;
    expect(configs).toContain(live);
    // The third deployment deleted the first version, the fourth the second.
    expect(mutating().filter((o) => o.startsWith('Delete'))).toEqual([
      'DeleteEndpointConfig',
      'DeleteModel',
      'DeleteEndpointConfig',
      'DeleteModel'
    ]);
  });
});

describe('weights canary, promote and rollback', () => {
  it('weights canary then promote then retire', async () => {
    await deploy('ab', 1);
    const canary = await deploy('ab', 2, { strategy: 'weights', 'canary-weight': '20' });
    expect(canary.errors).toEqual([]);
    expect(canary.outputs).toMatchObject({ status: 'canary', 'variant-name': 'Candidate' });
    const during = await endpointNow('ab');
    expect(during.ProductionVariants!.map((v) => [v.VariantName, v.CurrentWeight])).toEqual([
      ['AllTraffic', 80],
      ['Candidate', 20]
    ]);
    expect(canary.summary).toContain('pie showData');
    const again = await deploy('ab', 3);
    expect(again.errors[0]).toMatch(
      /is running a weights canary .* promote it or roll it back before deploying again\.$/
    );

    const promoted = await run('promote', { 'endpoint-name': 'ab' });
    expect(promoted.errors).toEqual([]);
    expect(promoted.outputs.status).toBe('promoted');
    const after = await endpointNow('ab');
    expect(after.EndpointConfigName).toBe(promoted.outputs['endpoint-config']);
    expect(after.ProductionVariants!.map((v) => v.VariantName)).toEqual(['AllTraffic']);
    const liveConfig = await sm.send(
      new DescribeEndpointConfigCommand({ EndpointConfigName: after.EndpointConfigName })
    );
    expect(liveConfig.ProductionVariants![0].ModelName).toBe(canary.outputs['model-name']);
    expect(promoted.log).toContain('Shifting all traffic of ab to Candidate.');
  });

  it('weights canary then rollback: all traffic back, candidate retired', async () => {
    const first = await deploy('ab2', 1);
    await deploy('ab2', 2, { strategy: 'weights' });
    const result = await run('rollback', { 'endpoint-name': 'ab2', reason: 'candidate too slow' });
    expect(result.errors).toEqual([]);
    expect(result.outputs).toMatchObject({
      status: 'rolled-back',
      'endpoint-config': first.outputs['endpoint-config']
    });
    const after = await endpointNow('ab2');
    expect(after.EndpointConfigName).toBe(first.outputs['endpoint-config']);
    expect(after.ProductionVariants!.map((v) => v.VariantName)).toEqual(['AllTraffic']);
    expect((await configTags(result.outputs['rolled-back-from']))['mlops-actions:rollback-reason']).toBe(
      'candidate too slow'
    );
  });

  it('promote with nothing to promote is a clear message, not a crash', async () => {
    const result = await run('promote', { 'endpoint-name': 'ab2' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs.status).toBe('unchanged');
    expect(result.log).toMatch(
      /Nothing to promote: ab2 serves \S+ with no canary and no deployment in progress\./
    );
    expect(mutating()).toEqual([]);
  });

  it('promote waits for a guardrails deployment in progress and reports it', async () => {
    await deploy('gr', 1);
    const started = await deploy('gr', 2, { wait: 'false' });
    const result = await run('promote', { 'endpoint-name': 'gr' });
    expect(result.outputs).toMatchObject({
      status: 'promoted',
      'endpoint-config': started.outputs['endpoint-config']
    });
  });
});

describe('rollback', () => {
  it('returns to the previous version, read from the tags in AWS, and checks it landed', async () => {
    const v1 = await deploy('rb', 1);
    const v2 = await deploy('rb', 2);
    const result = await run('rollback', { 'endpoint-name': 'rb' });
    expect(result.errors).toEqual([]);
    expect(result.outputs).toMatchObject({
      status: 'rolled-back',
      'endpoint-config': v1.outputs['endpoint-config'],
      'rolled-back-from': v2.outputs['endpoint-config']
    });
    expect((await endpointNow('rb')).EndpointConfigName).toBe(v1.outputs['endpoint-config']);
    const twice = await run('rollback', { 'endpoint-name': 'rb' });
    expect(twice.errors[0]).toMatch(/^Endpoint rb has no earlier version to roll back to/);
  });

  it('to: a given config', async () => {
    const v1 = await deploy('rb2', 1);
    await deploy('rb2', 2);
    await deploy('rb2', 3);
    const result = await run('rollback', { 'endpoint-name': 'rb2', to: v1.outputs['endpoint-config'] });
    expect(result.outputs['endpoint-config']).toBe(v1.outputs['endpoint-config']);
  });

  it('with no history is a clear error and changes nothing', async () => {
    await deploy('rb3', 1);
    emu.emulator.calls.splice(0);
    const result = await run('rollback', { 'endpoint-name': 'rb3' });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([
      expect.stringMatching(
        /^Endpoint rb3 has no earlier version to roll back to: no toolkit-made config of it went live before \S+ \(or each was rolled back from\); give to: a config name\.$/
      )
    ]);
    expect(mutating()).toEqual([]);
  });

  it('a target config that no longer exists is a clear error', async () => {
    const result = await run('rollback', { 'endpoint-name': 'rb3', to: 'rb3-gone' });
    expect(result.errors).toEqual([
      'Input "to" names the endpoint config rb3-gone, which no longer exists (keep-versions may have cleaned it up): give an existing config.'
    ]);
  });
});

describe('bad inputs: one sentence naming the input, exit code 1, no mutating call', () => {
  const base = { 'endpoint-name': 'news', image: image(1), 'role-arn': ROLE };
  const cases: Array<[string, string, Record<string, string>, string]> = [
    ['deploy-canary', 'endpoint-name', { ...base, 'endpoint-name': '' }, 'Input "endpoint-name" is required'],
    [
      'deploy-canary',
      'endpoint-name',
      { ...base, 'endpoint-name': 'news_classifier' },
      'Input "endpoint-name" must be a SageMaker name'
    ],
    ['deploy-canary', 'image', { ...base, image: '' }, 'Input "image" is required'],
    ['deploy-canary', 'image', { ...base, image: 'Not An Image' }, 'Input "image" must be a container image'],
    [
      'deploy-canary',
      'model-data',
      { ...base, 'model-data': '/tmp/model.tar.gz' },
      'Input "model-data" must be an S3 URI'
    ],
    [
      'deploy-canary',
      'role-arn',
      { ...base, 'role-arn': 'admin' },
      'Input "role-arn" must be an IAM role ARN'
    ],
    [
      'deploy-canary',
      'strategy',
      { ...base, strategy: 'blue-green' },
      'Input "strategy" must be one of canary, linear, all-at-once, weights, but got "blue-green".'
    ],
    [
      'deploy-canary',
      'canary-size',
      { ...base, 'canary-size': '60%' },
      'Input "canary-size" must be at most 50% of the instances (SageMaker\'s limit), but got "60%".'
    ],
    [
      'deploy-canary',
      'canary-size',
      { ...base, 'canary-size': '2' },
      'Input "canary-size" must be at most half of instance-count (2), but got "2" instances.'
    ],
    [
      'deploy-canary',
      'canary-size',
      { ...base, 'canary-size': 'some' },
      'Input "canary-size" must be a percentage of capacity'
    ],
    [
      'deploy-canary',
      'linear-step',
      { ...base, strategy: 'linear', 'linear-step': '5%' },
      'Input "linear-step" must be a percentage from 10% to 50%, but got "5%".'
    ],
    ['deploy-canary', 'bake-time', { ...base, 'bake-time': '2h' }, 'Input "bake-time" must be a duration'],
    [
      'deploy-canary',
      'termination-wait',
      { ...base, 'termination-wait': 'soon' },
      'Input "termination-wait" must be a duration'
    ],
    [
      'deploy-canary',
      'instance-count',
      { ...base, 'instance-count': '0' },
      'Input "instance-count" must be an integer from 1 to 100, but got "0".'
    ],
    [
      'deploy-canary',
      'instance-type',
      { ...base, 'instance-type': 'm5.large' },
      'Input "instance-type" must be a SageMaker instance type'
    ],
    [
      'deploy-canary',
      'serverless-memory',
      { ...base, 'serverless-memory': '1500', 'serverless-max-concurrency': '5' },
      'Input "serverless-memory" must be 1024, 2048, 3072, 4096, 5120 or 6144 (MB), but got "1500".'
    ],
    [
      'deploy-canary',
      'serverless-max-concurrency',
      { ...base, 'serverless-memory': '2048' },
      'Inputs "serverless-memory" and "serverless-max-concurrency" go together'
    ],
    [
      'deploy-canary',
      'strategy',
      { ...base, strategy: 'weights', 'serverless-memory': '2048', 'serverless-max-concurrency': '5' },
      'Input "strategy" cannot be weights on a serverless endpoint'
    ],
    [
      'deploy-canary',
      'canary-weight',
      { ...base, strategy: 'weights', 'canary-weight': '100' },
      'Input "canary-weight" must be a percentage from 1% to 99%, but got "100".'
    ],
    [
      'deploy-canary',
      'alarms',
      { ...base, alarms: 'a,b,c,d,e,f,g,h,i,j,k' },
      'Input "alarms" can name at most 10 alarms'
    ],
    [
      'deploy-canary',
      'alarms',
      { ...base, alarms: 'news-5xx, no-such-alarm' },
      'Input "alarms" names no-such-alarm, which CloudWatch does not have in this region'
    ],
    [
      'deploy-canary',
      'data-capture',
      { ...base, 'data-capture': 'capture-bucket' },
      'Input "data-capture" must be an S3 URI'
    ],
    [
      'deploy-canary',
      'data-capture-percent',
      { ...base, 'data-capture-percent': '150' },
      'Input "data-capture-percent" must be a percentage from 0% to 100%, but got "150".'
    ],
    [
      'deploy-canary',
      'environment',
      { ...base, environment: 'BAD-NAME=1' },
      'Input "environment" has the variable name "BAD-NAME"'
    ],
    [
      'deploy-canary',
      'tags',
      { ...base, tags: 'mlops-actions:endpoint: x' },
      'Input "tags" cannot set "mlops-actions:endpoint"'
    ],
    [
      'deploy-canary',
      'keep-versions',
      { ...base, 'keep-versions': '0' },
      'Input "keep-versions" must be an integer from 1 to 100, but got "0".'
    ],
    ['deploy-canary', 'wait', { ...base, wait: 'yes' }, 'Input "wait" must be true or false, but got "yes".'],
    [
      'deploy-canary',
      'wait-timeout',
      { ...base, 'wait-timeout': 'forever' },
      'Input "wait-timeout" must be a duration'
    ],
    [
      'deploy-canary',
      'dry-run',
      { ...base, 'dry-run': 'maybe' },
      'Input "dry-run" must be true or false, but got "maybe".'
    ],
    [
      'deploy-canary',
      'region',
      { ...base, region: 'mars' },
      'Input "region" must be an AWS region such as us-east-1, but got "mars".'
    ],
    [
      'deploy-canary',
      'role-arn',
      { ...base, 'endpoint-name': 'brand-new', 'role-arn': '' },
      'Input "role-arn" is required on the first deployment of brand-new'
    ],
    [
      'deploy-canary',
      'variant-name',
      { ...base, 'variant-name': 'Blue' },
      'Input "variant-name" is Blue, but the live variant of news is AllTraffic'
    ],
    [
      'promote',
      'endpoint-name',
      { 'endpoint-name': '-bad' },
      'Input "endpoint-name" must be a SageMaker name'
    ],
    [
      'promote',
      'retire',
      { 'endpoint-name': 'news', retire: 'sure' },
      'Input "retire" must be true or false, but got "sure".'
    ],
    [
      'promote',
      'wait-timeout',
      { 'endpoint-name': 'news', 'wait-timeout': '10y' },
      'Input "wait-timeout" must be a duration'
    ],
    [
      'rollback',
      'to',
      { 'endpoint-name': 'news', to: 'not a config' },
      'Input "to" must be an endpoint config name'
    ],
    [
      'rollback',
      'wait',
      { 'endpoint-name': 'news', wait: '1' },
      'Input "wait" must be true or false, but got "1".'
    ],
    ['rollback', 'endpoint-name', { 'endpoint-name': '' }, 'Input "endpoint-name" is required']
  ];
  it.each(cases)('%s %s', async (action, input, inputs, message) => {
    const result = await run(action, inputs);
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toContain(message);
    expect(result.errors[0]).toContain(`"${input}"`);
    expect(mutating()).toEqual([]);
  });
});
