/**
 * What the canary saw while it baked: the GetMetricData queries and the period under a time scale,
 * the table made from CloudWatch's answers, a CloudWatch that cannot be read (the outcome stays), and
 * a rollback whose reason carries CloudWatch's reason for the alarm.
 */
import { mockClient } from 'aws-sdk-client-mock';
import {
  CloudWatchClient,
  CloudWatchServiceException,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type StatusCode
} from '@aws-sdk/client-cloudwatch';
import {
  AddTagsCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListEndpointConfigsCommand,
  ListModelsCommand,
  ListTagsCommand,
  SageMakerClient,
  UpdateEndpointCommand,
  type DescribeEndpointCommandOutput
} from '@aws-sdk/client-sagemaker';
import { ACTIONS } from '../../src/generated/actions.js';
import { Inputs } from '../../src/inputs.js';
import { MemoryLogger } from '../../src/report.js';
import { changeToAlarm } from '../../src/cloudwatch/alarms.js';
import type { EngineContext } from '../../src/sagemaker/apply.js';
import { deploy } from '../../src/sagemaker/deploy.js';
import { metricPeriod, metricQueries, queryWindow, variantMetrics } from '../../src/sagemaker/metrics.js';
import { readDeployOptions } from '../../src/sagemaker/options.js';
import { deploySummary } from '../../src/sagemaker/summary.js';
import { TAG } from '../../src/sagemaker/tags.js';

const ROLE = 'arn:aws:iam::123456789012:role/sagemaker-execution';
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/news@sha256:' + 'b'.repeat(64);
const LIVE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/news@sha256:' + 'a'.repeat(64);
const NOW = new Date('2026-01-02T03:04:05Z');
const BAKED = new Date('2026-01-02T03:00:00Z');
const SHA = '0123456789abcdef0123456789abcdef01234567';
const NEW = 'news-20260102030405-0123456';
const OLD = 'news-20251201000000-fedcba9';
const REASON =
  'Threshold Crossed: 1 out of the last 1 datapoints [3.0 (02/01/26 03:01:00)] was greater than the threshold (0.0) (minimum 1 datapoint for OK -> ALARM transition).';

const sm = mockClient(SageMakerClient);
const cw = mockClient(CloudWatchClient);
let log: MemoryLogger;
const engine = (): EngineContext => ({
  log,
  scale: 1,
  sha: SHA,
  holder: '1.1',
  now: () => NOW,
  timing: { sleep: async () => {} }
});
const clients = () => ({
  sagemaker: new SageMakerClient({ region: 'us-east-1' }),
  cloudwatch: new CloudWatchClient({ region: 'us-east-1' })
});
const options = (values: Record<string, string>) => {
  const all: Record<string, string> = { 'endpoint-name': 'news', image: IMAGE, 'role-arn': ROLE, ...values };
  return readDeployOptions(new Inputs((n) => all[n], ACTIONS['deploy-canary'].inputs, 'deploy-canary'));
};
const endpoint = (status: string, config: string, extra: Partial<DescribeEndpointCommandOutput> = {}) =>
  ({
    EndpointName: 'news',
    EndpointStatus: status,
    EndpointConfigName: config,
    ...extra
  }) as DescribeEndpointCommandOutput;
const baking = endpoint('Updating', OLD, {
  PendingDeploymentSummary: {
    EndpointConfigName: NEW,
    StartTime: new Date('2026-01-02T02:55:00Z'),
    ProductionVariants: [
      { VariantName: 'AllTraffic', VariantStatus: [{ Status: 'Baking', StartTime: BAKED }] }
    ]
  }
});
const cwError = (name: string, message: string) =>
  new CloudWatchServiceException({ name, $fault: 'client', $metadata: {}, message });
const series = (id: string, values: number[], StatusCode: StatusCode = 'Complete') => ({
  Id: id,
  Values: values,
  Timestamps: values.map(() => BAKED),
  StatusCode
});

