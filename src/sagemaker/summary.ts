/** Job summaries of deploy-canary, promote and rollback: what changed, how traffic moved, the outcome. */
import { formatDuration } from '../duration.js';
import { keyValueTable, markdownTable, mermaid } from '../report.js';
import { md } from '../gate/report.js';
import { bakeSection } from './bake-summary.js';
import type { DeployResult } from './deploy.js';
import { redacted, type Plan } from './plan.js';
import type { PackageSource } from './package.js';
import type { PromoteResult } from './steps.js';
import type { Change } from './watch.js';

export function consoleUrl(region: string, endpoint: string): string {
  return `https://${region}.console.aws.amazon.com/sagemaker/home?region=${region}#/endpoints/${endpoint}`;
}

const OUTCOME: Record<string, string> = {
  deployed: '✅ deployed',
  canary: '🐤 canary running, awaiting promote or rollback',
  unchanged: '➖ unchanged',
  planned: '📝 planned (dry run, nothing changed)',
  'rolled-back': '↩️ rolled back',
  superseded: '⏭️ superseded by another deployment',
  failed: '❌ failed',
  'in-progress': '⏳ still in progress at SageMaker',
  promoted: '✅ promoted'
};

export function outcomeText(status: string): string {
  return OUTCOME[status] ?? status;
}

/** Mermaid labels: no quotes or brackets that would end a node. */
const label = (text: string) => text.replace(/["[\]{}()<>]/g, ' ');

/** A flowchart of the traffic steps: new fleet, each shift with its bake, the old fleet retired. */
export function trafficChart(plan: Plan): string {
  if (plan.action === 'unchanged' || !plan.steps.length) return '';
  if (plan.action === 'weights-canary') {
    const weight = plan.steps[0].percent;
    return mermaid(
      `pie showData title Traffic split on ${label(plan.endpointName)}\n` +
        `  "live ${label(plan.previousConfig ?? '')}" : ${100 - weight}\n` +
        `  "candidate ${label(plan.newConfig ?? '')}" : ${weight}`
    );
  }
  const nodes = [`S0["new fleet<br/>${label(plan.newConfig ?? '')}"]`];
  plan.steps.forEach((step, i) => {
    const bake = step.bakeSeconds ? `<br/>bake ${formatDuration(step.bakeSeconds)}` : '';
    nodes.push(`S${i + 1}["${step.percent}% of traffic${bake}"]`);
  });
  if (plan.action !== 'create') {
    const wait = plan.terminationWaitSeconds ? ` after ${formatDuration(plan.terminationWaitSeconds)}` : '';
    nodes.push(
      `S${plan.steps.length + 1}["old fleet ${label(plan.previousConfig ?? '')}<br/>retired${wait}"]`
    );
  }
  const links = nodes.map((n, i) => (i === 0 ? `  ${n}` : `  --> ${n}`)).join('\n');
  const bakes = plan.steps.map((s, i) => (s.bakeSeconds ? i + 1 : 0)).filter(Boolean);
  const alarms =
    plan.alarms.length && bakes.length
      ? `\n  R["alarm in ALARM while baking:<br/>all traffic back to ${label(plan.previousConfig ?? '')}"]\n` +
        bakes.map((i) => `  S${i} -.-> R`).join('\n')
      : '';
  return mermaid(`flowchart LR\n${links}${alarms}`);
}

export function strategyText(plan: Plan): string {
  if (plan.action === 'create') return 'first deployment (all at once)';
  if (plan.action === 'weights-canary')
    return `weights: ${plan.steps[0].percent}% to the candidate until promote`;
  const steps = plan.steps.map((s) => `${s.percent}%`).join(' → ');
  const bake = plan.steps[0]?.bakeSeconds ? `, bake ${formatDuration(plan.steps[0].bakeSeconds)}` : '';
  const alarms = plan.alarms.length ? `, auto-rollback on ${plan.alarms.join(', ')}` : ', no alarms';
  return `${plan.strategy}: ${steps}${bake}${alarms}`;
}

/** The states the endpoint went through, with the time each was first seen. */
export function changesTable(changes: Change[]): string {
  if (changes.length < 2) return '';
  return (
    '\n<details><summary>What the endpoint went through</summary>\n\n' +
    markdownTable(
      ['After', 'State'],
      changes.map((c) => [formatDuration(c.seconds), c.state])
    ) +
    '\n</details>\n'
  );
}

export function deploySummary(
  result: DeployResult,
  image: string,
  modelData: string | undefined,
  region: string,
  seconds: number
): string {
  const { plan } = result;
  const source = plan.modelPackage ?? { image, modelData };
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
    ...packageRows(plan.modelPackage),
    ['Image', `\`${source.image}\``],
    ['Model data', source.modelData ? `\`${source.modelData}\`` : undefined],
    ['Duration', formatDuration(seconds)],
    ['Outcome', outcomeText(result.status)],
    ['Why', result.reason],
    ['DescribeEndpoint calls', result.polls || undefined],
    ['Cleaned up', result.deleted.length ? result.deleted.join(', ') : undefined]
  ]);
  md += '\n' + trafficChart(plan);
  md += changesTable(result.changes);
  md += bakeSection(plan, result.bake);
  if (plan.notes.length) md += '\n' + plan.notes.map((n) => `> ${n}`).join('\n>\n') + '\n';
  if (result.status === 'planned') {
    const shown = redacted(plan);
    const requests = {
      CreateModel: shown.createModel,
      CreateEndpointConfig: plan.createConfig,
      ...(plan.action === 'create'
        ? { CreateEndpoint: { EndpointName: plan.endpointName, EndpointConfigName: plan.newConfig } }
        : {}),
      ...(plan.action === 'update' || plan.action === 'weights-canary'
        ? {
            UpdateEndpoint: {
              EndpointName: plan.endpointName,
              EndpointConfigName: plan.newConfig,
              DeploymentConfig: plan.deploymentConfig
            }
          }
        : {})
    };
    md +=
      '\n<details><summary>The requests a real run would send</summary>\n\n```json\n' +
      JSON.stringify(requests, null, 2) +
      '\n```\n\n</details>\n';
  }
  return md;
}

