/**
 * The `AWS/Lambda` metrics of an invocation, on the emulator's clock, in the dimension sets Lambda
 * publishes: {FunctionName}; {FunctionName, Resource=`<fn>:<qualifier>`} for a qualified call; and for
 * an alias, {FunctionName, Resource, ExecutedVersion} as well, which is how a canary version's own
 * errors are told apart from the stable one's. Invocations, Errors (function errors), Duration (ms),
 * ConcurrentExecutions (also account-wide, no dimension), Throttles, and
 * ProvisionedConcurrencyInvocations / ProvisionedConcurrencyUtilization when a provisioned
 * environment served. Error and throttle counts are published only when non-zero.
 */
import type { Emulator } from '../../server.js';
import { recordMetric } from '../cloudwatch/index.js';

export interface InvocationTarget {
  fn: string;
  /** As the caller gave it (undefined: unqualified). */
  qualifier?: string;
  /** The version that ran (set for alias calls, where it adds the ExecutedVersion dimension). */
  executedVersion?: string;
  isAlias: boolean;
}

type Dimensions = Array<{ Name: string; Value: string }>;

function dimensionSets(t: InvocationTarget): Dimensions[] {
  const sets: Dimensions[] = [[{ Name: 'FunctionName', Value: t.fn }]];
  if (t.qualifier) {
    const resource = [
      { Name: 'FunctionName', Value: t.fn },
      { Name: 'Resource', Value: `${t.fn}:${t.qualifier}` }
    ];
    sets.push(resource);
    if (t.isAlias && t.executedVersion)
      sets.push([...resource, { Name: 'ExecutedVersion', Value: t.executedVersion }]);
  }
  return sets;
}

function put(emulator: Emulator, sets: Dimensions[], MetricName: string, Value: number, Unit: string): void {
  for (const Dimensions of sets)
    recordMetric(emulator, { Namespace: 'AWS/Lambda', MetricName, Dimensions, Value, Unit });
}

export interface InvocationMetrics {
  durationMs: number;
  error: boolean;
  /** Busy environments of the function while this one ran (itself included). */
  concurrent: number;
  /** Set when a provisioned environment served: busy provisioned over allocated. */
  provisionedUtilization?: number;
}

export function recordInvocation(emulator: Emulator, t: InvocationTarget, m: InvocationMetrics): void {
  const sets = dimensionSets(t);
  put(emulator, sets, 'Invocations', 1, 'Count');
  if (m.error) put(emulator, sets, 'Errors', 1, 'Count');
  put(emulator, sets, 'Duration', m.durationMs, 'Milliseconds');
  put(emulator, [[], ...sets], 'ConcurrentExecutions', m.concurrent, 'Count');
  if (m.provisionedUtilization !== undefined) {
    put(emulator, sets, 'ProvisionedConcurrencyInvocations', 1, 'Count');
    put(emulator, sets.slice(1), 'ProvisionedConcurrencyUtilization', m.provisionedUtilization, 'None');
  }
}

export function recordThrottle(emulator: Emulator, t: InvocationTarget): void {
  put(emulator, dimensionSets(t), 'Throttles', 1, 'Count');
}
