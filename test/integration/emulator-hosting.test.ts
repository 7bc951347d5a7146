/**
 * Contract tests of the emulator's SageMaker hosting and CloudWatch alarms against the spec
 * (shared/specs/sagemaker.md), through the real AWS SDK, independent of the actions. The emulator runs
 * on a manual clock at time scale 1, so every duration is the service's own (DURATIONS).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  SetAlarmStateCommand
} from '@aws-sdk/client-cloudwatch';
import {
  AddTagsCommand,
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DeleteTagsCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListEndpointConfigsCommand,
  ListEndpointsCommand,
  ListTagsCommand,
  SageMakerClient,
  UpdateEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
  type DeploymentConfig,
  type ListEndpointsCommandInput,
  type ProductionVariant
} from '@aws-sdk/client-sagemaker';
import { awsClient } from '../../src/aws.js';
import { Emulator } from '../../src/emulator/server.js';
import { ALL_SERVICES } from '../../src/emulator/services/index.js';
import { DURATIONS } from '../../src/emulator/services/sagemaker/index.js';
import { ROOT } from '../helpers/bundle.js';

const ROLE = 'arn:aws:iam::123456789012:role/sagemaker-execution';
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/news@sha256:' + 'a'.repeat(64);
const credentials = { accessKeyId: 'AKID', secretAccessKey: 'secret' };
const T0 = Date.UTC(2026, 0, 1, 12);
let now = T0;
/** Moves the manual clock forward. */
const tick = (seconds: number) => (now += seconds * 1000);
let emulator: Emulator;
let sm: SageMakerClient;
let cw: CloudWatchClient;

function clients(url: string) {
  const config = { action: 'contract', region: 'us-east-1', endpoint: url, credentials };
  return {
    sagemaker: awsClient(SageMakerClient, 'SageMaker', config),
    cloudwatch: awsClient(CloudWatchClient, 'CloudWatch', config)
  };
}

async function start(stateFile?: string): Promise<void> {
  emulator = new Emulator({ services: ALL_SERVICES, now: () => now, timeScale: 1, stateFile });
  const url = await emulator.start();
  ({ sagemaker: sm, cloudwatch: cw } = clients(url));
}

beforeEach(async () => {
  now = T0;
  await start();
});
afterEach(() => emulator.stop());

const describe_ = (name: string) => sm.send(new DescribeEndpointCommand({ EndpointName: name }));
const model = (name: string, image = IMAGE) =>
  sm.send(
    new CreateModelCommand({ ModelName: name, ExecutionRoleArn: ROLE, PrimaryContainer: { Image: image } })
  );
const variant = (modelName: string, extra: Partial<ProductionVariant> = {}): ProductionVariant => ({
  VariantName: 'AllTraffic',
  ModelName: modelName,
  InstanceType: 'ml.m5.large',
  InitialInstanceCount: 2,
  ...extra
});
const config = (name: string, variants: ProductionVariant[]) =>
  sm.send(new CreateEndpointConfigCommand({ EndpointConfigName: name, ProductionVariants: variants }));
/** A model and a one-variant config named `name`. */
async function version(name: string, extra: Partial<ProductionVariant> = {}): Promise<void> {
  await model(name);
  await config(name, [variant(name, extra)]);
}
/** An InService endpoint on config `v1` (with `instances` instances). */
async function liveEndpoint(name: string, instances = 2): Promise<void> {
  await version(`${name}-v1`, { InitialInstanceCount: instances });
  await sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: `${name}-v1` }));
  tick(DURATIONS.provision);
  expect((await describe_(name)).EndpointStatus).toBe('InService');
}
const blueGreen = (
  routing: NonNullable<DeploymentConfig['BlueGreenUpdatePolicy']>['TrafficRoutingConfiguration'],
  extra: Partial<DeploymentConfig> & { TerminationWaitInSeconds?: number } = {}
): DeploymentConfig => {
  const { TerminationWaitInSeconds, ...rest } = extra;
  return {
    BlueGreenUpdatePolicy: {
      TrafficRoutingConfiguration: routing,
      ...(TerminationWaitInSeconds ? { TerminationWaitInSeconds } : {}),
      MaximumExecutionTimeoutInSeconds: 3600
    },
    ...rest
  };
};
async function alarm(name: string, extra: { TreatMissingData?: string } = {}): Promise<void> {
  await cw.send(
    new PutMetricAlarmCommand({
      ...extra,
      AlarmName: name,
      MetricName: 'Invocation5XXErrors',
      Namespace: 'AWS/SageMaker',
      Dimensions: [{ Name: 'EndpointName', Value: 'e' }],
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold'
    })
  );
}
const setAlarm = (name: string, state: 'OK' | 'ALARM') =>
  cw.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: 'test' }));
