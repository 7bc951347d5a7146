/**
 * CloudWatch metric alarms: PutMetricAlarm, DescribeAlarms, DescribeAlarmsForMetric, SetAlarmState,
 * DeleteAlarms, DescribeAlarmHistory, and their evaluation from the metric store (schedule.ts runs
 * it; evaluate.ts decides each moment).
 *
 * Evaluation is lazy, like the rest of the emulator: no timers. Each alarm remembers when it was last
 * evaluated; `evaluateAlarms` (run before every CloudWatch request and inside `firstAlarm`) evaluates
 * it at every evaluation moment since then up to now, the period boundaries (multiples of the scaled
 * Period from the epoch), and records each change of state at the time of its boundary. So the
 * history does not depend on when anybody asked. Boundaries whose evaluation range holds no data are
 * skipped after the first (their outcome cannot change), so a long quiet gap costs nothing.
 * SetAlarmState sets a state until the next evaluation moment, as on AWS.
 * Alarms on metric math (`Metrics`) or anomaly bands are kept and described but not evaluated.
 */
import type { Emulator } from '../../server.js';
import { AwsError } from '../../protocol.js';
import { ACCOUNT_ID } from '../sts.js';
import { type AlarmState } from './evaluate.js';
import { isStatistic, percentileOf, STATISTICS } from './statistics.js';
import { sortDimensions, time, UNITS, type Dimension } from './store.js';
import { alarmsOf, push, transition, type Alarm } from './schedule.js';

export type { AlarmState } from './evaluate.js';
export { alarmsOf, evaluateAlarms, firstAlarm, type Alarm } from './schedule.js';
export const STATES: AlarmState[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];
export const COMPARISONS = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
  'LessThanLowerOrGreaterThanUpperThreshold',
  'LessThanLowerThreshold',
  'GreaterThanUpperThreshold'
];
const TREATMENTS = ['breaching', 'notBreaching', 'ignore', 'missing'];
const HISTORY_TYPES = [
  'ConfigurationUpdate',
  'StateUpdate',
  'Action',
  'AlarmContributorStateUpdate',
  'AlarmContributorAction'
];
const invalid = (message: string) => new AwsError('InvalidParameterValue', message);
const missing = (message: string) => new AwsError('MissingParameter', message);
const combination = (message: string) => new AwsError('InvalidParameterCombination', message);
const notFound = (name: string) => new AwsError('ResourceNotFound', `Alarm ${name} not found`, 404);

/** An alarm as DescribeAlarms answers it. */
export function alarmView(alarm: Alarm): Record<string, unknown> {
  const { history: _history, evaluatedAt: _evaluatedAt, ...a } = alarm;
  return {
    ...a,
    AlarmActions: a.AlarmActions ?? [],
    OKActions: a.OKActions ?? [],
    InsufficientDataActions: a.InsufficientDataActions ?? [],
    StateUpdatedTimestamp: new Date(a.StateUpdatedTimestamp),
    StateTransitionedTimestamp: new Date(a.StateTransitionedTimestamp ?? a.StateUpdatedTimestamp),
    AlarmConfigurationUpdatedTimestamp: new Date(a.AlarmConfigurationUpdatedTimestamp)
  };
}

/** The configuration of an alarm, for ConfigurationUpdate history data. */
function configuration(alarm: Alarm): Record<string, unknown> {
  const keys = [
    'AlarmName',
    'AlarmArn',
    'AlarmDescription',
    'MetricName',
    'Namespace',
    'Statistic',
    'ExtendedStatistic',
    'Dimensions',
    'Period',
    'Unit',
    'EvaluationPeriods',
    'DatapointsToAlarm',
    'Threshold',
    'ComparisonOperator',
    'TreatMissingData',
    'EvaluateLowSampleCountPercentile',
    'ActionsEnabled',
    'AlarmActions',
    'OKActions',
    'InsufficientDataActions'
  ] as const;
  const out: Record<string, unknown> = {};
  for (const key of keys) if (alarm[key] !== undefined) out[key] = alarm[key];
  return out;
}

