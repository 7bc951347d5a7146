/**
 * One job, its steps in order: `if:` with the status functions, env (workflow, job, GITHUB_ENV,
 * step), defaults.run, `with:`, timeouts (the job's and each step's), continue-on-error, the files
 * a step writes back, then the job's outputs. Times what runs inside step processes apart from the
 * runner's own time.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Job, Step } from '@actions/workflow-parser/model/workflow-template';
import { isActionStep, isRunStep } from '@actions/workflow-parser/model/type-guards';
import type { MappingToken, TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import { runResolved } from './actions.js';
import { asString, condition, evaluateMap, evaluateToken, type Json, type Scope } from './expressions.js';
import { stepFiles, type StepContext, type StepOutcome } from './execute.js';
import { readKeyValueFile, readPathFile } from './files.js';
import { child } from './load.js';
import { killGroup } from './process.js';
import { runScript } from './run-step.js';
import { newJobState, say, type JobState, type RunState } from './state.js';
import type { JobResult, Outcome, StepResult } from './types.js';
import { resolveUses } from './uses.js';

export interface JobPlan {
  job: Job;
  raw: MappingToken | undefined;
  /** The workflow's raw root (for its `defaults`). */
  workflowRaw: MappingToken;
  /** The id and display name shown (`call / train (3.11)`). */
  id: string;
  name: string;
  /** github, inputs, secrets, vars, needs, matrix, strategy. */
  contexts: Record<string, Json | undefined>;
  workflowEnv: Record<string, string>;
  matrix?: Json;
}

const DEFAULT_JOB_MINUTES = 360;
const CANCEL_GRACE_MINUTES = 5;
const seconds = (from: number) => (Date.now() - from) / 1000;
export const fmt = (s: number) =>
  s < 10 ? `${s.toFixed(2)}s` : s < 60 ? `${s.toFixed(1)}s` : `${Math.floor(s / 60)}m${Math.round(s % 60)}s`;

function defaultsRun(plan: JobPlan, key: string, scope: Scope): string | undefined {
  for (const owner of [plan.raw, plan.workflowRaw]) {
    const token = child(child(child(owner, 'defaults'), 'run'), key);
    if (token) return asString(evaluateToken(token, scope));
  }
  return undefined;
}

