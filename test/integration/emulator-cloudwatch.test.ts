/**
 * Contract tests of the emulator's CloudWatch metrics and data-driven alarms, through the real SDK
 * (JSON 1.0) and Debian's AWS CLI (query protocol), on a manual clock.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
  type PutMetricAlarmCommandInput
} from '@aws-sdk/client-cloudwatch';
import { awsClient } from '../../src/aws.js';
import { Emulator } from '../../src/emulator/server.js';
import { ALL_SERVICES } from '../../src/emulator/services/index.js';
import { recordMetric } from '../../src/emulator/services/cloudwatch/index.js';

/** 12/01/26 10:00:00 UTC: a boundary of every period that divides an hour, at any time scale here. */
const T0 = Date.UTC(2026, 0, 12, 10);
let now = T0;
let emulator: Emulator;
let cw: CloudWatchClient;

async function start(timeScale: number): Promise<void> {
  emulator = new Emulator({ services: ALL_SERVICES, now: () => now, timeScale });
  const url = await emulator.start();
  cw = awsClient(CloudWatchClient, 'CloudWatch', {
    action: 'contract',
    region: 'us-east-1',
    endpoint: url,
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' }
  });
}
afterEach(() => emulator.stop());

const DIMS = [{ Name: 'EndpointName', Value: 'news' }];
const alarm = (extra: Partial<PutMetricAlarmCommandInput> = {}) =>
  cw.send(
    new PutMetricAlarmCommand({
      AlarmName: 'news-errors',
      Namespace: 'App',
      MetricName: 'Errors',
      Dimensions: DIMS,
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      ...extra
    })
  );
const put = (value: number, extra: Record<string, unknown> = {}) =>
  cw.send(
    new PutMetricDataCommand({
      Namespace: 'App',
      MetricData: [{ MetricName: 'Errors', Dimensions: DIMS, Value: value, Unit: 'Count', ...extra }]
    })
  );
