/**
 * deploy-canary, promote and rollback: their built bundles, run as the runner runs them, against the
 * emulator through the real AWS SDK. Time-scaled: the emulator and the actions' poll delays share
 * the factor 0.002, so a 10-minute bake takes 1.2 s. Every scenario has an endpoint of its own.
 */
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListEndpointConfigsCommand,
  ListTagsCommand,
  SageMakerClient
} from '@aws-sdk/client-sagemaker';
import { awsClient } from '../../src/aws.js';
import type { BundleOptions, BundleRun } from '../helpers/bundle.js';
import { deployRuns, image } from '../helpers/deploy-runs.js';
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';

const SCALE = 0.002;
let emu: RunningEmulator;
let sm: SageMakerClient;
let cw: CloudWatchClient;
const { run, deploy } = deployRuns(
  () => emu.env,
  (n) => ({ 'model-data': `s3://models/news/${n}/model.tar.gz` })
);
const endpointNow = (endpoint: string) => sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
const tagsOf = async (arn: string | undefined) =>
  Object.fromEntries(
    ((await sm.send(new ListTagsCommand({ ResourceArn: arn }))).Tags ?? []).map((t) => [t.Key, t.Value])
  );
const configTags = async (config: string) =>
  tagsOf(
    (await sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: config }))).EndpointConfigArn
  );
const mutating = () => emu.emulator.mutatingCalls().map((c) => c.operation);
const setAlarm = (name: string, state: 'OK' | 'ALARM', reason = 'test') =>
  cw.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: reason }));
/** A reason as CloudWatch gives it when an alarm goes into ALARM. */
const CROSSED =
  'Threshold Crossed: 1 out of the last 1 datapoints [3.0] was greater than or equal to the threshold (1.0).';
/** Polls the emulator until the endpoint settles (for scenarios that leave SageMaker working). */
async function settled(endpoint: string) {
  for (;;) {
    const e = await endpointNow(endpoint);
    if (!['Creating', 'Updating'].includes(e.EndpointStatus!)) return e;
    await new Promise((r) => setTimeout(r, 50));
  }
}
/** Calls `fn` once, when the action's log first contains `text`. */
const when =
  (
    text: string,
    fn: (child: Parameters<NonNullable<BundleOptions['onStart']>>[0]) => void
  ): BundleOptions['onStart'] =>
  (child, log) => {
    const timer = setInterval(() => {
      if (log().includes(text)) {
        clearInterval(timer);
        fn(child);
      }
    }, 5);
    child.on('exit', () => clearInterval(timer));
  };

beforeAll(async () => {
  emu = await startEmulator({ timeScale: SCALE });
  const config = emu.clientConfig;
  sm = awsClient(SageMakerClient, 'SageMaker', config);
  cw = awsClient(CloudWatchClient, 'CloudWatch', config);
  for (const name of ['news-5xx', 'news-latency']) {
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        MetricName: name === 'news-5xx' ? 'Invocation5XXErrors' : 'ModelLatency',
        Namespace: 'AWS/SageMaker',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold'
      })
    );
    await setAlarm(name, 'OK');
  }
});
afterAll(() => emu.stop());
beforeEach(() => {
  // Every scenario keeps its endpoint: more instances than the emulator's default account quota.
  emu.emulator.faults = { 'sagemaker.instanceLimit': 1000 };
  emu.emulator.calls.splice(0);
});

