/** Contract tests of the emulator's SageMaker hosting and CloudWatch alarms against the spec, on a manual clock. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
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
  DeleteTagsCommand,
  DescribeEndpointCommand,
  ListEndpointConfigsCommand,
  ListTagsCommand,
  SageMakerClient,
  UpdateEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
  type DeploymentConfig
} from '@aws-sdk/client-sagemaker';
import { awsClient } from '../../src/aws.js';
import { Emulator } from '../../src/emulator/server.js';
import { ALL_SERVICES } from '../../src/emulator/services/index.js';
import { DURATIONS } from '../../src/emulator/services/sagemaker/index.js';

// The emulator's service durations: a new fleet, a traffic shift, a rollback, a weights change.
const { provision: P, activate: A, rollback: R, weights: W } = DURATIONS;

let now = 1_700_000_000_000;
const at = (seconds: number) => (now += seconds * 1000);
let emulator: Emulator;
let sm: SageMakerClient;
let cw: CloudWatchClient;
const ROLE = 'arn:aws:iam::123456789012:role/r';

async function start(options: { stateFile?: string; timeScale?: number } = {}) {
  emulator = new Emulator({
    services: ALL_SERVICES,
    now: () => now,
    timeScale: options.timeScale ?? 1,
    stateFile: options.stateFile
  });
  const url = await emulator.start();
  const config = {
    action: 'test',
    region: 'us-east-1',
    endpoint: url,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' }
  };
  process.env.AWS_MAX_ATTEMPTS = '1';
  sm = awsClient(SageMakerClient, 'SageMaker', config);
  cw = awsClient(CloudWatchClient, 'CloudWatch', config);
}

async function version(name: string, variant = 'AllTraffic', count = 4) {
  await sm.send(
    new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: ROLE,
      PrimaryContainer: { Image: `img:${name}` }
    })
  );
  await sm.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: name,
      ProductionVariants: [
        { VariantName: variant, ModelName: name, InstanceType: 'ml.m5.large', InitialInstanceCount: count }
      ]
    })
  );
}
const state = async (name = 'ep') => {
  const e = await sm.send(new DescribeEndpointCommand({ EndpointName: name }));
  const pending = e.PendingDeploymentSummary?.ProductionVariants?.[0];
  return {
    status: e.EndpointStatus,
    config: e.EndpointConfigName,
    phase: pending?.VariantStatus?.[0]?.Status,
    share: pending?.CurrentWeight,
    reason: e.FailureReason
  };
};
const canary = (extra: Partial<DeploymentConfig> = {}): DeploymentConfig => ({
  BlueGreenUpdatePolicy: {
    TrafficRoutingConfiguration: {
      Type: 'CANARY',
      CanarySize: { Type: 'CAPACITY_PERCENT', Value: 25 },
      WaitIntervalInSeconds: 600
    },
    TerminationWaitInSeconds: 300
  },
  ...extra
});

beforeEach(async () => {
  await start();
  await version('v1');
  await version('v2');
  await sm.send(new CreateEndpointCommand({ EndpointName: 'ep', EndpointConfigName: 'v1' }));
});
afterEach(() => emulator.stop());

describe('endpoint state machine', () => {
  it('Creating -> InService after provisioning', async () => {
    expect(await state()).toMatchObject({ status: 'Creating', config: 'v1' });
    at(P - 1);
    expect((await state()).status).toBe('Creating');
    at(2);
    expect(await state()).toMatchObject({ status: 'InService', config: 'v1' });
  });

  it('canary: provision, shift 25%, bake, shift 100%, bake, termination wait, InService on the new config', async () => {
    at(P + 1);
    await sm.send(
      new UpdateEndpointCommand({ EndpointName: 'ep', EndpointConfigName: 'v2', DeploymentConfig: canary() })
    );
    const timeline: unknown[] = [];
    for (const step of [1, P, A, 600, A, 600, 300]) {
      at(step);
      timeline.push(Object.values(await state()).slice(0, 4));
    }
    expect(timeline).toEqual([
      ['Updating', 'v1', 'Creating', 0],
      ['Updating', 'v1', 'ActivatingTraffic', 0.25],
      ['Updating', 'v1', 'Baking', 0.25],
      ['Updating', 'v1', 'ActivatingTraffic', 1],
      ['Updating', 'v1', 'Baking', 1],
      ['Updating', 'v1', 'Deleting', 1],
      ['InService', 'v2', undefined, undefined]
    ]);
  });

  it('an alarm in ALARM while baking rolls back to the old config with a FailureReason', async () => {
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'errors',
        MetricName: 'Invocation5XXErrors',
        Namespace: 'AWS/SageMaker',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold'
      })
    );
    at(P + 1);
    await sm.send(
      new UpdateEndpointCommand({
        EndpointName: 'ep',
        EndpointConfigName: 'v2',
        DeploymentConfig: canary({ AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'errors' }] } })
      })
    );
    at(P + A + 20);
    expect((await state()).phase).toBe('Baking');
    await cw.send(
      new SetAlarmStateCommand({ AlarmName: 'errors', StateValue: 'ALARM', StateReason: 'test' })
    );
    at(1);
    expect(await state()).toMatchObject({ status: 'Updating', config: 'v1', phase: 'Deleting' });
    at(R + 1);
    expect(await state()).toMatchObject({
      status: 'InService',
      config: 'v1',
      reason: expect.stringContaining('Alarm errors went into ALARM while baking with 25% of traffic')
    });
  });

  it('linear steps and all at once', async () => {
    at(P + 1);
    const linear: DeploymentConfig = {
      BlueGreenUpdatePolicy: {
        TrafficRoutingConfiguration: {
          Type: 'LINEAR',
          LinearStepSize: { Type: 'CAPACITY_PERCENT', Value: 50 },
          WaitIntervalInSeconds: 60
        }
      }
    };
    await sm.send(
      new UpdateEndpointCommand({ EndpointName: 'ep', EndpointConfigName: 'v2', DeploymentConfig: linear })
    );
    const shares = [];
    for (const step of [P + 1, A + 60, A + 60]) shares.push((at(step), (await state()).share));
    expect(shares).toEqual([0.5, 1, undefined]);
  });

  it('UpdateEndpointWeightsAndCapacities moves the weights', async () => {
    await version('ab-a', 'A', 1);
    await sm.send(
      new CreateModelCommand({
        ModelName: 'ab-b',
        ExecutionRoleArn: ROLE,
        PrimaryContainer: { Image: 'img:b' }
      })
    );
    await sm.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: 'ab',
        ProductionVariants: [
          {
            VariantName: 'A',
            ModelName: 'ab-a',
            InstanceType: 'ml.m5.large',
            InitialInstanceCount: 1,
            InitialVariantWeight: 9
          },
          {
            VariantName: 'B',
            ModelName: 'ab-b',
            InstanceType: 'ml.m5.large',
            InitialInstanceCount: 1,
            InitialVariantWeight: 1
          }
        ]
      })
    );
    await sm.send(new CreateEndpointCommand({ EndpointName: 'ab', EndpointConfigName: 'ab' }));
    at(P + 1);
    await sm.send(
      new UpdateEndpointWeightsAndCapacitiesCommand({
        EndpointName: 'ab',
        DesiredWeightsAndCapacities: [
          { VariantName: 'A', DesiredWeight: 0 },
          { VariantName: 'B', DesiredWeight: 1 }
        ]
      })
    );
    const during = await sm.send(new DescribeEndpointCommand({ EndpointName: 'ab' }));
    expect([
      during.EndpointStatus,
      during.ProductionVariants!.map((v) => [v.CurrentWeight, v.DesiredWeight])
    ]).toEqual([
      'Updating',
      [
        [9, 0],
        [1, 1]
      ]
    ]);
    at(W + 1);
    const after = await sm.send(new DescribeEndpointCommand({ EndpointName: 'ab' }));
    expect([after.EndpointStatus, after.ProductionVariants!.map((v) => v.CurrentWeight)]).toEqual([
      'InService',
      [0, 1]
    ]);
  });

  it('faults: the next update ends Failed, or UpdateRollbackFailed; a new fleet fails its health check', async () => {
    at(P + 1);
    emulator.faults['sagemaker.nextUpdate'] = 'UpdateRollbackFailed';
    await sm.send(
      new UpdateEndpointCommand({ EndpointName: 'ep', EndpointConfigName: 'v2', DeploymentConfig: canary() })
    );
    at(P);
    at(R + 1);
    expect((await state()).status).toBe('UpdateRollbackFailed');
    emulator.faults['sagemaker.failHealthCheck'] = true;
    await sm.send(new UpdateEndpointCommand({ EndpointName: 'ep', EndpointConfigName: 'v2' }));
    at(P + 1);
    at(R + 1);
    expect(await state()).toMatchObject({
      status: 'InService',
      config: 'v1',
      reason: expect.stringContaining('ping health check')
    });
  });

  it('the time scale multiplies every duration', async () => {
    await emulator.stop();
    await start({ timeScale: 0.5 });
    await version('v1');
    await sm.send(new CreateEndpointCommand({ EndpointName: 'ep', EndpointConfigName: 'v1' }));
    at(P * 0.5 + 1);
    expect((await state()).status).toBe('InService');
  });

  it('a state file carries an update across separate runs', async () => {
    await emulator.stop();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'emu-')), 'state.json');
    await start({ stateFile: file });
    await version('v1');
    await version('v2');
    await sm.send(new CreateEndpointCommand({ EndpointName: 'ep', EndpointConfigName: 'v1' }));
    at(P + 1);
    await sm.send(new UpdateEndpointCommand({ EndpointName: 'ep', EndpointConfigName: 'v2' }));
    await emulator.stop();
    await start({ stateFile: file });
    expect((await state()).status).toBe('Updating');
    at(P + A + 1);
    expect(await state()).toMatchObject({ status: 'InService', config: 'v2' });
  });
});

describe('validation and error codes', () => {
  it('refuses what SageMaker refuses', async () => {
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e) => `${e.name}: ${e.message}`
      );
    expect(
      await code(
        sm.send(
          new CreateModelCommand({
            ModelName: 'v1',
            ExecutionRoleArn: ROLE,
            PrimaryContainer: { Image: 'x' }
          })
        )
      )
    ).toMatch(/^ValidationException: Cannot create already existing model/);
    expect(
      await code(
        sm.send(
          new CreateModelCommand({
            ModelName: 'bad_name',
            ExecutionRoleArn: ROLE,
            PrimaryContainer: { Image: 'x' }
          })
        )
      )
    ).toMatch(/^ValidationException: 1 validation error detected/);
    expect(
      await code(
        sm.send(
          new CreateEndpointConfigCommand({
            EndpointConfigName: 'c',
            ProductionVariants: [
              { VariantName: 'A', ModelName: 'missing', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }
            ]
          })
        )
      )
    ).toMatch(/^ValidationException: Could not find model/);
    expect(
      await code(
        sm.send(
          new CreateEndpointConfigCommand({
            EndpointConfigName: 'c',
            ProductionVariants: [
              { VariantName: 'A', ModelName: 'v1', InstanceType: 'ml.m5.large', InitialInstanceCount: 51 }
            ]
          })
        )
      )
    ).toBe('ok');
    // The account quota (50 of a type by default) counts when instances start: CreateEndpoint.
    expect(
      await code(sm.send(new CreateEndpointCommand({ EndpointName: 'big', EndpointConfigName: 'c' })))
    ).toMatch(/^ResourceLimitExceeded: The account-level service limit/);
    expect(await code(sm.send(new DescribeEndpointCommand({ EndpointName: 'nope' })))).toMatch(
      /^ValidationException: Could not find endpoint/
    );
    expect(
      await code(sm.send(new UpdateEndpointCommand({ EndpointName: 'ep', EndpointConfigName: 'v2' })))
    ).toMatch(/^ValidationException: Cannot update in-progress endpoint/);
    at(P + 1);
    const tooBig = canary();
    tooBig.BlueGreenUpdatePolicy!.TrafficRoutingConfiguration!.CanarySize!.Value = 60;
    expect(
      await code(
        sm.send(
          new UpdateEndpointCommand({
            EndpointName: 'ep',
            EndpointConfigName: 'v2',
            DeploymentConfig: tooBig
          })
        )
      )
    ).toMatch(/CanarySize must be .*50%/);
    await version('other', 'Blue');
    expect(
      await code(
        sm.send(
          new UpdateEndpointCommand({
            EndpointName: 'ep',
            EndpointConfigName: 'other',
            DeploymentConfig: canary()
          })
        )
      )
    ).toMatch(/same production variant names/);
    expect(
      await code(sm.send(new UpdateEndpointCommand({ EndpointName: 'ep', EndpointConfigName: 'missing' })))
    ).toMatch(/^ValidationException: Could not find endpoint configuration/);
  });

  it('lists configs with NameContains, sorting and pagination; tags round trip', async () => {
    for (let i = 3; i <= 14; i++) await version(`v${i}`);
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await sm.send(
        new ListEndpointConfigsCommand({
          NameContains: 'v1',
          SortBy: 'Name',
          SortOrder: 'Ascending',
          MaxResults: 2,
          NextToken: token
        })
      );
      names.push(...page.EndpointConfigs!.map((c) => c.EndpointConfigName!));
      token = page.NextToken;
    } while (token);
    expect(names).toEqual(['v1', 'v10', 'v11', 'v12', 'v13', 'v14']);
    const arn = 'arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/v1';
    await sm.send(
      new AddTagsCommand({
        ResourceArn: arn,
        Tags: [
          { Key: 'a', Value: '1' },
          { Key: 'b', Value: '2' }
        ]
      })
    );
    await sm.send(new DeleteTagsCommand({ ResourceArn: arn, TagKeys: ['a'] }));
    expect((await sm.send(new ListTagsCommand({ ResourceArn: arn }))).Tags).toEqual([
      { Key: 'b', Value: '2' }
    ]);
  });

  it('the AWS CLI lists models, configs and endpoints with filters, order and pages', async () => {
    for (const name of ['b-model', 'a-model', 'c-other']) {
      await version(name);
      at(10);
    }
    await sm.send(new CreateEndpointCommand({ EndpointName: 'a-ep', EndpointConfigName: 'a-model' }));
    at(10);
    await sm.send(new CreateEndpointCommand({ EndpointName: 'b-ep', EndpointConfigName: 'b-model' }));
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'a',
      AWS_SECRET_ACCESS_KEY: 'b',
      AWS_DEFAULT_REGION: 'us-east-1'
    };
    const aws = async (...args: string[]) =>
      JSON.parse(
        (
          await promisify(execFile)('/usr/bin/aws', ['--endpoint-url', emulator.url, 'sagemaker', ...args], {
            env,
            encoding: 'utf8'
          })
        ).stdout
      );
    // The CLI follows NextToken by itself: a page size of 1 still lists everything.
    const models = await aws(
      'list-models',
      '--name-contains',
      'model',
      '--sort-by',
      'Name',
      '--sort-order',
      'Ascending',
      '--page-size',
      '1'
    );
    expect(models.Models.map((m: { ModelName: string }) => m.ModelName)).toEqual(['a-model', 'b-model']);
    const newest = await aws('list-endpoint-configs', '--max-items', '1');
    expect(newest.EndpointConfigs.map((c: { EndpointConfigName: string }) => c.EndpointConfigName)).toEqual([
      'c-other'
    ]);
    expect(newest.NextToken).toBeDefined();
    const after = new Date(now - 5000).toISOString();
    const recent = await aws('list-endpoints', '--creation-time-after', after, '--status-equals', 'Creating');
    expect(recent.Endpoints.map((e: { EndpointName: string }) => e.EndpointName)).toEqual(['b-ep']);
    const byName = await aws('list-endpoints', '--sort-by', 'Name', '--sort-order', 'Ascending');
    expect(byName.Endpoints.map((e: { EndpointName: string }) => e.EndpointName)).toEqual([
      'a-ep',
      'b-ep',
      'ep'
    ]);
  });

  it('CloudWatch alarms: put, describe by name and state, delete', async () => {
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'x',
        MetricName: 'm',
        Namespace: 'n',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanThreshold'
      })
    );
    expect((await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['x'] }))).MetricAlarms![0]).toMatchObject({
      AlarmName: 'x',
      StateValue: 'INSUFFICIENT_DATA'
    });
    await cw.send(new SetAlarmStateCommand({ AlarmName: 'x', StateValue: 'ALARM', StateReason: 'r' }));
    expect(
      (await cw.send(new DescribeAlarmsCommand({ StateValue: 'ALARM' }))).MetricAlarms!.map(
        (a) => a.AlarmName
      )
    ).toEqual(['x']);
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ['x'] }));
    expect((await cw.send(new DescribeAlarmsCommand({}))).MetricAlarms).toEqual([]);
    await expect(
      cw.send(new SetAlarmStateCommand({ AlarmName: 'x', StateValue: 'OK', StateReason: 'r' }))
    ).rejects.toMatchObject({ name: 'ResourceNotFound' });
  });
});