const describe1 = async (name = 'news-errors') =>
  (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms![0];

describe('metrics through the SDK (time scale 1)', () => {
  beforeEach(async () => {
    now = T0;
    await start(1);
  });

  it('PutMetricData (Value, Values and Counts, StatisticValues, Timestamp), then GetMetricStatistics with p95', async () => {
    now = T0 + 5000;
    await cw.send(
      new PutMetricDataCommand({
        Namespace: 'App',
        MetricData: [
          { MetricName: 'Latency', Dimensions: DIMS, Value: 10, Unit: 'Milliseconds' },
          { MetricName: 'Latency', Dimensions: DIMS, Values: [20, 30], Counts: [2, 1], Unit: 'Milliseconds' },
          {
            MetricName: 'Latency',
            Dimensions: DIMS,
            StatisticValues: { SampleCount: 2, Sum: 100, Minimum: 40, Maximum: 60 },
            Unit: 'Milliseconds',
            Timestamp: new Date(T0 + 65_000)
          }
        ]
      })
    );
    now = T0 + 120_000;
    const stats = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: 'App',
        MetricName: 'Latency',
        Dimensions: DIMS,
        StartTime: new Date(T0),
        EndTime: new Date(T0 + 120_000),
        Period: 60,
        Statistics: ['Sum', 'Average', 'Minimum', 'Maximum', 'SampleCount'],
        ExtendedStatistics: ['p95']
      })
    );
    expect(stats.Label).toBe('Latency');
    expect(stats.Datapoints).toEqual([
      {
        Timestamp: new Date(T0),
        Sum: 80,
        Average: 20,
        Minimum: 10,
        Maximum: 30,
        SampleCount: 4,
        ExtendedStatistics: { p95: 30 },
        Unit: 'Milliseconds'
      },
      // A statistic set has no percentiles.
      {
        Timestamp: new Date(T0 + 60_000),
        Sum: 100,
        Average: 50,
        Minimum: 40,
        Maximum: 60,
        SampleCount: 2,
        ExtendedStatistics: {},
        Unit: 'Milliseconds'
      }
    ]);
    // Another unit: nothing.
    const none = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: 'App',
        MetricName: 'Latency',
        Dimensions: DIMS,
        StartTime: new Date(T0),
        EndTime: new Date(T0 + 120_000),
        Period: 60,
        Statistics: ['Sum'],
        Unit: 'Seconds'
      })
    );
    expect(none.Datapoints).toEqual([]);
  });

  it('GetMetricData: several queries, labels, ReturnData false, ScanBy; ListMetrics with filters', async () => {
    for (let minute = 0; minute < 3; minute++) {
      now = T0 + minute * 60_000 + 1000;
      await put(minute + 1);
      await put(minute + 1, { Dimensions: [{ Name: 'EndpointName', Value: 'other' }] });
    }
    now = T0 + 180_000;
    const metric = { Namespace: 'App', MetricName: 'Errors', Dimensions: DIMS };
    const data = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(T0),
        EndTime: new Date(T0 + 180_000),
        MetricDataQueries: [
          { Id: 'sum', MetricStat: { Metric: metric, Period: 60, Stat: 'Sum' } },
          { Id: 'total', Label: 'all three', MetricStat: { Metric: metric, Period: 180, Stat: 'Sum' } },
          { Id: 'hidden', ReturnData: false, MetricStat: { Metric: metric, Period: 60, Stat: 'p95' } }
        ]
      })
    );
    expect(data.MetricDataResults).toEqual([
      {
        Id: 'sum',
        Label: 'Errors',
        Timestamps: [new Date(T0 + 120_000), new Date(T0 + 60_000), new Date(T0)],
        Values: [3, 2, 1],
        StatusCode: 'Complete'
      },
      { Id: 'total', Label: 'all three', Timestamps: [new Date(T0)], Values: [6], StatusCode: 'Complete' }
    ]);
    const ascending = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(T0),
        EndTime: new Date(T0 + 180_000),
        ScanBy: 'TimestampAscending',
        MetricDataQueries: [{ Id: 'p', MetricStat: { Metric: metric, Period: 60, Stat: 'p95' } }]
      })
    );
    expect(ascending.MetricDataResults![0].Values).toEqual([1, 2, 3]);

    await cw.send(
      new PutMetricDataCommand({ Namespace: 'Other', MetricData: [{ MetricName: 'X', Value: 1 }] })
    );
    const listed = await cw.send(new ListMetricsCommand({ Namespace: 'App' }));
    expect(listed.Metrics).toEqual([
      { Namespace: 'App', MetricName: 'Errors', Dimensions: [{ Name: 'EndpointName', Value: 'news' }] },
      { Namespace: 'App', MetricName: 'Errors', Dimensions: [{ Name: 'EndpointName', Value: 'other' }] }
    ]);
    const filtered = await cw.send(
      new ListMetricsCommand({ Dimensions: [{ Name: 'EndpointName', Value: 'other' }] })
    );
    expect(filtered.Metrics!.map((m) => m.Dimensions![0].Value)).toEqual(['other']);
    expect(
      (await cw.send(new ListMetricsCommand({ Dimensions: [{ Name: 'EndpointName' }] }))).Metrics
    ).toHaveLength(2);
    expect((await cw.send(new ListMetricsCommand({ MetricName: 'X' }))).Metrics).toEqual([
      { Namespace: 'Other', MetricName: 'X', Dimensions: [] }
    ]);
  });

  it("refuses what AWS refuses, with AWS's error codes", async () => {
    await expect(
      cw.send(
        new PutMetricDataCommand({ Namespace: 'AWS/SageMaker', MetricData: [{ MetricName: 'm', Value: 1 }] })
      )
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    await expect(
      cw.send(
        new PutMetricDataCommand({
          Namespace: 'App',
          MetricData: [
            { MetricName: 'm', Value: 1, StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 } }
          ]
        })
      )
    ).rejects.toMatchObject({
      name: 'InvalidParameterCombinationException',
      message: expect.stringContaining('MetricData.member.1.Value and MetricData.member.1.StatisticValues')
    });
    await expect(
      cw.send(
        new PutMetricDataCommand({
          Namespace: 'App',
          MetricData: [{ MetricName: 'm', Values: [1, 2], Counts: [1] }]
        })
      )
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    await expect(
      cw.send(
        new PutMetricDataCommand({
          Namespace: 'App',
          MetricData: [{ MetricName: 'm', Value: 1, Timestamp: new Date(T0 + 3 * 3600_000) }]
        })
      )
    ).rejects.toMatchObject({ message: expect.stringContaining('two hours in the future') });
    await expect(
      cw.send(
        new PutMetricDataCommand({
          Namespace: 'App',
          MetricData: [{ MetricName: 'm', Value: 1, Unit: 'Parsecs' as never }]
        })
      )
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    await expect(
      cw.send(
        new GetMetricStatisticsCommand({
          Namespace: 'App',
          MetricName: 'm',
          StartTime: new Date(T0),
          EndTime: new Date(T0 + 60_000),
          Period: 60
        })
      )
    ).rejects.toMatchObject({ name: 'InvalidParameterCombinationException' });
    await expect(
      cw.send(
        new GetMetricStatisticsCommand({
          Namespace: 'App',
          MetricName: 'm',
          StartTime: new Date(T0),
          EndTime: new Date(T0 + 2 * 86_400_000),
          Period: 60,
          Statistics: ['Sum']
        })
      )
    ).rejects.toMatchObject({ message: expect.stringContaining('exceeds the limit of 1,440') });
    await expect(
      cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(T0),
          EndTime: new Date(T0 + 60_000),
          MetricDataQueries: [
            {
              Id: 'Bad',
              MetricStat: { Metric: { Namespace: 'App', MetricName: 'm' }, Period: 60, Stat: 'Sum' }
            }
          ]
        })
      )
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    // Nothing was stored by the refused calls.
    expect((await cw.send(new ListMetricsCommand({}))).Metrics).toEqual([]);
  });
});

