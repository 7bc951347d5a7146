/**
 * The metric store: raw samples per series (namespace, metric name, sorted dimensions), one list
 * per unit, in the emulator's JSON state. Appending is a push; the lists are trimmed in batches (at
 * most MAX_SAMPLES recent samples per list, none older than RETENTION_SECONDS of service time), so
 * SageMaker can record every invocation without slowing down.
 */
import type { Emulator } from '../../server.js';
import type { Sample } from './statistics.js';

export type Dimension = { Name: string; Value: string };

/** Samples kept per series and unit. */
export const MAX_SAMPLES = 20_000;
/** Samples older than this (service seconds) are dropped. */
export const RETENTION_SECONDS = 3 * 3600;

export interface Series {
  Namespace: string;
  MetricName: string;
  /** Sorted by name. */
  Dimensions: Dimension[];
  /** Samples by unit (`None` when none was given), in the order they came. */
  units: Record<string, Sample[]>;
}

export interface CloudWatchState {
  alarms: Record<string, import('./alarms.js').Alarm>;
  metrics?: Record<string, Series>;
}

export function cloudwatchState(emulator: Emulator): CloudWatchState {
  return emulator.stateOf<CloudWatchState>('cloudwatch', () => ({ alarms: {}, metrics: {} }));
}

export function metricsOf(emulator: Emulator): Record<string, Series> {
  return (cloudwatchState(emulator).metrics ??= {});
}

export const sortDimensions = (dimensions: readonly Dimension[] = []): Dimension[] =>
  [...dimensions].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));

/** The key of a series: namespace, name and dimensions, order of dimensions aside. */
export function seriesKey(namespace: string, name: string, dimensions: readonly Dimension[] = []): string {
  let key = `${namespace}\u0000${name}`;
  for (const d of sortDimensions(dimensions)) key += `\u0000${d.Name}=${d.Value}`;
  return key;
}

type MetricId = { Namespace?: string; MetricName?: string; Dimensions?: readonly Dimension[] };

export const seriesOf = (emulator: Emulator, metric: MetricId): Series | undefined =>
  metricsOf(emulator)[seriesKey(metric.Namespace ?? '', metric.MetricName ?? '', metric.Dimensions)];

/** The sample lists of one series: of one unit, or of all of them without a unit. */
export function samplesOf(emulator: Emulator, metric: MetricId, unit?: string): Sample[][] {
  const series = seriesOf(emulator, metric);
  if (!series) return [];
  if (unit) return series.units[unit] ? [series.units[unit]] : [];
  return Object.values(series.units);
}

/** Stores a sample; validation is the caller's (PutMetricData validates, emulator modules are trusted). */
export function store(
  emulator: Emulator,
  metric: { Namespace: string; MetricName: string; Dimensions?: readonly Dimension[] },
  unit: string,
  sample: Sample
): void {
  const metrics = metricsOf(emulator);
  const key = seriesKey(metric.Namespace, metric.MetricName, metric.Dimensions);
  const series = (metrics[key] ??= {
    Namespace: metric.Namespace,
    MetricName: metric.MetricName,
    Dimensions: sortDimensions(metric.Dimensions).map(({ Name, Value }) => ({ Name, Value })),
    units: {}
  });
  const list = (series.units[unit] ??= []);
  list.push(sample);
  const retention = emulator.scaled(RETENTION_SECONDS);
  const now = emulator.now();
  // Trim in batches: over the cap by a tenth, or the oldest older than the retention and a tenth.
  if (list.length > MAX_SAMPLES * 1.1 || list[0][0] < now - retention * 1.1) {
    const cutoff = now - retention;
    const kept = list.filter((s) => s[0] >= cutoff);
    series.units[unit] = kept.length > MAX_SAMPLES ? kept.slice(kept.length - MAX_SAMPLES) : kept;
  }
}

/** The ms of the emulator clock a period of `seconds` service seconds lasts (to the microsecond). */
export const periodMs = (emulator: Emulator, seconds: number): number =>
  Math.round(emulator.scaled(seconds) * 1000) / 1000;

/** Timestamps as the protocols send them: epoch seconds (JSON) or ISO 8601 (query); ms, NaN if bad. */
export function time(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value * 1000;
  if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  return typeof value === 'string' ? Date.parse(value) : NaN;
}

export const UNITS = [
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None'
];