const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function validateAlarm(input: any): void {
  const name = String(input.AlarmName ?? '');
  if (!name) throw missing('The parameter AlarmName is required.');
  if (name.length > 255) throw invalid('The parameter AlarmName must be 1 to 255 characters long.');
  if (input.EvaluationPeriods === undefined) throw missing('The parameter EvaluationPeriods is required.');
  if (!(input.EvaluationPeriods >= 1))
    throw invalid('The parameter EvaluationPeriods must be greater than or equal to 1.');
  if (!COMPARISONS.includes(input.ComparisonOperator))
    throw invalid(
      `The parameter ComparisonOperator must be one of ${COMPARISONS.join(', ')}, not "${input.ComparisonOperator}".`
    );
  if (!input.Metrics && (!input.MetricName || !input.Namespace))
    throw missing('The parameters MetricName and Namespace are required without Metrics.');
  if (
    input.Period !== undefined &&
    !([10, 20, 30].includes(input.Period) || (input.Period >= 60 && input.Period % 60 === 0))
  )
    throw invalid('The parameter Period must be 10, 20, 30 or a multiple of 60.');
  if (!input.Metrics) {
    if (input.Period === undefined) throw missing('The parameter Period is required.');
    if ((input.Statistic === undefined) === (input.ExtendedStatistic === undefined))
      throw combination('Exactly one of the parameters Statistic and ExtendedStatistic must be specified.');
    if (input.Statistic !== undefined && !(STATISTICS as readonly string[]).includes(input.Statistic))
      throw invalid(`The parameter Statistic must be one of ${STATISTICS.join(', ')}.`);
    if (input.ExtendedStatistic !== undefined && !isStatistic(input.ExtendedStatistic))
      throw invalid(`The value ${input.ExtendedStatistic} for parameter ExtendedStatistic is not supported.`);
    const limit = input.Period >= 3600 ? 7 * 86400 : 86400;
    if (input.Period * input.EvaluationPeriods > limit)
      throw invalid(
        `The evaluation period of the alarm (Period x EvaluationPeriods) must be at most ${limit / 86400 === 1 ? 'one day' : 'seven days'}.`
      );
  }
  if (
    input.Threshold === undefined &&
    input.ThresholdMetricId === undefined &&
    input.ComparisonOperator in
      {
        GreaterThanOrEqualToThreshold: 1,
        GreaterThanThreshold: 1,
        LessThanThreshold: 1,
        LessThanOrEqualToThreshold: 1
      }
  )
    throw missing('The parameter Threshold is required.');
  if (
    input.DatapointsToAlarm !== undefined &&
    !(input.DatapointsToAlarm >= 1 && input.DatapointsToAlarm <= input.EvaluationPeriods)
  )
    throw invalid('The parameter DatapointsToAlarm must be from 1 to EvaluationPeriods.');
  if (input.TreatMissingData !== undefined && !TREATMENTS.includes(input.TreatMissingData))
    throw invalid(`The parameter TreatMissingData must be one of ${TREATMENTS.join(', ')}.`);
  if (
    input.EvaluateLowSampleCountPercentile !== undefined &&
    !['evaluate', 'ignore'].includes(input.EvaluateLowSampleCountPercentile)
  )
    throw invalid('The parameter EvaluateLowSampleCountPercentile must be evaluate or ignore.');
  if (
    input.EvaluateLowSampleCountPercentile !== undefined &&
    percentileOf(input.ExtendedStatistic ?? '') === undefined
  )
    throw combination('EvaluateLowSampleCountPercentile is only valid with a percentile ExtendedStatistic.');
  if (input.Unit !== undefined && !UNITS.includes(input.Unit))
    throw invalid(`The parameter Unit must be one of ${UNITS.join(', ')}.`);
  for (const key of ['AlarmActions', 'OKActions', 'InsufficientDataActions']) {
    if (list(input[key]).length > 5) throw invalid(`The parameter ${key} must have at most 5 members.`);
  }
}

