/**
 * CloudWatch: metrics and the alarms evaluated from them, over the JSON 1.0 protocol the current SDK
 * speaks (GraniteServiceVersion20100801) and the query protocol of the AWS CLI.
 *
 * - store.ts: raw samples per series in the emulator's JSON state, bounded; `recordMetric` (in
 *   metrics.ts) is how emulator modules (SageMaker invocations) publish.
 * - statistics.ts, evaluate.ts: pure periods, statistics and alarm evaluation (CloudWatch's rules for
 *   M of N and missing data; see evaluate.ts).
 * - metrics.ts: PutMetricData, GetMetricStatistics, GetMetricData, ListMetrics.
 * - alarms.ts: PutMetricAlarm, DescribeAlarms, DescribeAlarmsForMetric, SetAlarmState, DeleteAlarms,
 *   DescribeAlarmHistory; lazy evaluation (`evaluateAlarms`) and `firstAlarm` for SageMaker's
 *   deployment guardrails.
 * - query.ts: the query protocol's form and XML.
 *
 * Time scale: every Period (GetMetricStatistics, GetMetricData, alarms) is in service seconds. A
 * period lasts `emulator.scaled(Period)` ms of the emulator clock (`emulator.now()`): at time scale
 * 0.01 a 60 s period is 600 ms. Periods are aligned to multiples of that from the epoch, and alarms
 * are evaluated at those boundaries. Timestamps are the emulator clock's, unscaled.
 *
 * Not emulated: metric math (`Expression` in GetMetricData is refused; alarms with `Metrics` are kept
 * but never evaluated), anomaly detection, composite alarms, alarm actions (they are stored and
 * described, never run), the history of deleted alarms.
 */
import type { Emulator, ServiceDefinition } from '../../server.js';
import { alarmOperations, evaluateAlarms } from './alarms.js';
import { metricOperations } from './metrics.js';
import { queryService } from './query.js';

export { alarmsOf, evaluateAlarms, firstAlarm, type Alarm, type AlarmState } from './alarms.js';
export { recordMetric } from './metrics.js';
export { fromQuery } from './query.js';
export { evaluate } from './evaluate.js';

export function cloudwatch(emulator: Emulator): ServiceDefinition {
  return {
    name: 'cloudwatch',
    signingName: 'monitoring',
    protocol: 'json1.0',
    targetPrefix: 'GraniteServiceVersion20100801',
    advance: () => evaluateAlarms(emulator),
    operations: { ...alarmOperations(emulator), ...metricOperations(emulator) }
  };
}

/** The same service for clients of the query protocol (the AWS CLI before CloudWatch moved to JSON). */
export function cloudwatchQuery(emulator: Emulator): ServiceDefinition {
  return queryService(cloudwatch(emulator));
}
