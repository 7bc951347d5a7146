/** rollback: return a SageMaker endpoint to an earlier version and check that it landed. */
import { InputError, UserError } from '../errors.js';
import { summary } from '../report.js';
import type { ActionContext } from '../runner.js';
import { NAME, readWaitOptions } from '../sagemaker/options.js';
import { rollback } from '../sagemaker/rollback.js';
import { approvedRows, promoteSummary } from '../sagemaker/summary.js';
import { sagemakerEngine } from './sagemaker-engine.js';
import { rollbackLambda } from '../lambda/rollback.js';
import { readLambdaTarget } from '../lambda/options.js';
import { aliasMoveSummary } from '../lambda/summary.js';
import { lambdaEngine } from './lambda-engine.js';
import { targetKind } from './lambda-target.js';

export async function run(ctx: ActionContext): Promise<void> {
  if (targetKind(ctx.inputs) === 'lambda') return runLambda(ctx);
  const started = Date.now();
  const options = {
    ...readWaitOptions(ctx.inputs),
    to: ctx.inputs.matching(
      'to',
      NAME,
      'an endpoint config name: letters, digits and hyphens, at most 63 characters'
    ),
    reason: ctx.inputs.string('reason'),
    toApproved: ctx.inputs.boolean('to-approved')
  };
  if (options.toApproved && options.to)
    throw new InputError(
      'to-approved',
      'Inputs "to" and "to-approved" were both given: give a config to return to, or to-approved: true for the last version from a package still Approved, not both.'
    );
  const { region, clients, engine } = sagemakerEngine(ctx, options.region);

  const result = await rollback(options, clients, engine);
  ctx.log.info(result.message);
  ctx.setOutput('status', result.status);
  if (result.endpointConfig) ctx.setOutput('endpoint-config', result.endpointConfig);
  if (result.rolledBackFrom) ctx.setOutput('rolled-back-from', result.rolledBackFrom);
  summary(
    promoteSummary('rollback', options.endpointName, region, result, (Date.now() - started) / 1000, [
      ['Reason', options.reason],
      ...approvedRows(result.modelPackage)
    ])
  );
  if (result.reason) throw new UserError(result.reason);
}

/** rollback on a Lambda alias: the previous version that went live (or `to`, a version number). */
async function runLambda(ctx: ActionContext): Promise<void> {
  const started = Date.now();
  if (ctx.inputs.boolean('to-approved'))
    throw new InputError(
      'to-approved',
      'Input "to-approved" works with endpoint-name only: a Lambda alias has no Model Registry packages, so leave it out with function-name.'
    );
  const target = {
    ...readLambdaTarget(ctx.inputs),
    to: ctx.inputs.matching('to', /^\d+$/, 'a published version number of the function, such as 7'),
    reason: ctx.inputs.string('reason')
  };
  const { region, clients } = lambdaEngine(ctx, target.region, target.waitTimeoutSeconds);
  const result = await rollbackLambda(target, clients);
  ctx.log.info(result.message);
  ctx.setOutput('status', result.status);
  if (result.version) ctx.setOutput('version', result.version);
  if (result.from) ctx.setOutput('rolled-back-from', result.from);
  if (result.aliasArn) ctx.setOutput('alias-arn', result.aliasArn);
  summary(
    aliasMoveSummary('rollback', target, region, result, (Date.now() - started) / 1000) +
      (target.reason ? `\nReason: ${target.reason}\n` : '')
  );
  if (result.reason) throw new UserError(result.reason);
}
