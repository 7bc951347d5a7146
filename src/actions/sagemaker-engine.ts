/** What the glue of deploy-canary, promote and rollback hands the SageMaker engine. */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { awsClient, resolveRegion } from '../aws.js';
import type { ActionContext } from '../runner.js';
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
    engine: {
      log: ctx.log,
      signal: ctx.signal,
      scale: ctx.timeScale,
      sha: ctx.github.sha,
      runUrl: ctx.github.runUrl,
      holder: holderId(ctx),
      now: () => new Date()
    }
  };
}

/**
 * This run's id in leases and made-by tags: `<run id>.<attempt>.<nonce>` (two jobs of one run differ
 * by the nonce, and a later attempt knows the earlier one's lease); `local-<host>.0.<nonce>` elsewhere.
 */
function holderId(ctx: ActionContext): string {
  const nonce = randomBytes(3).toString('hex');
  if (ctx.github.runId) return `${ctx.github.runId}.${ctx.github.runAttempt}.${nonce}`;
  return `local-${os.hostname().replace(/[^\w-]/g, '')}-${process.pid}.0.${nonce}`;
}
