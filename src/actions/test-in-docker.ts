/** test-in-docker: the tests, inside the very image that will be deployed. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import * as core from '@actions/core';
import { UserError } from '../errors.js';
import { formatDuration } from '../duration.js';
import { runTestContainer, WORKSPACE_MOUNT } from '../docker/container.js';
import { annotationLine, parseJUnit, sourceFile, testTitle, type JUnitReport } from '../docker/junit.js';
import { readTestOptions } from '../docker/options.js';
import { dockerCli } from '../docker/runner.js';
import { testSummary } from '../docker/summary.js';
import { summary } from '../report.js';
import type { ActionContext } from '../runner.js';

export async function run(ctx: ActionContext): Promise<void> {
  const env = process.env;
  const options = readTestOptions(ctx.inputs);
  const workspace = ctx.github.workspace;
  // The container's output is not ours: workflow commands in it are printed, not obeyed.
  const token = [...randomBytes(16)].map((b) => String.fromCharCode(97 + (b % 26))).join('');
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
  let report: JUnitReport | undefined;
  if (result.report !== undefined) {
    try {
      report = parseJUnit(result.report);
    } catch (e) {
      ctx.log.warning(`The report at ${result.reportPath} is not JUnit XML (${(e as Error).message}).`);
    }
  } else if (result.reportPath) {
    ctx.log.warning(`The tests wrote no report at ${result.reportPath} (input "report").`);
  }
  const files = new Map(
    (report?.cases ?? []).map((c) => [
      c,
      sourceFile(c, {
        workdir: result.workdir || '/',
        mount: options.mountWorkspace ? WORKSPACE_MOUNT : undefined,
        exists: (p) => fs.existsSync(path.join(workspace, p))
      })
    ])
  );
  const failing = (report?.cases ?? []).filter((c) => c.status === 'failed' || c.status === 'error');
  if (report) {
    ctx.setOutput('tests', report.tests);
    ctx.setOutput('failures', failing.length);
    for (const c of failing) {
      core.error(c.details ?? c.message ?? c.status, {
        title: `${testTitle(c)} ${c.status}`,
        file: files.get(c),
        startLine: files.get(c) ? annotationLine(c) : undefined
      });
    }
  }
  summary(testSummary(options, result, report, files));

  if (result.timedOut) {
    throw new UserError(
      `The tests did not finish within the timeout of ${formatDuration(options.timeoutSeconds)} (input "timeout"): the container was killed and removed.`
    );
  }
  if (result.cancelled)
    throw new UserError('The tests were cancelled: the container was killed and removed.');
  if (result.exitCode !== 0) {
    const names = failing.slice(0, 5).map(testTitle).join(', ');
    const more = failing.length > 5 ? ` and ${failing.length - 5} more` : '';
    throw new UserError(
      `The tests failed with exit code ${result.exitCode}${failing.length ? `: ${failing.length} failing (${names}${more})` : ''}.`
    );
  }
}
