/**
 * CloudWatch metrics: PutMetricData, GetMetricStatistics, GetMetricData, ListMetrics, and
 * `recordMetric`, the way other emulator modules (SageMaker's invocations) publish their metrics.
 * Periods are service seconds: one lasts `emulator.scaled(Period)` ms of the emulator clock, and
 * periods are aligned to multiples of that from the epoch.
 */
import type { Emulator } from '../../server.js';
import { AwsError } from '../../protocol.js';
import { evaluateAlarms } from './alarms.js';
import {
  isStatistic,
  percentileOf,
  periods,
  statistic,
  STATISTICS,
  type Period,
  type Sample
} from './statistics.js';
import {
  metricsOf,
  periodMs,
  RETENTION_SECONDS,
  samplesOf,
  seriesOf,
  sortDimensions,
  store,
  time,
  UNITS,
  type Dimension
} from './store.js';

/**
 * Records one sample of a metric, as AWS services publish theirs (no validation: the caller is the
 * emulator). Cheap: a push onto the series' list.
 */
export function recordMetric(
  emulator: Emulator,
  datum: {
    Namespace: string;
    MetricName: string;
    Dimensions: Array<{ Name: string; Value: string }>;
    Value: number;
    Unit?: string;
    /** ms epoch; default emulator.now(). */
    Timestamp?: number;
  }
): void {
  const now = emulator.now();
  const t = datum.Timestamp ?? now;
  // A sample in the past could belong to an evaluation not yet made: make those first, so the
  // outcome does not depend on when an alarm is next looked at.
  if (t < now) evaluateAlarms(emulator);
  store(emulator, datum, datum.Unit ?? 'None', [t, datum.Value]);
}

const invalid = (message: string) => new AwsError('InvalidParameterValue', message);
const missing = (message: string) => new AwsError('MissingParameter', message);
const combination = (message: string) => new AwsError('InvalidParameterCombination', message);

const HIGH_RESOLUTION_PERIODS = [1, 5, 10, 20, 30];
function checkPeriod(period: unknown, name: string): number {
  if (period === undefined || period === null) throw missing(`The parameter ${name} is required.`);
  const p = Number(period);
  if (!(HIGH_RESOLUTION_PERIODS.includes(p) || (p >= 60 && p % 60 === 0)))
    throw invalid(`The parameter ${name} must be 1, 5, 10, 20, 30 or a multiple of 60.`);
  return p;
}

function checkTimes(start: unknown, end: unknown): [number, number] {
  if (start === undefined) throw missing('The parameter StartTime is required.');
  if (end === undefined) throw missing('The parameter EndTime is required.');
  const from = time(start);
  const to = time(end);
  if (Number.isNaN(from)) throw invalid(`The value ${start} for parameter StartTime is invalid.`);
  if (Number.isNaN(to)) throw invalid(`The value ${end} for parameter EndTime is invalid.`);
  if (from >= to) throw invalid('The parameter StartTime must be less than the parameter EndTime.');
  return [from, to];
}

function checkDimensions(dimensions: unknown, name: string, max: number, needValues = true): Dimension[] {
  if (dimensions === undefined) return [];
  if (!Array.isArray(dimensions)) throw invalid(`The parameter ${name} must be a list.`);
  if (dimensions.length > max)
    throw invalid(`The collection ${name} must not have a size greater than ${max}.`);
  const names = new Set<string>();
  dimensions.forEach((d, i) => {
    const at = `${name}.member.${i + 1}`;
    if (!d?.Name) throw missing(`The parameter ${at}.Name is required.`);
    if (String(d.Name).length > 255)
      throw invalid(`The parameter ${at}.Name must be 1 to 255 characters long.`);
    if (needValues && (d.Value === undefined || d.Value === ''))
      throw missing(`The parameter ${at}.Value is required.`);
    if (d.Value !== undefined && String(d.Value).length > 1024)
      throw invalid(`The parameter ${at}.Value must be 1 to 1024 characters long.`);
    if (names.has(d.Name))
      throw invalid(`The collection ${name} must not contain duplicate names (${d.Name}).`);
    names.add(d.Name);
  });
  return dimensions;
}

/** CloudWatch's range for values: NaN, infinities and numbers beyond 2^360 (or below 2^-260) are refused. */
const storable = (v: unknown): v is number =>
  typeof v === 'number' &&
  Number.isFinite(v) &&
  (v === 0 || (Math.abs(v) < 2 ** 360 && Math.abs(v) > 2 ** -260));

