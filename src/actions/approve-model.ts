/** approve-model: a model package Approved or Rejected, with who and why (and the run) in its description. */
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { awsClient, resolveRegion } from '../aws.js';
import { approve } from '../registry/approve.js';
import { readApproveOptions } from '../registry/options.js';
import { approveSummary } from '../registry/summary.js';
import { summary } from '../report.js';
import type { ActionContext } from '../runner.js';

export async function run(ctx: ActionContext): Promise<void> {
  const options = readApproveOptions(ctx.inputs, ctx.github);
  const region = resolveRegion(options.region);
  const sagemaker = awsClient(SageMakerClient, 'SageMaker', { action: ctx.name, region });
  const result = await approve(options, sagemaker, ctx.log);
  ctx.setOutput('model-package-arn', result.arn);
  ctx.setOutput('status', result.status);
  ctx.setOutput('previous-status', result.previousStatus);
  summary(approveSummary(result, region));
}
