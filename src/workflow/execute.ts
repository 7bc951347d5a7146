/**
 * The plumbing every step shares: its GITHUB_OUTPUT / GITHUB_ENV / GITHUB_PATH / GITHUB_STEP_SUMMARY
 * files, the variables the runner sets, and running its process with the output read for workflow
 * commands, masked, and printed so that it never starts a command of the runner's own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CommandReader } from './commands.js';
import type { Scope } from './expressions.js';
import { runProcess } from './process.js';
import { say, type JobState } from './state.js';

export interface StepFiles {
  output: string;
  env: string;
  path: string;
  summary: string;
  state: string;
}

export interface StepContext {
  job: JobState;
  /** The step's id (`build`, or the generated `__run_2`): GITHUB_ACTION. */
  id: string;
  name: string;
  /** The env context of the step: workflow, job, GITHUB_ENV additions, step. */
  env: Record<string, string>;
  with: Record<string, string>;
  cwd: string;
  timeoutMs?: number;
  scope: Scope;
  files: StepFiles;
}

export interface StepOutcome {
  exitCode: number;
  outputs: Record<string, string>;
  error?: string;
}

export function stepFiles(job: JobState, index: number): StepFiles {
  const dir = path.join(job.temp, '_runner_file_commands', String(index));
  fs.mkdirSync(dir, { recursive: true });
  const files = {
    output: path.join(dir, 'output'),
    env: path.join(dir, 'env'),
    path: path.join(dir, 'path'),
    summary: path.join(dir, 'step_summary'),
    state: path.join(dir, 'state')
  };
  for (const file of Object.values(files)) fs.writeFileSync(file, '');
  return files;
}

/** The variables GitHub's runner gives every step (over the runner's own environment). */
export function runnerVariables(ctx: StepContext): Record<string, string> {
  const { job } = ctx;
  const { run } = job;
  const github = (job.contexts.github ?? {}) as Record<string, unknown>;
  const event = run.event;
  return {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: job.workspace,
    GITHUB_EVENT_PATH: String(github.event_path ?? ''),
    GITHUB_EVENT_NAME: event.name,
    GITHUB_REPOSITORY: event.repository,
    GITHUB_REPOSITORY_OWNER: event.repository.split('/')[0],
    GITHUB_SHA: event.sha,
    GITHUB_REF: event.ref,
    GITHUB_REF_NAME: event.refName,
    GITHUB_REF_TYPE: event.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    GITHUB_HEAD_REF: event.headRef,
    GITHUB_BASE_REF: event.baseRef,
    GITHUB_RUN_ID: run.runId,
    GITHUB_RUN_NUMBER: run.runNumber,
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_ACTOR: event.actor,
    GITHUB_TRIGGERING_ACTOR: event.actor,
    GITHUB_JOB: String(github.job ?? job.id),
    GITHUB_ACTION: ctx.id,
    GITHUB_WORKFLOW: String(github.workflow ?? ''),
    GITHUB_API_URL: run.baseEnv.GITHUB_API_URL || 'https://api.github.com',
    GITHUB_SERVER_URL: run.baseEnv.GITHUB_SERVER_URL || 'https://github.com',
    GITHUB_GRAPHQL_URL: run.baseEnv.GITHUB_GRAPHQL_URL || 'https://api.github.com/graphql',
    GITHUB_OUTPUT: ctx.files.output,
    GITHUB_ENV: ctx.files.env,
    GITHUB_PATH: ctx.files.path,
    GITHUB_STEP_SUMMARY: ctx.files.summary,
    GITHUB_STATE: ctx.files.state,
    RUNNER_TEMP: job.temp,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: process.arch === 'arm64' ? 'ARM64' : 'X64',
    RUNNER_NAME: 'mlops-actions-local',
    RUNNER_TOOL_CACHE: path.join(run.workDir, 'tool-cache'),
    RUNNER_ENVIRONMENT: 'self-hosted',
    ...(run.debug ? { RUNNER_DEBUG: '1' } : {})
  };
}

/** The full environment of a step's process. */
export function processEnv(ctx: StepContext, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base = ctx.job.run.baseEnv;
  const env: NodeJS.ProcessEnv = { ...base, ...runnerVariables(ctx), ...ctx.env, ...extra };
  const pathKey = 'PATH';
  env[pathKey] = [...ctx.job.addedPath, env[pathKey] ?? base.PATH ?? ''].filter(Boolean).join(path.delimiter);
  return env;
}

export interface SpawnResult {
  exitCode: number;
  timedOut: boolean;
  outputs: Record<string, string>;
  errors: string[];
}

/** Runs a step's process: output read for commands, masked, printed (or kept for a failure). */
export async function spawnStep(
  ctx: StepContext,
  command: string,
  args: string[],
  extraEnv: Record<string, string> = {}
): Promise<SpawnResult> {
  const { job } = ctx;
  const { run } = job;
  const reader = new CommandReader(run.masker, run.debug);
  const kept: string[] = [];
  const show = (line: string) => say(run, `    │ ${line}`);
  const result = await runProcess({
    command,
    args,
    cwd: ctx.cwd,
    env: processEnv(ctx, extraEnv),
    timeoutMs: ctx.timeoutMs,
    onGroup: (pgid) => job.groups.push(pgid),
    onLine: (line) => {
      const text = reader.line(line);
      if (text === undefined) return;
      if (run.quiet) kept.push(text);
      else show(text);
    }
  });
  job.processSeconds += result.seconds;
  if (run.quiet && result.exitCode !== 0) kept.forEach(show);
  return {
    exitCode: result.exitCode,
    timedOut: result.timedOut,
    outputs: reader.effects.outputs,
    errors: reader.effects.errors
  };
}