describe('alarms evaluated from the data (time scale 1)', () => {
  beforeEach(async () => {
    now = T0 + 1000;
    await start(1);
  });

  it('INSUFFICIENT_DATA -> ALARM -> OK from PutMetricData, each change at its period boundary, in DescribeAlarmHistory', async () => {
    await alarm({ AlarmActions: ['arn:aws:sns:us-east-1:123456789012:pager'] });
    expect(await describe1()).toMatchObject({
      StateValue: 'INSUFFICIENT_DATA',
      AlarmActions: ['arn:aws:sns:us-east-1:123456789012:pager'],
      OKActions: [],
      InsufficientDataActions: []
    });
    now = T0 + 10_000;
    await put(3);
    now = T0 + 59_000;
    expect((await describe1()).StateValue).toBe('INSUFFICIENT_DATA');
    now = T0 + 61_000;
    const alarmed = await describe1();
    expect(alarmed).toMatchObject({
      StateValue: 'ALARM',
      StateReason:
        'Threshold Crossed: 1 out of the last 1 datapoints [3.0 (12/01/26 10:00:00)] was greater than the threshold (0.0) (minimum 1 datapoint for OK -> ALARM transition).',
      StateUpdatedTimestamp: new Date(T0 + 60_000)
    });
    expect(JSON.parse(alarmed.StateReasonData!)).toMatchObject({
      recentDatapoints: [3],
      threshold: 0,
      period: 60
    });
    await put(0);
    now = T0 + 120_000;
    expect((await describe1()).StateValue).toBe('OK');

    const history = await cw.send(
      new DescribeAlarmHistoryCommand({ AlarmName: 'news-errors', HistoryItemType: 'StateUpdate' })
    );
    expect(
      history.AlarmHistoryItems!.map((h) => [
        h.Timestamp!.getTime() - T0,
        h.HistoryItemType,
        h.HistorySummary
      ])
    ).toEqual([
      [120_000, 'StateUpdate', 'Alarm updated from ALARM to OK'],
      [60_000, 'StateUpdate', 'Alarm updated from INSUFFICIENT_DATA to ALARM']
    ]);
    const data = JSON.parse(history.AlarmHistoryItems![1].HistoryData!);
    expect(data).toMatchObject({
      version: '1.0',
      oldState: { stateValue: 'INSUFFICIENT_DATA', stateReason: 'Unchecked: Initial alarm creation' },
      newState: {
        stateValue: 'ALARM',
        stateReason: expect.stringMatching(/^Threshold Crossed: 1 out of the last 1/)
      }
    });
    const all = await cw.send(
      new DescribeAlarmHistoryCommand({ ScanBy: 'TimestampAscending', MaxRecords: 2 })
    );
    expect(all.AlarmHistoryItems!.map((h) => h.HistoryItemType)).toEqual([
      'ConfigurationUpdate',
      'StateUpdate'
    ]);
    expect(all.AlarmHistoryItems![0].HistorySummary).toBe('Alarm "news-errors" created');
    expect(all.NextToken).toBeDefined();
    const windowed = await cw.send(
      new DescribeAlarmHistoryCommand({ StartDate: new Date(T0 + 90_000), EndDate: new Date(T0 + 200_000) })
    );
    expect(windowed.AlarmHistoryItems!.map((h) => h.HistorySummary)).toEqual([
      'Alarm updated from ALARM to OK'
    ]);
  });

  it('SetAlarmState holds until the next evaluation; M of N with TreatMissingData breaching', async () => {
    await alarm();
    await cw.send(
      new SetAlarmStateCommand({ AlarmName: 'news-errors', StateValue: 'ALARM', StateReason: 'drill' })
    );
    now = T0 + 59_000;
    expect(await describe1()).toMatchObject({ StateValue: 'ALARM', StateReason: 'drill' });
    now = T0 + 60_000;
    expect(await describe1()).toMatchObject({
      StateValue: 'INSUFFICIENT_DATA',
      StateReason: 'Insufficient Data: 1 datapoint was unknown.'
    });

    await alarm({
      AlarmName: 'two-of-three',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'breaching',
      Threshold: 5
    });
    // Data in minutes 1 to 4 keeps it OK. When the data stops, the evaluation range (5 periods) holds
    // fewer real datapoints than 3 from minute 8 on, and the missing ones are breaching: 2 of them at 9.
    for (let minute = 1; minute <= 4; minute++) {
      now = T0 + minute * 60_000 + 1000;
      await put(1);
    }
    now = T0 + 9 * 60_000 - 1;
    expect((await describe1('two-of-three')).StateValue).toBe('OK');
    now = T0 + 9 * 60_000;
    expect(await describe1('two-of-three')).toMatchObject({
      StateValue: 'ALARM',
      StateUpdatedTimestamp: new Date(T0 + 9 * 60_000)
    });
  });
});