/** An endpoint live on OLD, updated to NEW: the watch sees the bake, then `end`. */
function update(end: DescribeEndpointCommandOutput) {
  sm.on(AddTagsCommand).resolves({});
  sm.on(ListEndpointConfigsCommand).resolves({ EndpointConfigs: [] });
  sm.on(ListModelsCommand).resolves({ Models: [] });
  sm.on(ListTagsCommand).resolves({ Tags: [{ Key: TAG.endpoint, Value: 'news' }] });
  sm.on(DescribeEndpointConfigCommand, { EndpointConfigName: OLD }).resolves({
    EndpointConfigName: OLD,
    ProductionVariants: [
      { VariantName: 'AllTraffic', ModelName: OLD, InstanceType: 'ml.m5.large', InitialInstanceCount: 2 }
    ]
  });
  sm.on(DescribeEndpointConfigCommand, { EndpointConfigName: NEW }).resolves({
    EndpointConfigName: NEW,
    EndpointConfigArn: `arn:endpoint-config/${NEW}`,
    ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: NEW }]
  });
  sm.on(DescribeModelCommand, { ModelName: OLD }).resolves({
    ModelName: OLD,
    ExecutionRoleArn: ROLE,
    PrimaryContainer: { Image: LIVE }
  });
  sm.on(DescribeModelCommand, { ModelName: NEW }).resolves({ ModelName: NEW, ModelArn: `arn:model/${NEW}` });
  sm.on(DescribeEndpointCommand).resolvesOnce(endpoint('InService', OLD)).resolvesOnce(baking).resolves(end);
  sm.on(CreateModelCommand).resolves({});
  sm.on(CreateEndpointConfigCommand).resolves({});
  sm.on(UpdateEndpointCommand).resolves({});
  cw.on(DescribeAlarmsCommand).resolves({
    MetricAlarms: [
      { AlarmName: 'news-5xx', StateValue: 'ALARM', StateReason: 'Set by hand\nfor a test.' },
      { AlarmName: 'news-latency', StateValue: 'OK', StateReason: 'Threshold Crossed: no datapoints.' }
    ]
  });
}

beforeEach(() => {
  sm.reset();
  cw.reset();
  log = new MemoryLogger();
});

describe('the queries', () => {
  it('the period is the window in service seconds, rounded up to a minute: one datapoint covers the bake', () => {
    const w = (ms: number) => ({ start: new Date(0), end: new Date(ms) });
    expect(metricPeriod(w(10 * 60_000))).toBe(600);
    expect(metricPeriod(w(10 * 60_000 + 1))).toBe(660);
    expect(metricPeriod(w(5_000))).toBe(60);
    // In the emulator at a time scale of 0.002, a 10-minute bake lasts 1.2 real seconds: still 600.
    expect(metricPeriod(w(1_200), 0.002)).toBe(600);
    expect(metricPeriod(w(1_300), 0.002)).toBe(660);
    // The start goes back to the whole minute (of service time) the bake began in.
    expect(queryWindow({ start: new Date('2026-01-02T03:00:30Z'), end: NOW })).toEqual({
      start: BAKED,
      end: NOW
    });
    expect(queryWindow({ start: new Date(1_000), end: new Date(1_100) }, 0.002)).toEqual({
      start: new Date(960),
      end: new Date(1_100)
    });
  });

  it('four queries a variant, by EndpointName and VariantName, the counts as Sum and ModelLatency as p95', () => {
    const queries = metricQueries('news', ['AllTraffic', 'Candidate'], 300);
    expect(queries.map((q) => q.Id)).toEqual([
      'invocations_0',
      'errors4xx_0',
      'errors5xx_0',
      'latency_0',
      'invocations_1',
      'errors4xx_1',
      'errors5xx_1',
      'latency_1'
    ]);
    expect(queries[7]).toEqual({
      Id: 'latency_1',
      Label: 'Candidate ModelLatency p95',
      MetricStat: {
        Metric: {
          Namespace: 'AWS/SageMaker',
          MetricName: 'ModelLatency',
          Dimensions: [
            { Name: 'EndpointName', Value: 'news' },
            { Name: 'VariantName', Value: 'Candidate' }
          ]
        },
        Period: 300,
        Stat: 'p95'
      },
      ReturnData: true
    });
    expect(
      queries.map((q) => `${q.MetricStat!.Metric!.MetricName} ${q.MetricStat!.Stat}`).slice(0, 3)
    ).toEqual(['Invocations Sum', 'Invocation4XXErrors Sum', 'Invocation5XXErrors Sum']);
  });

  it('the answers: sums over the periods, a missing series is 0, p95 the largest of the periods in ms', () => {
    expect(
      variantMetrics(
        ['AllTraffic', 'Candidate'],
        [
          series('invocations_0', [600, 400]),
          series('errors5xx_0', [3]),
          series('latency_0', [41_200, 38_000]),
          series('invocations_1', [], 'PartialData'),
          series('errors4xx_1', [])
        ]
      )
    ).toEqual([
      { variant: 'AllTraffic', invocations: 1000, errors4xx: 0, errors5xx: 3, latencyP95Ms: 41.2 },
      {
        variant: 'Candidate',
        invocations: 0,
        errors4xx: 0,
        errors5xx: 0,
        latencyP95Ms: undefined,
        incomplete: ['Invocations PartialData']
      }
    ]);
  });

  it("the history's change to ALARM, the first one, with its reason", () => {
    const item = (at: string, from: string, to: string, reason: string) => ({
      Timestamp: new Date(at),
      HistoryItemType: 'StateUpdate' as const,
      HistorySummary: `Alarm updated from ${from} to ${to}`,
      HistoryData: JSON.stringify({
        version: '1.0',
        oldState: { stateValue: from },
        newState: { stateValue: to, stateReason: reason }
      })
    });
    expect(
      changeToAlarm([
        item('2026-01-02T03:03:00Z', 'ALARM', 'OK', 'back'),
        item('2026-01-02T03:02:00Z', 'OK', 'ALARM', REASON),
        item('2026-01-02T03:01:00Z', 'INSUFFICIENT_DATA', 'OK', 'first')
      ])
    ).toBe(REASON);
    expect(changeToAlarm([item('2026-01-02T03:01:00Z', 'ALARM', 'OK', 'back')])).toBeUndefined();
  });
});

