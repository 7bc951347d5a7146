/**
 * What the endpoint's variants served while a deployment baked, from CloudWatch's `AWS/SageMaker`
 * metrics: one GetMetricData call with four queries a variant (Invocations, Invocation4XXErrors and
 * Invocation5XXErrors as Sum, ModelLatency as p95), a period as long as the window.
 */
import {
  GetMetricDataCommand,
  type CloudWatchClient,
  type MetricDataQuery,
  type MetricDataResult
} from '@aws-sdk/client-cloudwatch';
import { metricPeriod, queryWindow, type Window } from '../cloudwatch/window.js';

export { metricPeriod, queryWindow, type Window };

export interface VariantMetrics {
  variant: string;
  invocations: number;
  errors4xx: number;
  errors5xx: number;
  /** The largest p95 of ModelLatency over the periods returned, in ms; undefined with no data. */
  latencyP95Ms?: number;
  /** CloudWatch said a series is incomplete (PartialData) or could not be read for it. */
  incomplete?: string[];
}

export interface BakeMetrics {
  /** What was asked: the window (start rounded down to a minute) and the period in service seconds. */
  window: Window;
  periodSeconds: number;
  variants: VariantMetrics[];
}

const SERIES = [
  { key: 'invocations', metric: 'Invocations', stat: 'Sum' },
  { key: 'errors4xx', metric: 'Invocation4XXErrors', stat: 'Sum' },
  { key: 'errors5xx', metric: 'Invocation5XXErrors', stat: 'Sum' },
  { key: 'latency', metric: 'ModelLatency', stat: 'p95' }
] as const;

/** Query ids: a lowercase letter first, then letters, digits and `_`. */
const queryId = (key: string, i: number) => `${key}_${i}`;

export function metricQueries(
  endpoint: string,
  variants: string[],
  periodSeconds: number
): MetricDataQuery[] {
  return variants.flatMap((variant, i) =>
    SERIES.map((s) => ({
      Id: queryId(s.key, i),
      Label: `${variant} ${s.metric} ${s.stat}`,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/SageMaker',
          MetricName: s.metric,
          Dimensions: [
            { Name: 'EndpointName', Value: endpoint },
            { Name: 'VariantName', Value: variant }
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

/**
 * The answers, a variant at a time. Counts are published only when non-zero, so a series with no
 * datapoints is 0; ModelLatency (microseconds) becomes ms, the largest of the per-period p95s.
 */
export function variantMetrics(variants: string[], results: MetricDataResult[]): VariantMetrics[] {
  const byId = new Map(results.map((r) => [r.Id, r]));
  return variants.map((variant, i) => {
    const incomplete: string[] = [];
    const values = (key: string, metric: string) => {
      const r = byId.get(queryId(key, i));
      if (r?.StatusCode && r.StatusCode !== 'Complete') incomplete.push(`${metric} ${r.StatusCode}`);
      return (r?.Values ?? []).filter((v) => Number.isFinite(v));
    };
    const latency = values('latency', 'ModelLatency');
    const m: VariantMetrics = {
      variant,
      invocations: sum(values('invocations', 'Invocations')),
      errors4xx: sum(values('errors4xx', 'Invocation4XXErrors')),
      errors5xx: sum(values('errors5xx', 'Invocation5XXErrors')),
      latencyP95Ms: latency.length ? Math.max(...latency) / 1000 : undefined
    };
    return incomplete.length ? { ...m, incomplete } : m;
  });
}

/** Reads the metrics of `variants` of `endpoint` over `window`: one GetMetricData call. Throws what CloudWatch throws. */
export async function readBakeMetrics(
  cloudwatch: CloudWatchClient,
  endpoint: string,
  variants: string[],
  window: Window,
  scale = 1
): Promise<BakeMetrics> {
  const asked = queryWindow(window, scale);
  const periodSeconds = metricPeriod(asked, scale);
  const answer = await cloudwatch.send(
    new GetMetricDataCommand({
      MetricDataQueries: metricQueries(endpoint, variants, periodSeconds),
      StartTime: asked.start,
      EndTime: asked.end,
      ScanBy: 'TimestampAscending'
    })
  );
  return { window: asked, periodSeconds, variants: variantMetrics(variants, answer.MetricDataResults ?? []) };
}
