/**
 * What each version served through the alias, from CloudWatch's `AWS/Lambda` metrics with the
 * dimensions FunctionName, Resource (`<function>:<alias>`) and ExecutedVersion: Invocations and
 * Errors (Sum) and Duration (p95), one GetMetricData call for the versions asked. The new version's
 * error rate during a bake is judged from the same numbers.
 */
import {
  GetMetricDataCommand,
  type CloudWatchClient,
  type MetricDataQuery,
  type MetricDataResult
} from '@aws-sdk/client-cloudwatch';
import { metricPeriod, queryWindow, type Window } from '../cloudwatch/window.js';

export interface VersionMetrics {
  version: string;
  invocations: number;
  errors: number;
  /** The largest p95 of Duration over the periods, in ms; undefined with no data. */
  durationP95Ms?: number;
}

const SERIES = [
  { key: 'inv', metric: 'Invocations', stat: 'Sum' },
  { key: 'err', metric: 'Errors', stat: 'Sum' },
  { key: 'dur', metric: 'Duration', stat: 'p95' }
] as const;

/** The base name of a function given as a name or an ARN (the metrics' FunctionName dimension). */
export function baseName(functionName: string): string {
  return functionName.split(':function:').pop()!.split(':')[0];
}

export function lambdaMetricQueries(
  functionName: string,
  alias: string,
  versions: string[],
  periodSeconds: number
): MetricDataQuery[] {
  const name = baseName(functionName);
  return versions.flatMap((version, i) =>
    SERIES.map((s) => ({
      Id: `${s.key}_${i}`,
      Label: `${version} ${s.metric} ${s.stat}`,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/Lambda',
          MetricName: s.metric,
          Dimensions: [
            { Name: 'FunctionName', Value: name },
            { Name: 'Resource', Value: `${name}:${alias}` },
            { Name: 'ExecutedVersion', Value: version }
          ]
        },
        Period: periodSeconds,
        Stat: s.stat
      },
      ReturnData: true
    }))
  );
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

export function versionMetrics(versions: string[], results: MetricDataResult[]): VersionMetrics[] {
  const byId = new Map(results.map((r) => [r.Id, r]));
  const values = (key: string, i: number) => (byId.get(`${key}_${i}`)?.Values ?? []).filter(Number.isFinite);
  return versions.map((version, i) => {
    const duration = values('dur', i);
    return {
      version,
      invocations: sum(values('inv', i)),
      errors: sum(values('err', i)),
      durationP95Ms: duration.length ? Math.max(...duration) : undefined
    };
  });
}

/** Reads the versions' metrics over `window` (one GetMetricData call). Throws what CloudWatch throws. */
export async function readVersionMetrics(
  cloudwatch: CloudWatchClient,
  functionName: string,
  alias: string,
  versions: string[],
  window: Window,
  scale = 1
): Promise<{ window: Window; periodSeconds: number; versions: VersionMetrics[] }> {
  const asked = queryWindow(window, scale);
  const periodSeconds = metricPeriod(asked, scale);
  const answer = await cloudwatch.send(
    new GetMetricDataCommand({
      MetricDataQueries: lambdaMetricQueries(functionName, alias, versions, periodSeconds),
      StartTime: asked.start,
      EndTime: asked.end,
      ScanBy: 'TimestampAscending'
    })
  );
  return { window: asked, periodSeconds, versions: versionMetrics(versions, answer.MetricDataResults ?? []) };
}

/**
 * The judgment of the new version's own error rate: above `limit` (0-1) is a rollback, said in one
 * sentence; no invocations yet is no judgment.
 */
export function errorRateVerdict(m: VersionMetrics, limit: number | undefined): string | undefined {
  if (limit === undefined || !m.invocations) return undefined;
  const rate = m.errors / m.invocations;
  if (rate <= limit) return undefined;
  return `the error rate of version ${m.version} was ${rateText(rate)} (${m.errors} errors in ${m.invocations} invocations), above max-error-rate ${rateText(limit)}`;
}

export const rateText = (rate: number) => `${Math.round(rate * 10000) / 100}%`;
