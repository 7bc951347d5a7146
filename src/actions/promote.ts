/** promote: finish a canary on a SageMaker endpoint. */
import { UserError } from '../errors.js';
import { summary } from '../report.js';
import type { ActionContext } from '../runner.js';
import { readWaitOptions } from '../sagemaker/options.js';
import { promote } from '../sagemaker/promote.js';
import { promoteSummary } from '../sagemaker/summary.js';
import { sagemakerEngine } from './sagemaker-engine.js';
import { promoteLambda } from '../lambda/promote.js';
import { readLambdaTarget } from '../lambda/options.js';
import { aliasMoveSummary } from '../lambda/summary.js';
import { lambdaEngine } from './lambda-engine.js';
import { targetKind } from './lambda-target.js';

export async function run(ctx: ActionContext): Promise<void> {
  if (targetKind(ctx.inputs) === 'lambda') return runLambda(ctx);
  const started = Date.now();
  const options = { ...readWaitOptions(ctx.inputs), retire: ctx.inputs.boolean('retire') };
  const { region, clients, engine } = sagemakerEngine(ctx, options.region);

  const result = await promote(options, clients, engine);
  ctx.log.info(result.message);
  ctx.setOutput('status', result.status);
  if (result.endpointConfig) ctx.setOutput('endpoint-config', result.endpointConfig);
  summary(
    promoteSummary('promote', options.endpointName, region, result, (Date.now() - started) / 1000, [
      ['Retire', options.retire ? 'yes' : 'no']
    ])
  );
  if (result.reason) throw new UserError(result.reason);
}

/** promote on a Lambda alias: the weighted version alone. */
async function runLambda(ctx: ActionContext): Promise<void> {
  const started = Date.now();
  const target = readLambdaTarget(ctx.inputs);
  const { region, clients } = lambdaEngine(ctx, target.region, target.waitTimeoutSeconds);
  const result = await promoteLambda(target, clients);
  ctx.log.info(result.message);
  ctx.setOutput('status', result.status);
  if (result.version) ctx.setOutput('version', result.version);
  if (result.aliasArn) ctx.setOutput('alias-arn', result.aliasArn);
  summary(aliasMoveSummary('promote', target, region, result, (Date.now() - started) / 1000));
  if (result.reason) throw new UserError(result.reason);
}