/** The samples of one MetricData member, validated; `at` names it in errors. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function samplesOfDatum(datum: any, at: string, t: number): Sample[] {
  const has = (k: string) => datum[k] !== undefined && datum[k] !== null;
  if (has('Value') && has('StatisticValues'))
    throw combination(
      `The parameters ${at}.Value and ${at}.StatisticValues are mutually exclusive and you have specified both.`
    );
  if (has('Value') && has('Values'))
    throw combination(
      `The parameters ${at}.Value and ${at}.Values are mutually exclusive and you have specified both.`
    );
  if (has('Values') && has('StatisticValues'))
    throw combination(
      `The parameters ${at}.Values and ${at}.StatisticValues are mutually exclusive and you have specified both.`
    );
  if (has('Value')) {
    if (!storable(datum.Value))
      throw invalid(`The value ${datum.Value} for parameter ${at}.Value is invalid.`);
    return [[t, datum.Value]];
  }
  if (has('Values')) {
    const values: unknown[] = datum.Values;
    const counts: unknown[] | undefined = datum.Counts;
    if (!Array.isArray(values)) throw invalid(`The parameter ${at}.Values must be a list.`);
    if (values.length > 150)
      throw invalid(`The collection ${at}.Values must not have a size greater than 150.`);
    if (counts !== undefined && (!Array.isArray(counts) || counts.length !== values.length))
      throw invalid(`The parameters ${at}.Values and ${at}.Counts must be of the same size.`);
    return values.flatMap((v, i): Sample[] => {
      if (!storable(v))
        throw invalid(`The value ${v} for parameter ${at}.Values.member.${i + 1} is invalid.`);
      const c = counts ? counts[i] : 1;
      if (typeof c !== 'number' || !Number.isFinite(c) || c < 0)
        throw invalid(`The value ${c} for parameter ${at}.Counts.member.${i + 1} is invalid.`);
      return c === 0 ? [] : c === 1 ? [[t, v]] : [[t, v, c]];
    });
  }
  if (has('StatisticValues')) {
    const s = datum.StatisticValues;
    for (const k of ['SampleCount', 'Sum', 'Minimum', 'Maximum']) {
      if (s[k] === undefined) throw missing(`The parameter ${at}.StatisticValues.${k} is required.`);
      if (!storable(s[k]))
        throw invalid(`The value ${s[k]} for parameter ${at}.StatisticValues.${k} is invalid.`);
    }
    if (!(s.SampleCount > 0))
      throw invalid(`The parameter ${at}.StatisticValues.SampleCount must be greater than 0.`);
    if (s.Minimum > s.Maximum)
      throw invalid(`The parameter ${at}.StatisticValues.Minimum must not be greater than the Maximum.`);
    // A statistic set of one sample is that sample (then percentiles work, as on AWS).
    if (s.SampleCount === 1 && s.Minimum === s.Maximum && s.Sum === s.Minimum) return [[t, s.Sum]];
    return [[t, s.Sum, s.SampleCount, s.Minimum, s.Maximum]];
  }
  throw combination(
    `At least one of the parameters ${at}.Value, ${at}.Values and ${at}.StatisticValues must be specified.`
  );
}

function checkStat(stat: unknown, name: string): string {
  if (stat === undefined) throw missing(`The parameter ${name} is required.`);
  if (!isStatistic(String(stat))) throw invalid(`The value ${stat} for parameter ${name} is not supported.`);
  return String(stat);
}

/** Datapoints of a query, oldest first: [period start, period]. */
function sortedPeriods(byIndex: Map<number, Period>, p: number): Array<[number, Period]> {
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([i, period]) => [i * p, period]);
}

