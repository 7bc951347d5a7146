/**
 * The jobs of one workflow in `needs` order (one at a time), each behind its `if:` (a failed or
 * skipped need skips it unless its `if:` says always()/failure()), expanded by its matrix, run as a
 * job of steps or as a call of a reusable workflow. Returns every job's result and, by id, what
 * `needs.<id>` shows.
 */
import type { WorkflowJob } from '@actions/workflow-parser/model/workflow-template';
import { isJob } from '@actions/workflow-parser/model/type-guards';
import { runCall } from './call.js';
import { condition, evaluateMap, evaluateToken, type Json } from './expressions.js';
import { fmt, runJob } from './job.js';
import { child, rawJob, Refusal, type LoadedWorkflow } from './load.js';
import { expandMatrix, matrixName } from './matrix.js';
import { describeJob } from './report.js';
import { rejectedJob } from './review.js';
import { say, type RunState } from './state.js';
import type { JobResult, Outcome } from './types.js';

export interface NeedsEntry {
  result: Outcome;
  outputs: Record<string, string>;
}

export interface GraphResult {
  jobs: JobResult[];
  byId: Record<string, NeedsEntry>;
}

/** The workflow's own `env:`; a refusal when it cannot be evaluated. */
export function workflowEnvOf(
  workflow: LoadedWorkflow,
  contexts: Record<string, Json | undefined>
): Record<string, string> {
  try {
    return evaluateMap(workflow.template.env, { contexts });
  } catch (e) {
    throw new Refusal(
      `the env: of the workflow ${workflow.file} cannot be evaluated: ${(e as Error).message}.`
    );
  }
}

/** A job's own `continue-on-error:` (it may use matrix), which lets the run pass when it fails. */
function jobContinuesOnError(
  workflow: LoadedWorkflow,
  id: string,
  contexts: Record<string, Json | undefined>
): boolean {
  const token = child(rawJob(workflow, id), 'continue-on-error');
  try {
    return token ? Boolean(evaluateToken(token, { contexts })) : false;
  } catch {
    return false;
  }
}

/** File order, except that a job waits until the jobs it needs have run. */
function order(jobs: WorkflowJob[]): WorkflowJob[] {
  const done = new Set<string>();
  const sorted: WorkflowJob[] = [];
  const pending = [...jobs];
  for (;;) {
    const next = pending.findIndex((j) => (j.needs ?? []).every((n) => done.has(n.value)));
    if (next < 0) break; // the parser refuses cycles and unknown needs
    const [job] = pending.splice(next, 1);
    sorted.push(job);
    done.add(job.id.value);
  }
  return sorted;
}

function ancestorsFailed(
  job: WorkflowJob,
  byId: Record<string, NeedsEntry>,
  failedIds: Set<string>
): boolean {
  return (job.needs ?? []).some((n) => failedIds.has(n.value) || byId[n.value]?.result === 'failure');
}

