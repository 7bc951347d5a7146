/**
 * Waiting for an endpoint and judging the outcome. Success is InService AND the endpoint on the config
 * just deployed; an endpoint back on the old config is a rollback, Failed and UpdateRollbackFailed are
 * failures. The SDK waiter cannot tell these apart (it succeeds on any InService), so this does.
 */
import { DescribeAlarmsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { DescribeEndpointCommandOutput, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { UserError } from '../errors.js';
import type { Logger } from '../report.js';
import { Cancelled, poll, WaitTimeout } from '../wait.js';
import { describeEndpoint } from './state.js';

export const SETTLING = new Set(['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'Deleting']);

export interface WatchOptions {
  sagemaker: SageMakerClient;
  log: Logger;
  signal?: AbortSignal;
  timeoutSeconds: number;
  scale?: number;
  /** The first delay and the cap between DescribeEndpoint calls (5 s and 30 s against AWS). */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** The bake and termination waits of the deployment, to poll right when they end. */
  bakeSeconds?: number;
  terminationWaitSeconds?: number;
}

/** When the current bake or termination wait of a deployment ends (epoch ms), if it is one. */
export function phaseEnd(
  e: DescribeEndpointCommandOutput | undefined,
  options: WatchOptions
): number | undefined {
  const status = e?.PendingDeploymentSummary?.ProductionVariants?.[0]?.VariantStatus?.[0];
  if (!status?.StartTime) return undefined;
  const seconds =
    status.Status === 'Baking'
      ? options.bakeSeconds
      : status.Status === 'Deleting'
        ? options.terminationWaitSeconds
        : undefined;
  return seconds === undefined
    ? undefined
    : status.StartTime.valueOf() + seconds * 1000 * (options.scale ?? 1);
}

export interface WatchResult {
  endpoint: DescribeEndpointCommandOutput;
  polls: number;
  seconds: number;
}

/** One line of an endpoint's state: status, config, and what the new fleet is doing. */
export function describeState(e: DescribeEndpointCommandOutput | undefined): string {
  if (!e) return 'absent';
  const parts = [`${e.EndpointStatus} on ${e.EndpointConfigName}`];
  const pending = e.PendingDeploymentSummary;
  if (pending) {
    const variant = pending.ProductionVariants?.[0];
    const status = variant?.VariantStatus?.[0];
    parts.push(
      `deploying ${pending.EndpointConfigName}${status ? `: ${status.Status}${status.StatusMessage ? ` (${status.StatusMessage})` : ''}` : ''}`
    );
  }
  const weights = (e.ProductionVariants ?? []).filter((v) => v.CurrentWeight !== undefined);
  if (weights.length > 1) {
    parts.push(
      `weights ${weights.map((v) => `${v.VariantName} ${v.CurrentWeight}${v.DesiredWeight !== v.CurrentWeight ? `->${v.DesiredWeight}` : ''}`).join(', ')}`
    );
  }
  return parts.join(', ');
}

export async function waitForEndpoint(name: string, options: WatchOptions): Promise<WatchResult> {
  try {
    const result = await poll({
      what: `endpoint ${name}`,
      read: () => describeEndpoint(options.sagemaker, name),
      done: (e) => !e || !SETTLING.has(e.EndpointStatus ?? ''),
      describe: describeState,
      expectedChange: (e) => phaseEnd(e, options),
      timeoutSeconds: options.timeoutSeconds,
      log: options.log,
      signal: options.signal,
      scale: options.scale,
      minDelayMs: options.minDelayMs,
      maxDelayMs: options.maxDelayMs ?? 30000
    });
    if (!result.state) throw new UserError(`Endpoint ${name} disappeared while it was watched.`);
    return { endpoint: result.state, polls: result.polls, seconds: result.seconds };
  } catch (e) {
    if (e instanceof Cancelled) {
      throw new Cancelled(
        `${e.message} SageMaker carries on with the deployment by itself (and rolls back on its alarms); watch the endpoint in the console.`
      );
    }
    if (e instanceof WaitTimeout) {
      throw new WaitTimeout(
        `${e.message} SageMaker carries on; raise wait-timeout or watch the endpoint in the console.`
      );
    }
    throw e;
  }
}

export type Outcome = { status: 'deployed' } | { status: 'rolled-back' | 'failed'; reason: string };

/** Alarms among `names` that are in ALARM now. */
export async function firingAlarms(
  cloudwatch: CloudWatchClient | undefined,
  names: string[]
): Promise<string[]> {
  if (!cloudwatch || !names.length) return [];
  const result = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names, StateValue: 'ALARM' }));
  return (result.MetricAlarms ?? []).map((a) => a.AlarmName!);
}

/** What happened, from the settled endpoint: deployed, rolled back (and why), or failed. */
export async function judge(
  endpoint: DescribeEndpointCommandOutput,
  target: string,
  context: { cloudwatch?: CloudWatchClient; alarms?: string[] } = {}
): Promise<Outcome> {
  const name = endpoint.EndpointName;
  const reason = endpoint.FailureReason?.trim();
  switch (endpoint.EndpointStatus) {
    case 'InService': {
      if (endpoint.EndpointConfigName === target) return { status: 'deployed' };
      const firing = await firingAlarms(context.cloudwatch, context.alarms ?? []);
      const why =
        reason || (firing.length ? `alarm ${firing.join(', ')} in ALARM` : 'SageMaker gave no reason');
      return {
        status: 'rolled-back',
        reason: `The deployment of ${target} to ${name} was rolled back: ${why.replace(/\.$/, '')}. The endpoint serves ${endpoint.EndpointConfigName} again.`
      };
    }
    case 'Failed':
      return {
        status: 'failed',
        reason: `Endpoint ${name} is Failed${reason ? `: ${reason.replace(/\.$/, '')}` : ''}. A failed endpoint can only be deleted: delete it (aws sagemaker delete-endpoint --endpoint-name ${name}) and deploy again to recreate it.`
      };
    case 'UpdateRollbackFailed':
      return {
        status: 'failed',
        reason: `Endpoint ${name} is UpdateRollbackFailed: the update and its rollback both failed${reason ? ` (${reason.replace(/\.$/, '')})` : ''}, so it may serve a mix of both versions. A person must decide: deploy a known-good version with rollback, or delete the endpoint.`
      };
    default:
      return {
        status: 'failed',
        reason: `Endpoint ${name} ended ${endpoint.EndpointStatus}${reason ? `: ${reason}` : ''}.`
      };
  }
}

/** Refuses to start on an endpoint that needs a person; returns the state to start from. */
export function refuseBroken(endpoint: DescribeEndpointCommandOutput | undefined): void {
  if (!endpoint) return;
  if (endpoint.EndpointStatus === 'Failed' || endpoint.EndpointStatus === 'UpdateRollbackFailed') {
    throw new UserError(
      endpoint.EndpointStatus === 'Failed'
        ? `Endpoint ${endpoint.EndpointName} is Failed${endpoint.FailureReason ? ` (${endpoint.FailureReason.replace(/\.$/, '')})` : ''}: only deleting it is possible; delete it (aws sagemaker delete-endpoint --endpoint-name ${endpoint.EndpointName}) and run again to recreate it.`
        : `Endpoint ${endpoint.EndpointName} is UpdateRollbackFailed: it may serve a mix of two versions and needs a person; deploy a known-good version with rollback (to: a config) or delete it.`
    );
  }
}
