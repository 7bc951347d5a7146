/**
 * Pure statistics over raw metric samples: periods (buckets aligned to multiples of the period from
 * the epoch) and CloudWatch's statistics of each (Sum, Average, Minimum, Maximum, SampleCount, pNN).
 * No clock, no state: the same input gives the same answer, so the alarm evaluation and the metric
 * queries agree by construction.
 */

/**
 * One sample as stored (JSON-friendly tuples, cheap to append and to save):
 * `[t, value]` one value; `[t, value, count]` a value seen `count` times (PutMetricData's
 * Values/Counts); `[t, sum, count, min, max]` a statistic set (StatisticValues). `t` is ms epoch of
 * the emulator's clock.
 */
export type Sample = [number, number] | [number, number, number] | [number, number, number, number, number];

export const STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;
export type Statistic = (typeof STATISTICS)[number];

/** `p95`, `p99.9`, `p100`: the percentile as a number (95), or undefined when `stat` is not one. */
export function percentileOf(stat: string): number | undefined {
  const m = /^p(\d{1,2}(?:\.\d{1,10})?|100(?:\.0{1,10})?)$/.exec(stat);
  return m ? Number(m[1]) : undefined;
}

export const isStatistic = (stat: string): boolean =>
  (STATISTICS as readonly string[]).includes(stat) || percentileOf(stat) !== undefined;

/** What one period holds. `values` (value, weight) only while every sample was a raw value. */
export interface Period {
  count: number;
  sum: number;
  min: number;
  max: number;
  /** Raw values with their weights, for percentiles; undefined once a statistic set came in. */
  values?: Array<[number, number]>;
}

export function emptyPeriod(): Period {
  return { count: 0, sum: 0, min: Infinity, max: -Infinity, values: [] };
}

export function add(period: Period, sample: Sample): void {
  if (sample.length === 5) {
    const [, sum, count, min, max] = sample;
    period.count += count;
    period.sum += sum;
    period.min = Math.min(period.min, min);
    period.max = Math.max(period.max, max);
    // CloudWatch has no percentiles of statistic sets (unless they are single values, stored as such).
    period.values = undefined;
    return;
  }
  const value = sample[1];
  const count = sample.length === 3 ? sample[2] : 1;
  period.count += count;
  period.sum += value * count;
  period.min = Math.min(period.min, value);
  period.max = Math.max(period.max, value);
  period.values?.push([value, count]);
}

/** Nearest-rank percentile `p` (0-100) of weighted values; undefined without values. */
export function percentile(values: Array<[number, number]>, p: number): number | undefined {
  if (!values.length) return undefined;
  const sorted = [...values].sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((n, [, w]) => n + w, 0);
  // The epsilon keeps 95% of 20 at rank 19 whatever the rounding of p / 100.
  const rank = Math.max(1, Math.ceil((p / 100) * total - 1e-9));
  let seen = 0;
  for (const [value, weight] of sorted) {
    seen += weight;
    if (seen >= rank) return value;
  }
  return sorted[sorted.length - 1][0];
}

/** The statistic `stat` of a period; undefined when it has no data (or no percentile). */
export function statistic(period: Period, stat: string): number | undefined {
  if (!period.count) return undefined;
  switch (stat) {
    case 'SampleCount':
      return period.count;
    case 'Sum':
      return period.sum;
    case 'Average':
      return period.sum / period.count;
    case 'Minimum':
      return period.min;
    case 'Maximum':
      return period.max;
  }
  const p = percentileOf(stat);
  return p === undefined || !period.values ? undefined : percentile(period.values, p);
}

/** The start (ms) of the period of length `periodMs` that holds `t`, aligned from the epoch. */
export const periodStart = (t: number, periodMs: number): number => Math.floor(t / periodMs) * periodMs;

/**
 * The periods of `samples` (any number of lists) whose time is in [from, to), keyed by their index
 * (`floor(t / periodMs)`: the period starts at index * periodMs). Integer keys, so no rounding of a
 * fractional scaled period can split one period in two.
 */
export function periods(
  samples: Iterable<readonly Sample[]>,
  from: number,
  to: number,
  periodMs: number
): Map<number, Period> {
  const out = new Map<number, Period>();
  for (const list of samples) {
    for (const sample of list) {
      const t = sample[0];
      if (t < from || t >= to) continue;
      const index = Math.floor(t / periodMs);
      let period = out.get(index);
      if (!period) out.set(index, (period = emptyPeriod()));
      add(period, sample);
    }
  }
  return out;
}
