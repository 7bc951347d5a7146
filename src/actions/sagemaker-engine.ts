/** What the glue of deploy-canary, promote and rollback hands the SageMaker engine. */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { awsClient, resolveRegion } from '../aws.js';
import type { ActionContext } from '../runner.js';
import { runEngineContext } from './engine-context.js';
import type { Clients, EngineContext } from '../sagemaker/apply.js';

export function sagemakerEngine(
  ctx: ActionContext,
  regionInput: string | undefined
): { region: string; clients: Required<Clients>; engine: EngineContext } {
  const region = resolveRegion(regionInput);
  return {
    region,
    clients: {
      sagemaker: awsClient(SageMakerClient, 'SageMaker', { action: ctx.name, region }),
      cloudwatch: awsClient(CloudWatchClient, 'CloudWatch', { action: ctx.name, region })
    },
    engine: { ...runEngineContext(ctx) }
  };
}
