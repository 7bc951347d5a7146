/** Job summaries of deploy-lambda, and of promote and rollback on a Lambda alias. */
import { formatDuration } from '../duration.js';
import { keyValueTable, markdownTable, mermaid } from '../report.js';
import { outcomeText as sharedOutcome } from '../sagemaker/summary.js';
import type { BakeOutcome } from './bake.js';
import { coldStartText, type ColdStarts } from './coldstart.js';
import type { LambdaDeployResult } from './deploy.js';
import { rateText, type VersionMetrics } from './metrics.js';
import { pct, redactedPlan, stepsText, type LambdaPlan } from './plan.js';
import type { AliasMoveResult } from './promote.js';

export function lambdaConsoleUrl(region: string, functionName: string, alias: string): string {
  const name = functionName.split(':function:').pop()!;
  return `https://${region}.console.aws.amazon.com/lambda/home?region=${region}#/functions/${name}/aliases/${alias}`;
}

export function lambdaStrategyText(plan: LambdaPlan): string {
  if (plan.action === 'create' || !plan.aliasExists) return 'first deployment (the alias on the new version)';
  if (plan.action === 'unchanged') return 'unchanged';
  const guards = [
    plan.alarms.length ? `alarms ${plan.alarms.join(', ')}` : '',
    plan.maxErrorRate !== undefined ? `error rate at most ${rateText(plan.maxErrorRate)}` : ''
  ].filter(Boolean);
  return `${plan.strategy}: ${stepsText(plan.steps, formatDuration)}${guards.length ? `, rollback on ${guards.join(' or ')}` : ', no alarms'}`;
}

/** The new version's weight over the alias's moves, as a Mermaid xychart (a rollback ends at 0). */
export function trafficChart(result: LambdaDeployResult): string {
  const weights = result.shifts.length
    ? result.shifts
    : result.status === 'planned'
      ? result.plan.steps.map((s) => s.weight)
      : [];
  if (!weights.length) return '';
  const points = [0, ...weights].map((w) => Math.round(w * 100));
  const labels = points.map((_, i) => (i === 0 ? '"before"' : `"step ${i}"`));
  const title = result.status === 'planned' ? 'planned traffic' : 'traffic';
  return mermaid(
    `xychart-beta\n  title "Version ${result.version ?? 'new'}: share of ${result.plan.alias} ${title} (%)"\n` +
      `  x-axis [${labels.join(', ')}]\n  y-axis "% of traffic" 0 --> 100\n  line [${points.join(', ')}]`
  );
}

/** The outcome in words; Lambda's own for a run that stopped waiting. */
export function outcomeText(status: string): string {
  return status === 'in-progress'
    ? '⏳ stopped waiting (wait-timeout): the alias stays where it is'
    : sharedOutcome(status);
}

const ms = (v: number | undefined) =>
  v === undefined ? 'no data' : `${v >= 100 ? Math.round(v) : v.toFixed(1)} ms`;
const rate = (m: VersionMetrics) => (m.invocations ? rateText(m.errors / m.invocations) : '-');

/**
 * What users met on the new version: with provisioned concurrency, the calls it served warm and any
 * that spilled over to on-demand environments (cold: their init is the cost without it).
 */
export function coldStartLine(c: ColdStarts, provisioned: number): string {
  if (!provisioned)
    return `Cold starts of version ${c.version} (no provisioned concurrency): ${coldStartText(c)}.`;
  const warm = `${c.reports - c.inits.length} of ${c.reports} invocations ran on environments already initialised (${provisioned} provisioned)`;
  return c.inits.length
    ? `Cold starts of version ${c.version}: ${warm}; without provisioned concurrency (calls beyond it, on new environments): ${coldStartText(c)}.`
    : `Cold starts of version ${c.version}: none: ${warm}.`;
}

export function bakesSection(bakes: BakeOutcome[]): string {
  if (!bakes.length) return '';
  let md = '\n### What each bake saw\n';
  bakes.forEach((b, i) => {
    md += `\n**Bake ${i + 1}** at ${pct(b.weight)}, ${formatDuration((b.end.valueOf() - b.start.valueOf()) / 1000)} of real time${b.failure ? `: ${b.failure}` : b.timedOut ? ': stopped (wait-timeout)' : ': passed'}.\n\n`;
    if (b.versions)
      md += markdownTable(
        ['Version', 'Invocations', 'Errors', 'Error rate', 'Duration p95'],
        b.versions.map((m) => [m.version, m.invocations, m.errors, rate(m), ms(m.durationP95Ms)])
      );
    if (b.coldStarts) md += `\n${coldStartLine(b.coldStarts, b.provisioned)}\n`;
    for (const w of b.warnings) md += `\n> ⚠️ ${w}\n`;
  });
  return md;
}

export function lambdaDeploySummary(
  result: LambdaDeployResult,
  image: string,
  region: string,
  seconds: number
): string {
  const { plan } = result;
  let md = `## deploy-lambda: ${plan.functionName}:${plan.alias}: ${outcomeText(result.status)}\n\n`;
  md += keyValueTable([
    ['Function', `[${plan.functionName}](${lambdaConsoleUrl(region, plan.functionName, plan.alias)})`],
    ['Alias', plan.alias],
    ['Old version', result.previousVersion ?? 'none (first deployment)'],
    ['New version', result.version],
    ['Image', `\`${image}\``],
    ['Strategy', lambdaStrategyText(plan)],
    [
      'Provisioned concurrency',
      result.provisionedReadySeconds === undefined
        ? plan.provisionedConcurrency || 'none'
        : `${plan.provisionedConcurrency}, READY ${formatDuration(result.provisionedReadySeconds)} after it was requested, before any traffic moved (the inits users did not meet)`
    ],
    ['Duration', formatDuration(seconds)],
    ['Outcome', outcomeText(result.status)],
    ['Why', result.reason],
    ['Deleted versions', result.deleted.length ? result.deleted.join(', ') : undefined]
  ]);
  md += '\n' + trafficChart(result);
  md += bakesSection(result.bakes);
  if (plan.notes.length) md += '\n' + plan.notes.map((n) => `> ${n}`).join('\n>\n') + '\n';
  if (result.status === 'planned')
    md +=
      '\n<details><summary>The plan as data</summary>\n\n```json\n' +
      JSON.stringify(redactedPlan(plan), null, 2) +
      '\n```\n\n</details>\n';
  return md;
}

export function aliasMoveSummary(
  action: 'promote' | 'rollback',
  target: { functionName: string; alias: string },
  region: string,
  result: AliasMoveResult,
  seconds: number
): string {
  let md =
    `## ${action}: ${target.functionName}:${target.alias}: ${outcomeText(result.status)}\n\n` +
    keyValueTable([
      [
        'Function',
        `[${target.functionName}](${lambdaConsoleUrl(region, target.functionName, target.alias)})`
      ],
      ['Alias', target.alias],
      ['Version now', result.version],
      ['Before', result.from],
      ['Duration', formatDuration(seconds)],
      ['Outcome', result.message]
    ]);
  if (result.steps.length)
    md +=
      '\n' +
      markdownTable(
        ['Step', 'Alias'],
        result.steps.map((s, i) => [i + 1, s])
      );
  return md;
}
