/**
 * Job summaries of register-model and approve-model: the package (ARN, version, a console link), what
 * it serves (image, model data), its metrics, its approval status and who decided it, and why.
 */
import type { DescribeModelPackageCommandOutput } from '@aws-sdk/client-sagemaker';
import { md } from '../gate/report.js';
import { keyValueTable, markdownTable } from '../report.js';
import { metricsFromTags } from '../sagemaker/metric-tags.js';
import type { ApproveResult } from './approve.js';
import type { RegisterResult } from './register.js';
import { META } from './requests.js';

const STATUS: Record<string, string> = {
  PendingManualApproval: '⏳ PendingManualApproval',
  Approved: '✅ Approved',
  Rejected: '⛔ Rejected'
};

export function statusText(status: string): string {
  return STATUS[status] ?? status;
}

/** The group's page in the SageMaker console (the Model Registry lists its versions there). */
export function groupConsoleUrl(region: string, group: string): string {
  return `https://${region}.console.aws.amazon.com/sagemaker/home?region=${region}#/model-registry/${encodeURIComponent(group)}`;
}

/** Outside text for a table cell: Markdown made inert, its pipes left for the table's own escaping. */
const esc = (text: string) => md(text).replace(/\\\|/g, '|');
const code = (text: string | undefined) => (text ? `\`${text.replace(/`/g, "'")}\`` : undefined);
const link = (text: string, url: string | undefined) =>
  url && /^https:\/\/\S+$/.test(url) ? `[${esc(text)}](${url})` : esc(text);

/** The commit, linked beside the run it was built by (`.../actions/runs/N` -> `.../commit/SHA`). */
function commitLink(sha: string, runUrl: string | undefined): string {
  const repo = runUrl && /^(https:\/\/\S+?)\/actions\/runs\/\d+/.exec(runUrl);
  return repo && /^[a-f0-9]{7,40}$/.test(sha)
    ? `[\`${sha.slice(0, 12)}\`](${repo[1]}/commit/${sha})`
    : code(sha)!;
}

function metricsTable(values: Map<string, number> | undefined): string {
  if (!values?.size) return '';
  return (
    '\n### Metrics\n\n' +
    markdownTable(
      ['Metric', 'Value'],
      [...values].map(([name, value]) => [esc(name), value])
    )
  );
}

/** The package's own rows: what it serves and where it came from. */
function packageRows(pkg: DescribeModelPackageCommandOutput, region: string): Array<[string, unknown]> {
  const container = pkg.InferenceSpecification?.Containers?.[0];
  const meta = pkg.CustomerMetadataProperties ?? {};
  const spec = pkg.InferenceSpecification;
  const runUrl = pkg.MetadataProperties?.GeneratedBy ?? meta[META.runUrl];
  const sha = pkg.MetadataProperties?.CommitId ?? meta[META.gitSha];
  return [
    [
      'Package',
      `${code(pkg.ModelPackageArn)} ([console](${groupConsoleUrl(region, pkg.ModelPackageGroupName ?? '')}))`
    ],
    ['Group', esc(pkg.ModelPackageGroupName ?? '')],
    ['Version', pkg.ModelPackageVersion],
    ['Image', code(container?.Image)],
    ['Model data', code(container?.ModelDataUrl)],
    [
      'Environment',
      container?.Environment && Object.keys(container.Environment).length
        ? Object.keys(container.Environment).map(md).join(', ')
        : undefined
    ],
    ['Content types', spec?.SupportedContentTypes?.map(md).join(', ')],
    ['Instance types', spec?.SupportedRealtimeInferenceInstanceTypes?.join(', ')],
    ['Metrics document', code(pkg.ModelMetrics?.ModelQuality?.Statistics?.S3Uri)],
    ['Commit', sha ? commitLink(sha, runUrl) : undefined],
    ['Registered by run', runUrl ? link(runUrl, runUrl) : undefined]
  ];
}

export function registerSummary(result: RegisterResult, region: string): string {
  const headline = result.created
    ? `🆕 registered version ${result.version}`
    : `♻️ version ${result.version} has these contents already (no new version)`;
  let text = `## register-model: ${esc(result.group)}: ${headline}\n\n`;
  text += keyValueTable([
    ...packageRows(result.package, region).slice(0, 3),
    ['Approval status', statusText(result.status)],
    ['Group created', result.groupCreated ? 'yes, by this run' : undefined],
    ...packageRows(result.package, region).slice(3)
  ]);
  text += metricsTable(metricsFromTags(result.package.CustomerMetadataProperties ?? {}));
  if (result.status === 'PendingManualApproval')
    text += `\n> Next: approve it with approve-model (\`model-package: ${result.arn}\`, \`decision: Approved\`) before deploy-canary takes it.\n`;
  return text;
}

export function approveSummary(result: ApproveResult, region: string): string {
  const headline = result.changed
    ? `${statusText(result.status)} (was ${result.previousStatus})`
    : `${statusText(result.status)} already, nothing changed`;
  let text = `## approve-model: ${esc(result.group)} version ${result.version}: ${headline}\n\n`;
  text += keyValueTable([
    ...packageRows(result.package, region).slice(0, 3),
    [
      'Approval status',
      result.changed ? `${result.previousStatus} → ${statusText(result.status)}` : statusText(result.status)
    ],
    ['Who and why', result.approvalDescription ? esc(result.approvalDescription) : undefined],
    ...packageRows(result.package, region).slice(3)
  ]);
  text += metricsTable(metricsFromTags(result.package.CustomerMetadataProperties ?? {}));
  return text;
}
