/**
 * CloudWatch alarms over the JSON 1.0 protocol the current SDK speaks (GraniteServiceVersion20100801):
 * PutMetricAlarm, DescribeAlarms, SetAlarmState, DeleteAlarms. SageMaker's deployment guardrails in
 * the emulator read these alarms while baking.
 */
import type { Emulator, ServiceDefinition } from '../server.js';
import { AwsError } from '../protocol.js';
import { ACCOUNT_ID } from './sts.js';

export interface Alarm {
  AlarmName: string;
  AlarmArn: string;
  AlarmDescription?: string;
  MetricName?: string;
  Namespace?: string;
  Statistic?: string;
  Dimensions?: Array<{ Name: string; Value: string }>;
  Period?: number;
  EvaluationPeriods?: number;
  Threshold?: number;
  ComparisonOperator?: string;
  StateValue: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  StateReason: string;
  StateUpdatedTimestamp: number;
  AlarmConfigurationUpdatedTimestamp: number;
  ActionsEnabled: boolean;
}

export function alarmsOf(emulator: Emulator): Record<string, Alarm> {
  return emulator.stateOf<{ alarms: Record<string, Alarm> }>('cloudwatch', () => ({ alarms: {} })).alarms;
}

export function cloudwatch(emulator: Emulator): ServiceDefinition {
  const alarms = () => alarmsOf(emulator);
  const view = (a: Alarm) => ({
    ...a,
    StateUpdatedTimestamp: new Date(a.StateUpdatedTimestamp),
    AlarmConfigurationUpdatedTimestamp: new Date(a.AlarmConfigurationUpdatedTimestamp)
  });
  return {
    name: 'cloudwatch',
    signingName: 'monitoring',
    protocol: 'json1.0',
    targetPrefix: 'GraniteServiceVersion20100801',
    operations: {
      PutMetricAlarm: (input) => {
        const name = String(input.AlarmName ?? '');
        if (!name || name.length > 255)
          throw new AwsError('ValidationError', 'AlarmName must be 1 to 255 characters.');
        const now = emulator.now();
        const existing = alarms()[name];
        alarms()[name] = {
          AlarmName: name,
          AlarmArn: `arn:aws:cloudwatch:us-east-1:${ACCOUNT_ID}:alarm:${name}`,
          AlarmDescription: input.AlarmDescription,
          MetricName: input.MetricName,
          Namespace: input.Namespace,
          Statistic: input.Statistic,
          Dimensions: input.Dimensions,
          Period: input.Period,
          EvaluationPeriods: input.EvaluationPeriods,
          Threshold: input.Threshold,
          ComparisonOperator: input.ComparisonOperator,
          ActionsEnabled: input.ActionsEnabled ?? true,
          StateValue: existing?.StateValue ?? 'INSUFFICIENT_DATA',
          StateReason: existing?.StateReason ?? 'Unchecked: Initial alarm creation',
          StateUpdatedTimestamp: existing?.StateUpdatedTimestamp ?? now,
          AlarmConfigurationUpdatedTimestamp: now
        };
        return {};
      },
      DescribeAlarms: ({ AlarmNames, AlarmNamePrefix, StateValue, MaxRecords, NextToken }) => {
        const all = Object.values(alarms())
          .filter((a) => !AlarmNames?.length || AlarmNames.includes(a.AlarmName))
          .filter((a) => !AlarmNamePrefix || a.AlarmName.startsWith(AlarmNamePrefix))
          .filter((a) => !StateValue || a.StateValue === StateValue)
          .sort((a, b) => a.AlarmName.localeCompare(b.AlarmName));
        const from = NextToken ? Number(NextToken) : 0;
        const max = Math.min(MaxRecords ?? 50, 100);
        return {
          MetricAlarms: all.slice(from, from + max).map(view),
          CompositeAlarms: [],
          ...(from + max < all.length ? { NextToken: String(from + max) } : {})
        };
      },
      SetAlarmState: ({ AlarmName, StateValue, StateReason }) => {
        const alarm = alarms()[AlarmName];
        if (!alarm) throw new AwsError('ResourceNotFound', `Alarm ${AlarmName} not found`, 404);
        if (!['OK', 'ALARM', 'INSUFFICIENT_DATA'].includes(StateValue))
          throw new AwsError('InvalidFormat', `Invalid state value ${StateValue}`);
        alarm.StateValue = StateValue;
        alarm.StateReason = StateReason ?? '';
        alarm.StateUpdatedTimestamp = emulator.now();
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
