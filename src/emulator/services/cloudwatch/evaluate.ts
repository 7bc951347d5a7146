/**
 * Pure alarm evaluation, CloudWatch's rules (AmazonCloudWatch user guide, "Evaluating an alarm" and
 * "How alarm state is evaluated when data is missing"):
 * - A datapoint is one complete period's statistic (Statistic or ExtendedStatistic); the periods
 *   end at the evaluation moment `at` and are aligned to multiples of the period from the epoch.
 * - CloudWatch looks at an evaluation range longer than EvaluationPeriods (N): here N + 2 periods
 *   (AWS's example: 5 for N = 3).
 * - With at least N real datapoints in the range, the N most recent are evaluated and
 *   TreatMissingData does not matter. With fewer, all real ones count and the rest are filled:
 *   `breaching` / `notBreaching` fill as such; `missing` and `ignore` fill nothing, so the alarm goes
 *   to ALARM when DatapointsToAlarm (M, default N) real ones breach, to OK when a real one does not
 *   breach, and otherwise to INSUFFICIENT_DATA (`missing`) or stays as it is (`ignore`). This
 *   reproduces both tables of the guide.
 * - ALARM when at least M of the evaluated datapoints breach, else OK.
 * - A percentile alarm with EvaluateLowSampleCountPercentile `ignore` keeps its state while the range
 *   has fewer than 10/(1-p) samples (10/p below p50).
 * No clock, no state: `evaluate` answers for one moment from the samples it is given.
 */