/** What the new fleet is doing: [status, message, current weight] of the pending variant. */
async function pending(name: string) {
  const e = await describe_(name);
  const v = e.PendingDeploymentSummary?.ProductionVariants?.[0];
  return {
    status: e.EndpointStatus,
    config: e.EndpointConfigName,
    pendingConfig: e.PendingDeploymentSummary?.EndpointConfigName,
    phase: v?.VariantStatus?.[0]?.Status,
    message: v?.VariantStatus?.[0]?.StatusMessage,
    weight: v?.CurrentWeight
  };
}

describe('models and endpoint configs', () => {
  it('create, describe, delete, with SageMaker validation errors', async () => {
    const { ModelArn } = await model('m1');
    expect(ModelArn).toBe('arn:aws:sagemaker:us-east-1:123456789012:model/m1');
    expect((await sm.send(new DescribeModelCommand({ ModelName: 'm1' }))).PrimaryContainer?.Image).toBe(
      IMAGE
    );
    await expect(model('m1')).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('Cannot create already existing model')
    });
    await expect(
      sm.send(
        new CreateModelCommand({
          ModelName: 'm2',
          ExecutionRoleArn: 'admin',
          PrimaryContainer: { Image: IMAGE }
        })
      )
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("at 'executionRoleArn'")
    });
    await expect(model('bad_name')).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('Member must satisfy regular expression pattern')
    });

    await config('c1', [variant('m1')]);
    const described = await sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'c1' }));
    expect(described.ProductionVariants).toEqual([{ ...variant('m1'), InitialVariantWeight: 1 }]);
    await expect(config('c2', [variant('nope')])).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Could not find model "arn:aws:sagemaker:us-east-1:123456789012:model/nope".'
    });
    await expect(config('c2', [variant('m1'), variant('m1')])).rejects.toMatchObject({
      name: 'ValidationException'
    });
    await expect(
      config('c2', [
        { VariantName: 'A', ModelName: 'm1', ServerlessConfig: { MemorySizeInMB: 1500, MaxConcurrency: 5 } }
      ])
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('memorySizeInMB')
    });
    await expect(
      sm.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: 'c2',
          ProductionVariants: [
            {
              VariantName: 'A',
              ModelName: 'm1',
              ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 }
            }
          ],
          DataCaptureConfig: {
            InitialSamplingPercentage: 100,
            DestinationS3Uri: 's3://b/capture',
            CaptureOptions: [{ CaptureMode: 'Input' }]
          }
        })
      )
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining('serverless') });

    await sm.send(new DeleteEndpointConfigCommand({ EndpointConfigName: 'c1' }));
    await expect(
      sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'c1' }))
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message:
        'Could not find endpoint configuration "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/c1".'
    });
    await sm.send(new DeleteModelCommand({ ModelName: 'm1' }));
    await expect(sm.send(new DescribeModelCommand({ ModelName: 'm1' }))).rejects.toMatchObject({
      name: 'ValidationException'
    });
  });

  it('ListEndpointConfigs filters by NameContains, sorts and paginates', async () => {
    await model('m');
    for (const name of ['news-3', 'news-1', 'other-1', 'news-2', 'NEWS-4']) {
      await config(name, [variant('m')]);
      tick(1);
    }
    const all: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await sm.send(
        new ListEndpointConfigsCommand({ NameContains: 'news', MaxResults: 2, NextToken: token })
      );
      all.push(...page.EndpointConfigs!.map((c) => c.EndpointConfigName!));
      token = page.NextToken;
      pages++;
    } while (token);
    // Newest first by default; NameContains ignores case, as SageMaker's does.
    expect(all).toEqual(['NEWS-4', 'news-2', 'news-1', 'news-3']);
    expect(pages).toBe(2);
    const byName = await sm.send(new ListEndpointConfigsCommand({ SortBy: 'Name', SortOrder: 'Ascending' }));
    expect(byName.EndpointConfigs!.map((c) => c.EndpointConfigName)).toEqual([
      'NEWS-4',
      'news-1',
      'news-2',
      'news-3',
      'other-1'
    ]);
    await expect(sm.send(new ListEndpointConfigsCommand({ MaxResults: 500 }))).rejects.toMatchObject({
      name: 'ValidationException'
    });
  });
});

