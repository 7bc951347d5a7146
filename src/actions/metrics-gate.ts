/** metrics-gate: compare a model's metrics with a baseline by rules; report, comment, and gate. */
import * as core from '@actions/core';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { awsClient, resolveRegion } from '../aws.js';
import { UserError } from '../errors.js';
import { resolveBaseline, systemGit } from '../gate/baseline.js';
import { gateToken, readGateOptions } from '../gate/options.js';
import { publishComment } from '../gate/publish.js';
import { gateMarkdown, passed } from '../gate/report.js';
import { evaluateAll } from '../gate/rules.js';
import { githubComments } from '../github/comments.js';
import { pullRequestOf, readEvent } from '../github/event.js';
import { summary } from '../report.js';
import type { ActionContext } from '../runner.js';

export async function run(ctx: ActionContext): Promise<void> {
  const { workspace } = ctx.github;
  const token = gateToken(ctx.inputs);
  if (token) core.setSecret(token);
  const options = readGateOptions(ctx.inputs, workspace);
  const baseline = await resolveBaseline(options.baseline, {
    workspace,
    cwd: options.cwd,
    git: systemGit(workspace, process.env),
    sagemaker: () => {
      const region = resolveRegion(options.region);
      return { region, client: awsClient(SageMakerClient, 'SageMaker', { action: ctx.name, region }) };
    }
  });
  ctx.log.info(baseline.note);
  if (options.metrics.ignored.length)
    ctx.log.info(`Not numbers, ignored: ${options.metrics.ignored.join(', ')}.`);

  const results = evaluateAll(options.rules, options.metrics.values, baseline.metrics?.values);
  for (const r of results) ctx.log.info(`${r.verdict.toUpperCase()} ${r.rule.text}: ${r.why}`);
  const ok = passed(results);
  const report = {
    title: options.commentTitle,
    candidate: options.metrics,
    baseline: baseline.metrics,
    baselineNote: baseline.note,
    results
  };
  const [owner, repo] = ctx.github.repository.split('/');
  const published = await publishComment({
    comment: options.comment,
    title: options.commentTitle,
    markdown: gateMarkdown(report),
    pullRequest: pullRequestOf(readEvent(ctx.github.eventPath)),
    eventName: ctx.github.eventName,
    token: options.token,
    api: (token) => githubComments(token, ctx.github.apiUrl, { owner, repo }),
    log: ctx.log
  });
  const notes = [
    published.note ?? (published.url ? `The pull request's comment: ${published.url}` : undefined)
  ];
  const markdown = gateMarkdown({ ...report, notes: notes.filter((n): n is string => Boolean(n)) });

  const failed = results.filter((r) => r.verdict === 'fail').map((r) => r.rule.text);
  ctx.setOutput('passed', ok);
  ctx.setOutput('report', markdown);
  ctx.setOutput('failed-rules', failed.join('\n'));
  summary(markdown);
  if (!ok && options.failOn === 'rules')
    throw new UserError(`${failed.length} of ${results.length} metric rules failed: ${failed.join('; ')}.`);
  if (!ok) ctx.log.info(`${failed.length} rules failed, but fail-on is never: the step passes.`);
}