describe('deploy reads what the canary saw', () => {
  it('after the bake: one GetMetricData call over the bake, a table a variant next to the alarm states', async () => {
    update(endpoint('InService', NEW));
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        series('invocations_0', [1200]),
        series('errors4xx_0', [12]),
        series('latency_0', [41_234])
      ]
    });
    const o = options({ alarms: 'news-5xx, news-latency', 'bake-time': '2m' });
    const result = await deploy(o, clients(), engine());
    expect(result.status).toBe('deployed');
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(1);
    const input = cw.commandCalls(GetMetricDataCommand)[0].args[0].input;
    // From the bake's start (03:00:00) to now (03:04:05): 245 s, a period of 300 s.
    expect(input).toMatchObject({ StartTime: BAKED, EndTime: NOW, ScanBy: 'TimestampAscending' });
    expect(input.MetricDataQueries!.map((q) => q.MetricStat!.Period)).toEqual([300, 300, 300, 300]);
    expect(result.bake?.metrics?.variants).toEqual([
      { variant: 'AllTraffic', invocations: 1200, errors4xx: 12, errors5xx: 0, latencyP95Ms: 41.234 }
    ]);
    const md = deploySummary(result, IMAGE, undefined, 'us-east-1', 300);
    expect(md).toContain('### What the canary saw while it baked');
    expect(md).toContain('| AllTraffic | 1200 | 12 | 0 | 1.00% | 41.2 ms |');
    expect(md).toContain('in periods of 300 s');
    expect(md).toContain('old and the new fleet share the variant name');
    expect(md).toContain('| news-5xx | ALARM | Set by hand for a test. |');
    expect(md).toContain('| news-latency | OK | Threshold Crossed: no datapoints. |');
    // The existing parts stay.
    expect(md).toContain('## deploy-canary: news: ✅ deployed');
    expect(md).toContain('```mermaid\nflowchart LR');
  });

  it('a CloudWatch that cannot be read leaves the outcome as it is, and the summary says why in one line', async () => {
    update(endpoint('InService', NEW));
    cw.on(GetMetricDataCommand).rejects(
      cwError(
        'AccessDeniedException',
        'User: arn:aws:sts::123:assumed-role/deploy is not authorized to perform: cloudwatch:GetMetricData.'
      )
    );
    const result = await deploy(options({ alarms: 'news-5xx' }), clients(), engine());
    expect(result.status).toBe('deployed');
    expect(result.reason).toBeUndefined();
    const warning =
      'The metrics of the bake could not be read from CloudWatch (AccessDeniedException: User: arn:aws:sts::123:assumed-role/deploy is not authorized to perform: cloudwatch:GetMetricData).';
    expect(result.bake?.warnings).toEqual([warning]);
    expect(log.lines).toContain(`warning: ${warning}`);
    const md = deploySummary(result, IMAGE, undefined, 'us-east-1', 300);
    expect(md).toContain(`> ⚠️ ${warning}`);
    expect(md).not.toContain('| Variant |');
    expect(md).toContain('| news-5xx | ALARM |');
  });

  it('a rollback by an alarm names it with the reason from its history of the bake', async () => {
    update(endpoint('InService', OLD, { FailureReason: 'Alarm news-5xx went into ALARM while baking.' }));
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [series('errors5xx_0', [3])] });
    cw.on(DescribeAlarmHistoryCommand).resolves({
      AlarmHistoryItems: [
        {
          AlarmName: 'news-5xx',
          Timestamp: new Date('2026-01-02T03:01:00Z'),
          HistoryItemType: 'StateUpdate',
          HistoryData: JSON.stringify({ newState: { stateValue: 'ALARM', stateReason: REASON } })
        }
      ]
    });
    const result = await deploy(options({ alarms: 'news-5xx, news-latency' }), clients(), engine());
    expect(result.status).toBe('rolled-back');
    expect(result.reason).toBe(
      `The deployment of ${NEW} to news was rolled back: Alarm news-5xx went into ALARM while baking (${REASON.replace(/\.$/, '')}). The endpoint serves ${OLD} again.`
    );
    // Only the alarm SageMaker named is asked about, over the update (a minute either side).
    expect(cw.commandCalls(DescribeAlarmHistoryCommand).map((c) => c.args[0].input)).toEqual([
      {
        AlarmName: 'news-5xx',
        HistoryItemType: 'StateUpdate',
        StartDate: new Date(NOW.valueOf() - 60_000),
        EndDate: new Date(NOW.valueOf() + 60_000),
        ScanBy: 'TimestampAscending',
        MaxRecords: 100
      }
    ]);
    expect(deploySummary(result, IMAGE, undefined, 'us-east-1', 300)).toContain(
      '| AllTraffic | 0 | 0 | 3 | - |'
    );
  });

  it('without the history (denied, or an emulator without it), the alarm state reason; with neither, the reason of today', async () => {
    update(endpoint('InService', OLD, { FailureReason: '' }));
    cw.on(GetMetricDataCommand).rejects(
      cwError('UnknownOperationException', 'Unknown operation GetMetricData')
    );
    cw.on(DescribeAlarmHistoryCommand).rejects(cwError('AccessDeniedException', 'not authorized'));
    cw.on(DescribeAlarmsCommand, { AlarmNames: ['news-5xx'], StateValue: 'ALARM' }).resolves({
      MetricAlarms: [{ AlarmName: 'news-5xx' }]
    });
    const result = await deploy(options({ alarms: 'news-5xx' }), clients(), engine());
    expect(result.reason).toBe(
      `The deployment of ${NEW} to news was rolled back: alarm news-5xx in ALARM (Set by hand for a test). The endpoint serves ${OLD} again.`
    );

    sm.reset();
    cw.reset();
    update(endpoint('InService', OLD, { FailureReason: 'Alarm news-5xx went into ALARM.' }));
    // checkAlarms runs before anything changes: let that one through.
    cw.on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [{ AlarmName: 'news-5xx' }] })
      .rejects(cwError('Throttling', 'Rate exceeded'));
    cw.on(DescribeAlarmHistoryCommand).rejects(cwError('Throttling', 'Rate exceeded'));
    const plain = await deploy(options({ alarms: 'news-5xx' }), clients(), engine());
    expect(plain.status).toBe('rolled-back');
    expect(plain.reason).toBe(
      `The deployment of ${NEW} to news was rolled back: Alarm news-5xx went into ALARM. The endpoint serves ${OLD} again.`
    );
    expect(plain.bake?.warnings).toContain(
      "The alarms' states could not be read from CloudWatch (Throttling: Rate exceeded)."
    );
  });
});

