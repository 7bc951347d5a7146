/**
 * The action runner: wraps an action's `run()` the same way under the GitHub runner, the umbrella
 * action and the CLI. A user-fixable error ends the action with `core.setFailed(message)` and no
 * stack trace; an unexpected one also puts its stack in the debug log. The job summary is flushed
 * and the duration recorded whatever happens. SIGINT/SIGTERM abort `ctx.signal`.
 */
import fs from 'node:fs';
import * as core from '@actions/core';
import { Inputs, envSource } from './inputs.js';
import { errorMessage, userFacing } from './errors.js';
import { ACTIONS, type ActionMetadata } from './generated/actions.js';
import { VERSION } from './version.js';
import { coreLogger, type Logger } from './report.js';
import { formatDuration } from './duration.js';
import { runContext, type RunContext } from './github/context.js';

export interface ActionContext {
  /** The action's name (`deploy-canary`). */
  name: string;
  inputs: Inputs;
  log: Logger;
  /** Aborted when the workflow is cancelled (SIGINT/SIGTERM). */
  signal: AbortSignal;
  github: RunContext;
  /**
   * Multiplies poll delays: 1 against AWS; MLOPS_ACTIONS_TIME_SCALE makes it small against an
   * emulator started with the same --time-scale.
   */
  timeScale: number;
  /** Sets an output declared in the action's action.yml. */
  setOutput(name: string, value: string | number | boolean): void;
}

export type ActionRun = (ctx: ActionContext) => Promise<void>;

export interface ActionResult {
  exitCode: number;
  outputs: Record<string, string>;
  error?: string;
  seconds: number;
}

export interface RunOptions {
  metadata?: ActionMetadata;
  env?: NodeJS.ProcessEnv;
  /** Install SIGINT/SIGTERM handlers (default true). */
  handleSignals?: boolean;
}

export async function runAction(
  name: string,
  run: ActionRun,
  options: RunOptions = {}
): Promise<ActionResult> {
  const env = options.env ?? process.env;
  const metadata = options.metadata ?? ACTIONS[name];
  if (!metadata) throw new Error(`No metadata for action "${name}": run npm run generate.`);
  const started = Date.now();
  const outputs: Record<string, string> = {};
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    core.warning(`Received ${signal}: the workflow was cancelled, ${name} is stopping.`);
    controller.abort(new Error(`cancelled by ${signal}`));
  };
  if (options.handleSignals !== false) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }

  const ctx: ActionContext = {
    name,
    inputs: new Inputs(envSource(env), metadata.inputs, name),
    log: coreLogger,
    signal: controller.signal,
    github: runContext(env),
    timeScale: Number(env.MLOPS_ACTIONS_TIME_SCALE) > 0 ? Number(env.MLOPS_ACTIONS_TIME_SCALE) : 1,
    setOutput(output, value) {
      if (!(output in metadata.outputs)) {
        throw new Error(`Output "${output}" is not declared in the action.yml of ${name}.`);
      }
      outputs[output] = String(value);
      core.setOutput(output, String(value));
    }
  };

  let error: string | undefined;
  // Keeps the event loop alive while run() waits on nothing but the signal.
  const keepAlive = setInterval(() => {}, 1 << 30);
  try {
    await run(ctx);
  } catch (e) {
    const fixable = userFacing(e);
    error = fixable ? fixable.message : errorMessage(e);
    if (!fixable) core.debug(e instanceof Error && e.stack ? e.stack : String(e));
    core.setFailed(error);
  } finally {
    clearInterval(keepAlive);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  const seconds = (Date.now() - started) / 1000;
  const outcome = error ? 'failed' : 'succeeded';
  core.info(`${name} ${outcome} in ${formatDuration(seconds)}.`);
  if (error) core.summary.addRaw(`\n> [!CAUTION]\n> ${name} failed: ${error.replace(/\n/g, ' ')}\n`, true);
  core.summary.addRaw(
    `\n<sub>mlops-actions ${VERSION} · ${name} · ${outcome} in ${formatDuration(seconds)}</sub>\n`,
    true
  );
  // Appended here rather than with core.summary.write(), which remembers the first file it saw.
  if (env.GITHUB_STEP_SUMMARY) {
    try {
      fs.appendFileSync(env.GITHUB_STEP_SUMMARY, core.summary.stringify());
    } catch (e) {
      core.warning(`Could not write the job summary: ${errorMessage(e)}`);
    }
  }
  core.summary.emptyBuffer();
  return { exitCode: error ? 1 : 0, outputs, error, seconds };
}
