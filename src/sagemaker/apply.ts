/**
 * What deploy-canary, promote and rollback share when they change an endpoint: the clients and
 * context the engine receives, one call of the apply step (a refusal said in one sentence, a lost
 * answer recognised as done), the lease that makes runs take turns, and how they watch.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { DescribeEndpointCommandOutput, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { isConnectionError } from '../aws.js';
import { errorMessage, UserError, userFacing } from '../errors.js';
import type { Logger } from '../report.js';
import { takeLease, type Lease } from './lease.js';
import { configTags, describeEndpoint } from './state.js';
import { TAG } from './tags.js';
import type { PollTiming, WatchOptions } from './watch.js';

export interface Clients {
  sagemaker: SageMakerClient;
  cloudwatch?: CloudWatchClient;
}

export interface EngineContext {
  log: Logger;
  signal?: AbortSignal;
  /** Poll-delay multiplier (1 against AWS). */
  scale: number;
  sha: string;
  runUrl?: string;
  /** This run, as the endpoint's lease and the made-by tag name it. */
  holder: string;
  now: () => Date;
  /** Poll delays and a clock/sleep for waiting (defaults: 5 s to 30 s, real time). */
  timing?: PollTiming;
}

/** Service errors that a user fixes (bad request, quota): said in one sentence with what still serves. */
const REFUSALS = new Set(['ValidationException', 'ResourceLimitExceeded', 'ResourceInUse']);

export interface Landing {
  /**
   * Whether the request went through after all: asked (by describing what it changes) when SageMaker
   * refused it or gave no answer, since a lost answer retried by the SDK is refused as a duplicate.
   */
  landed?: () => Promise<boolean>;
  /** Clean-up of what the refused step would have used; only when it did not land. */
  undo?: () => Promise<void>;
}

/**
 * Runs one call of the apply step. A request that landed after all (its answer was lost) counts as
 * done. A refusal by SageMaker becomes a UserError that says what still serves, after the clean-up; a
 * call that got no answer and did not land says so, and leaves everything (it may land later).
 */
export async function refusedAs<T>(
  operation: string,
  serving: string,
  call: () => Promise<T>,
  landing: Landing = {}
): Promise<T | undefined> {
  try {
    return await call();
  } catch (e) {
    const err = e as Error & { name?: string };
    const refused = !userFacing(e) && REFUSALS.has(err?.name ?? '');
    const unanswered = isConnectionError(e);
    if (!refused && !unanswered) throw e;
    let landed: boolean | undefined;
    try {
      landed = await landing.landed?.();
    } catch (check) {
      if (!isConnectionError(check)) throw check;
    }
    if (landed) return undefined;
    if (unanswered) {
      throw new UserError(
        `${operation} got no answer from SageMaker (${errorMessage(e).replace(/\.$/, '')})${landed === undefined && landing.landed ? ', and whether it went through could not be checked' : ''}. ${serving} Nothing was deleted: run again, and the next run picks up or reclaims what this one made.`
      );
    }
    await landing.undo?.();
    const hint =
      err.name === 'ResourceLimitExceeded'
        ? ' Lower instance-count or request a higher quota in Service Quotas.'
        : '';
    throw new UserError(
      `SageMaker refused ${operation} (${err.name}: ${err.message.replace(/\.$/, '')}).${hint} ${serving}`
    );
  }
}

/** Whether the endpoint serves or deploys `config`: an UpdateEndpoint or CreateEndpoint to it landed. */
export async function onEndpoint(sm: SageMakerClient, endpoint: string, config: string): Promise<boolean> {
  const e = await describeEndpoint(sm, endpoint);
  return e?.EndpointConfigName === config || e?.PendingDeploymentSummary?.EndpointConfigName === config;
}

/** Whether a resource of that ARN carries this run's made-by tag: a create whose answer was lost. */
export async function madeByUs(
  sm: SageMakerClient,
  arn: string | undefined,
  holder: string
): Promise<boolean> {
  return Boolean(arn) && (await configTags(sm, arn))[TAG.madeBy] === holder;
}

export function watchOptions(
  options: { waitTimeoutSeconds: number; bakeSeconds?: number; terminationWaitSeconds?: number },
  clients: Clients,
  ctx: EngineContext,
  extra: Pick<WatchOptions, 'expect' | 'onPoll'> = {}
): WatchOptions {
  return {
    sagemaker: clients.sagemaker,
    log: ctx.log,
    signal: ctx.signal,
    timeoutSeconds: options.waitTimeoutSeconds,
    scale: ctx.scale,
    timing: ctx.timing,
    bakeSeconds: options.bakeSeconds,
    terminationWaitSeconds: options.terminationWaitSeconds,
    ...extra
  };
}

/**
 * Runs `work` under the endpoint's advisory lease (when the endpoint exists), so that a second run
 * deploying the same endpoint waits for the first instead of racing it; the lease is released
 * however `work` ends.
 */
export async function underLease<T>(
  live: DescribeEndpointCommandOutput | undefined,
  options: { waitTimeoutSeconds: number },
  clients: Clients,
  ctx: EngineContext,
  work: (lease?: Lease) => Promise<T>
): Promise<T> {
  const endpoint = live?.EndpointName;
  if (!endpoint || !live?.EndpointArn) return work();
  const lease = await takeLease({
    sagemaker: clients.sagemaker,
    endpointArn: live.EndpointArn,
    endpointName: endpoint,
    holder: ctx.holder,
    waitSeconds: options.waitTimeoutSeconds,
    log: ctx.log,
    scale: ctx.scale,
    signal: ctx.signal,
    clock: ctx.timing?.clock,
    sleep: ctx.timing?.sleep
  });
  try {
    return await work(lease);
  } finally {
    await lease.release().catch((e) => ctx.log.debug(`Releasing the lease failed: ${errorMessage(e)}`));
  }
}
