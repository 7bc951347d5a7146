/**
 * What a run prints besides the steps: each job's runs-on, environment, concurrency group and
 * permissions as it starts; at the end every job summary collected into one file, a table of jobs
 * (result, time, the runner's own time), and the machine-readable result file.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowJob } from '@actions/workflow-parser/model/workflow-template';
import { isJob } from '@actions/workflow-parser/model/type-guards';
import { asString, evaluateToken, type Json } from './expressions.js';
import { fmt } from './job.js';
import { child, rawJob, type LoadedWorkflow } from './load.js';
import type { Masker } from './mask.js';
import { say, sayOnce, type RunState } from './state.js';
import type { WorkflowResult } from './types.js';

function safe(run: RunState, what: string, compute: () => Json): Json | undefined {
  try {
    const value = compute();
    if (value !== null && value !== '')
      say(run, `    ${what}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
    return value;
  } catch (e) {
    say(run, `    ${what}: cannot be evaluated (${(e as Error).message})`);
    return undefined;
  }
}

export function describeJob(
  run: RunState,
  job: WorkflowJob,
  contexts: Record<string, Json | undefined>,
  workflow?: LoadedWorkflow
): string | undefined {
  const scope = { contexts };
  let environment: string | undefined;
  if (isJob(job)) {
    safe(run, 'runs-on (ignored: runs on this machine)', () => evaluateToken(job['runs-on'], scope));
    if (job.environment) {
      const name = safe(run, 'environment', () => {
        const value = evaluateToken(job.environment, scope);
        return value && typeof value === 'object' && !Array.isArray(value)
          ? asString(value.name ?? '')
          : value;
      });
      if (typeof name === 'string' && name) environment = name;
      if (!environment || !run.reviews[environment])
        sayOnce(
          run,
          '    (environments have no protection rules or reviewers in a local run; --review ENV=approve|reject rehearses one)'
        );
    }
  }
  if (job.concurrency) {
    safe(run, 'concurrency group (printed, not enforced)', () => {
      const value = evaluateToken(job.concurrency, scope);
      return value && typeof value === 'object' && !Array.isArray(value) ? (value.group ?? null) : value;
    });
  }
  const permissions = workflow ? child(rawJob(workflow, job.id.value), 'permissions') : undefined;
  if (permissions) safe(run, 'permissions', () => evaluateToken(permissions, scope));
  return environment;
}

/** Writes the collected job summaries into one Markdown file. */
export function writeSummary(run: RunState, file: string, title: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const parts = [`# ${title}`, ''];
  for (const { title: job, markdown } of run.summaries)
    parts.push(`## ${job}`, '', run.masker.mask(markdown.trim()), '');
  if (!run.summaries.length) parts.push('(no job wrote a summary)', '');
  fs.writeFileSync(file, parts.join('\n'));
}

export function finalTable(result: WorkflowResult): string[] {
  const rows = result.jobs.map((j) => [
    result.workflow,
    j.name,
    j.result,
    fmt(j.seconds),
    j.steps.length || j.seconds ? fmt(j.overheadSeconds) : '-'
  ]);
  const header = ['workflow', 'job', 'result', 'time', 'runner time'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const top = result.jobs.filter((j) => !j.id.includes(' / '));
  const own = top.reduce((sum, j) => sum + j.overheadSeconds, 0);
  return [
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `${result.ok ? 'Succeeded' : 'Failed'} in ${fmt(result.seconds)}; the runner's own time (all but step processes): ${fmt(own)}.`
  ];
}

/** The result as JSON, with every secret and masked value replaced by `***`, as in the log. */
export function writeResultFile(file: string, result: WorkflowResult, masker: Masker): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, masker.mask(JSON.stringify(result, null, 2)) + '\n');
}
