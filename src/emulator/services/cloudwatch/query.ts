/**
 * The query protocol's glue (the AWS CLI's CloudWatch, before CloudWatch moved to JSON): the flat
 * form as the structured input the operations take, and their answers as its XML wants them.
 */
import type { RequestInfo, ServiceDefinition } from '../../server.js';
import { XmlMap } from '../../protocol.js';

/** Fields (paths without `member` and indices) that are numbers, and booleans, in the query form. */
const NUMBERS = new Set([
  'Period',
  'EvaluationPeriods',
  'DatapointsToAlarm',
  'Threshold',
  'MaxRecords',
  'MaxDatapoints',
  'MetricData.Value',
  'MetricData.Values',
  'MetricData.Counts',
  'MetricData.StorageResolution',
  'MetricData.StatisticValues.SampleCount',
  'MetricData.StatisticValues.Sum',
  'MetricData.StatisticValues.Minimum',
  'MetricData.StatisticValues.Maximum',
  'MetricDataQueries.Period',
  'MetricDataQueries.MetricStat.Period',
  'Metrics.Period',
  'Metrics.MetricStat.Period'
]);
const BOOLEANS = new Set(['ActionsEnabled', 'MetricDataQueries.ReturnData', 'Metrics.ReturnData']);

/**
 * The query protocol's flat form (`AlarmNames.member.1=a`, `Dimensions.member.1.Name=n`) as the
 * structured input the operations take; numbers and booleans as the JSON protocol sends them.
 */
export function fromQuery(form: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(form)) {
    if (name === 'Action' || name === 'Version') continue;
    const parts = name.split('.').filter((p) => p !== 'member');
    const field = parts.filter((p) => !/^\d+$/.test(p)).join('.');
    const value = NUMBERS.has(field) ? Number(raw) : BOOLEANS.has(field) ? raw === 'true' : raw;
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

/** An answer as the query protocol's XML has it: maps (ExtendedStatistics) as entry lists. */
export function forXml(value: unknown, key?: string): unknown {
  if (Array.isArray(value)) return value.map((v) => forXml(v));
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  const object = value as Record<string, unknown>;
  if (key === 'ExtendedStatistics') return new XmlMap(object);
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, forXml(v, k)]));
}

/** The same service for clients of the query protocol. */
export function queryService(json: ServiceDefinition): ServiceDefinition {
  return {
    ...json,
    protocol: 'query',
    targetPrefix: undefined,
    xmlNamespace: 'http://monitoring.amazonaws.com/doc/2010-08-01/',
    operations: Object.fromEntries(
      Object.entries(json.operations).map(([name, operation]) => [
        name,
        async (input: Record<string, string>, request: RequestInfo) =>
          forXml(await operation(fromQuery(input), request))
      ])
    )
  };
}