function minutes(token: TemplateToken | undefined, scope: Scope, what: string): number | undefined {
  if (!token) return undefined;
  const value = Number(evaluateToken(token, scope));
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${what} must be a positive number of minutes`);
  return value;
}

function stepName(step: Step, scope: Scope): string {
  if (step.name) return asString(evaluateToken(step.name, scope));
  if (isRunStep(step)) {
    const source = (step.run as { source?: string }).source ?? step.run.toString();
    return `Run ${source.trim().split('\n')[0]}`;
  }
  if (isActionStep(step)) return `Run ${step.uses.value}`;
  return step.id;
}

interface StepRun {
  outcome: StepOutcome;
  seconds: number;
}

type PlannedJob = JobState & { plan: JobPlan };

async function execute(
  ctx: StepContext,
  plan: JobPlan,
  step: Step,
  rawStep: TemplateToken | undefined,
  scope: Scope
): Promise<StepOutcome> {
  const { run } = ctx.job;
  if (isRunStep(step)) {
    const shell = child(rawStep, 'shell');
    const script = asString(evaluateToken(step.run, scope));
    return runScript(
      ctx,
      script,
      shell ? asString(evaluateToken(shell, scope)) : defaultsRun(plan, 'shell', scope)
    );
  }
  if (isActionStep(step)) {
    return runResolved(
      ctx,
      resolveUses(
        step.uses.value,
        `step "${ctx.name}" of job "${ctx.job.name}"`,
        // As on GitHub, a local action (./path) is read from the job's workspace (after checkout).
        ctx.job.workspace,
        run.localActions
      )
    );
  }
  return { exitCode: 1, outputs: {}, error: 'this kind of step cannot run locally' };
}

async function runStep(
  job: PlannedJob,
  step: Step,
  index: number,
  scope: Scope,
  deadline: number
): Promise<StepRun> {
  const started = Date.now();
  const rawStep = (() => {
    const steps = child(job.plan.raw, 'steps');
    return steps && 'count' in steps
      ? (steps as unknown as { get(i: number): TemplateToken }).get(index)
      : undefined;
  })();
  const ctx: StepContext = {
    job,
    id: step.id,
    name: stepName(step, scope),
    env: { ...(scope.contexts.env as Record<string, string>) },
    with: {},
    cwd: job.workspace,
    scope,
    files: stepFiles(job, index)
  };
  try {
    if ('env' in step && step.env) Object.assign(ctx.env, evaluateMap(step.env, scope));
    const stepScope: Scope = { ...scope, contexts: { ...scope.contexts, env: ctx.env } };
    ctx.scope = stepScope;
    ctx.with = evaluateMap(child(rawStep, 'with'), stepScope);
    const dirToken = child(rawStep, 'working-directory');
    const dir = dirToken
      ? asString(evaluateToken(dirToken, stepScope))
      : isRunStep(step)
        ? defaultsRun(job.plan, 'working-directory', stepScope)
        : undefined;
    if (dir) ctx.cwd = path.resolve(job.workspace, dir);
    const stepMinutes = minutes(child(rawStep, 'timeout-minutes'), stepScope, 'timeout-minutes');
    const left = Math.max(0, deadline - Date.now());
    ctx.timeoutMs = stepMinutes === undefined ? left : Math.min(left, stepMinutes * 60000);
    const outcome = await execute(ctx, job.plan, step, rawStep, stepScope);
    // What the step wrote for the runner; a malformed file fails the step, naming the file.
    Object.assign(job.addedEnv, readKeyValueFile(ctx.files.env));
    const outputs = { ...outcome.outputs, ...readKeyValueFile(ctx.files.output) };
    return { outcome: { ...outcome, outputs }, seconds: seconds(started) };
  } catch (e) {
    return { outcome: { exitCode: 1, outputs: {}, error: (e as Error).message }, seconds: seconds(started) };
  } finally {
    job.addedPath.unshift(...readPathFile(ctx.files.path).reverse());
    const summary = fs.readFileSync(ctx.files.summary, 'utf8');
    if (summary.trim()) job.summary.push(summary);
  }
}

export async function runJob(run: RunState, plan: JobPlan): Promise<JobResult> {
  const started = Date.now();
  const job: PlannedJob = Object.assign(newJobState(run, plan.id, plan.name, plan.contexts), { plan });
  const github = { ...(plan.contexts.github as Record<string, Json>), workspace: job.workspace };
  const base: Record<string, Json | undefined> = {
    ...plan.contexts,
    github,
    runner: {
      os: 'Linux',
      arch: process.arch === 'arm64' ? 'ARM64' : 'X64',
      name: 'mlops-actions-local',
      temp: job.temp,
      tool_cache: path.join(run.workDir, 'tool-cache'),
      environment: 'self-hosted',
      debug: run.debug ? '1' : ''
    },
    job: { status: 'success', container: {}, services: {} }
  };
  job.contexts = base;
  const steps: Record<string, Json> = {};
  const results: StepResult[] = [];
  let failed = false;
  let cancelled = false;
  let error: string | undefined;
  const scopeNow = (): Scope => ({
    contexts: {
      ...base,
      env: { ...plan.workflowEnv, ...jobEnv, ...job.addedEnv },
      steps,
      job: { status: failed ? 'failure' : 'success', container: {}, services: {} }
    },
    status: { success: !failed, failure: failed, cancelled },
    workspace: job.workspace
  });
  let jobEnv: Record<string, string> = {};
  let deadline = Date.now() + DEFAULT_JOB_MINUTES * 60000;
  try {
    jobEnv = evaluateMap(plan.job.env, { contexts: { ...base, env: plan.workflowEnv } });
    const jobMinutes = minutes(
      child(plan.raw, 'timeout-minutes'),
      scopeNow(),
      `job "${plan.name}": timeout-minutes`
    );
    if (jobMinutes !== undefined) deadline = started + jobMinutes * 60000;
  } catch (e) {
    failed = true;
    error = (e as Error).message;
  }
  for (const [index, step] of plan.job.steps.entries()) {
    if (!cancelled && Date.now() >= deadline) {
      cancelled = true;
      error = `the job ran past its timeout-minutes`;
      // As on GitHub, steps that run anyway (always(), cancelled()) get a few minutes more.
      deadline = Date.now() + CANCEL_GRACE_MINUTES * 60000;
    }
    const scope = scopeNow();
    let name = step.id;
    let runs = false;
    try {
      name = stepName(step, scope);
      runs = condition(step.if?.expression ?? 'success()', scope);
    } catch (e) {
      failed = true;
      say(run, `  ✗ ${name}: ${(e as Error).message}`);
      results.push({
        id: step.id,
        name,
        outcome: 'failure',
        conclusion: 'failure',
        seconds: 0,
        outputs: {},
        error: (e as Error).message
      });
      steps[step.id] = { outputs: {}, outcome: 'failure', conclusion: 'failure' };
      continue;
    }
    if (!runs) {
      say(run, `  - ${name} (skipped)`);
      results.push({ id: step.id, name, outcome: 'skipped', conclusion: 'skipped', seconds: 0, outputs: {} });
      steps[step.id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
      continue;
    }
    say(run, `  ▸ ${name}`);
    const { outcome, seconds: took } = await runStep(job, step, index, scope, deadline);
    const outputs = outcome.outputs;
    const stepOutcome: Outcome = outcome.exitCode === 0 ? 'success' : 'failure';
    let continueOnError = false;
    const coe = step['continue-on-error'];
    try {
      continueOnError = typeof coe === 'boolean' ? coe : coe ? Boolean(evaluateToken(coe, scope)) : false;
    } catch {
      continueOnError = false;
    }
    const conclusion: Outcome = stepOutcome === 'failure' && continueOnError ? 'success' : stepOutcome;
    if (conclusion === 'failure') failed = true;
    const mark = stepOutcome === 'success' ? '✓' : continueOnError ? '!' : '✗';
    say(
      run,
      `  ${mark} ${name} (${fmt(took)})${outcome.error && stepOutcome === 'failure' ? `: ${outcome.error}` : ''}${continueOnError && stepOutcome === 'failure' ? ' (continue-on-error)' : ''}`
    );
    results.push({
      id: step.id,
      name,
      outcome: stepOutcome,
      conclusion,
      seconds: took,
      outputs,
      ...(outcome.error && stepOutcome === 'failure' ? { error: outcome.error } : {})
    });
    steps[step.id] = { outputs, outcome: stepOutcome, conclusion };
  }
  for (const pgid of job.groups) killGroup(pgid);
  let outputs: Record<string, string> = {};
  try {
    outputs = evaluateMap(plan.job.outputs, scopeNow());
  } catch (e) {
    failed = true;
    error = `its outputs cannot be evaluated: ${(e as Error).message}`;
  }
  if (error) say(run, `  ✗ job "${plan.name}": ${error}`);
  if (job.summary.length) run.summaries.push({ title: plan.name, markdown: job.summary.join('\n') });
  const total = seconds(started);
  return {
    id: plan.id,
    name: plan.name,
    result: failed || cancelled ? 'failure' : 'success',
    outputs,
    seconds: total,
    overheadSeconds: Math.max(0, total - job.processSeconds),
    steps: results,
    ...(plan.matrix !== undefined ? { matrix: plan.matrix } : {})
  };
}
