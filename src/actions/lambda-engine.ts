/** What the glue of deploy-lambda, promote and rollback (given function-name) hands the Lambda engine. */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { awsClient, resolveRegion } from '../aws.js';
import type { LambdaClients, LambdaContext } from '../lambda/engine.js';
import type { ActionContext } from '../runner.js';
import { runEngineContext } from './engine-context.js';

export function lambdaEngine(
  ctx: ActionContext,
  regionInput: string | undefined,
  waitTimeoutSeconds: number
): { region: string; clients: Required<LambdaClients>; engine: LambdaContext } {
  const region = resolveRegion(regionInput);
  const options = { action: ctx.name, region };
  return {
    region,
    clients: {
      lambda: awsClient(LambdaClient, 'Lambda', options),
      cloudwatch: awsClient(CloudWatchClient, 'CloudWatch', options),
      logs: awsClient(CloudWatchLogsClient, 'CloudWatch Logs', options)
    },
    engine: { ...runEngineContext(ctx), deadline: Date.now() + waitTimeoutSeconds * 1000 * ctx.timeScale }
  };
}