describe('recordMetric feeding an alarm at time scale 0.01 (a 60 s period lasts 600 ms)', () => {
  beforeEach(async () => {
    now = T0 + 10;
    await start(0.01);
  });

  it('SageMaker-style metrics trip and clear an alarm, on the scaled clock', async () => {
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'news-5xx',
        Namespace: 'AWS/SageMaker',
        MetricName: 'Invocation5XXErrors',
        Dimensions: [
          { Name: 'VariantName', Value: 'AllTraffic' },
          { Name: 'EndpointName', Value: 'news' }
        ],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching'
      })
    );
    const invoke = (errors: number) => {
      const dims = [
        { Name: 'EndpointName', Value: 'news' },
        { Name: 'VariantName', Value: 'AllTraffic' }
      ];
      recordMetric(emulator, {
        Namespace: 'AWS/SageMaker',
        MetricName: 'Invocations',
        Dimensions: dims,
        Value: 1
      });
      if (errors)
        recordMetric(emulator, {
          Namespace: 'AWS/SageMaker',
          MetricName: 'Invocation5XXErrors',
          Dimensions: dims,
          Value: errors,
          Unit: 'Count'
        });
    };
    now = T0 + 100;
    invoke(1);
    invoke(1);
    now = T0 + 599;
    expect((await describe1('news-5xx')).StateValue).toBe('INSUFFICIENT_DATA');
    now = T0 + 600;
    expect(await describe1('news-5xx')).toMatchObject({
      StateValue: 'ALARM',
      StateReason: expect.stringContaining(
        '[2.0 (12/01/26 10:00:00)] was greater than or equal to the threshold (1.0)'
      )
    });
    now = T0 + 700;
    invoke(0);
    // Errors are published only when non-zero: the last datapoint (2.0) stays in the evaluation range
    // (3 periods, 1.8 s here) as on AWS, then missing data is not breaching: OK.
    now = T0 + 2399;
    expect((await describe1('news-5xx')).StateValue).toBe('ALARM');
    now = T0 + 2400;
    expect(await describe1('news-5xx')).toMatchObject({
      StateValue: 'OK',
      StateUpdatedTimestamp: new Date(T0 + 2400)
    });
    const stats = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/SageMaker',
        MetricName: 'Invocations',
        Dimensions: [
          { Name: 'EndpointName', Value: 'news' },
          { Name: 'VariantName', Value: 'AllTraffic' }
        ],
        StartTime: new Date(T0),
        EndTime: new Date(T0 + 1200),
        Period: 60,
        Statistics: ['Sum']
      })
    );
    expect(stats.Datapoints!.map((d) => [d.Timestamp!.getTime() - T0, d.Sum])).toEqual([
      [0, 2],
      [600, 1]
    ]);
  });
});

