/**
 * The state of CloudWatch alarms over time: each alarm's history, and its lazy evaluation from the
 * metric store at every evaluation moment since it was last evaluated (see alarms.ts for the rules),
 * so that `firstAlarm` can tell SageMaker's guardrails exactly when an alarm was in ALARM.
 */
import type { Emulator } from '../../server.js';
import { datapoints, decide, evaluable, rangeOf, type AlarmRule, type AlarmState } from './evaluate.js';
import { periods } from './statistics.js';
import { cloudwatchState, periodMs, samplesOf, type Dimension } from './store.js';
/** How many history items an alarm keeps (state changes and configuration updates). */
export const HISTORY = 1000;

export interface HistoryItem {
  at: number;
  /** The alarm's state from `at` on. */
  state: AlarmState;
  /** Absent in state files of older emulators: a state update (or the creation, when first). */
  type?: 'StateUpdate' | 'ConfigurationUpdate';
  summary?: string;
  /** HistoryData, a JSON document. */
  data?: string;
}

export interface Alarm extends AlarmRule {
  AlarmName: string;
  AlarmArn: string;
  AlarmDescription?: string;
  MetricName?: string;
  Namespace?: string;
  Dimensions?: Dimension[];
  Metrics?: unknown[];
  ThresholdMetricId?: string;
  AlarmActions?: string[];
  OKActions?: string[];
  InsufficientDataActions?: string[];
  StateReason: string;
  StateReasonData?: string;
  StateUpdatedTimestamp: number;
  StateTransitionedTimestamp?: number;
  AlarmConfigurationUpdatedTimestamp: number;
  ActionsEnabled: boolean;
  /** Every state the alarm entered, oldest first, with the time (ms). */
  history: HistoryItem[];
  /** The emulator time up to which the alarm has been evaluated. */
  evaluatedAt?: number;
}

export function alarmsOf(emulator: Emulator): Record<string, Alarm> {
  return cloudwatchState(emulator).alarms;
}

export function push(alarm: Alarm, item: HistoryItem): void {
  alarm.history.push(item);
  if (alarm.history.length > HISTORY) alarm.history.splice(0, alarm.history.length - HISTORY);
}

/** Moves `alarm` to `state` at `at`: a StateUpdate in its history when the state changes. */
export function transition(
  alarm: Alarm,
  state: AlarmState,
  reason: string,
  at: number,
  reasonData?: Record<string, unknown>
): void {
  const oldState = {
    stateValue: alarm.StateValue,
    stateReason: alarm.StateReason,
    ...(alarm.StateReasonData ? { stateReasonData: JSON.parse(alarm.StateReasonData) } : {})
  };
  alarm.StateReason = reason;
  alarm.StateReasonData = reasonData ? JSON.stringify(reasonData) : undefined;
  alarm.StateUpdatedTimestamp = at;
  if (alarm.StateValue === state && alarm.history.length) return;
  alarm.StateValue = state;
  alarm.StateTransitionedTimestamp = at;
  push(alarm, {
    at,
    state,
    type: 'StateUpdate',
    summary: `Alarm updated from ${oldState.stateValue} to ${state}`,
    data: JSON.stringify({
      version: '1.0',
      oldState,
      newState: {
        stateValue: state,
        stateReason: reason,
        ...(reasonData ? { stateReasonData: reasonData } : {})
      }
    })
  });
}

/** The first index in the sorted `list` that is >= `value` (list.length when none). */
function lowerBound(list: number[], value: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Evaluates one alarm at each of its evaluation moments in (evaluatedAt, now]. */
function evaluateAlarm(emulator: Emulator, alarm: Alarm, now: number): void {
  const from = alarm.evaluatedAt ?? alarm.AlarmConfigurationUpdatedTimestamp;
  alarm.evaluatedAt = Math.max(from, now);
  if (!alarm.MetricName || alarm.Metrics || !alarm.Period || !evaluable(alarm)) return;
  const p = periodMs(emulator, alarm.Period);
  if (!(p > 0)) return;
  let index = Math.floor(from / p) + 1;
  const last = Math.floor(now / p);
  if (index > last) return;
  const range = rangeOf(alarm);
  const byIndex = periods(samplesOf(emulator, alarm, alarm.Unit), (index - range) * p, last * p, p);
  const filled = [...byIndex.keys()].sort((a, b) => a - b);
  while (index <= last) {
    const at = index * p;
    const outcome = decide(alarm, datapoints(alarm, byIndex, at, p), at, p);
    if (!outcome.retained && outcome.state !== alarm.StateValue) {
      transition(alarm, outcome.state, outcome.reason, at, outcome.reasonData);
    }
    // The range of the boundary `index` covers periods index - range .. index - 1. When it is empty,
    // every boundary up to the next period with data gives this same outcome: skip them.
    const next = filled[lowerBound(filled, index - range)];
    if (next === undefined) break;
    index = next >= index ? next + 1 : index + 1;
  }
}

/** Brings every metric alarm's state up to the emulator's now (see the module comment). */
export function evaluateAlarms(emulator: Emulator): void {
  const now = emulator.now();
  for (const alarm of Object.values(alarmsOf(emulator))) evaluateAlarm(emulator, alarm, now);
}

/**
 * The first moment in [from, to) at which one of `names` was in ALARM, and which; undefined when none
 * was. An alarm that does not exist never fires (SageMaker ignores it). Evaluates the alarms first.
 */
export function firstAlarm(
  emulator: Emulator,
  names: string[],
  from: number,
  to: number
): { name: string; at: number } | undefined {
  evaluateAlarms(emulator);
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