/** The metric operations, in the JSON protocol's shapes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function metricOperations(emulator: Emulator): Record<string, (input: any) => unknown> {
  return {
    PutMetricData: ({ Namespace, MetricData }) => {
      if (!Namespace) throw missing('The parameter Namespace is required.');
      if (String(Namespace).length > 255)
        throw invalid('The parameter Namespace must be 1 to 255 characters long.');
      if (String(Namespace).startsWith('AWS/'))
        throw invalid(
          `The value ${Namespace} for parameter Namespace is invalid: namespaces starting with AWS/ are reserved for AWS services.`
        );
      if (!Array.isArray(MetricData) || !MetricData.length)
        throw missing('The parameter MetricData is required.');
      if (MetricData.length > 1000)
        throw invalid('The collection MetricData must not have a size greater than 1000.');
      const now = emulator.now();
      const batch = MetricData.map((datum, i) => {
        const at = `MetricData.member.${i + 1}`;
        if (!datum?.MetricName) throw missing(`The parameter ${at}.MetricName is required.`);
        if (String(datum.MetricName).length > 255)
          throw invalid(`The parameter ${at}.MetricName must be 1 to 255 characters long.`);
        const dimensions = checkDimensions(datum.Dimensions, `${at}.Dimensions`, 30);
        if (datum.Unit !== undefined && !UNITS.includes(datum.Unit))
          throw invalid(`The value ${datum.Unit} for parameter ${at}.Unit is invalid.`);
        if (datum.StorageResolution !== undefined && ![1, 60].includes(datum.StorageResolution))
          throw invalid(
            `The value ${datum.StorageResolution} for parameter ${at}.StorageResolution is invalid.`
          );
        const t = datum.Timestamp === undefined ? now : time(datum.Timestamp);
        if (Number.isNaN(t))
          throw invalid(`The value ${datum.Timestamp} for parameter ${at}.Timestamp is invalid.`);
        if (t < now - emulator.scaled(14 * 86400))
          throw invalid(
            `The parameter ${at}.Timestamp must specify a time no more than two weeks in the past.`
          );
        if (t > now + emulator.scaled(2 * 3600))
          throw invalid(
            `The parameter ${at}.Timestamp must specify a time no more than two hours in the future.`
          );
        return {
          metric: {
            Namespace: String(Namespace),
            MetricName: String(datum.MetricName),
            Dimensions: dimensions
          },
          unit: String(datum.Unit ?? 'None'),
          samples: samplesOfDatum(datum, at, t)
        };
      });
      for (const { metric, unit, samples } of batch)
        for (const s of samples) store(emulator, metric, unit, s);
      return {};
    },

    GetMetricStatistics: (input) => {
      const { Namespace, MetricName, Unit } = input;
      if (!Namespace) throw missing('The parameter Namespace is required.');
      if (!MetricName) throw missing('The parameter MetricName is required.');
      const dimensions = checkDimensions(input.Dimensions, 'Dimensions', 30);
      const [from, to] = checkTimes(input.StartTime, input.EndTime);
      const period = checkPeriod(input.Period, 'Period');
      const statistics: string[] = input.Statistics ?? [];
      const extended: string[] = input.ExtendedStatistics ?? [];
      if (!statistics.length && !extended.length)
        throw combination(
          'At least one of the parameters Statistics and ExtendedStatistics must be specified.'
        );
      if (statistics.length > 5)
        throw invalid('The collection Statistics must not have a size greater than 5.');
      if (statistics.length + extended.length > 10)
        throw invalid('Statistics and ExtendedStatistics together must have at most 10 members.');
      statistics.forEach((s, i) => {
        if (!(STATISTICS as readonly string[]).includes(s))
          throw invalid(`The value ${s} for parameter Statistics.member.${i + 1} is invalid.`);
      });
      extended.forEach((s, i) => {
        if (percentileOf(s) === undefined)
          throw invalid(`The value ${s} for parameter ExtendedStatistics.member.${i + 1} is invalid.`);
      });
      if (Unit !== undefined && !UNITS.includes(Unit))
        throw invalid(`The value ${Unit} for parameter Unit is invalid.`);
      const p = periodMs(emulator, period);
      const start = Math.floor(from / p) * p;
      const requested = Math.ceil((to - start) / p);
      if (requested > 1440)
        throw combination(
          `You have requested up to ${requested.toLocaleString('en-US')} datapoints, which exceeds the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`
        );
      const metric = { Namespace, MetricName, Dimensions: dimensions };
      const units = Unit ? [Unit] : Object.keys(seriesOf(emulator, metric)?.units ?? {});
      const datapoints = units.flatMap((unit) =>
        sortedPeriods(periods(samplesOf(emulator, metric, unit), start, to, p), p).map(([at, period]) => {
          const point: Record<string, unknown> = { Timestamp: new Date(at) };
          for (const s of statistics) point[s] = statistic(period, s);
          if (extended.length) {
            point.ExtendedStatistics = Object.fromEntries(
              extended.flatMap((s) => {
                const v = statistic(period, s);
                return v === undefined ? [] : [[s, v]];
              })
            );
          }
          point.Unit = unit;
          return point;
        })
      );
      return { Label: MetricName, Datapoints: datapoints };
    },

    GetMetricData: (input) => {
      const queries = input.MetricDataQueries;
      if (!Array.isArray(queries) || !queries.length)
        throw missing('The parameter MetricDataQueries is required.');
      if (queries.length > 500)
        throw invalid('The collection MetricDataQueries must not have a size greater than 500.');
      const [from, to] = checkTimes(input.StartTime, input.EndTime);
      const scanBy = input.ScanBy ?? 'TimestampDescending';
      if (!['TimestampDescending', 'TimestampAscending'].includes(scanBy))
        throw invalid('The parameter ScanBy must be TimestampDescending or TimestampAscending.');
      const ids = new Set<string>();
      const checked = queries.map((q, i) => {
        const at = `MetricDataQueries.member.${i + 1}`;
        if (!q?.Id) throw missing(`The parameter ${at}.Id is required.`);
        if (!/^[a-z][a-zA-Z0-9_]*$/.test(q.Id))
          throw invalid(
            `The value ${q.Id} for parameter ${at}.Id is invalid: it must start with a lowercase letter and hold only letters, digits and underscores.`
          );
        if (ids.has(q.Id)) throw invalid(`The Id ${q.Id} is used by more than one query.`);
        ids.add(q.Id);
        if ((q.MetricStat === undefined) === (q.Expression === undefined))
          throw combination(
            `Exactly one of the parameters ${at}.MetricStat and ${at}.Expression must be specified.`
          );
        if (q.Expression !== undefined)
          throw invalid(
            `${at}.Expression: the emulator does not evaluate metric math; query metrics with MetricStat.`
          );
        const stat = q.MetricStat;
        if (!stat.Metric?.Namespace)
          throw missing(`The parameter ${at}.MetricStat.Metric.Namespace is required.`);
        if (!stat.Metric?.MetricName)
          throw missing(`The parameter ${at}.MetricStat.Metric.MetricName is required.`);
        checkDimensions(stat.Metric.Dimensions, `${at}.MetricStat.Metric.Dimensions`, 30);
        const period = checkPeriod(stat.Period, `${at}.MetricStat.Period`);
        checkStat(stat.Stat, `${at}.MetricStat.Stat`);
        if (stat.Unit !== undefined && !UNITS.includes(stat.Unit))
          throw invalid(`The value ${stat.Unit} for parameter ${at}.MetricStat.Unit is invalid.`);
        return { query: q, period };
      });
      const results = checked
        .filter(({ query }) => query.ReturnData !== false)
        .map(({ query, period }) => {
          const { Metric, Stat, Unit } = query.MetricStat;
          const p = periodMs(emulator, period);
          const start = Math.floor(from / p) * p;
          const points = sortedPeriods(periods(samplesOf(emulator, Metric, Unit), start, to, p), p)
            .map(([at, period]): [number, number | undefined] => [at, statistic(period, Stat)])
            .filter((x): x is [number, number] => x[1] !== undefined);
          if (scanBy === 'TimestampDescending') points.reverse();
          return {
            Id: query.Id,
            Label: query.Label ?? Metric.MetricName,
            Timestamps: points.map(([at]) => new Date(at)),
            Values: points.map(([, v]) => v),
            StatusCode: 'Complete'
          };
        });
      return { MetricDataResults: results, Messages: [] };
    },

    ListMetrics: ({ Namespace, MetricName, Dimensions, NextToken, RecentlyActive }) => {
      const filters = checkDimensions(Dimensions, 'Dimensions', 10, false);
      if (RecentlyActive !== undefined && RecentlyActive !== 'PT3H')
        throw invalid('The parameter RecentlyActive must be PT3H.');
      const since = emulator.now() - emulator.scaled(Math.min(3 * 3600, RETENTION_SECONDS));
      const all = Object.entries(metricsOf(emulator))
        .filter(([, s]) => !Namespace || s.Namespace === Namespace)
        .filter(([, s]) => !MetricName || s.MetricName === MetricName)
        .filter(([, s]) =>
          filters.every((f) =>
            s.Dimensions.some((d) => d.Name === f.Name && (f.Value === undefined || d.Value === f.Value))
          )
        )
        .filter(
          ([, s]) => !RecentlyActive || Object.values(s.units).some((l) => l.some((x) => x[0] >= since))
        )
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const from = NextToken ? Number(NextToken) : 0;
      if (!Number.isInteger(from) || from < 0)
        throw new AwsError('InvalidNextToken', 'The NextToken is invalid.');
      const page = 500;
      return {
        Metrics: all.slice(from, from + page).map(([, s]) => ({
          Namespace: s.Namespace,
          MetricName: s.MetricName,
          Dimensions: sortDimensions(s.Dimensions)
        })),
        ...(from + page < all.length ? { NextToken: String(from + page) } : {})
      };
    }
  };
}
