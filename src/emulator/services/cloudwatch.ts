/**
 * CloudWatch alarms over the JSON 1.0 protocol the current SDK speaks (GraniteServiceVersion20100801):
 * PutMetricAlarm, DescribeAlarms, SetAlarmState, DeleteAlarms. Every change of an alarm's state is
 * kept with its time, so SageMaker's deployment guardrails in the emulator can tell, lazily and
 * exactly, whether an alarm was in ALARM at any moment of a bake, whenever the next request comes.
 */
import type { Emulator, RequestInfo, ServiceDefinition } from '../server.js';
import { AwsError } from '../protocol.js';
import { ACCOUNT_ID } from './sts.js';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
const STATES: AlarmState[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];
const COMPARISONS = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
  'LessThanLowerOrGreaterThanUpperThreshold',
  'LessThanLowerThreshold',
  'GreaterThanUpperThreshold'
];
/** How many state changes an alarm remembers (enough for any bake). */
const HISTORY = 100;

export interface Alarm {
  AlarmName: string;
  AlarmArn: string;
  AlarmDescription?: string;
  MetricName?: string;
  Namespace?: string;
  Statistic?: string;
  ExtendedStatistic?: string;
  Dimensions?: Array<{ Name: string; Value: string }>;
  Period?: number;
  EvaluationPeriods?: number;
  DatapointsToAlarm?: number;
  Threshold?: number;
  ComparisonOperator?: string;
  TreatMissingData?: string;
  StateValue: AlarmState;
  StateReason: string;
  StateUpdatedTimestamp: number;
  AlarmConfigurationUpdatedTimestamp: number;
  ActionsEnabled: boolean;
  /** Every state the alarm entered, oldest first, with the time (ms). */
  history: Array<{ at: number; state: AlarmState }>;
}

export function alarmsOf(emulator: Emulator): Record<string, Alarm> {
  return emulator.stateOf<{ alarms: Record<string, Alarm> }>('cloudwatch', () => ({ alarms: {} })).alarms;
}

/**
 * The first moment in [from, to) at which one of `names` was in ALARM, and which; undefined when none
 * was. An alarm that does not exist never fires (SageMaker ignores it).
 */
export function firstAlarm(
  emulator: Emulator,
  names: string[],
  from: number,
  to: number
): { name: string; at: number } | undefined {
  let first: { name: string; at: number } | undefined;
  for (const name of names) {
    const history = alarmsOf(emulator)[name]?.history ?? [];
    let at: number | undefined;
    const before = history.filter((h) => h.at <= from).at(-1);
    if (before?.state === 'ALARM') at = from;
    else at = history.find((h) => h.at > from && h.at < to && h.state === 'ALARM')?.at;
    if (at !== undefined && (!first || at < first.at)) first = { name, at };
  }
  return first;
}

const invalid = (message: string) => new AwsError('InvalidParameterValue', message);
const missing = (message: string) => new AwsError('MissingParameter', message);

/**
 * The query protocol's flat form (`AlarmNames.member.1=a`, `Dimensions.member.1.Name=n`) as the
 * structured input the operations take; numbers and booleans as the JSON protocol sends them.
 */
export function fromQuery(form: Record<string, string>): Record<string, unknown> {
  const NUMBERS = new Set(['Period', 'EvaluationPeriods', 'DatapointsToAlarm', 'Threshold', 'MaxRecords']);
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(form)) {
    if (name === 'Action' || name === 'Version') continue;
    const parts = name.split('.').filter((p) => p !== 'member');
    const field = parts.filter((p) => !/^\d+$/.test(p)).at(-1) ?? '';
    const value = NUMBERS.has(field) ? Number(raw) : field === 'ActionsEnabled' ? raw === 'true' : raw;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let node: any = out;
    parts.forEach((part, i) => {
      const key = /^\d+$/.test(part) ? Number(part) - 1 : part;
      if (i === parts.length - 1) node[key] = value;
      else node = node[key] ??= /^\d+$/.test(parts[i + 1]) ? [] : {};
    });
  }
  return out;
}

