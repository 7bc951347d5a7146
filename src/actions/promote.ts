/** promote: finish a canary on a SageMaker endpoint. */
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { awsClient, resolveRegion } from '../aws.js';
import { UserError } from '../errors.js';
import { summary } from '../report.js';
import type { ActionContext } from '../runner.js';
import { engineContext } from './sagemaker-context.js';
import { readWaitOptions } from '../sagemaker/options.js';
import { promote } from '../sagemaker/promote.js';
import { promoteSummary } from '../sagemaker/summary.js';

export async function run(ctx: ActionContext): Promise<void> {
  const started = Date.now();
  const options = { ...readWaitOptions(ctx.inputs), retire: ctx.inputs.boolean('retire') };
  const region = resolveRegion(options.region);
  const sagemaker = awsClient(SageMakerClient, 'SageMaker', { action: ctx.name, region });
  const engine = engineContext(ctx);

  const result = await promote(options, { sagemaker }, engine);
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