describe('the AWS CLI (query protocol)', () => {
  beforeEach(async () => {
    now = T0 + 1000;
    await start(1);
  });
  const aws = async (...args: string[]) =>
    JSON.parse(
      (
        await promisify(execFile)(
          '/usr/bin/aws',
          ['--endpoint-url', emulator.url, '--output', 'json', 'cloudwatch', ...args],
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

  it('put-metric-data, get-metric-statistics, describe-alarms and describe-alarm-history', async () => {
    await aws(
      'put-metric-alarm',
      ...['--alarm-name', 'cli-errors', '--namespace', 'App', '--metric-name', 'Errors'],
      ...['--dimensions', 'Name=EndpointName,Value=news', '--statistic', 'Sum', '--period', '60'],
      ...['--evaluation-periods', '1', '--threshold', '0', '--comparison-operator', 'GreaterThanThreshold']
    );
    now = T0 + 5000;
    await aws(
      'put-metric-data',
      ...['--namespace', 'App', '--metric-name', 'Errors', '--dimensions', 'EndpointName=news'],
      ...['--value', '3', '--unit', 'Count']
    );
    await aws(
      'put-metric-data',
      ...['--namespace', 'App', '--metric-name', 'Errors', '--dimensions', 'EndpointName=news'],
      ...['--statistic-values', 'SampleCount=2,Sum=4,Minimum=1,Maximum=3', '--unit', 'Count']
    );
    now = T0 + 61_000;
    const stats = await aws(
      'get-metric-statistics',
      ...['--namespace', 'App', '--metric-name', 'Errors', '--dimensions', 'Name=EndpointName,Value=news'],
      ...['--start-time', new Date(T0).toISOString(), '--end-time', new Date(T0 + 60_000).toISOString()],
      ...['--period', '60', '--statistics', 'Sum', 'Maximum', 'SampleCount', '--extended-statistics', 'p50']
    );
    expect(stats).toEqual({
      Label: 'Errors',
      Datapoints: [
        {
          Timestamp: expect.stringMatching(/^2026-01-12T10:00:00/),
          Sum: 7,
          Maximum: 3,
          SampleCount: 3,
          ExtendedStatistics: {},
          Unit: 'Count'
        }
      ]
    });
    const described = await aws('describe-alarms', '--alarm-names', 'cli-errors');
    expect(described.MetricAlarms[0]).toMatchObject({
      StateValue: 'ALARM',
      AlarmActions: [],
      StateReason: expect.stringContaining('[7.0 (12/01/26 10:00:00)] was greater than the threshold (0.0)')
    });
    const history = await aws(
      'describe-alarm-history',
      '--alarm-name',
      'cli-errors',
      '--history-item-type',
      'StateUpdate'
    );
    expect(history.AlarmHistoryItems).toEqual([
      expect.objectContaining({
        AlarmName: 'cli-errors',
        HistoryItemType: 'StateUpdate',
        HistorySummary: 'Alarm updated from INSUFFICIENT_DATA to ALARM',
        Timestamp: expect.stringMatching(/^2026-01-12T10:01:00/)
      })
    ]);
    expect(JSON.parse(history.AlarmHistoryItems[0].HistoryData).newState.stateValue).toBe('ALARM');
    const p95 = await aws(
      'get-metric-statistics',
      ...['--namespace', 'App', '--metric-name', 'Errors', '--dimensions', 'Name=EndpointName,Value=news'],
      ...['--start-time', new Date(T0).toISOString(), '--end-time', new Date(T0 + 60_000).toISOString()],
      ...['--period', '60', '--extended-statistics', 'p95']
    );
    // A statistic set in the period: no percentile, as on AWS.
    expect(p95.Datapoints[0].ExtendedStatistics).toEqual({});
    await expect(
      aws('put-metric-data', '--namespace', 'AWS/EC2', '--metric-name', 'm', '--value', '1')
    ).rejects.toThrow(/InvalidParameterValue/);
  });
});