/** The alarm operations, in the JSON protocol's shapes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function alarmOperations(emulator: Emulator): Record<string, (input: any) => unknown> {
  const alarms = () => alarmsOf(emulator);
  return {
    PutMetricAlarm: (input) => {
      validateAlarm(input);
      const name = String(input.AlarmName);
      const now = emulator.now();
      const existing = alarms()[name];
      const alarm: Alarm = {
        AlarmName: name,
        AlarmArn: `arn:aws:cloudwatch:us-east-1:${ACCOUNT_ID}:alarm:${name}`,
        AlarmDescription: input.AlarmDescription,
        MetricName: input.MetricName,
        Namespace: input.Namespace,
        Statistic: input.Statistic,
        ExtendedStatistic: input.ExtendedStatistic,
        Dimensions:
          input.Dimensions && sortDimensions(input.Dimensions).length ? input.Dimensions : undefined,
        Metrics: input.Metrics,
        ThresholdMetricId: input.ThresholdMetricId,
        Period: input.Period,
        Unit: input.Unit,
        EvaluationPeriods: input.EvaluationPeriods,
        DatapointsToAlarm: input.DatapointsToAlarm,
        Threshold: input.Threshold,
        ComparisonOperator: input.ComparisonOperator,
        TreatMissingData: input.TreatMissingData,
        EvaluateLowSampleCountPercentile: input.EvaluateLowSampleCountPercentile,
        ActionsEnabled: input.ActionsEnabled ?? true,
        AlarmActions: list(input.AlarmActions),
        OKActions: list(input.OKActions),
        InsufficientDataActions: list(input.InsufficientDataActions),
        StateValue: existing?.StateValue ?? 'INSUFFICIENT_DATA',
        StateReason: existing?.StateReason ?? 'Unchecked: Initial alarm creation',
        StateReasonData: existing?.StateReasonData,
        StateUpdatedTimestamp: existing?.StateUpdatedTimestamp ?? now,
        StateTransitionedTimestamp: existing?.StateTransitionedTimestamp ?? now,
        AlarmConfigurationUpdatedTimestamp: now,
        history: existing?.history ?? [],
        evaluatedAt: now
      };
      push(alarm, {
        at: now,
        state: alarm.StateValue,
        type: 'ConfigurationUpdate',
        summary: `Alarm "${name}" ${existing ? 'updated' : 'created'}`,
        data: JSON.stringify(
          existing
            ? {
                version: '1.0',
                type: 'Update',
                updatedAlarm: configuration(alarm),
                originalAlarm: configuration(existing)
              }
            : { version: '1.0', type: 'Create', createdAlarm: configuration(alarm) }
        )
      });
      alarms()[name] = alarm;
      return {};
    },
    DescribeAlarms: ({ AlarmNames, AlarmNamePrefix, StateValue, MaxRecords, NextToken, ActionPrefix }) => {
      if (AlarmNames?.length && AlarmNamePrefix)
        throw invalid('AlarmNames and AlarmNamePrefix cannot be given together.');
      if (AlarmNames && AlarmNames.length > 100)
        throw invalid('The parameter AlarmNames must have at most 100 members.');
      if (StateValue !== undefined && !STATES.includes(StateValue))
        throw invalid(`The parameter StateValue must be one of ${STATES.join(', ')}.`);
      if (MaxRecords !== undefined && !(MaxRecords >= 1 && MaxRecords <= 100))
        throw invalid('The parameter MaxRecords must be from 1 to 100.');
      const all = Object.values(alarms())
        .filter((a) => !AlarmNames?.length || AlarmNames.includes(a.AlarmName))
        .filter((a) => !AlarmNamePrefix || a.AlarmName.startsWith(AlarmNamePrefix))
        .filter((a) => !StateValue || a.StateValue === StateValue)
        .filter(
          (a) =>
            !ActionPrefix ||
            [...(a.AlarmActions ?? []), ...(a.OKActions ?? []), ...(a.InsufficientDataActions ?? [])].some(
              (x) => x.startsWith(ActionPrefix)
            )
        )
        .sort((a, b) => a.AlarmName.localeCompare(b.AlarmName));
      const from = NextToken ? Number(NextToken) : 0;
      if (!Number.isInteger(from) || from < 0)
        throw new AwsError('InvalidNextToken', 'The NextToken is invalid.');
      const max = MaxRecords ?? 50;
      return {
        MetricAlarms: all.slice(from, from + max).map(alarmView),
        CompositeAlarms: [],
        ...(from + max < all.length ? { NextToken: String(from + max) } : {})
      };
    },
    DescribeAlarmsForMetric: ({
      MetricName,
      Namespace,
      Statistic,
      ExtendedStatistic,
      Dimensions,
      Period,
      Unit
    }) => {
      if (!MetricName) throw missing('The parameter MetricName is required.');
      if (!Namespace) throw missing('The parameter Namespace is required.');
      const key = (d?: Dimension[]) => JSON.stringify(sortDimensions(d ?? []));
      return {
        MetricAlarms: Object.values(alarms())
          .filter((a) => a.MetricName === MetricName && a.Namespace === Namespace)
          .filter((a) => !Statistic || a.Statistic === Statistic)
          .filter((a) => !ExtendedStatistic || a.ExtendedStatistic === ExtendedStatistic)
          .filter((a) => !Dimensions || key(a.Dimensions) === key(Dimensions))
          .filter((a) => !Period || a.Period === Period)
          .filter((a) => !Unit || a.Unit === Unit)
          .sort((a, b) => a.AlarmName.localeCompare(b.AlarmName))
          .map(alarmView)
      };
    },
    SetAlarmState: ({ AlarmName, StateValue, StateReason, StateReasonData }) => {
      const alarm = alarms()[AlarmName];
      if (!alarm) throw notFound(AlarmName);
      if (!STATES.includes(StateValue))
        throw invalid(`The parameter StateValue must be one of ${STATES.join(', ')}.`);
      if (StateReason === undefined) throw missing('The parameter StateReason is required.');
      let data: Record<string, unknown> | undefined;
      if (StateReasonData !== undefined) {
        try {
          data = JSON.parse(StateReasonData);
        } catch {
          throw new AwsError('InvalidFormat', 'The parameter StateReasonData is not valid JSON.');
        }
      }
      transition(alarm, StateValue, StateReason, emulator.now(), data);
      return {};
    },
    DeleteAlarms: ({ AlarmNames }) => {
      for (const name of AlarmNames ?? []) if (!alarms()[name]) throw notFound(name);
      for (const name of AlarmNames ?? []) delete alarms()[name];
      return {};
    },
    DescribeAlarmHistory: ({
      AlarmName,
      AlarmTypes,
      HistoryItemType,
      StartDate,
      EndDate,
      MaxRecords,
      NextToken,
      ScanBy
    }) => {
      if (HistoryItemType !== undefined && !HISTORY_TYPES.includes(HistoryItemType))
        throw invalid(`The parameter HistoryItemType must be one of ${HISTORY_TYPES.join(', ')}.`);
      if (MaxRecords !== undefined && !(MaxRecords >= 1 && MaxRecords <= 100))
        throw invalid('The parameter MaxRecords must be from 1 to 100.');
      if (ScanBy !== undefined && !['TimestampDescending', 'TimestampAscending'].includes(ScanBy))
        throw invalid('The parameter ScanBy must be TimestampDescending or TimestampAscending.');
      const start = StartDate === undefined ? -Infinity : time(StartDate);
      const end = EndDate === undefined ? Infinity : time(EndDate);
      if (Number.isNaN(start) || Number.isNaN(end))
        throw invalid('StartDate and EndDate must be timestamps.');
      const types = list(AlarmTypes);
      if (types.length && !types.includes('MetricAlarm')) return { AlarmHistoryItems: [] };
      const items = Object.values(alarms())
        .filter((a) => !AlarmName || a.AlarmName === AlarmName)
        .flatMap((a) =>
          a.history.map((h, i) => {
            const type = h.type ?? (i === 0 && !h.summary ? 'ConfigurationUpdate' : 'StateUpdate');
            return {
              AlarmName: a.AlarmName,
              AlarmType: 'MetricAlarm',
              Timestamp: h.at,
              HistoryItemType: type,
              HistorySummary:
                h.summary ??
                (type === 'ConfigurationUpdate'
                  ? `Alarm "${a.AlarmName}" created`
                  : `Alarm updated to ${h.state}`),
              HistoryData: h.data ?? JSON.stringify({ version: '1.0' })
            };
          })
        )
        .filter((h) => !HistoryItemType || h.HistoryItemType === HistoryItemType)
        .filter((h) => h.Timestamp >= start && h.Timestamp <= end)
        .sort((a, b) =>
          ScanBy === 'TimestampAscending' ? a.Timestamp - b.Timestamp : b.Timestamp - a.Timestamp
        );
      const from = NextToken ? Number(NextToken) : 0;
      if (!Number.isInteger(from) || from < 0)
        throw new AwsError('InvalidNextToken', 'The NextToken is invalid.');
      const max = MaxRecords ?? 100;
      return {
        AlarmHistoryItems: items
          .slice(from, from + max)
          .map((h) => ({ ...h, Timestamp: new Date(h.Timestamp) })),
        ...(from + max < items.length ? { NextToken: String(from + max) } : {})
      };
    }
  };
}
