/** deploy-canary's summary section "What the canary saw while it baked": metrics a variant, the alarms. */
import { formatDuration } from '../duration.js';
import { markdownTable } from '../report.js';
import type { BakeReport } from './bake.js';
import type { VariantMetrics } from './metrics.js';
import { CANDIDATE_VARIANT, type Plan } from './plan.js';

const time = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function errorRate(m: VariantMetrics): string {
  if (!m.invocations) return '-';
  return `${(((m.errors4xx + m.errors5xx) / m.invocations) * 100).toFixed(2)}%`;
}

export function latencyText(m: VariantMetrics): string {
  if (m.latencyP95Ms === undefined) return 'no data';
  return `${m.latencyP95Ms >= 100 ? Math.round(m.latencyP95Ms) : m.latencyP95Ms.toFixed(1)} ms`;
}

/** What the numbers cover: a blue/green update's old and new fleet share the variant name. */
function covers(plan: Plan, bake: BakeReport): string {
  const names = bake.variants.map((v) => `\`${v}\``).join(', ');
  if (plan.action === 'weights-canary')
    return (
      `Each variant on its own: ${names} (\`${CANDIDATE_VARIANT}\` is the canary), from the update until the canary ` +
      'served; the canary goes on taking its share until promote or rollback.'
    );
  return (
    `Variant ${names} of the endpoint, from the first bake to the end: during a blue/green update the old and ` +
    'the new fleet share the variant name and CloudWatch counts them together (an alarm on the dimension ' +
    '`EndpointConfigName` tells the new fleet apart).'
  );
}

export function bakeSection(plan: Plan, bake: BakeReport | undefined): string {
  if (!bake) return '';
  let md = '\n### What the canary saw while it baked\n\n';
  const metrics = bake.metrics;
  if (metrics) {
    md +=
      `${covers(plan, bake)} ${time(metrics.window.start)} to ${time(metrics.window.end)} ` +
      `(${formatDuration(bake.seconds)}), in periods of ${metrics.periodSeconds} s.\n\n`;
    md += markdownTable(
      ['Variant', 'Invocations', '4XX', '5XX', 'Error rate (4XX+5XX)', 'ModelLatency p95'],
      metrics.variants.map((m) => [
        m.variant,
        m.invocations,
        m.errors4xx,
        m.errors5xx,
        errorRate(m),
        latencyText(m)
      ])
    );
    md +=
      '\nCounts are sums over the window (a series CloudWatch has no datapoint of is 0: it publishes ' +
      'counts only when they are not zero); ModelLatency p95 is the largest p95 of the periods. ' +
      'CloudWatch publishes a minute or so late, so the last minute may be missing.\n';
    const partial = metrics.variants.filter((m) => m.incomplete?.length);
    if (partial.length)
      md += `\n> ⚠️ Incomplete: ${partial.map((m) => `${m.variant} (${m.incomplete!.join(', ')})`).join('; ')}.\n`;
  }
  if (bake.alarms.length) {
    md +=
      '\n' +
      markdownTable(
        ['Alarm', 'State at the end', 'Why (CloudWatch)'],
        bake.alarms.map((a) => [a.name, a.state ?? 'not found', a.reason])
      );
  }
  for (const w of bake.warnings) md += `\n> ⚠️ ${w}\n`;
  return md;
}
