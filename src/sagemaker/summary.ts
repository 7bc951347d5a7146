/** Job summaries of deploy-canary, promote and rollback: what changed, how traffic moved, the outcome. */
import { formatDuration } from '../duration.js';
import { keyValueTable, mermaid } from '../report.js';
import type { DeployResult } from './deploy.js';
import type { Plan } from './plan.js';

export function consoleUrl(region: string, endpoint: string): string {
  return `https://${region}.console.aws.amazon.com/sagemaker/home?region=${region}#/endpoints/${endpoint}`;
}

const OUTCOME: Record<string, string> = {
  deployed: '✅ deployed',
  canary: '🐤 canary running, awaiting promote or rollback',
  unchanged: '➖ unchanged (already live)',
  planned: '📝 planned (dry run, nothing changed)',
  'rolled-back': '↩️ rolled back',
  failed: '❌ failed',
  'in-progress': '⏳ in progress (not waited for)',
  promoted: '✅ promoted'
};

export function outcomeText(status: string): string {
  return OUTCOME[status] ?? status;
}

/** A flowchart of the traffic steps: new fleet, each shift with its bake, the old fleet retired. */
export function trafficChart(plan: Plan): string {
  if (plan.action === 'unchanged' || !plan.steps.length) return '';
  if (plan.action === 'weights-canary') {
    const weight = plan.steps[0].percent;
    return mermaid(
      `pie showData title Traffic split on ${plan.endpointName}\n  "live (${plan.previousConfig})" : ${100 - weight}\n  "candidate (${plan.newConfig})" : ${weight}`
    );
  }
  const nodes = [`S0["new fleet<br/>${plan.newConfig}"]`];
  plan.steps.forEach((step, i) => {
    const bake = step.bakeSeconds ? `<br/>bake ${formatDuration(step.bakeSeconds)}` : '';
    nodes.push(`S${i + 1}["${step.percent}% of traffic${bake}"]`);
  });
  if (plan.action !== 'create') {
    nodes.push(
      `S${plan.steps.length + 1}["old fleet retired${plan.terminationWaitSeconds ? ` after ${formatDuration(plan.terminationWaitSeconds)}` : ''}"]`
    );
  }
  const links = nodes.map((n, i) => (i === 0 ? `  ${n}` : `  --> ${n}`)).join('\n');
  const alarms = plan.alarms.length
    ? `\n  R["alarm in ALARM while baking:<br/>roll back to ${plan.previousConfig}"]\n${plan.steps.map((_, i) => `  S${i + 1} -.-> R`).join('\n')}`
    : '';
  return mermaid(`flowchart LR\n${links}${alarms}`);
}

export function strategyText(plan: Plan): string {
  if (plan.action === 'create') return 'first deployment (all at once)';
  const steps = plan.steps.map((s) => `${s.percent}%`).join(' → ');
  const bake = plan.steps[0]?.bakeSeconds ? `, bake ${formatDuration(plan.steps[0].bakeSeconds)}` : '';
  return `${plan.strategy}: ${steps}${bake}${plan.alarms.length ? `, auto-rollback on ${plan.alarms.join(', ')}` : ''}`;
}

export function deploySummary(
  result: DeployResult,
  image: string,
  modelData: string | undefined,
  region: string,
  seconds: number
): string {
  const { plan } = result;
  let md = `## deploy-canary: ${plan.endpointName}: ${outcomeText(result.status)}\n\n`;
  md += keyValueTable([
    ['Endpoint', `[${plan.endpointName}](${consoleUrl(region, plan.endpointName)})`],
    ['Strategy', strategyText(plan)],
    [
      'Config',
      plan.previousConfig && plan.previousConfig !== plan.newConfig
        ? `${plan.previousConfig} → ${plan.newConfig}`
        : plan.newConfig
    ],
    ['Image', `\`${image}\``],
    ['Model data', modelData],
    ['Duration', formatDuration(seconds)],
    ['Outcome', outcomeText(result.status)],
    ['Why', result.reason],
    ['Cleaned up', result.deleted.length ? result.deleted.join(', ') : undefined]
  ]);
  md += '\n' + trafficChart(plan);
  if (plan.notes.length) md += '\n' + plan.notes.map((n) => `> ${n}`).join('\n>\n') + '\n';
  return md;
}

export function promoteSummary(
  action: string,
  endpoint: string,
  region: string,
  result: {
    status: string;
    endpointConfig?: string;
    rolledBackFrom?: string;
    message: string;
    reason?: string;
  },
  seconds: number,
  extra: Array<[string, unknown]> = []
): string {
  return (
    `## ${action}: ${endpoint}: ${outcomeText(result.status)}\n\n` +
    keyValueTable([
      ['Endpoint', `[${endpoint}](${consoleUrl(region, endpoint)})`],
      ['Config now', result.endpointConfig],
      ['Rolled back from', result.rolledBackFrom],
      ...extra,
      ['Duration', formatDuration(seconds)],
      ['Outcome', result.message]
    ])
  );
}
