/** test-in-docker: the tests, inside the very image that will be deployed. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import { runTestContainer } from '../docker/container.js';
import { readTestOptions } from '../docker/options.js';
import { readOutcome, testFailure } from '../docker/outcome.js';
import { dockerCli } from '../docker/runner.js';
import { testSummary } from '../docker/summary.js';
import { summary } from '../report.js';
import { stopToken } from '../untrusted.js';
import type { ActionContext } from '../runner.js';

export async function run(ctx: ActionContext): Promise<void> {
  const env = process.env;
  const options = readTestOptions(ctx.inputs);
  const workspace = ctx.github.workspace;
  // The container's output is not ours: workflow commands in it are printed, not obeyed.
  const token = stopToken();
  process.stdout.write(`::stop-commands::${token}\n`);
  const result = await runTestContainer(
    dockerCli(env.MLOPS_ACTIONS_DOCKER || 'docker', env),
    { ...options, workspace: options.mountWorkspace ? workspace : undefined },
    {
      log: ctx.log,
      onLine: (line) => process.stdout.write(`${line}\n`),
      signal: ctx.signal,
      tempDir: env.RUNNER_TEMP || os.tmpdir()
    }
  ).finally(() => process.stdout.write(`::${token}::\n`));

  ctx.setOutput('exit-code', result.exitCode);
  ctx.setOutput('duration', Math.round(result.seconds));
  const outcome = readOutcome(result, {
    mounted: options.mountWorkspace,
    exists: (p) => fs.existsSync(path.join(workspace, p)),
    log: ctx.log
  });
  if (outcome.report) {
    ctx.setOutput('tests', outcome.report.tests);
    ctx.setOutput('failures', outcome.failing.length);
  }
  for (const f of outcome.failing) {
    core.error(f.test.details ?? f.test.message ?? f.test.status, {
      title: f.title,
      file: f.file,
      startLine: f.line
    });
  }
  summary(testSummary(options, result, outcome.report, outcome.files));
  const failure = testFailure(result, outcome, options.timeoutSeconds);
  if (failure) throw failure;
}
