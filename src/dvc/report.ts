/** What a pull or push did, per output and in total, and its job summary. */
import { formatDuration } from '../duration.js';
import { formatBytes, keyValueTable, markdownTable, mermaid } from '../report.js';
import type { CommitReport } from './commit.js';

export interface OutputReport {
  path: string;
  source: string;
  kind: 'file' | 'folder';
  remote: string;
  /** pull: workspace files written or already up to date; push: files the output holds. */
  files: number;
  /** Objects downloaded (pull) or uploaded (push). */
  transferred: number;
  /** Objects already there: in the cache (pull) or on the remote (push). */
  skipped: number;
  bytes: number;
  seconds: number;
  /** Workspace paths whose data could not be found. */
  missing: string[];
  /** One sentence per failure. */
  failed: string[];
}

export interface TransferReport {
  command: 'pull' | 'push';
  engine: 'native' | 'dvc';
  outputs: OutputReport[];
  files: number;
  transferred: number;
  skipped: number;
  bytes: number;
  /** Objects missing (pull: on the remote; push: in the cache and the workspace). */
  missing: number;
  seconds: number;
  warnings: string[];
  /** When set, the run failed: one sentence naming what is missing or broken. */
  failure?: string;
  /** engine dvc: the tail of dvc's output. */
  dvcOutput?: string;
  /** push with commit: what was recorded before the push. */
  committed?: CommitReport;
  /** Workspace files read and hashed, and those trusted from the state in .dvc/tmp (not read). */
  hashed?: number;
  trusted?: number;
  /** pull: how checkout placed files when links were configured or made ("cache.type ...: 3 hardlink"). */
  links?: string;
}

/** Measures the span an output was being worked on, across interleaved transfers. */
export class Span {
  private start?: number;
  private end?: number;
  mark(now: number): void {
    this.start ??= now;
    this.end = now;
  }
  get seconds(): number {
    return this.start === undefined ? 0 : (this.end! - this.start) / 1000;
  }
}

function rate(bytes: number, seconds: number): string {
  return bytes && seconds > 0 ? `${formatBytes(bytes / seconds)}/s` : '-';
}

function status(o: OutputReport): string {
  if (o.failed.length) return `failed (${o.failed.length})`;
  if (o.missing.length) return `${o.missing.length} missing`;
  return 'ok';
}

/** The job summary: totals, a table per output, a chart of bytes per output, what is missing. */
export function summaryMarkdown(report: TransferReport): string {
  const pull = report.command === 'pull';
  const verb = pull ? 'Downloaded' : 'Uploaded';
  const parts = [`## DVC ${report.command}${report.failure ? ' (failed)' : ''}\n`];
  if (report.committed) parts.push(committedMarkdown(report.committed));
  if (report.engine === 'dvc') {
    parts.push(
      keyValueTable([
        ['Engine', 'dvc (delegated to the dvc command)'],
        ['Time', formatDuration(report.seconds)]
      ])
    );
    if (report.dvcOutput) parts.push('\n```text\n' + report.dvcOutput.trim() + '\n```\n');
    return parts.join('\n');
  }
  parts.push(
    keyValueTable([
      ['Engine', 'native'],
      ['Outputs', report.outputs.length],
      [pull ? 'Workspace files written or up to date' : 'Files', report.files],
      [`${verb} objects`, report.transferred],
      [pull ? 'Already in the cache' : 'Already on the remote', report.skipped],
      ['Bytes', formatBytes(report.bytes)],
      ['Missing', report.missing || undefined],
      [
        'Workspace files hashed / trusted unchanged',
        report.hashed || report.trusted ? `${report.hashed ?? 0} / ${report.trusted ?? 0}` : undefined
      ],
      ['Workspace files placed by', report.links],
      ['Time', formatDuration(report.seconds)],
      ['Throughput', rate(report.bytes, report.seconds)]
    ])
  );
  if (report.outputs.length) {
    parts.push(
      '\n' +
        markdownTable(
          [
            'Output',
            'From',
            'Remote',
            'Files',
            verb,
            pull ? 'Cached' : 'On remote',
            'Bytes',
            'Time',
            'Throughput',
            'Status'
          ],
          report.outputs.map((o) => [
            `\`${o.path}${o.kind === 'folder' ? '/' : ''}\``,
            o.source,
            o.remote,
            o.files,
            o.transferred,
            o.skipped,
            formatBytes(o.bytes),
            formatDuration(o.seconds),
            rate(o.bytes, o.seconds),
            status(o)
          ])
        )
    );
  }
  const moved = report.outputs.filter((o) => o.bytes > 0);
  if (moved.length > 1) {
    const label = (p: string) => p.replace(/"/g, "'");
    parts.push(
      '\n' +
        mermaid(
          `pie showData title Bytes ${pull ? 'downloaded' : 'uploaded'} per output\n` +
            moved.map((o) => `  "${label(o.path)}" : ${o.bytes}`).join('\n')
        )
    );
  }
  const missing = report.outputs.flatMap((o) => o.missing.map((m) => `${m} (${o.source})`));
  if (missing.length) {
    const shown = missing.slice(0, 20).map((m) => `- \`${m}\``);
    if (missing.length > 20) shown.push(`- ... and ${missing.length - 20} more`);
    parts.push(
      `\n**Missing ${pull ? 'on the remote' : 'from the cache and the workspace'}:**\n\n${shown.join('\n')}\n`
    );
  }
  const failed = report.outputs.flatMap((o) => o.failed);
  if (failed.length)
    parts.push(
      `\n**Failed:**\n\n${failed
        .slice(0, 20)
        .map((f) => `- ${f}`)
        .join('\n')}\n`
    );
  if (report.warnings.length) parts.push(`\n${report.warnings.map((w) => `> ${w}`).join('\n>\n')}\n`);
  return parts.join('\n');
}

/** Names up to `limit` items, then how many more. */
export function listSome(items: string[], limit = 5): string {
  const shown = items.slice(0, limit).join(', ');
  return items.length > limit ? `${shown} and ${items.length - limit} more` : shown;
}

const shortId = (id: string | undefined) => (id ? `\`${id}\`` : 'none');

/** The commit step: each output recorded, old -> new md5. */
export function committedMarkdown(c: CommitReport): string {
  const parts = ['### Recorded before the push (commit)\n'];
  if (!c.outputs.length)
    parts.push('Every output already matches what its .dvc file or dvc.lock records; no file changed.\n');
  else {
    parts.push(
      markdownTable(
        ['Output', 'Recorded in', 'Old md5', 'New md5', 'Cached'],
        c.outputs.map((o) => [
          `\`${o.path}\``,
          o.source,
          shortId(o.old),
          shortId(o.new),
          o.cached ? 'yes' : 'no (cache: false)'
        ])
      ) + '\n'
    );
    parts.push(
      `Files changed: ${c.files.map((f) => `\`${f}\``).join(', ')}; ${c.cachedObjects} object(s) added to the cache.\n`
    );
  }
  if (c.warnings.length) parts.push(c.warnings.map((w) => `> ${w}`).join('\n>\n') + '\n');
  return parts.join('\n');
}