describe('the summary section', () => {
  it('a weights canary: a row a variant, the canary on its own; incomplete series said so', () => {
    const plan = {
      endpointName: 'news',
      action: 'weights-canary',
      strategy: 'weights',
      previousConfig: OLD,
      newConfig: NEW,
      steps: [{ percent: 10, bakeSeconds: 0 }],
      terminationWaitSeconds: 0,
      alarms: [],
      notes: []
    } as unknown as Parameters<typeof deploySummary>[0]['plan'];
    const md = deploySummary(
      {
        plan,
        status: 'canary',
        polls: 3,
        waitedSeconds: 60,
        changes: [],
        deleted: [],
        bake: {
          window: { start: BAKED, end: NOW },
          seconds: 245,
          variants: ['AllTraffic', 'Candidate'],
          metrics: {
            window: { start: BAKED, end: NOW },
            periodSeconds: 300,
            variants: [
              { variant: 'AllTraffic', invocations: 900, errors4xx: 0, errors5xx: 9, latencyP95Ms: 120.4 },
              {
                variant: 'Candidate',
                invocations: 0,
                errors4xx: 0,
                errors5xx: 0,
                incomplete: ['ModelLatency PartialData']
              }
            ]
          },
          alarms: [],
          warnings: []
        }
      },
      IMAGE,
      undefined,
      'us-east-1',
      60
    );
    expect(md).toContain('Each variant on its own: `AllTraffic`, `Candidate` (`Candidate` is the canary)');
    expect(md).toContain('2026-01-02T03:00:00Z to 2026-01-02T03:04:05Z (4m 5s), in periods of 300 s.');
    expect(md).toContain('| AllTraffic | 900 | 0 | 9 | 1.00% | 120 ms |');
    expect(md).toContain('| Candidate | 0 | 0 | 0 | - | no data |');
    expect(md).toContain('> ⚠️ Incomplete: Candidate (ModelLatency PartialData).');
    expect(md).not.toContain('| Alarm |');
  });
});