export async function runGraph(
  run: RunState,
  workflow: LoadedWorkflow,
  contexts: Record<string, Json | undefined>,
  prefix: string,
  only?: string
): Promise<GraphResult> {
  const byId: Record<string, NeedsEntry> = {};
  const results: JobResult[] = [];
  /** Jobs that failed, or were skipped because something before them failed. */
  const failedChain = new Set<string>();
  const workflowEnv = workflowEnvOf(workflow, contexts);
  for (const job of order(workflow.template.jobs)) {
    const id = job.id.value;
    if (only && id !== only) continue;
    const displayId = `${prefix}${id}`;
    const name = `${prefix}${job.name ? job.name.toString() : id}`;
    const needs = Object.fromEntries(
      (job.needs ?? []).map((n) => [
        n.value,
        (byId[n.value] ?? { result: 'skipped', outputs: {} }) as unknown as Json
      ])
    );
    const base: Record<string, Json | undefined> = { ...contexts, needs };
    const failure = ancestorsFailed(job, byId, failedChain);
    const success = (job.needs ?? []).every((n) => byId[n.value]?.result === 'success') || Boolean(only);
    let runIt = false;
    let error: string | undefined;
    try {
      runIt = condition(job.if?.expression ?? 'success()', {
        contexts: base,
        status: { success, failure, cancelled: false }
      });
    } catch (e) {
      error = (e as Error).message;
    }
    if (error || !runIt) {
      const result: Outcome = error ? 'failure' : 'skipped';
      say(
        run,
        error
          ? `✗ job ${name}: its if: ${error}`
          : `- job ${name} (skipped${failure ? ': a job it needs failed' : ''})`
      );
      if (error || failure) failedChain.add(id);
      byId[id] = { result, outputs: {} };
      results.push({ id: displayId, name, result, outputs: {}, seconds: 0, overheadSeconds: 0, steps: [] });
      continue;
    }
    let combos: Record<string, Json>[] = [{}];
    let strategy: Record<string, Json> = {};
    try {
      strategy = (evaluateToken(job.strategy, { contexts: base }) ?? {}) as Record<string, Json>;
      if (strategy.matrix !== undefined) {
        combos = expandMatrix(strategy.matrix as Record<string, Json>);
        if (!combos.length) throw new Error('its strategy.matrix has no combinations');
      }
    } catch (e) {
      say(run, `✗ job ${name}: ${(e as Error).message}`);
      failedChain.add(id);
      byId[id] = { result: 'failure', outputs: {} };
      results.push({
        id: displayId,
        name,
        result: 'failure',
        outputs: {},
        seconds: 0,
        overheadSeconds: 0,
        steps: []
      });
      continue;
    }
    const failFast = strategy['fail-fast'] !== false;
    const entry: NeedsEntry = { result: 'success', outputs: {} };
    for (const [index, combo] of combos.entries()) {
      const matrixed = strategy.matrix !== undefined;
      const legName = matrixed ? matrixName(name, combo) : name;
      const legId = matrixed ? matrixName(displayId, combo) : displayId;
      if (failFast && entry.result === 'failure') {
        say(run, `- job ${legName} (cancelled: fail-fast)`);
        results.push({
          id: legId,
          name: legName,
          result: 'cancelled',
          outputs: {},
          seconds: 0,
          overheadSeconds: 0,
          steps: []
        });
        continue;
      }
      const legContexts = {
        ...base,
        github: { ...(base.github as Record<string, Json>), job: id },
        matrix: matrixed ? combo : {},
        strategy: {
          'fail-fast': failFast,
          'job-index': index,
          'job-total': combos.length,
          'max-parallel': combos.length
        }
      };
      say(run, `● job ${legName}`);
      const environment = describeJob(run, job, legContexts, workflow);
      const decision = environment ? run.reviews[environment] : undefined;
      if (decision === 'approve') say(run, `    review of ${environment} approved (--review)`);
      const legResults =
        decision === 'reject'
          ? [rejectedJob(run, job, legId, legName, environment as string, matrixed ? combo : undefined)]
          : isJob(job)
            ? [
                await runJob(run, {
                  job,
                  raw: rawJob(workflow, id),
                  workflowRaw: workflow.raw,
                  id: legId,
                  name: legName,
                  contexts: legContexts,
                  workflowEnv,
                  ...(matrixed ? { matrix: combo } : {})
                }).then((r): JobResult =>
                  decision === 'approve'
                    ? {
                        ...r,
                        review: { environment: environment as string, decision: 'approved', by: '--review' }
                      }
                    : r
                )
              ]
            : await runCall(run, workflow, job, legContexts, legId, legName);
      const own = legResults[legResults.length - 1];
      if (own.result === 'failure' && jobContinuesOnError(workflow, id, legContexts))
        own.continueOnError = true;
      results.push(...legResults);
      if (own.result === 'failure' && !own.continueOnError) entry.result = 'failure';
      Object.assign(entry.outputs, own.outputs);
      const allowed = own.continueOnError ? ' (continue-on-error: the run goes on)' : '';
      say(
        run,
        `${own.result === 'success' ? '✓' : '✗'} job ${legName}: ${own.result}${allowed} (${fmt(own.seconds)})`
      );
    }
    if (entry.result === 'failure') failedChain.add(id);
    byId[id] = entry;
  }
  return { jobs: results, byId };
}