describe('the endpoint state machine', () => {
  it('CreateEndpoint: Creating, then InService; LastModifiedTime is when it settled, not when somebody looked', async () => {
    await version('e-v1');
    await sm.send(new CreateEndpointCommand({ EndpointName: 'e', EndpointConfigName: 'e-v1' }));
    expect((await describe_('e')).EndpointStatus).toBe('Creating');
    tick(DURATIONS.provision - 1);
    expect((await describe_('e')).EndpointStatus).toBe('Creating');
    tick(1000);
    const live = await describe_('e');
    expect(live).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'e-v1' });
    expect(live.LastModifiedTime!.getTime()).toBe(T0 + DURATIONS.provision * 1000);
    expect(live.ProductionVariants).toEqual([
      expect.objectContaining({
        VariantName: 'AllTraffic',
        CurrentWeight: 1,
        DesiredWeight: 1,
        CurrentInstanceCount: 2,
        DeployedImages: [expect.objectContaining({ SpecifiedImage: IMAGE })]
      })
    ]);
    await expect(
      sm.send(new CreateEndpointCommand({ EndpointName: 'e', EndpointConfigName: 'e-v1' }))
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('Cannot create already existing endpoint')
    });
    await expect(describe_('nope')).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Could not find endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint/nope".'
    });
  });

  it('canary: the new fleet is created, takes the canary (whole instances), bakes, takes the rest, bakes; the top-level config stays the old one until the end', async () => {
    await liveEndpoint('e', 4);
    await version('e-v2', { InitialInstanceCount: 4 });
    const started = now;
    await sm.send(
      new UpdateEndpointCommand({
        EndpointName: 'e',
        EndpointConfigName: 'e-v2',
        DeploymentConfig: blueGreen({
          Type: 'CANARY',
          CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 },
          WaitIntervalInSeconds: 600
        })
      })
    );
    const seen = [await pending('e')];
    const at = (s: number) => (now = started + s * 1000);
    const { provision: p, activate: a } = DURATIONS;
    for (const s of [p, p + a, p + a + 600, p + 2 * a + 600]) {
      at(s);
      seen.push(await pending('e'));
    }
    const common = { status: 'Updating', config: 'e-v1', pendingConfig: 'e-v2' };
    expect(seen).toEqual([
      { ...common, phase: 'Creating', message: 'Creating the new fleet', weight: 0 },
      {
        ...common,
        phase: 'ActivatingTraffic',
        message: 'Shifting 25% of traffic to the new fleet',
        weight: 0.25
      },
      { ...common, phase: 'Baking', message: 'Baking with 25% of traffic on the new fleet', weight: 0.25 },
      {
        ...common,
        phase: 'ActivatingTraffic',
        message: 'Shifting 100% of traffic to the new fleet',
        weight: 1
      },
      { ...common, phase: 'Baking', message: 'Baking with 100% of traffic on the new fleet', weight: 1 }
    ]);
    at(p + 2 * a + 1200);
    const done = await describe_('e');
    expect(done).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'e-v2' });
    expect(done.PendingDeploymentSummary).toBeUndefined();
    expect(done.LastDeploymentConfig?.BlueGreenUpdatePolicy?.TrafficRoutingConfiguration?.Type).toBe(
      'CANARY'
    );
  });

  it('linear: steps of the step size, a bake after each', async () => {
    await liveEndpoint('e', 10);
    await version('e-v2', { InitialInstanceCount: 10 });
    const started = now;
    await sm.send(
      new UpdateEndpointCommand({
        EndpointName: 'e',
        EndpointConfigName: 'e-v2',
        DeploymentConfig: blueGreen({
          Type: 'LINEAR',
          LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 20 },
          WaitIntervalInSeconds: 60
        })
      })
    );
    const bakes: string[] = [];
    for (let s = 0; s < 2000; s += 5) {
      now = started + s * 1000;
      const { phase, message } = await pending('e');
      if (phase === 'Baking' && bakes.at(-1) !== message) bakes.push(message!);
    }
    expect(bakes).toEqual([20, 40, 60, 80, 100].map((p) => `Baking with ${p}% of traffic on the new fleet`));
    expect((await describe_('e')).EndpointConfigName).toBe('e-v2');
  });

  it('all at once with a termination wait: the old fleet waits before it is terminated', async () => {
    await liveEndpoint('e');
    await version('e-v2');
    await sm.send(
      new UpdateEndpointCommand({
        EndpointName: 'e',
        EndpointConfigName: 'e-v2',
        DeploymentConfig: blueGreen(
          { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 0 },
          { TerminationWaitInSeconds: 300 }
        )
      })
    );
    tick(DURATIONS.provision + DURATIONS.activate + 1);
    expect(await pending('e')).toMatchObject({
      status: 'Updating',
      phase: 'Deleting',
      message: 'Waiting before the old fleet is terminated',
      weight: 1
    });
    tick(300);
    expect(await pending('e')).toMatchObject({
      status: 'InService',
      config: 'e-v2',
      pendingConfig: undefined
    });
  });

  it('an update without DeploymentConfig is blue/green all at once with no bake', async () => {
    await liveEndpoint('e');
    await version('e-v2');
    await sm.send(new UpdateEndpointCommand({ EndpointName: 'e', EndpointConfigName: 'e-v2' }));
    tick(DURATIONS.provision + DURATIONS.activate);
    expect(await pending('e')).toMatchObject({ status: 'InService', config: 'e-v2' });
  });

  it('an update in progress refuses another, a Failed endpoint refuses any', async () => {
    await liveEndpoint('e');
    await version('e-v2');
    await version('e-v3');
    await sm.send(new UpdateEndpointCommand({ EndpointName: 'e', EndpointConfigName: 'e-v2' }));
    await expect(
      sm.send(new UpdateEndpointCommand({ EndpointName: 'e', EndpointConfigName: 'e-v3' }))
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Cannot update in-progress endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint/e".'
    });
    await expect(
      sm.send(new UpdateEndpointCommand({ EndpointName: 'e', EndpointConfigName: 'e-nope' }))
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('Could not find endpoint configuration')
    });
  });

  it('validates deployment guardrails: same variant names, canary at most 50%, linear 10-50%, timeout above the waits', async () => {
    await liveEndpoint('e');
    await version('e-blue', { VariantName: 'Blue' });
    await version('e-v2');
    const update = (name: string, dc: DeploymentConfig) =>
      sm.send(
        new UpdateEndpointCommand({ EndpointName: 'e', EndpointConfigName: name, DeploymentConfig: dc })
      );
    const canary = (Value: number, Type: 'CAPACITY_PERCENT' | 'INSTANCE_COUNT' = 'CAPACITY_PERCENT') =>
      blueGreen({ Type: 'CANARY', CanarySize: { Type, Value }, WaitIntervalInSeconds: 60 });
    await expect(update('e-blue', canary(10))).rejects.toMatchObject({
      message: expect.stringContaining('same production variant names')
    });
    await expect(update('e-v2', canary(60))).rejects.toMatchObject({
      message: expect.stringContaining('50%')
    });
    await expect(update('e-v2', canary(2, 'INSTANCE_COUNT'))).rejects.toMatchObject({
      message: expect.stringContaining('50%')
    });
    await expect(
      update(
        'e-v2',
        blueGreen({
          Type: 'LINEAR',
          LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 60 },
          WaitIntervalInSeconds: 60
        })
      )
    ).rejects.toMatchObject({ message: expect.stringContaining('10-50%') });
    await expect(
      update('e-v2', {
        BlueGreenUpdatePolicy: {
          TrafficRoutingConfiguration: { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 3600 },
          TerminationWaitInSeconds: 600,
          MaximumExecutionTimeoutInSeconds: 3600
        }
      })
    ).rejects.toMatchObject({ message: expect.stringContaining('larger than the total waiting time') });
    await expect(
      update('e-v2', {
        ...canary(10),
        AutoRollbackConfiguration: { Alarms: Array.from({ length: 11 }, (_, i) => ({ AlarmName: `a${i}` })) }
      })
    ).rejects.toMatchObject({ message: expect.stringContaining('between 1 and 10 alarms') });
    expect((await describe_('e')).EndpointStatus).toBe('InService');
  });

  it('the account instance quota: ResourceLimitExceeded counts both fleets of a blue/green update', async () => {
    emulator.faults['sagemaker.instanceLimit'] = 4;
    await liveEndpoint('e', 2);
    await version('e-v2', { InitialInstanceCount: 3 });
    await expect(
      sm.send(new UpdateEndpointCommand({ EndpointName: 'e', EndpointConfigName: 'e-v2' }))
    ).rejects.toMatchObject({
      name: 'ResourceLimitExceeded',
      message: expect.stringContaining(
        "'ml.m5.large for endpoint usage' is 4 Instances, with current utilization of 2 Instances"
      )
    });
    await version('e-v3', { InitialInstanceCount: 2 });
    await sm.send(new UpdateEndpointCommand({ EndpointName: 'e', EndpointConfigName: 'e-v3' }));
  });
});