import { percentileOf, periods, statistic, type Period, type Sample } from './statistics.js';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** What evaluation reads of an alarm (PutMetricAlarm's fields and the current state). */
export interface AlarmRule {
  Statistic?: string;
  ExtendedStatistic?: string;
  /** Service seconds (for reason data; the evaluation takes the scaled `periodMs`). */
  Period?: number;
  Unit?: string;
  EvaluationPeriods?: number;
  DatapointsToAlarm?: number;
  Threshold?: number;
  ComparisonOperator?: string;
  TreatMissingData?: string;
  EvaluateLowSampleCountPercentile?: string;
  StateValue: AlarmState;
}

export interface Outcome {
  state: AlarmState;
  reason: string;
  /** StateReasonData, as an object (DescribeAlarms sends it as a JSON string). */
  reasonData: Record<string, unknown>;
  /** The state was kept without evaluation (`ignore` without data, or too few samples). */
  retained?: boolean;
}

/** Periods beyond EvaluationPeriods that an evaluation looks back over for real datapoints. */
export const EXTRA_PERIODS = 2;

/** The comparisons a threshold alarm can make, as CloudWatch words them in reasons. */
export const THRESHOLD_COMPARISONS: Record<
  string,
  { words: string; test: (v: number, t: number) => boolean }
> = {
  GreaterThanOrEqualToThreshold: { words: 'greater than or equal to', test: (v, t) => v >= t },
  GreaterThanThreshold: { words: 'greater than', test: (v, t) => v > t },
  LessThanThreshold: { words: 'less than', test: (v, t) => v < t },
  LessThanOrEqualToThreshold: { words: 'less than or equal to', test: (v, t) => v <= t }
};

/** Whether `alarm` can be evaluated from its own metric (not metric math, not anomaly bands). */
export const evaluable = (alarm: AlarmRule): boolean =>
  alarm.ComparisonOperator! in THRESHOLD_COMPARISONS &&
  alarm.Threshold !== undefined &&
  (alarm.Statistic !== undefined || alarm.ExtendedStatistic !== undefined);

export const rangeOf = (alarm: AlarmRule): number => (alarm.EvaluationPeriods ?? 1) + EXTRA_PERIODS;

/** One period of the evaluation range: its start (ms), its statistic (undefined: missing), its samples. */
export interface Datapoint {
  start: number;
  value?: number;
  samples: number;
}

/**
 * The datapoints of the evaluation range before `at`, most recent first, from periods keyed by
 * index (statistics.periods).
 */
export function datapoints(
  alarm: AlarmRule,
  byIndex: Map<number, Period>,
  at: number,
  periodMs: number
): Datapoint[] {
  const stat = alarm.ExtendedStatistic ?? alarm.Statistic ?? 'Average';
  const last = Math.floor(at / periodMs) - 1;
  const out: Datapoint[] = [];
  for (let k = 0; k < rangeOf(alarm); k++) {
    const period = byIndex.get(last - k);
    out.push({
      start: (last - k) * periodMs,
      value: period && statistic(period, stat),
      samples: period?.count ?? 0
    });
  }
  return out;
}

/** CloudWatch's number format in reasons: Java's (3.0, 0.5). */
export const number = (v: number): string => (Number.isInteger(v) ? v.toFixed(1) : String(v));
const two = (n: number) => String(n).padStart(2, '0');
/** dd/MM/yy HH:mm:ss in UTC, as in CloudWatch's reasons. */
export function reasonDate(t: number): string {
  const d = new Date(t);
  return (
    `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCFullYear() % 100)} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`
  );
}
/** 2026-01-12T10:00:00.000+0000, as in CloudWatch's reason data. */
export const reasonDataDate = (t: number): string => new Date(t).toISOString().replace('Z', '+0000');
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const wasWere = (n: number) => (n === 1 ? 'was' : 'were');

/** The outcome at `at` from the datapoints of its evaluation range (most recent first). */
export function decide(alarm: AlarmRule, points: Datapoint[], at: number, periodMs: number): Outcome {
  const n = alarm.EvaluationPeriods ?? 1;
  const m = alarm.DatapointsToAlarm ?? n;
  const threshold = alarm.Threshold ?? 0;
  const comparison = THRESHOLD_COMPARISONS[alarm.ComparisonOperator ?? ''];
  const treat = alarm.TreatMissingData ?? 'missing';
  const real = points.filter((p) => p.value !== undefined);
  const evaluated = real.length >= n ? real.slice(0, n) : real;
  const fill = Math.max(0, n - evaluated.length);
  const breaching = evaluated.filter((p) => comparison.test(p.value!, threshold));
  const fine = evaluated.filter((p) => !comparison.test(p.value!, threshold));

  const reasonData: Record<string, unknown> = {
    version: '1.0',
    queryDate: reasonDataDate(at),
    startDate: reasonDataDate((evaluated.at(-1) ?? points[Math.min(n, points.length) - 1])?.start ?? at),
    ...(alarm.Unit ? { unit: alarm.Unit } : {}),
    statistic: alarm.ExtendedStatistic ?? alarm.Statistic,
    period: alarm.Period ?? periodMs / 1000,
    recentDatapoints: [...evaluated].reverse().map((p) => p.value),
    threshold,
    evaluatedDatapoints: evaluated.map((p) => ({
      timestamp: reasonDataDate(p.start),
      sampleCount: p.samples,
      value: p.value
    }))
  };

  const p = alarm.ExtendedStatistic ? percentileOf(alarm.ExtendedStatistic) : undefined;
  if (p !== undefined && alarm.EvaluateLowSampleCountPercentile === 'ignore') {
    const needed = p >= 50 ? 10 / (1 - p / 100) : 10 / (p / 100);
    const samples = evaluated.reduce((sum, d) => sum + d.samples, 0);
    if (samples < needed) {
      return {
        state: alarm.StateValue,
        reason: `Unchecked: ${plural(samples, 'sample')}, fewer than the ${Math.ceil(needed)} ${alarm.ExtendedStatistic} needs; the state is kept.`,
        reasonData,
        retained: true
      };
    }
  }

  const list = (ps: Datapoint[]) =>
    `[${ps.map((d) => `${number(d.value!)} (${reasonDate(d.start)})`).join(', ')}]`;
  const filledAs = (kind: string) =>
    evaluated.length
      ? ` and ${plural(fill, 'missing datapoint')} ${wasWere(fill)} treated as [${kind}]`
      : undefined;
  const nothing = (kind: string) =>
    `Threshold Crossed: no datapoints were received for ${plural(n, 'period')} and ${plural(n, 'missing datapoint')} ${wasWere(n)} treated as [${kind}].`;
  const alarmed = (count: number, filled?: string): Outcome => ({
    state: 'ALARM',
    reason: `Threshold Crossed: ${count} out of the last ${n} datapoints ${list(breaching)} ${wasWere(count)} ${comparison.words} the threshold (${number(threshold)})${filled ?? ''} (minimum ${plural(m, 'datapoint')} for OK -> ALARM transition).`,
    reasonData
  });
  const ok = (count: number, filled?: string): Outcome => ({
    state: 'OK',
    reason: `Threshold Crossed: ${count} out of the last ${n} datapoints ${list(fine)} ${wasWere(count)} not ${comparison.words} the threshold (${number(threshold)})${filled ?? ''} (minimum ${plural(n - m + 1, 'datapoint')} for ALARM -> OK transition).`,
    reasonData
  });

  if (!fill) return breaching.length >= m ? alarmed(breaching.length) : ok(fine.length);
  switch (treat) {
    case 'breaching':
      if (!evaluated.length) return { state: 'ALARM', reason: nothing('Breaching'), reasonData };
      return breaching.length + fill >= m
        ? alarmed(breaching.length + fill, filledAs('Breaching'))
        : ok(fine.length);
    case 'notBreaching':
      if (!evaluated.length) return { state: 'OK', reason: nothing('NonBreaching'), reasonData };
      return breaching.length >= m
        ? alarmed(breaching.length)
        : ok(fine.length + fill, filledAs('NonBreaching'));
    default:
      // missing and ignore: only real datapoints count.
      if (breaching.length >= m) return alarmed(breaching.length);
      if (fine.length) return ok(fine.length);
      if (treat === 'ignore') {
        return {
          state: alarm.StateValue,
          reason: `Unchecked: ${plural(fill, 'datapoint')} ${wasWere(fill)} missing and missing data is ignored; the state is kept.`,
          reasonData,
          retained: true
        };
      }
      return {
        state: 'INSUFFICIENT_DATA',
        reason: `Insufficient Data: ${plural(fill, 'datapoint')} ${wasWere(fill)} unknown.`,
        reasonData
      };
  }
}

/**
 * The alarm's outcome at `at` (an evaluation moment) from the samples of its series; `periodMs`
 * is the scaled length of its Period in ms of the emulator clock.
 */
export function evaluate(
  alarm: AlarmRule,
  samples: Iterable<readonly Sample[]>,
  at: number,
  periodMs: number
): Outcome {
  const end = Math.floor(at / periodMs) * periodMs;
  const byIndex = periods(samples, end - rangeOf(alarm) * periodMs, end, periodMs);
  return decide(alarm, datapoints(alarm, byIndex, at, periodMs), at, periodMs);
}
