/** deploy-lambda: plan, then deploy an image to a Lambda alias behind a weighted-alias canary. */
import * as core from '@actions/core';
import { UserError } from '../errors.js';
import { deployLambda } from '../lambda/deploy.js';
import { readLambdaDeployOptions } from '../lambda/options.js';
import { redactedPlan } from '../lambda/plan.js';
import { lambdaDeploySummary } from '../lambda/summary.js';
import { summary } from '../report.js';
import type { ActionContext } from '../runner.js';
import { lambdaEngine } from './lambda-engine.js';

export async function run(ctx: ActionContext): Promise<void> {
  const started = Date.now();
  const options = readLambdaDeployOptions(ctx.inputs);
  // Environment values may be secrets: masked before any request that carries them can be echoed
  // (an SDK or Lambda error, the debug log). Values shorter than 4 characters would mask too much.
  for (const value of Object.values(options.environment ?? {})) if (value.length >= 4) core.setSecret(value);
  const { region, clients, engine } = lambdaEngine(ctx, options.region, options.waitTimeoutSeconds);

  const result = await deployLambda(options, clients, engine);
  const { plan } = result;
  if (options.dryRun) {
    for (const note of plan.notes) ctx.log.info(note);
    ctx.log.info(`Plan as data:\n${JSON.stringify(redactedPlan(plan), null, 2)}`);
  }
  ctx.setOutput('status', result.status);
  if (result.version) ctx.setOutput('version', result.version);
  if (result.previousVersion) ctx.setOutput('previous-version', result.previousVersion);
  if (result.aliasArn) ctx.setOutput('alias-arn', result.aliasArn);
  summary(lambdaDeploySummary(result, options.image, region, (Date.now() - started) / 1000));
  if (result.reason) throw new UserError(result.reason);
}
