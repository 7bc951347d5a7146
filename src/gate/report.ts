/**
 * The gate's report, in Markdown for the job summary and the PR comment: the verdict, a table of
 * metric | baseline | candidate | change | rule | verdict, and a Mermaid bar chart of the candidate
 * (bars) against the baseline (a line). Metric names come from files: they are escaped so that they
 * can neither format the table nor start a line of their own.
 */
import { mermaid } from '../report.js';
import type { Metrics } from './metrics.js';
import type { RuleResult } from './rules.js';

export interface GateReport {
  title: string;
  candidate: Metrics;
  baseline?: Metrics;
  baselineNote: string;
  results: RuleResult[];
  /** Extra lines for the end (where the comment went, why there is none). */
  notes?: string[];
}

/** How many metrics the chart shows at most (the table shows them all). */
export const CHART_LIMIT = 20;

/** Text from outside as inline Markdown: one line, no HTML, no table cell breaks, no mentions. */
export function md(text: string): string {
  // eslint-disable-next-line no-control-regex -- names from files may hold line breaks and controls
  const oneLine = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
  return oneLine
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@/g, '&#64;')
    .replace(/([\\`*_[\]|~])/g, '\\$1');
}

/** A number as people read it: up to 6 significant digits. */
export function num(n: number | undefined): string {
  if (n === undefined) return '-';
  return String(Number(n.toPrecision(6)));
}

export function change(candidate: number | undefined, baseline: number | undefined): string {
  if (candidate === undefined || baseline === undefined) return '-';
  const diff = Number((candidate - baseline).toPrecision(6));
  const sign = diff > 0 ? '+' : '';
  const pct = baseline !== 0 ? ` (${sign}${((diff / Math.abs(baseline)) * 100).toFixed(1)}%)` : '';
  return `${sign}${diff}${pct}`;
}

const ICON = { pass: '✅ pass', fail: '❌ fail', skip: '➖ skipped' } as const;

/** Every metric of either side, the candidate's first, in their documents' order. */
function metricNames(report: GateReport): string[] {
  const names = new Set(report.candidate.values.keys());
  for (const name of report.baseline?.values.keys() ?? []) names.add(name);
  for (const r of report.results) names.add(r.rule.metric);
  return [...names];
}

export function table(report: GateReport): string {
  const rows: string[] = [
    '| Metric | Baseline | Candidate | Change | Rule | Verdict |',
    '| --- | ---: | ---: | ---: | --- | --- |'
  ];
  for (const name of metricNames(report)) {
    const c = report.candidate.values.get(name);
    const b = report.baseline?.values.get(name);
    const results = report.results.filter((r) => r.rule.metric === name);
    const row = (rule: string, verdict: string) =>
      rows.push(`| ${md(name)} | ${num(b)} | ${num(c)} | ${change(c, b)} | ${rule} | ${verdict} |`);
    if (!results.length) row('-', '-');
    for (const r of results)
      row(
        `\`${r.rule.text.replace(/`/g, "'").replace(/\|/g, '\\|')}\``,
        `${ICON[r.verdict]}${r.verdict === 'pass' ? '' : `: ${md(r.why)}`}`
      );
  }
  return rows.join('\n') + '\n';
}

/** A label Mermaid takes inside double quotes. */
function label(name: string): string {
  // eslint-disable-next-line no-control-regex -- names from files may hold controls
  const clean = name.replace(/["\\`\u0000-\u001f\u007f]/g, "'").replace(/[[\]{}<>;#]/g, '_');
  return clean.length > 24 ? `${clean.slice(0, 23)}…` : clean;
}

/** A number Mermaid parses: plain decimals, never `1e-7`. */
function plain(n: number): string {
  const text = num(n);
  return /e/i.test(text) ? n.toFixed(20).replace(/\.?0+$/, '') : text;
}

/**
 * Candidate (bars) against baseline (line), for the metrics both sides have (a chart cannot leave a
 * point out); with no metric in common, the candidate's alone.
 */
export function chart(report: GateReport): string {
  const candidate = metricNames(report).filter((n) => report.candidate.values.has(n));
  const common = candidate.filter((n) => report.baseline?.values.has(n));
  const names = common.length ? common : candidate;
  if (!names.length) return '';
  const shown = names.slice(0, CHART_LIMIT);
  const values = (m: Metrics) => shown.map((n) => plain(m.values.get(n)!)).join(', ');
  const lines = [
    'xychart-beta',
    `  title "${common.length ? 'Candidate (bars) against baseline (line)' : 'Candidate'}"`,
    `  x-axis [${shown.map((n) => `"${label(n)}"`).join(', ')}]`,
    `  bar [${values(report.candidate)}]`,
    ...(common.length ? [`  line [${values(report.baseline!)}]`] : [])
  ];
  const more =
    names.length > shown.length
      ? `\n<sub>The chart shows the first ${CHART_LIMIT} of ${names.length} metrics; the table has them all.</sub>\n`
      : '';
  return mermaid(lines.join('\n')) + more;
}

export function passed(results: RuleResult[]): boolean {
  return results.every((r) => r.verdict !== 'fail');
}

export function gateMarkdown(report: GateReport): string {
  const failed = report.results.filter((r) => r.verdict === 'fail');
  const skipped = report.results.filter((r) => r.verdict === 'skip').length;
  const ok = report.results.length - failed.length - skipped;
  const verdict = !report.results.length
    ? '➖ No rules: the metrics are reported only.'
    : failed.length
      ? `❌ **Failed**: ${failed.length} of ${report.results.length} rules failed.`
      : `✅ **Passed**: ${ok} of ${report.results.length} rules passed${skipped ? ` (${skipped} optional skipped)` : ''}.`;
  const parts = [
    `### ${md(report.title)}`,
    '',
    verdict,
    '',
    `Candidate: ${md(report.candidate.source)}. ${md(report.baselineNote)}`,
    '',
    table(report),
    chart(report)
  ];
  const ignored = [
    ...report.candidate.ignored,
    ...(report.baseline?.ignored ?? [])
      .filter((n) => !report.candidate.ignored.includes(n))
      .map((n) => `${n} in the baseline`)
  ];
  if (ignored.length) parts.push(`<sub>Not numbers, ignored: ${ignored.map(md).join(', ')}</sub>`, '');
  for (const note of report.notes ?? []) parts.push(`> ${md(note)}`, '');
  return parts.join('\n').replace(/\n{3,}/g, '\n\n');
}