describe('auto-rollback on alarms', () => {
  async function canaryUpdate(name: string, alarms: string[]): Promise<number> {
    await liveEndpoint(name);
    await version(`${name}-v2`);
    const started = now;
    await sm.send(
      new UpdateEndpointCommand({
        EndpointName: name,
        EndpointConfigName: `${name}-v2`,
        DeploymentConfig: blueGreen(
          { Type: 'CANARY', CanarySize: { Type: 'INSTANCE_COUNT', Value: 1 }, WaitIntervalInSeconds: 600 },
          { AutoRollbackConfiguration: { Alarms: alarms.map((AlarmName) => ({ AlarmName })) } }
        )
      })
    );
    return started;
  }
  const bakeStart = (started: number) => started + (DURATIONS.provision + DURATIONS.activate) * 1000;

  it('an alarm in ALARM while baking rolls back: Updating while rolling back, then InService on the OLD config with a FailureReason', async () => {
    await alarm('e-5xx');
    const started = await canaryUpdate('e', ['e-5xx']);
    now = bakeStart(started) + 100_000;
    await setAlarm('e-5xx', 'ALARM');
    tick(1);
    expect(await pending('e')).toMatchObject({
      status: 'Updating',
      config: 'e-v1',
      phase: 'Deleting',
      message: expect.stringMatching(
        /^Rolling back: Alarm e-5xx went into ALARM while baking with 50% of traffic/
      ),
      weight: 0
    });
    tick(DURATIONS.rollback);
    const back = await describe_('e');
    expect(back).toMatchObject({
      EndpointStatus: 'InService',
      EndpointConfigName: 'e-v1',
      FailureReason:
        'Alarm e-5xx went into ALARM while baking with 50% of traffic on the new fleet, so SageMaker rolled the update back.'
    });
    expect(back.LastModifiedTime!.getTime()).toBe(bakeStart(started) + 100_000 + DURATIONS.rollback * 1000);
    expect(back.PendingDeploymentSummary).toBeUndefined();
  });

  it('an alarm that fired and cleared between two requests still rolls back (the alarm history counts, not the polling)', async () => {
    await alarm('e-5xx');
    const started = await canaryUpdate('e', ['e-5xx']);
    now = bakeStart(started) + 10_000;
    await setAlarm('e-5xx', 'ALARM');
    tick(30);
    await setAlarm('e-5xx', 'OK');
    now = started + 3 * 3600 * 1000;
    expect(await describe_('e')).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'e-v1' });
  });

  it('an alarm already in ALARM when the bake starts rolls back at once; one that fired and cleared before the bake does not', async () => {
    // SetAlarmState lasts until the next evaluation (each minute), so only an alarm that its data (here
    // missing data treated as breaching) keeps in ALARM is still there when the bake starts.
    await alarm('early', { TreatMissingData: 'breaching' });
    await alarm('before');
    const started = await canaryUpdate('e', ['early']);
    await setAlarm('early', 'ALARM');
    now = bakeStart(started) + 1000;
    expect(await pending('e')).toMatchObject({
      phase: 'Deleting',
      message: expect.stringContaining('Alarm early')
    });

    const again = await canaryUpdate('f', ['before']);
    now = again + 10_000;
    await setAlarm('before', 'ALARM');
    tick(10);
    await setAlarm('before', 'OK');
    now = again + 3 * 3600 * 1000;
    expect(await describe_('f')).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'f-v2' });
  });

  it('alarms that are not in the update do not roll it back', async () => {
    await alarm('other');
    const started = await canaryUpdate('e', ['other-missing']);
    now = bakeStart(started) + 1000;
    await setAlarm('other', 'ALARM');
    now = started + 3 * 3600 * 1000;
    expect(await describe_('e')).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'e-v2' });
  });
});

