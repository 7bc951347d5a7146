/** register-model: a model package (image by digest, model data, metrics) in the SageMaker Model Registry. */
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { awsClient, resolveRegion } from '../aws.js';
import { readRegisterOptions } from '../registry/options.js';
import { register } from '../registry/register.js';
import { registerSummary } from '../registry/summary.js';
import { summary } from '../report.js';
import type { ActionContext } from '../runner.js';

export async function run(ctx: ActionContext): Promise<void> {
  const options = readRegisterOptions(ctx.inputs, ctx.github);
  const region = resolveRegion(options.region);
  const client = { action: ctx.name, region };
  const result = await register(
    options,
    {
      sagemaker: awsClient(SageMakerClient, 'SageMaker', client),
      s3: options.metrics ? awsClient(S3Client, 'S3', client) : undefined
    },
    ctx.log
  );
  ctx.setOutput('model-package-arn', result.arn);
  ctx.setOutput('model-package-version', result.version);
  ctx.setOutput('status', result.status);
  summary(registerSummary(result, region));
}