/** The same alarms for clients of the query protocol (the AWS CLI before CloudWatch moved to JSON). */
export function cloudwatchQuery(emulator: Emulator): ServiceDefinition {
  const json = cloudwatch(emulator);
  return {
    ...json,
    name: 'cloudwatch',
    protocol: 'query',
    targetPrefix: undefined,
    xmlNamespace: 'http://monitoring.amazonaws.com/doc/2010-08-01/',
    operations: Object.fromEntries(
      Object.entries(json.operations).map(([name, operation]) => [
        name,
        (input: Record<string, string>, request: RequestInfo) => operation(fromQuery(input), request)
      ])
    )
  };
}

export function cloudwatch(emulator: Emulator): ServiceDefinition {
  const alarms = () => alarmsOf(emulator);
  const view = ({ history: _history, ...a }: Alarm) => ({
    ...a,
    StateUpdatedTimestamp: new Date(a.StateUpdatedTimestamp),
    AlarmConfigurationUpdatedTimestamp: new Date(a.AlarmConfigurationUpdatedTimestamp)
  });
  const setState = (alarm: Alarm, state: AlarmState, reason: string) => {
    const now = emulator.now();
    alarm.StateReason = reason;
    if (alarm.StateValue === state && alarm.history.length) return;
    alarm.StateValue = state;
    alarm.StateUpdatedTimestamp = now;
    alarm.history.push({ at: now, state });
    if (alarm.history.length > HISTORY) alarm.history.splice(0, alarm.history.length - HISTORY);
  };

  return {
    name: 'cloudwatch',
    signingName: 'monitoring',
    protocol: 'json1.0',
    targetPrefix: 'GraniteServiceVersion20100801',
    operations: {
      PutMetricAlarm: (input) => {
        const name = String(input.AlarmName ?? '');
        if (!name) throw missing('The parameter AlarmName is required.');
        if (name.length > 255) throw invalid('The parameter AlarmName must be 1 to 255 characters long.');
        if (input.EvaluationPeriods === undefined)
          throw missing('The parameter EvaluationPeriods is required.');
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
          !(input.Period >= 10 && (input.Period < 60 || input.Period % 60 === 0))
        )
          throw invalid('The parameter Period must be 10, 20, 30 or a multiple of 60.');
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
          Dimensions: input.Dimensions,
          Period: input.Period,
          EvaluationPeriods: input.EvaluationPeriods,
          DatapointsToAlarm: input.DatapointsToAlarm,
          Threshold: input.Threshold,
          ComparisonOperator: input.ComparisonOperator,
          TreatMissingData: input.TreatMissingData,
          ActionsEnabled: input.ActionsEnabled ?? true,
          StateValue: existing?.StateValue ?? 'INSUFFICIENT_DATA',
          StateReason: existing?.StateReason ?? 'Unchecked: Initial alarm creation',
          StateUpdatedTimestamp: existing?.StateUpdatedTimestamp ?? now,
          AlarmConfigurationUpdatedTimestamp: now,
          history: existing?.history ?? [{ at: now, state: 'INSUFFICIENT_DATA' }]
        };
        alarms()[name] = alarm;
        return {};
      },
      DescribeAlarms: ({ AlarmNames, AlarmNamePrefix, StateValue, MaxRecords, NextToken }) => {
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
          .sort((a, b) => a.AlarmName.localeCompare(b.AlarmName));
        const from = NextToken ? Number(NextToken) : 0;
        if (!Number.isInteger(from) || from < 0) throw invalid('The NextToken is invalid.');
        const max = MaxRecords ?? 50;
        return {
          MetricAlarms: all.slice(from, from + max).map(view),
          CompositeAlarms: [],
          ...(from + max < all.length ? { NextToken: String(from + max) } : {})
        };
      },
      SetAlarmState: ({ AlarmName, StateValue, StateReason }) => {
        const alarm = alarms()[AlarmName];
        if (!alarm) throw new AwsError('ResourceNotFound', `Alarm ${AlarmName} not found`, 404);
        if (!STATES.includes(StateValue))
          throw invalid(`The parameter StateValue must be one of ${STATES.join(', ')}.`);
        if (StateReason === undefined) throw missing('The parameter StateReason is required.');
        setState(alarm, StateValue, StateReason);
        return {};
      },
      DeleteAlarms: ({ AlarmNames }) => {
        for (const name of AlarmNames ?? []) {
          if (!alarms()[name]) throw new AwsError('ResourceNotFound', `Alarm ${name} not found`, 404);
        }
        for (const name of AlarmNames ?? []) delete alarms()[name];
        return {};
      }
    }
  };
}