/** The package a deployment is made from: its ARN, version, approval status and metrics' location. */
export function packageRows(pkg: PackageSource | undefined): Array<[string, unknown]> {
  if (!pkg) return [];
  return [
    ['Model package', `\`${pkg.arn}\` (${pkg.group}, version ${pkg.version})`],
    ['Approval status', `${pkg.status === 'Approved' ? '✅' : '⛔'} ${pkg.status}`],
    [
      'Package metrics',
      pkg.metrics.length ? pkg.metrics.map((m) => `${m.kind}: \`${m.uri}\``).join('<br/>') : 'none recorded'
    ]
  ];
}

/** rollback to-approved: the package the version returned to was made from. */
export function approvedRows(pkg: PromoteResult['modelPackage']): Array<[string, unknown]> {
  if (!pkg) return [];
  return [
    ['Model package', `\`${pkg.arn}\` (version ${pkg.version})`],
    ['Approval status', `✅ ${pkg.status} (checked now)`]
  ];
}

/** promote's and rollback's summary: the table, a chart of the move, the steps taken. */
export function promoteSummary(
  action: 'promote' | 'rollback',
  endpoint: string,
  region: string,
  result: PromoteResult,
  seconds: number,
  extra: Array<[string, unknown]> = []
): string {
  let md =
    `## ${action}: ${endpoint}: ${outcomeText(result.status)}\n\n` +
    keyValueTable([
      ['Endpoint', `[${endpoint}](${consoleUrl(region, endpoint)})`],
      ['Config now', result.endpointConfig],
      ['Rolled back from', result.rolledBackFrom],
      ...extra,
      ['Duration', formatDuration(seconds)],
      ['Outcome', result.message]
    ]);
  if (result.steps.length) {
    const nodes = result.steps.map((s, i) => `  P${i}["${label(s)}"]`);
    md +=
      '\n' +
      mermaid(
        `flowchart TD\n${nodes.join('\n')}\n${result.steps
          .slice(1)
          .map((_, i) => `  P${i} --> P${i + 1}`)
          .join('\n')}`
      );
  }
  md += changesTable(result.changes);
  return md;
}

/** The metrics recorded on the new model (deploy-canary's `metrics`), for metrics-gate's endpoint: baseline. */
export function metricsSection(values: Map<string, number>, plan: Plan, dryRun: boolean): string {
  const where = plan.createModel
    ? `${dryRun ? 'To be recorded (dry run)' : 'Recorded'} on the model ${plan.modelName} (tag mlops-actions:metrics), for metrics-gate's baseline endpoint:${plan.endpointName}:`
    : `Not recorded: no new model was created (${plan.action}); the live model keeps the metrics it was deployed with.`;
  const rows = [...values].map(([name, value]) => `| ${md(name)} | ${value} |`);
  const table = rows.length
    ? ['| Metric | Value |', '| --- | ---: |', ...rows].join('\n') + '\n'
    : 'No numbers in the metrics given.\n';
  return `\n#### Metrics\n\n${where}\n\n${table}`;
}