describe('deploy-canary', () => {
  it('first deployment: model, config and endpoint, all at once; every version is tagged and marked live', async () => {
    const first = await deploy('first', 1, { tags: 'team: ml' });
    expect(first.errors).toEqual([]);
    expect(first.exitCode).toBe(0);
    const config = first.outputs['endpoint-config'];
    expect(config).toMatch(/^first-\d{14}-0000001$/);
    expect(first.outputs).toEqual({
      status: 'deployed',
      'endpoint-config': config,
      'model-name': config,
      'variant-name': 'AllTraffic'
    });
    expect(mutating()).toEqual([
      'CreateModel',
      'CreateEndpointConfig',
      'CreateEndpoint',
      'AddTags',
      'AddTags'
    ]);
    expect(await endpointNow('first')).toMatchObject({
      EndpointStatus: 'InService',
      EndpointConfigName: config
    });
    const expected = {
      team: 'ml',
      'mlops-actions:endpoint': 'first',
      'mlops-actions:image': image(1),
      'mlops-actions:model-data': 's3://models/news/1/model.tar.gz',
      'mlops-actions:git-sha': '0000001abcdef',
      'mlops-actions:run-url': 'https://github.com/octo-org/news-classifier/actions/runs/4242',
      'mlops-actions:went-live': expect.stringMatching(/^\d{4}-\d\d-\d\dT/)
    };
    expect(await configTags(config)).toMatchObject(expected);
    expect(
      await tagsOf((await sm.send(new DescribeModelCommand({ ModelName: config }))).ModelArn)
    ).toMatchObject(expected);
    expect(first.summary).toContain('## deploy-canary: first: ✅ deployed');
    expect(first.summary).toContain('| Strategy | first deployment (all at once) |');
    expect(first.summary).toContain(
      '[first](https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/endpoints/first)'
    );
  });

  it('canary: the canary bakes, then the rest; success is InService on the new config, with a summary worth reading', async () => {
    const v1 = await deploy('canary', 1);
    const v2 = await deploy('canary', 2, { alarms: 'news-5xx, news-latency', 'bake-time': '10m' });
    expect(v2.errors).toEqual([]);
    expect(v2.outputs).toMatchObject({
      status: 'deployed',
      'previous-endpoint-config': v1.outputs['endpoint-config']
    });
    expect((await endpointNow('canary')).EndpointConfigName).toBe(v2.outputs['endpoint-config']);
    // 10% of 2 instances is one instance: the canary takes half the traffic, and the plan says so.
    expect(v2.log).toContain('Baking (Baking with 50% of traffic on the new fleet)');
    expect(v2.log).toContain('Baking (Baking with 100% of traffic on the new fleet)');
    expect(v2.log).toContain('canary-size 10% of 2 instances is 1 instance');
    expect(v2.summary).toContain(
      '| Strategy | canary: 50% → 100%, bake 10m, auto-rollback on news-5xx, news-latency |'
    );
    expect(v2.summary).toContain(
      `| Config | ${v1.outputs['endpoint-config']} → ${v2.outputs['endpoint-config']} |`
    );
    expect(v2.summary).toContain(`| Image | \`${image(2)}\` |`);
    expect(v2.summary).toMatch(/\| Duration \| [\d.]+s \|/);
    expect(v2.summary).toContain('```mermaid\nflowchart LR');
    expect(v2.summary).toContain('S1 -.-> R');
    expect(v2.summary).toContain('<summary>What the endpoint went through</summary>');
  });

  it('an alarm that fires while the canary bakes rolls it back: exit 1, status rolled-back, the endpoint on the old config', async () => {
    const v1 = await deploy('alarmed', 1);
    const result = await deploy(
      'alarmed',
      2,
      { alarms: 'news-5xx', 'bake-time': '10m' },
      { onStart: when('Baking with 50%', () => void setAlarm('news-5xx', 'ALARM', CROSSED)) }
    );
    await setAlarm('news-5xx', 'OK');
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({
      status: 'rolled-back',
      'endpoint-config': expect.stringMatching(/^alarmed-/),
      'previous-endpoint-config': v1.outputs['endpoint-config']
    });
    expect(result.errors).toEqual([
      `The deployment of ${result.outputs['endpoint-config']} to alarmed was rolled back: Alarm news-5xx went into ALARM while baking with 50% of traffic on the new fleet, so SageMaker rolled the update back (${CROSSED.replace(/\.$/, '')}). The endpoint serves ${v1.outputs['endpoint-config']} again.`
    ]);
    expect(await endpointNow('alarmed')).toMatchObject({
      EndpointStatus: 'InService',
      EndpointConfigName: v1.outputs['endpoint-config']
    });
    expect(await configTags(result.outputs['endpoint-config'])).toMatchObject({
      'mlops-actions:rolled-back': expect.any(String),
      'mlops-actions:rollback-reason': expect.stringContaining('Alarm news-5xx')
    });
    expect(result.summary).toContain('↩️ rolled back');
    expect(result.summary).toContain('Rolling back: Alarm news-5xx');
    // The emulator's CloudWatch answers GetMetricData: no traffic reached this simulated endpoint.
    expect(result.summary).toContain('### What the canary saw while it baked');
    expect(result.summary).toContain('| AllTraffic | 0 | 0 | 0 | - | no data |');
    // SetAlarmState lasts until the alarm's next evaluation (as on AWS): with no data the alarm may
    // be back to INSUFFICIENT_DATA by the end; the reason of the rollback is the one above.
    expect(result.summary).toMatch(/\| news-5xx \| (ALARM|INSUFFICIENT_DATA) \| /);
  });

  it('linear: a step of 20% of 10 instances at a time, a bake after each', async () => {
    await deploy('linear', 1, { 'instance-count': '10' });
    const result = await deploy('linear', 2, { strategy: 'linear', 'instance-count': '10' });
    expect(result.outputs.status).toBe('deployed');
    for (const p of [20, 40, 60, 80, 100]) expect(result.log).toContain(`Baking with ${p}% of traffic`);
    expect(result.summary).toContain(
      '| Strategy | linear: 20% → 40% → 60% → 80% → 100%, bake 1m, no alarms |'
    );
  });

  it('all at once with a termination wait: the old fleet stays, then goes', async () => {
    await deploy('aao', 1);
    const result = await deploy('aao', 2, { strategy: 'all-at-once', 'termination-wait': '5m' });
    expect(result.outputs.status).toBe('deployed');
    expect(result.log).toContain('Waiting before the old fleet is terminated');
    expect(result.summary).toContain('retired after 5m');
  });

  it('serverless: a first deployment, then a canary of a share of the concurrency', async () => {
    const serverless = { 'serverless-memory': '2048', 'serverless-max-concurrency': '10' };
    expect((await deploy('sls', 1, serverless)).outputs.status).toBe('deployed');
    const result = await deploy('sls', 2, serverless);
    expect(result.outputs.status).toBe('deployed');
    expect(result.log).toContain('Baking with 10% of traffic');
  });

  it('dry-run prints the plan as data and makes no mutating call, for a new and for a live endpoint', async () => {
    emu.emulator.calls.splice(0);
    const fresh = await deploy('dry', 1, { 'dry-run': 'true' });
    expect(mutating()).toEqual([]);
    expect(fresh.exitCode).toBe(0);
    expect(fresh.outputs).toMatchObject({
      status: 'planned',
      'endpoint-config': expect.stringMatching(/^dry-/)
    });
    expect(fresh.log).toContain('"action": "create"');
    await deploy('dry', 1);
    emu.emulator.calls.splice(0);
    const result = await deploy('dry', 2, {
      'dry-run': 'true',
      strategy: 'linear',
      'linear-step': '25%',
      'instance-count': '4'
    });
    expect(result.outputs.status).toBe('planned');
    expect(result.log).toContain('"action": "update"');
    expect(result.log).toContain('"Type": "LINEAR"');
    expect(result.summary).toContain('📝 planned (dry run, nothing changed)');
    expect(result.summary).toContain('| Strategy | linear: 25% → 50% → 75% → 100%, bake 1m, no alarms |');
    expect(mutating()).toEqual([]);
  });

  it('idempotent re-run: the image and model data already live are unchanged, with no mutating call', async () => {
    const v1 = await deploy('rerun', 1);
    emu.emulator.calls.splice(0);
    const again = await deploy('rerun', 1);
    expect(again.exitCode).toBe(0);
    expect(again.outputs).toMatchObject({
      status: 'unchanged',
      'endpoint-config': v1.outputs['endpoint-config']
    });
    expect(mutating()).toEqual([]);
    expect(again.summary).toContain('➖ unchanged');
    // Other model data for the same image is a new version.
    const other = await deploy('rerun', 1, { 'model-data': 's3://models/news/1b/model.tar.gz' });
    expect(other.outputs.status).toBe('deployed');
  });

  it('a deployment while another is in progress waits for it, then deploys', async () => {
    await deploy('busy', 1);
    // Bakes long enough (2 x 10m, 2.4 s at this scale) that the next run starts while it goes on.
    const started = await deploy('busy', 2, { wait: 'false', 'bake-time': '10m' });
    expect(started.outputs.status).toBe('in-progress');
    expect(started.exitCode).toBe(0);
    const next = await deploy('busy', 3);
    expect(next.errors).toEqual([]);
    expect(next.log).toContain('Endpoint busy is Updating: waiting for it to settle before deploying.');
    expect(next.outputs).toMatchObject({
      status: 'deployed',
      'previous-endpoint-config': started.outputs['endpoint-config']
    });
  });

  it('survives 30% throttling: the SDK retries throttled calls, and nothing else is retried', async () => {
    await deploy('throttled', 1);
    emu.emulator.calls.splice(0);
    emu.emulator.faults.throttle = 0.3;
    const result = await deploy('throttled', 2, {}, { env: { AWS_MAX_ATTEMPTS: '10' } });
    expect(result.errors).toEqual([]);
    expect(result.outputs.status).toBe('deployed');
    const throttled = emu.emulator.calls.filter((c) => c.error === 'ThrottlingException');
    expect(throttled.length).toBeGreaterThan(0);
    // Every mutating call succeeded exactly once.
    const done = emu.emulator.calls.filter((c) => c.mutating && c.status === 200).map((c) => c.operation);
    // (Tags aside: the went-live mark, and the lease taken and released.)
    expect(done.filter((o) => o !== 'AddTags' && o !== 'DeleteTags')).toEqual([
      'CreateModel',
      'CreateEndpointConfig',
      'UpdateEndpoint'
    ]);
  });

  it('a wait timeout fails with the state the endpoint was left in; SageMaker carries on', async () => {
    await deploy('slow', 1);
    const result = await deploy('slow', 2, { 'wait-timeout': '3m' });
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({
      status: 'in-progress',
      'endpoint-config': expect.stringMatching(/^slow-/)
    });
    expect(result.errors).toEqual([
      expect.stringMatching(
        /^Timed out after 3m waiting for endpoint slow; it was left Updating on slow-\S+, deploying slow-\S+: Creating \(Creating the new fleet\)\. SageMaker carries on; raise wait-timeout or watch the endpoint in the console\.$/
      )
    ]);
    expect((await settled('slow')).EndpointConfigName).toBe(result.outputs['endpoint-config']);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'a cancelled workflow (%s) leaves the deployment to SageMaker and says so',
    async (signal) => {
      const name = `cancel-${signal.toLowerCase()}`;
      await deploy(name, 1);
      const result = await deploy(
        name,
        2,
        { 'bake-time': '10m' },
        { onStart: when('Baking', (child) => child.kill(signal)) }
      );
      expect(result.exitCode).toBe(1);
      expect(result.outputs.status).toBe('in-progress');
      expect(result.errors).toEqual([
        expect.stringMatching(
          new RegExp(
            `^Cancelled while waiting for endpoint ${name}; it was left Updating .*Baking.* SageMaker carries on with the deployment by itself \\(and rolls back on its alarms\\); watch the endpoint in the console\\.$`
          )
        )
      ]);
      expect(result.summary).toContain('⏳ still in progress at SageMaker');
      expect((await settled(name)).EndpointConfigName).toBe(result.outputs['endpoint-config']);
    }
  );

  it('UpdateRollbackFailed fails the action and asks for a person; the next deployment refuses; rollback to a config repairs it', async () => {
    const v1 = await deploy('urf', 1);
    emu.emulator.faults['sagemaker.nextUpdate'] = 'UpdateRollbackFailed';
    const result = await deploy('urf', 2, { alarms: 'news-5xx' });
    expect(result.exitCode).toBe(1);
    expect(result.outputs.status).toBe('failed');
    expect(result.errors[0]).toMatch(
      /^Endpoint urf is UpdateRollbackFailed: the update and its rollback both failed .* A person must decide/
    );
    emu.emulator.calls.splice(0);
    const refused = await deploy('urf', 3);
    expect(refused.errors).toEqual([
      expect.stringMatching(
        /^Endpoint urf is UpdateRollbackFailed: it may serve a mix of two versions and needs a person/
      )
    ]);
    expect(mutating()).toEqual([]);
    const repaired = await run('rollback', { 'endpoint-name': 'urf', to: v1.outputs['endpoint-config'] });
    expect(repaired.outputs.status).toBe('rolled-back');
    expect(await endpointNow('urf')).toMatchObject({
      EndpointStatus: 'InService',
      EndpointConfigName: v1.outputs['endpoint-config']
    });
  });

  it('a Failed endpoint: the action fails with the reason, and the next run refuses and says what to do', async () => {
    emu.emulator.faults['sagemaker.nextUpdate'] = 'Failed';
    const result = await deploy('failed', 1);
    expect(result.outputs.status).toBe('failed');
    expect(result.errors[0]).toMatch(
      /^Endpoint failed is Failed: Request to service failed.* delete it \(aws sagemaker delete-endpoint --endpoint-name failed\)/
    );
    emu.emulator.calls.splice(0);
    const refused = await deploy('failed', 2);
    expect(refused.errors).toEqual([
      expect.stringMatching(/^Endpoint failed is Failed .*only deleting it is possible/)
    ]);
    expect(mutating()).toEqual([]);
  });

  it('a new fleet that fails its health check is rolled back, and the previous version still serves', async () => {
    const v1 = await deploy('health', 1);
    emu.emulator.faults['sagemaker.failHealthCheck'] = true;
    const result = await deploy('health', 2);
    expect(result.outputs.status).toBe('rolled-back');
    expect(result.errors[0]).toContain('did not pass the ping health check');
    expect((await endpointNow('health')).EndpointConfigName).toBe(v1.outputs['endpoint-config']);
  });

  it('cleanup keeps keep-versions versions (configs and their models), never the live one', async () => {
    const runs: BundleRun[] = [];
    for (let n = 1; n <= 4; n++) runs.push(await deploy('keep', n, { 'keep-versions': '2' }));
    expect(runs.map((r) => r.outputs.status)).toEqual(['deployed', 'deployed', 'deployed', 'deployed']);
    const configs = (
      await sm.send(new ListEndpointConfigsCommand({ NameContains: 'keep' }))
    ).EndpointConfigs!.map((c) => c.EndpointConfigName);
    const names = runs.map((r) => r.outputs['endpoint-config']);
    expect(configs).toEqual([names[3], names[2]]);
    expect((await endpointNow('keep')).EndpointConfigName).toBe(names[3]);
    for (const gone of names.slice(0, 2)) {
      await expect(sm.send(new DescribeModelCommand({ ModelName: gone }))).rejects.toMatchObject({
        name: 'ValidationException'
      });
    }
    expect(runs[2].summary).toContain(`| Cleaned up | ${names[0]} |`);
    expect(runs[2].log).toContain(
      `Deleted 1 old version(s) of the endpoint beyond keep-versions (2): ${names[0]}.`
    );
  });
});

describe('weights canary, promote and rollback', () => {
  it('weights canary, then promote, then retire: the candidate serves alone under the live variant name', async () => {
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
    expect(canary.summary).toContain('🐤 canary running, awaiting promote or rollback');
    const again = await deploy('ab', 3);
    expect(again.errors).toEqual([
      expect.stringMatching(
        /is running a weights canary .* promote it or roll it back before deploying again\.$/
      )
    ]);

    const promoted = await run('promote', { 'endpoint-name': 'ab' });
    expect(promoted.errors).toEqual([]);
    expect(promoted.outputs).toEqual({
      status: 'promoted',
      'endpoint-config': expect.stringMatching(/^ab-/)
    });
    const after = await endpointNow('ab');
    expect(after.EndpointConfigName).toBe(promoted.outputs['endpoint-config']);
    expect(after.ProductionVariants!.map((v) => v.VariantName)).toEqual(['AllTraffic']);
    const live = await sm.send(
      new DescribeEndpointConfigCommand({ EndpointConfigName: after.EndpointConfigName })
    );
    expect(live.ProductionVariants![0].ModelName).toBe(canary.outputs['model-name']);
    expect(await configTags(after.EndpointConfigName!)).toMatchObject({
      'mlops-actions:went-live': expect.any(String)
    });
    expect(promoted.log).toContain('Shifting all traffic of ab to Candidate.');
    expect(promoted.log).toContain('weights AllTraffic 80->0, Candidate 20->1');
    expect(promoted.summary).toContain('## promote: ab: ✅ promoted');
    expect(promoted.summary).toContain('flowchart TD');
  });

  it('promote with retire false shifts all traffic and keeps the old variant at weight 0', async () => {
    await deploy('ab-keep', 1);
    const canary = await deploy('ab-keep', 2, { strategy: 'weights' });
    const promoted = await run('promote', { 'endpoint-name': 'ab-keep', retire: 'false' });
    expect(promoted.outputs).toEqual({
      status: 'promoted',
      'endpoint-config': canary.outputs['endpoint-config']
    });
    expect(
      (await endpointNow('ab-keep')).ProductionVariants!.map((v) => [v.VariantName, v.CurrentWeight])
    ).toEqual([
      ['AllTraffic', 0],
      ['Candidate', 1]
    ]);
  });

  it('weights canary, then rollback: all traffic back, the candidate retired, the reason recorded', async () => {
    const first = await deploy('ab2', 1);
    const canary = await deploy('ab2', 2, { strategy: 'weights' });
    const result = await run('rollback', { 'endpoint-name': 'ab2', reason: 'candidate too slow' });
    expect(result.errors).toEqual([]);
    expect(result.outputs).toEqual({
      status: 'rolled-back',
      'endpoint-config': first.outputs['endpoint-config'],
      'rolled-back-from': canary.outputs['endpoint-config']
    });
    const after = await endpointNow('ab2');
    expect(after.EndpointConfigName).toBe(first.outputs['endpoint-config']);
    expect(after.ProductionVariants!.map((v) => v.VariantName)).toEqual(['AllTraffic']);
    expect(await configTags(canary.outputs['endpoint-config'])).toMatchObject({
      'mlops-actions:rollback-reason': 'candidate too slow'
    });
    expect(result.log).toContain('Sending all traffic of ab2 back to AllTraffic.');
    expect(result.summary).toContain('| Reason | candidate too slow |');
  });

  it('promote with nothing to promote is a clear message, not a crash, and changes nothing', async () => {
    await deploy('nothing', 1);
    emu.emulator.calls.splice(0);
    const result = await run('promote', { 'endpoint-name': 'nothing' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs.status).toBe('unchanged');
    expect(result.log).toMatch(
      /Nothing to promote: nothing serves \S+ with no weights canary and no deployment in progress\./
    );
    expect(mutating()).toEqual([]);
  });

  it('promote waits for a guardrails deployment in progress and reports its outcome, success or rollback', async () => {
    await deploy('gr', 1);
    const started = await deploy('gr', 2, { wait: 'false', 'bake-time': '10m' });
    const result = await run('promote', { 'endpoint-name': 'gr' });
    expect(result.outputs).toEqual({
      status: 'promoted',
      'endpoint-config': started.outputs['endpoint-config']
    });
    expect(await configTags(started.outputs['endpoint-config'])).toMatchObject({
      'mlops-actions:went-live': expect.any(String)
    });

    emu.emulator.faults['sagemaker.failHealthCheck'] = true;
    const failing = await deploy('gr', 3, { wait: 'false', 'bake-time': '10m' });
    const rolled = await run('promote', { 'endpoint-name': 'gr' });
    expect(rolled.exitCode).toBe(1);
    expect(rolled.outputs).toEqual({
      status: 'rolled-back',
      'endpoint-config': started.outputs['endpoint-config']
    });
    expect(rolled.errors[0]).toContain(
      `The deployment of ${failing.outputs['endpoint-config']} to gr was rolled back`
    );
  });
});

describe('rollback', () => {
  it('returns to the previous version, read from the tags in AWS, and checks that it landed', async () => {
    const v1 = await deploy('rb', 1);
    const v2 = await deploy('rb', 2);
    const result = await run('rollback', { 'endpoint-name': 'rb' });
    expect(result.errors).toEqual([]);
    expect(result.outputs).toEqual({
      status: 'rolled-back',
      'endpoint-config': v1.outputs['endpoint-config'],
      'rolled-back-from': v2.outputs['endpoint-config']
    });
    expect((await endpointNow('rb')).EndpointConfigName).toBe(v1.outputs['endpoint-config']);
    expect(await configTags(v2.outputs['endpoint-config'])).toMatchObject({
      'mlops-actions:rollback-reason':
        'rolled back by https://github.com/octo-org/news-classifier/actions/runs/4242'
    });
    expect(result.summary).toContain('## rollback: rb: ↩️ rolled back');
    // v2 was rolled back from: there is nothing earlier than v1 to go to now.
    const twice = await run('rollback', { 'endpoint-name': 'rb' });
    expect(twice.errors).toEqual([
      expect.stringMatching(/^Endpoint rb has no earlier version to roll back to/)
    ]);
  });

  it('to: a given config, even an older one', async () => {
    const v1 = await deploy('rb-to', 1);
    await deploy('rb-to', 2);
    const v3 = await deploy('rb-to', 3);
    const result = await run('rollback', { 'endpoint-name': 'rb-to', to: v1.outputs['endpoint-config'] });
    expect(result.outputs).toEqual({
      status: 'rolled-back',
      'endpoint-config': v1.outputs['endpoint-config'],
      'rolled-back-from': v3.outputs['endpoint-config']
    });
  });

  it('with no history is a clear error and changes nothing', async () => {
    await deploy('rb-none', 1);
    emu.emulator.calls.splice(0);
    const result = await run('rollback', { 'endpoint-name': 'rb-none' });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([
      expect.stringMatching(
        /^Endpoint rb-none has no earlier version to roll back to: no toolkit-made config of it went live before \S+ \(or each was rolled back from\); give to: a config name\.$/
      )
    ]);
    expect(mutating()).toEqual([]);
  });

  it('a target config that no longer exists, or the live one, is a clear error naming "to"', async () => {
    const v1 = await deploy('rb-gone', 1);
    emu.emulator.calls.splice(0);
    const gone = await run('rollback', { 'endpoint-name': 'rb-gone', to: 'rb-gone-1' });
    expect(gone.errors).toEqual([
      'Input "to" names the endpoint config rb-gone-1, which does not exist in this region (keep-versions may have cleaned it up): give an existing config.'
    ]);
    const same = await run('rollback', { 'endpoint-name': 'rb-gone', to: v1.outputs['endpoint-config'] });
    expect(same.errors).toEqual([
      `Input "to" names ${v1.outputs['endpoint-config']}, which rb-gone already serves: nothing to roll back.`
    ]);
    expect(mutating()).toEqual([]);
  });

  it('the account quota: SageMaker refusing the new fleet is one sentence, and the old version still serves', async () => {
    const v1 = await deploy('quota', 1);
    emu.emulator.faults['sagemaker.instanceLimit'] = 0;
    const result = await deploy('quota', 2);
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([
      expect.stringMatching(
        new RegExp(
          `^SageMaker refused UpdateEndpoint \\(ResourceLimitExceeded: The account-level service limit 'ml.m5.large for endpoint usage' is 0 Instances.*\\)\\. Lower instance-count or request a higher quota in Service Quotas\\. The endpoint still serves ${v1.outputs['endpoint-config']}\\.$`
        )
      )
    ]);
    expect((await endpointNow('quota')).EndpointConfigName).toBe(v1.outputs['endpoint-config']);
  });

  it('an endpoint that does not exist is a clear error', async () => {
    const result = await run('rollback', { 'endpoint-name': 'never-deployed' });
    expect(result.errors).toEqual([
      'Endpoint never-deployed does not exist in this region: there is nothing to roll back; check endpoint-name and region.'
    ]);
  });
});
