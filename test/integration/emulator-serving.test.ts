/**
 * The emulator's endpoints really serve: each variant's image runs on the local Docker engine, the
 * runtime API forwards InvokeEndpoint to it, and nothing is left running. Through the real SDK.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import {
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  UpdateEndpointCommand,
  type DeploymentConfig
} from '@aws-sdk/client-sagemaker';
import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  GetMetricStatisticsCommand,
  PutMetricAlarmCommand
} from '@aws-sdk/client-cloudwatch';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import {
  CloudWatchLogsClient,
  GetLogEventsCommand,
  DescribeLogStreamsCommand
} from '@aws-sdk/client-cloudwatch-logs';
import { awsClient } from '../../src/aws.js';
import { S3Store } from '../../src/emulator/services/s3/index.js';
import { hostingOf } from '../../src/emulator/services/sagemaker/hosting.js';
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';
import {
  buildServingImage,
  clientsFor,
  createConfig,
  createEndpoint,
  createModel,
  emulatorContainers,
  SERVING_IMAGE,
  waitForEndpoint
} from '../helpers/serving.js';

let emu: RunningEmulator;
let c: ReturnType<typeof clientsFor>;
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const text = (body: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(body));

beforeAll(() => buildServingImage());
beforeEach(async () => {
  emu = await startEmulator({ hosting: 'docker', timeScale: 0.01 });
  c = clientsFor(emu.url);
});
afterEach(async () => {
  await emu.stop();
  expect(emulatorContainers()).toEqual([]);
});

it('invokes a live endpoint: the container answers with the caller body and headers', async () => {
  await createModel(c.sagemaker, { name: 'm1', environment: { ANSWER: 'from-m1' } });
  await createConfig(c.sagemaker, 'c1', [{ VariantName: 'AllTraffic', ModelName: 'm1' }]);
  const endpoint = await createEndpoint(c.sagemaker, 'e1', 'c1');
  expect(endpoint.EndpointStatus).toBe('InService');
  const answer = await c.runtime.send(
    new InvokeEndpointCommand({
      EndpointName: 'e1',
      Body: json({ x: 1 }),
      ContentType: 'application/json',
      Accept: 'application/json',
      CustomAttributes: 'trace=1'
    })
  );
  expect(answer.InvokedProductionVariant).toBe('AllTraffic');
  expect(answer.ContentType).toBe('application/json');
  expect(answer.CustomAttributes).toBe('seen=trace=1');
  const body = text(answer.Body);
  expect(body).toMatchObject({ answer: 'from-m1', body: '{"x":1}', content_type: 'application/json' });
  expect(emulatorContainers()).toHaveLength(1);
});

it('mounts the model data read-only at /opt/ml/model', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-'));
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ trees: 7 }));
  const tar = path.join(dir, 'model.tar.gz');
  execFileSync('tar', ['-czf', tar, '-C', dir, 'model.json']);
  const store = new S3Store(path.join(emu.emulator.dataDir, 's3'));
  store.createBucket('models');
  store.put('models', 'm/model.tar.gz', fs.readFileSync(tar));
  await createModel(c.sagemaker, { name: 'm1', modelDataUrl: 's3://models/m/model.tar.gz' });
  await createConfig(c.sagemaker, 'c1', [{ VariantName: 'AllTraffic', ModelName: 'm1' }]);
  expect((await createEndpoint(c.sagemaker, 'e1', 'c1')).EndpointStatus).toBe('InService');
  const body = text(
    (await c.runtime.send(new InvokeEndpointCommand({ EndpointName: 'e1', Body: json({}) }))).Body
  );
  expect(body.model).toEqual({ trees: 7 });
  expect(body.files).toEqual(['model.json']);
});

it('a bad model archive fails the endpoint with SageMaker’s kind of reason', async () => {
  const store = new S3Store(path.join(emu.emulator.dataDir, 's3'));
  store.createBucket('models');
  store.put('models', 'bad/model.tar.gz', Buffer.from('not a tarball'));
  await createModel(c.sagemaker, { name: 'm1', modelDataUrl: 's3://models/bad/model.tar.gz' });
  await createConfig(c.sagemaker, 'c1', [{ VariantName: 'AllTraffic', ModelName: 'm1' }]);
  const endpoint = await createEndpoint(c.sagemaker, 'e1', 'c1');
  expect(endpoint.EndpointStatus).toBe('Failed');
  expect(endpoint.FailureReason).toMatch(
    /Failed to extract model data archive from URL "s3:\/\/models\/bad\/model.tar.gz"/
  );
});

it('a container that never passes /ping fails CreateEndpoint, and its logs say why', async () => {
  await createModel(c.sagemaker, { name: 'm1', environment: { BEHAVIOUR: 'exit' } });
  await createConfig(c.sagemaker, 'c1', [{ VariantName: 'AllTraffic', ModelName: 'm1' }]);
  const endpoint = await createEndpoint(c.sagemaker, 'e1', 'c1');
  expect(endpoint.EndpointStatus).toBe('Failed');
  expect(endpoint.FailureReason).toBe(
    'The primary container for production variant AllTraffic did not pass the ping health check. Please check CloudWatch logs for this endpoint.'
  );
  const logs = awsClient(CloudWatchLogsClient, 'CloudWatch Logs', {
    action: 'serving-test',
    region: 'us-east-1',
    endpoint: emu.url,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' }
  });
  const group = '/aws/sagemaker/Endpoints/e1';
  const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: group }));
  const stream = streams.logStreams![0].logStreamName!;
  expect(stream).toMatch(/^AllTraffic\/i-[0-9a-f]{17}$/);
  const events = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream }));
  const lines = events.events!.map((e) => e.message).join('\n');
  expect(lines).toContain('exiting at once, as asked');
  expect(lines).toMatch(/exited with code 3/);
});

it('an update whose new fleet fails /ping rolls back to the old fleet, which kept serving', async () => {
  await createModel(c.sagemaker, { name: 'good', environment: { ANSWER: 'good' } });
  await createModel(c.sagemaker, { name: 'sick', environment: { BEHAVIOUR: 'exit' } });
  await createConfig(c.sagemaker, 'c-good', [{ VariantName: 'AllTraffic', ModelName: 'good' }]);
  await createConfig(c.sagemaker, 'c-sick', [{ VariantName: 'AllTraffic', ModelName: 'sick' }]);
  await createEndpoint(c.sagemaker, 'e1', 'c-good');
  await c.sagemaker.send(new UpdateEndpointCommand({ EndpointName: 'e1', EndpointConfigName: 'c-sick' }));
  const during = text(
    (await c.runtime.send(new InvokeEndpointCommand({ EndpointName: 'e1', Body: json({}) }))).Body
  );
  expect(during.answer).toBe('good');
  const after = await waitForEndpoint(c.sagemaker, 'e1');
  expect(after.EndpointStatus).toBe('InService');
  expect(after.EndpointConfigName).toBe('c-good');
  expect(after.FailureReason).toMatch(/did not pass the ping health check/);
  const body = text(
    (await c.runtime.send(new InvokeEndpointCommand({ EndpointName: 'e1', Body: json({}) }))).Body
  );
  expect(body.answer).toBe('good');
});

it('a container answering 500 is ModelError with the original status and message', async () => {
  await createModel(c.sagemaker, { name: 'm1', environment: { BEHAVIOUR: 'invocations-500' } });
  await createConfig(c.sagemaker, 'c1', [{ VariantName: 'AllTraffic', ModelName: 'm1' }]);
  await createEndpoint(c.sagemaker, 'e1', 'c1');
  const error = await c.runtime
    .send(new InvokeEndpointCommand({ EndpointName: 'e1', Body: json({}) }))
    .catch((e) => e);
  expect(error.name).toBe('ModelError');
  expect(error.$metadata.httpStatusCode).toBe(424);
  expect(error.OriginalStatusCode).toBe(500);
  expect(error.OriginalMessage).toBe('{"error": "the model is broken"}');
  expect(error.LogStreamArn).toMatch(/log-group:\/aws\/sagemaker\/Endpoints\/e1:log-stream:AllTraffic\/i-/);
});

it('an unknown endpoint or variant is ValidationError', async () => {
  const unknown = await c.runtime
    .send(new InvokeEndpointCommand({ EndpointName: 'nope', Body: json({}) }))
    .catch((e) => e);
  expect(unknown.name).toBe('ValidationError');
  expect(unknown.message).toBe('Endpoint nope of account 123456789012 not found.');
  await createModel(c.sagemaker, { name: 'm1' });
  await createConfig(c.sagemaker, 'c1', [{ VariantName: 'AllTraffic', ModelName: 'm1' }]);
  await createEndpoint(c.sagemaker, 'e1', 'c1');
  const variant = await c.runtime
    .send(new InvokeEndpointCommand({ EndpointName: 'e1', Body: json({}), TargetVariant: 'Other' }))
    .catch((e) => e);
  expect(variant.name).toBe('ValidationError');
  expect(variant.message).toMatch(/variant Other is not present/);
});

it('weights split traffic across variants within a statistical bound', async () => {
  await createModel(c.sagemaker, { name: 'a', environment: { ANSWER: 'a' } });
  await createModel(c.sagemaker, { name: 'b', environment: { ANSWER: 'b' } });
  await createConfig(c.sagemaker, 'c1', [
    { VariantName: 'A', ModelName: 'a', InitialVariantWeight: 9 },
    { VariantName: 'B', ModelName: 'b', InitialVariantWeight: 1 }
  ]);
  await createEndpoint(c.sagemaker, 'e1', 'c1');
  const n = 400;
  const seen: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const answer = await c.runtime.send(new InvokeEndpointCommand({ EndpointName: 'e1', Body: json({}) }));
    seen[answer.InvokedProductionVariant!] = (seen[answer.InvokedProductionVariant!] ?? 0) + 1;
    expect(text(answer.Body).answer).toBe(answer.InvokedProductionVariant!.toLowerCase());
  }
  // B's share is 10%: with 400 requests its count is 40 ± 6 (one standard deviation); 5 of them bound it.
  expect(seen.B).toBeGreaterThan(40 - 30);
  expect(seen.B).toBeLessThan(40 + 30);
  const targeted = await c.runtime.send(
    new InvokeEndpointCommand({ EndpointName: 'e1', Body: json({}), TargetVariant: 'B' })
  );
  expect(targeted.InvokedProductionVariant).toBe('B');
});

it('deleting the endpoint removes its containers', async () => {
  await createModel(c.sagemaker, { name: 'm1' });
  await createConfig(c.sagemaker, 'c1', [{ VariantName: 'AllTraffic', ModelName: 'm1' }]);
  await createEndpoint(c.sagemaker, 'e1', 'c1');
  expect(emulatorContainers()).toHaveLength(1);
  await c.sagemaker.send(new DeleteEndpointCommand({ EndpointName: 'e1' }));
  const deadline = Date.now() + 20_000;
  while (emulatorContainers().length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  expect(emulatorContainers()).toEqual([]);
});

it('the AWS CLI invokes the endpoint unchanged', async () => {
  await createModel(c.sagemaker, { name: 'm1', environment: { ANSWER: 'cli' } });
  await createConfig(c.sagemaker, 'c1', [{ VariantName: 'AllTraffic', ModelName: 'm1' }]);
  await createEndpoint(c.sagemaker, 'e1', 'c1');
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cli-')), 'answer.json');
  const { stdout } = await promisify(execFile)(
    '/usr/bin/aws',
    [
      '--endpoint-url',
      emu.url,
      'sagemaker-runtime',
      'invoke-endpoint',
      '--endpoint-name',
      'e1',
      '--content-type',
      'application/json',
      '--cli-binary-format',
      'raw-in-base64-out',
      '--body',
      '{"rows": [1]}',
      out
    ],
    {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'a',
        AWS_SECRET_ACCESS_KEY: 'b',
        AWS_DEFAULT_REGION: 'us-east-1'
      },
      encoding: 'utf8'
    }
  );
  expect(JSON.parse(stdout)).toMatchObject({
    ContentType: 'application/json',
    InvokedProductionVariant: 'AllTraffic'
  });
  expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toMatchObject({ answer: 'cli', body: '{"rows": [1]}' });
});

it('a new emulator on the same state file serves the live endpoints again, and removes what a killed one left', async () => {
  await emu.stop();
  const stateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'state-')), 'state.json');
  emu = await startEmulator({ hosting: 'docker', timeScale: 0.01, stateFile });
  c = clientsFor(emu.url);
  await createModel(c.sagemaker, { name: 'm1', environment: { ANSWER: 'again' } });
  await createConfig(c.sagemaker, 'c1', [{ VariantName: 'AllTraffic', ModelName: 'm1' }]);
  await createEndpoint(c.sagemaker, 'e1', 'c1');
  const tag = hostingOf(emu.emulator)!.tag;
  await emu.stop();
  expect(emulatorContainers()).toEqual([]);
  // What an emulator killed with SIGKILL leaves: a container with its label.
  execFileSync('docker', [
    'run',
    '-d',
    '--network',
    'none',
    '--label',
    `mlops-actions.emulator=${tag}`,
    '--name',
    `left-${tag}`,
    SERVING_IMAGE,
    'sleep',
    '60'
  ]);
  emu = await startEmulator({ hosting: 'docker', timeScale: 0.01, stateFile });
  c = clientsFor(emu.url);
  const deadline = Date.now() + 30_000;
  let answer;
  while (!answer && Date.now() < deadline) {
    answer = await c.runtime
      .send(new InvokeEndpointCommand({ EndpointName: 'e1', Body: json({}) }))
      .catch((e) => (e.name === 'ServiceUnavailable' ? undefined : Promise.reject(e)));
    if (!answer) await new Promise((r) => setTimeout(r, 100));
  }
  expect(text(answer!.Body).answer).toBe('again');
  expect(emulatorContainers()).not.toContain(`left-${tag}`);
});

describe('deployment guardrails with real traffic', () => {
  const canary = (alarms: string[] = [], bake = 600): DeploymentConfig => ({
    BlueGreenUpdatePolicy: {
      TrafficRoutingConfiguration: {
        Type: 'CANARY',
        CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 },
        WaitIntervalInSeconds: bake
      },
      TerminationWaitInSeconds: 0
    },
    ...(alarms.length
      ? { AutoRollbackConfiguration: { Alarms: alarms.map((AlarmName) => ({ AlarmName })) } }
      : {})
  });

  /** Sends requests one after another until `stop` says so; counts answers by their `answer` field or error. */
  async function traffic(stop: () => Promise<boolean> | boolean) {
    const seen: Record<string, number> = {};
    while (!(await stop())) {
      const key = await c.runtime
        .send(new InvokeEndpointCommand({ EndpointName: 'e1', Body: json({}) }))
        .then(
          (a) => text(a.Body).answer as string,
          (e) => `${e.name}${e.OriginalStatusCode ? ` ${e.OriginalStatusCode}` : ''}`
        );
      seen[key] = (seen[key] ?? 0) + 1;
    }
    return seen;
  }
  const phase = async () =>
    (await c.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'e1' }))).PendingDeploymentSummary
      ?.ProductionVariants?.[0]?.VariantStatus?.[0]?.Status;

  async function twoVersions(newEnvironment: Record<string, string>) {
    await createModel(c.sagemaker, { name: 'old', environment: { ANSWER: 'old' } });
    await createModel(c.sagemaker, { name: 'new', environment: { ANSWER: 'new', ...newEnvironment } });
    await createConfig(c.sagemaker, 'c-old', [
      { VariantName: 'AllTraffic', ModelName: 'old', InitialInstanceCount: 10 }
    ]);
    await createConfig(c.sagemaker, 'c-new', [
      { VariantName: 'AllTraffic', ModelName: 'new', InitialInstanceCount: 10 }
    ]);
    await createEndpoint(c.sagemaker, 'e1', 'c-old');
  }

  async function errorAlarm(cw: CloudWatchClient) {
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'e1-5xx',
        Namespace: 'AWS/SageMaker',
        MetricName: 'Invocation5XXErrors',
        Dimensions: [
          { Name: 'EndpointName', Value: 'e1' },
          { Name: 'VariantName', Value: 'AllTraffic' }
        ],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching'
      })
    );
  }
  const cloudwatch = () =>
    awsClient(CloudWatchClient, 'CloudWatch', {
      action: 'serving-test',
      region: 'us-east-1',
      endpoint: emu.url,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' }
    });

  it('a 10% canary gets about 10% of the requests while it bakes, then all of them', async () => {
    await twoVersions({});
    await c.sagemaker.send(
      new UpdateEndpointCommand({
        EndpointName: 'e1',
        EndpointConfigName: 'c-new',
        DeploymentConfig: canary()
      })
    );
    while ((await phase()) !== 'Baking') await new Promise((r) => setTimeout(r, 50));
    let n = 0;
    const seen = await traffic(() => n++ >= 300);
    // 300 requests at 10%: 30 ± 5.2 (one standard deviation); 4 of them bound it.
    expect(seen.new).toBeGreaterThan(30 - 21);
    expect(seen.new).toBeLessThan(30 + 21);
    expect(seen.old + seen.new).toBe(300);
    const done = await waitForEndpoint(c.sagemaker, 'e1');
    expect(done).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'c-new' });
    n = 0;
    expect(await traffic(() => n++ >= 20)).toEqual({ new: 20 });
  });

  it('a canary whose /invocations answer 500 trips the 5XX alarm from real metrics, and SageMaker rolls back', async () => {
    const cw = cloudwatch();
    await errorAlarm(cw);
    await twoVersions({ BEHAVIOUR: 'invocations-500' });
    await c.sagemaker.send(
      new UpdateEndpointCommand({
        EndpointName: 'e1',
        EndpointConfigName: 'c-new',
        DeploymentConfig: canary(['e1-5xx'])
      })
    );
    const status = async () =>
      (await c.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'e1' }))).EndpointStatus;
    const seen = await traffic(async () => (await status()) !== 'Updating');
    expect(seen['ModelError 500']).toBeGreaterThan(0);
    const after = await waitForEndpoint(c.sagemaker, 'e1');
    expect(after).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'c-old' });
    expect(after.FailureReason).toMatch(
      /^Alarm e1-5xx went into ALARM while baking with 10% of traffic on the new fleet/
    );
    const history = await cw.send(
      new DescribeAlarmHistoryCommand({ AlarmName: 'e1-5xx', HistoryItemType: 'StateUpdate' })
    );
    expect(history.AlarmHistoryItems!.map((h) => h.HistorySummary)).toContain(
      'Alarm updated from OK to ALARM'
    );
    const reason = JSON.parse(
      history.AlarmHistoryItems!.find((h) => h.HistorySummary === 'Alarm updated from OK to ALARM')!
        .HistoryData!
    );
    expect(reason.newState.stateReason).toMatch(/^Threshold Crossed: 1 out of the last 1 datapoints \[\d/);
    // The new fleet is gone; the old one answers everything.
    let n = 0;
    expect(await traffic(() => n++ >= 20)).toEqual({ old: 20 });
    const deadline = Date.now() + 10_000;
    while (emulatorContainers().length > 1 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(emulatorContainers()).toHaveLength(1);
  });

  it('a canary container that dies mid-bake fails its requests, trips the alarm, and the update rolls back', async () => {
    const cw = cloudwatch();
    await errorAlarm(cw);
    await twoVersions({ BEHAVIOUR: 'exit-after', EXIT_AFTER: '0.2' });
    await c.sagemaker.send(
      new UpdateEndpointCommand({
        EndpointName: 'e1',
        EndpointConfigName: 'c-new',
        DeploymentConfig: canary(['e1-5xx'])
      })
    );
    const status = async () =>
      (await c.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'e1' }))).EndpointStatus;
    const seen = await traffic(async () => (await status()) !== 'Updating');
    expect(seen.new).toBeGreaterThan(0);
    // The SDK retries ServiceUnavailable, so callers mostly see the old fleet answer the retry; the
    // failed attempts are in the metrics, which is what trips the alarm.
    const after = await waitForEndpoint(c.sagemaker, 'e1');
    expect(after).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'c-old' });
    expect(after.FailureReason).toMatch(/^Alarm e1-5xx went into ALARM/);
    const errors = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/SageMaker',
        MetricName: 'Invocation5XXErrors',
        Dimensions: [
          { Name: 'EndpointName', Value: 'e1' },
          { Name: 'VariantName', Value: 'AllTraffic' }
        ],
        StartTime: new Date(Date.now() - 600_000),
        EndTime: new Date(Date.now() + 60_000),
        Period: 600,
        Statistics: ['Sum']
      })
    );
    expect(errors.Datapoints!.reduce((sum, d) => sum + d.Sum!, 0)).toBeGreaterThan(0);
  });
});

it('--hosting takes docker or simulated, and nothing else', async () => {
  const { emulatorCommand } = await import('../../src/emulator/cli.js');
  const write = process.stderr.write;
  let said = '';
  process.stderr.write = ((chunk: string) => ((said += chunk), true)) as typeof process.stderr.write;
  try {
    expect(await emulatorCommand(['--hosting', 'vm'])).toBe(2);
  } finally {
    process.stderr.write = write;
  }
  expect(said).toBe('mlops-actions emulator: --hosting must be docker or simulated, but got "vm".\n');
});