describe('faults through the admin route', () => {
  const fault = (value: Record<string, unknown>) =>
    fetch(`${emulator.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify(value) });

  it('"sagemaker.nextUpdate": "Failed" ends the next update Failed; a Failed endpoint can only be deleted', async () => {
    await liveEndpoint('e');
    await version('e-v2');
    await fault({ 'sagemaker.nextUpdate': 'Failed' });
    await sm.send(new UpdateEndpointCommand({ EndpointName: 'e', EndpointConfigName: 'e-v2' }));
    expect(emulator.faults['sagemaker.nextUpdate']).toBeUndefined();
    tick(DURATIONS.provision);
    const failed = await describe_('e');
    expect(failed).toMatchObject({
      EndpointStatus: 'Failed',
      FailureReason: expect.stringContaining('Request to service failed')
    });
    await expect(
      sm.send(new UpdateEndpointCommand({ EndpointName: 'e', EndpointConfigName: 'e-v2' }))
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('Failed status')
    });
    await sm.send(new DeleteEndpointCommand({ EndpointName: 'e' }));
    expect((await describe_('e')).EndpointStatus).toBe('Deleting');
    tick(DURATIONS.delete);
    await expect(describe_('e')).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('"sagemaker.nextUpdate": "UpdateRollbackFailed": the update and its rollback fail; the endpoint can be updated again', async () => {
    await liveEndpoint('e');
    await version('e-v2');
    await fault({ 'sagemaker.nextUpdate': 'UpdateRollbackFailed' });
    await sm.send(new UpdateEndpointCommand({ EndpointName: 'e', EndpointConfigName: 'e-v2' }));
    tick(DURATIONS.provision + DURATIONS.rollback);
    expect(await describe_('e')).toMatchObject({
      EndpointStatus: 'UpdateRollbackFailed',
      FailureReason: expect.stringContaining('The rollback failed too')
    });
    await sm.send(new UpdateEndpointCommand({ EndpointName: 'e', EndpointConfigName: 'e-v1' }));
    tick(DURATIONS.provision + DURATIONS.activate);
    expect(await describe_('e')).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'e-v1' });
  });

  it('"sagemaker.failHealthCheck": a new endpoint ends Failed, an update rolls back to the old config', async () => {
    await version('n-v1');
    await fault({ 'sagemaker.failHealthCheck': true });
    await sm.send(new CreateEndpointCommand({ EndpointName: 'n', EndpointConfigName: 'n-v1' }));
    tick(DURATIONS.provision);
    expect(await describe_('n')).toMatchObject({
      EndpointStatus: 'Failed',
      FailureReason: expect.stringContaining('did not pass the ping health check')
    });

    await liveEndpoint('e');
    await version('e-v2');
    await fault({ 'sagemaker.failHealthCheck': true });
    await sm.send(new UpdateEndpointCommand({ EndpointName: 'e', EndpointConfigName: 'e-v2' }));
    tick(DURATIONS.provision + DURATIONS.rollback);
    expect(await describe_('e')).toMatchObject({
      EndpointStatus: 'InService',
      EndpointConfigName: 'e-v1',
      FailureReason: expect.stringContaining('did not pass the ping health check')
    });
  });

  it('a share of calls is throttled with ThrottlingException; without retries the SDK surfaces it', async () => {
    await fault({ throttle: 1 });
    process.env.AWS_MAX_ATTEMPTS = '1';
    try {
      const { sagemaker } = clients(emulator.url);
      await expect(sagemaker.send(new ListEndpointsCommand({}))).rejects.toMatchObject({
        name: 'ThrottlingException'
      });
    } finally {
      delete process.env.AWS_MAX_ATTEMPTS;
    }
    await fault({ throttle: 0.5 });
    await sm.send(new ListEndpointsCommand({}));
    expect(emulator.calls.filter((c) => c.error === 'ThrottlingException').length).toBeGreaterThan(0);
  });
});

describe('weights and capacities', () => {
  it('UpdateEndpointWeightsAndCapacities: Updating with the desired weights, then InService with them', async () => {
    await model('a');
    await model('b');
    await config('ab', [
      variant('a', { VariantName: 'Live', InitialVariantWeight: 90 }),
      variant('b', { VariantName: 'Candidate', InitialVariantWeight: 10 })
    ]);
    await sm.send(new CreateEndpointCommand({ EndpointName: 'e', EndpointConfigName: 'ab' }));
    tick(DURATIONS.provision);
    const weights = async () =>
      (await describe_('e')).ProductionVariants!.map((v) => [
        v.VariantName,
        v.CurrentWeight,
        v.DesiredWeight
      ]);
    expect(await weights()).toEqual([
      ['Live', 90, 90],
      ['Candidate', 10, 10]
    ]);
    await sm.send(
      new UpdateEndpointWeightsAndCapacitiesCommand({
        EndpointName: 'e',
        DesiredWeightsAndCapacities: [
          { VariantName: 'Live', DesiredWeight: 0 },
          { VariantName: 'Candidate', DesiredWeight: 1 }
        ]
      })
    );
    expect((await describe_('e')).EndpointStatus).toBe('Updating');
    expect(await weights()).toEqual([
      ['Live', 90, 0],
      ['Candidate', 10, 1]
    ]);
    tick(DURATIONS.weights);
    expect((await describe_('e')).EndpointStatus).toBe('InService');
    expect(await weights()).toEqual([
      ['Live', 0, 0],
      ['Candidate', 1, 1]
    ]);
    await expect(
      sm.send(
        new UpdateEndpointWeightsAndCapacitiesCommand({
          EndpointName: 'e',
          DesiredWeightsAndCapacities: [{ VariantName: 'Nope', DesiredWeight: 1 }]
        })
      )
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('[Nope] is/are not present')
    });
    await expect(
      sm.send(
        new UpdateEndpointWeightsAndCapacitiesCommand({
          EndpointName: 'e',
          DesiredWeightsAndCapacities: [{ VariantName: 'Candidate', DesiredWeight: 0 }]
        })
      )
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('weight greater than 0')
    });
  });
});

describe('tags and listings', () => {
  it('AddTags, ListTags with pagination, DeleteTags; unknown resources and reserved keys are refused', async () => {
    const { ModelArn } = await model('m');
    await sm.send(
      new AddTagsCommand({
        ResourceArn: ModelArn,
        Tags: Array.from({ length: 60 / 2 }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }))
      })
    );
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await sm.send(
        new ListTagsCommand({ ResourceArn: ModelArn, MaxResults: 50, NextToken: token })
      );
      keys.push(...page.Tags!.map((t) => t.Key!));
      token = page.NextToken;
    } while (token);
    expect(keys).toHaveLength(30);
    await expect(
      sm.send(
        new AddTagsCommand({
          ResourceArn: ModelArn,
          Tags: Array.from({ length: 21 }, (_, i) => ({ Key: `x${i}`, Value: '' }))
        })
      )
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('more than 50 tags')
    });
    await expect(
      sm.send(new AddTagsCommand({ ResourceArn: ModelArn, Tags: [{ Key: 'aws:owner', Value: 'me' }] }))
    ).rejects.toMatchObject({
      name: 'ValidationException'
    });
    await sm.send(new DeleteTagsCommand({ ResourceArn: ModelArn, TagKeys: ['k0', 'k1'] }));
    expect(
      (await sm.send(new ListTagsCommand({ ResourceArn: ModelArn, MaxResults: 100 }))).Tags
    ).toHaveLength(28);
    await expect(
      sm.send(new ListTagsCommand({ ResourceArn: 'arn:aws:sagemaker:us-east-1:123456789012:model/nope' }))
    ).rejects.toMatchObject({ name: 'ResourceNotFound' });
  });

  it('ListEndpoints filters by name and status, sorts and paginates', async () => {
    await liveEndpoint('alpha');
    await liveEndpoint('beta');
    await version('gamma-v1');
    await sm.send(new CreateEndpointCommand({ EndpointName: 'gamma', EndpointConfigName: 'gamma-v1' }));
    const names = async (input: ListEndpointsCommandInput) =>
      (await sm.send(new ListEndpointsCommand(input))).Endpoints!.map(
        (e) => `${e.EndpointName}:${e.EndpointStatus}`
      );
    expect(await names({})).toEqual(['gamma:Creating', 'beta:InService', 'alpha:InService']);
    expect(await names({ StatusEquals: 'InService', SortBy: 'Name', SortOrder: 'Ascending' })).toEqual([
      'alpha:InService',
      'beta:InService'
    ]);
    const first = await sm.send(new ListEndpointsCommand({ MaxResults: 2 }));
    const second = await sm.send(new ListEndpointsCommand({ MaxResults: 2, NextToken: first.NextToken }));
    expect([...first.Endpoints!, ...second.Endpoints!].map((e) => e.EndpointName)).toEqual([
      'gamma',
      'beta',
      'alpha'
    ]);
    expect(second.NextToken).toBeUndefined();
  });
});

describe('CloudWatch alarms (JSON 1.0)', () => {
  it('PutMetricAlarm, DescribeAlarms by name, prefix and state with pagination, SetAlarmState, DeleteAlarms', async () => {
    for (const name of ['news-5xx', 'news-latency', 'other']) await alarm(name);
    const described = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['news-5xx'] }));
    expect(described.MetricAlarms).toEqual([
      expect.objectContaining({
        AlarmName: 'news-5xx',
        StateValue: 'INSUFFICIENT_DATA',
        Threshold: 1,
        EvaluationPeriods: 1
      })
    ]);
    await setAlarm('news-5xx', 'ALARM');
    expect(
      (await cw.send(new DescribeAlarmsCommand({ StateValue: 'ALARM' }))).MetricAlarms!.map(
        (a) => a.AlarmName
      )
    ).toEqual(['news-5xx']);
    const page = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'news-', MaxRecords: 1 }));
    const next = await cw.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: 'news-', MaxRecords: 1, NextToken: page.NextToken })
    );
    expect([...page.MetricAlarms!, ...next.MetricAlarms!].map((a) => a.AlarmName)).toEqual([
      'news-5xx',
      'news-latency'
    ]);
    await expect(setAlarm('nope', 'ALARM')).rejects.toMatchObject({ name: 'ResourceNotFound' });
    await expect(
      cw.send(
        new PutMetricAlarmCommand({
          AlarmName: 'bad',
          MetricName: 'm',
          Namespace: 'n',
          EvaluationPeriods: 1,
          ComparisonOperator: 'Sideways' as never
        })
      )
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ['other'] }));
    expect((await cw.send(new DescribeAlarmsCommand({}))).MetricAlarms!.map((a) => a.AlarmName)).toEqual([
      'news-5xx',
      'news-latency'
    ]);
    expect(
      emulator.calls.filter((c) => c.service === 'cloudwatch' && c.mutating).map((c) => c.operation)
    ).toContain('SetAlarmState');
  });
});

describe('the AWS CLI (its CloudWatch speaks the query protocol)', () => {
  const aws = async (...args: string[]) =>
    JSON.parse(
      (
        await promisify(execFile)(
          '/usr/bin/aws',
          ['--endpoint-url', emulator.url, '--output', 'json', ...args],
          {
            env: {
              ...process.env,
              AWS_ACCESS_KEY_ID: 'a',
              AWS_SECRET_ACCESS_KEY: 'b',
              AWS_DEFAULT_REGION: 'us-east-1'
            },
            encoding: 'utf8'
          }
        )
      ).stdout || '{}'
    );

  it('creates an alarm, trips it and reads it back; the SDK sees the same alarm', async () => {
    await aws(
      'cloudwatch',
      'put-metric-alarm',
      ...['--alarm-name', 'cli-5xx', '--metric-name', 'Invocation5XXErrors', '--namespace', 'AWS/SageMaker'],
      ...['--statistic', 'Sum', '--period', '60', '--evaluation-periods', '1', '--threshold', '1'],
      ...[
        '--comparison-operator',
        'GreaterThanOrEqualToThreshold',
        '--dimensions',
        'Name=EndpointName,Value=news'
      ]
    );
    await aws(
      'cloudwatch',
      'set-alarm-state',
      '--alarm-name',
      'cli-5xx',
      '--state-value',
      'ALARM',
      '--state-reason',
      'manual'
    );
    const described = await aws('cloudwatch', 'describe-alarms', '--alarm-names', 'cli-5xx');
    expect(described.MetricAlarms).toEqual([
      expect.objectContaining({
        AlarmName: 'cli-5xx',
        StateValue: 'ALARM',
        EvaluationPeriods: 1,
        Threshold: 1,
        Dimensions: [{ Name: 'EndpointName', Value: 'news' }]
      })
    ]);
    const sdk = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['cli-5xx'] }));
    expect(sdk.MetricAlarms![0]).toMatchObject({ StateValue: 'ALARM', Period: 60 });
    await expect(
      aws(
        'cloudwatch',
        'set-alarm-state',
        '--alarm-name',
        'nope',
        '--state-value',
        'OK',
        '--state-reason',
        'x'
      )
    ).rejects.toThrow(/ResourceNotFound/);
  });

  it('describes an endpoint', async () => {
    await liveEndpoint('cli');
    expect((await aws('sagemaker', 'describe-endpoint', '--endpoint-name', 'cli')).EndpointStatus).toBe(
      'InService'
    );
  });
});

describe('state across runs', () => {
  it('a restarted emulator on the same state file carries an update on', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'emu-hosting-')), 'state.json');
    await emulator.stop();
    await start(file);
    await liveEndpoint('e');
    await version('e-v2');
    await sm.send(new UpdateEndpointCommand({ EndpointName: 'e', EndpointConfigName: 'e-v2' }));
    await emulator.stop();
    tick(DURATIONS.provision + DURATIONS.activate);
    await start(file);
    expect(await describe_('e')).toMatchObject({ EndpointStatus: 'InService', EndpointConfigName: 'e-v2' });
  });

  it('separate CLI runs of `mlops-actions emulator --state-file` share endpoints (time-scaled)', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'emu-cli-')), 'state.json');
    const cli = async (): Promise<{ child: ChildProcess; url: string }> => {
      const child = spawn(
        process.execPath,
        [
          path.join(ROOT, 'dist/cli/index.js'),
          'emulator',
          '--port',
          '0',
          '--time-scale',
          '0.001',
          '--state-file',
          file,
          // The timeline across runs, without containers (the image is a name only).
          '--hosting',
          'simulated'
        ],
        {
          stdio: ['ignore', 'pipe', 'inherit']
        }
      );
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (d) => {
          out += d;
          const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.on('exit', (code) => reject(new Error(`emulator exited ${code}: ${out}`)));
      });
      return { child, url };
    };
    const stop = (child: ChildProcess) =>
      new Promise((resolve) => child.once('exit', resolve).kill('SIGTERM'));

    const first = await cli();
    const one = clients(first.url).sagemaker;
    await one.send(
      new CreateModelCommand({ ModelName: 'm', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: IMAGE } })
    );
    await one.send(
      new CreateEndpointConfigCommand({ EndpointConfigName: 'c', ProductionVariants: [variant('m')] })
    );
    await one.send(new CreateEndpointCommand({ EndpointName: 'cli', EndpointConfigName: 'c' }));
    expect((await one.send(new DescribeEndpointCommand({ EndpointName: 'cli' }))).EndpointStatus).toBe(
      'Creating'
    );
    await stop(first.child);

    // 240 s of provisioning at time scale 0.001 is 0.24 s: by the second run it is InService.
    await new Promise((r) => setTimeout(r, 300));
    const second = await cli();
    const two = clients(second.url).sagemaker;
    expect(await two.send(new DescribeEndpointCommand({ EndpointName: 'cli' }))).toMatchObject({
      EndpointStatus: 'InService',
      EndpointConfigName: 'c'
    });
    await stop(second.child);
  });
});
