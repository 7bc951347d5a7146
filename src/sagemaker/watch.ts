/**
 * Waiting for an endpoint and judging the outcome. Success is InService AND the endpoint on the config
 * just deployed; an endpoint back on the old config is a rollback, Failed and UpdateRollbackFailed are
 * failures. The SDK waiter cannot tell these apart (it succeeds on any InService), so this does.
 *
 * A wait that times out or is cancelled is not an exception here: it is an outcome (`stopped`) with
 * the state the endpoint was left in, so the caller still reports what it did.
 */
import { DescribeAlarmsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  DescribeEndpointConfigCommand,
  type DescribeEndpointCommandOutput,
  type SageMakerClient
} from '@aws-sdk/client-sagemaker';
import { isConnectionError, orUndefined } from '../aws.js';
import { errorMessage, UserError } from '../errors.js';
import { systemClock, type Clock, type Logger } from '../report.js';
import { formatDuration } from '../duration.js';
import { Cancelled, poll, sleep, WaitTimeout } from '../wait.js';
import { configTags, describeEndpoint } from './state.js';
import { TAG } from './tags.js';

export const SETTLING = new Set(['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'Deleting']);
const THROTTLED = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded'
]);

/** How to wait: the poll delays (5 s first, 30 s cap, against AWS), and a clock and a sleep that tests and bench/ may make virtual. */
export interface PollTiming {
  minDelayMs?: number;
  maxDelayMs?: number;
  clock?: Clock;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Poll right when a bake or termination wait ends (default true; bench/ compares without). */
  wakeAtPhaseEnd?: boolean;
}

export interface WatchOptions {
  sagemaker: SageMakerClient;
  log: Logger;
  signal?: AbortSignal;
  timeoutSeconds: number;
  /** Multiplies every poll delay (1 against AWS). */
  scale?: number;
  timing?: PollTiming;
  /** The bake and termination waits of the deployment, to poll right when they end. */
  bakeSeconds?: number;
  terminationWaitSeconds?: number;
  /** The deployment watched: the watch ends as soon as the endpoint moves to any other config. */
  expect?: Expected;
  /** Called after every poll (the lease is renewed there). */
  onPoll?: () => Promise<void>;
}

/** What a watched deployment moves the endpoint to, and from (none on a first deployment). */
export interface Expected {
  target: string;
  previous?: string;
}

/**
 * The config of another deployment that replaced the one watched, if any: the endpoint serves a
 * config that is neither the target nor the previous one, or, still on the previous one, deploys
 * another. (Once the target serves, it went live: a deployment after it replaced nothing.)
 */
export function otherConfig(e: DescribeEndpointCommandOutput, expected: Expected): string | undefined {
  const current = e.EndpointConfigName;
  if (current === expected.target) return undefined;
  const pending = e.PendingDeploymentSummary?.EndpointConfigName;
  if (current && current !== expected.previous) return current;
  if (pending && pending !== expected.target) return pending;
  return undefined;
}

/** Whether the target serves and another deployment has begun after it (the watch can end). */
export function liveThenReplaced(e: DescribeEndpointCommandOutput, expected: Expected): boolean {
  const pending = e.PendingDeploymentSummary?.EndpointConfigName;
  return e.EndpointConfigName === expected.target && Boolean(pending) && pending !== expected.target;
}

/** Polls in a row that may fail for want of an answer before the watch gives up. */
const LOST_AFTER = 3;

class LostConnection extends UserError {
  override name = 'LostConnection';
}

/**
 * When the current bake or termination wait of a deployment ends (epoch ms), if it is one: from the
 * waits the caller knows, else from the endpoint's own LastDeploymentConfig.
 */
export function phaseEnd(
  e: DescribeEndpointCommandOutput | undefined,
  options: Pick<WatchOptions, 'bakeSeconds' | 'terminationWaitSeconds' | 'scale'>
): number | undefined {
  const status = e?.PendingDeploymentSummary?.ProductionVariants?.[0]?.VariantStatus?.[0];
  if (!status?.StartTime) return undefined;
  const policy = e?.LastDeploymentConfig?.BlueGreenUpdatePolicy;
  const seconds =
    status.Status === 'Baking'
      ? (options.bakeSeconds ?? policy?.TrafficRoutingConfiguration?.WaitIntervalInSeconds)
      : status.Status === 'Deleting'
        ? (options.terminationWaitSeconds ?? policy?.TerminationWaitInSeconds)
        : undefined;
  return seconds === undefined
    ? undefined
    : status.StartTime.valueOf() + seconds * 1000 * (options.scale ?? 1);
}

/** A change of state seen while waiting, `seconds` after the wait began (in the service's time). */
export interface Change {
  seconds: number;
  state: string;
}

/** While nothing changes, a line that says so at most this often (service time). */
const HEARTBEAT_SECONDS = 60;

export interface WatchResult {
  /** The endpoint as last seen; undefined only if it disappeared. */
  endpoint?: DescribeEndpointCommandOutput;
  polls: number;
  seconds: number;
  changes: Change[];
  /** When the first bake seen began (SageMaker's StartTime of the Baking phase), if one was seen. */
  bakeStarted?: Date;
  /** Set when the wait ended before the endpoint settled: why, and the state it was left in. */
  stopped?: { kind: 'timeout' | 'cancelled' | 'lost'; message: string };
}

function weightText(v: { VariantName?: string; CurrentWeight?: number; DesiredWeight?: number }): string {
  const moving = v.DesiredWeight !== undefined && v.DesiredWeight !== v.CurrentWeight;
  return `${v.VariantName} ${v.CurrentWeight}${moving ? `->${v.DesiredWeight}` : ''}`;
}

/** One line of an endpoint's state: status, config, what the new fleet is doing, traffic weights. */
export function describeState(e: DescribeEndpointCommandOutput | undefined): string {
  if (!e) return 'absent';
  const parts = [`${e.EndpointStatus} on ${e.EndpointConfigName}`];
  const pending = e.PendingDeploymentSummary;
  if (pending) {
    const variant = pending.ProductionVariants?.[0];
    const status = variant?.VariantStatus?.[0];
    const detail = status
      ? `: ${status.Status}${status.StatusMessage ? ` (${status.StatusMessage})` : ''}`
      : '';
    parts.push(`deploying ${pending.EndpointConfigName}${detail}`);
  }
  const variants = e.ProductionVariants ?? [];
  if (variants.length > 1 || variants.some((v) => v.DesiredWeight !== v.CurrentWeight)) {
    parts.push(`weights ${variants.map(weightText).join(', ')}`);
  }
  return parts.join(', ');
}

export async function waitForEndpoint(name: string, options: WatchOptions): Promise<WatchResult> {
  const clock = options.timing?.clock ?? systemClock;
  const started = clock.now();
  const changes: Change[] = [];
  let last: DescribeEndpointCommandOutput | undefined;
  let seen = false;
  let polls = 0;
  let noted = 0;
  let bakeStarted: Date | undefined;
  const serviceSeconds = () => (clock.now() - started) / 1000 / (options.scale ?? 1);
  const wait = options.timing?.sleep ?? sleep;
  const read = async () => {
    polls++;
    for (let failures = 1; ; failures++) {
      try {
        last = await describeEndpoint(options.sagemaker, name);
        seen = true;
        break;
      } catch (e) {
        // The SDK has already retried a throttled call; while waiting, the next poll is one more try.
        if (seen && THROTTLED.has((e as Error)?.name)) {
          options.log.debug(`DescribeEndpoint ${name} was throttled beyond the SDK's retries; polling on.`);
          break;
        }
        if (!isConnectionError(e)) throw e;
        if (failures >= LOST_AFTER || options.signal?.aborted)
          throw new LostConnection(
            `Lost the connection to SageMaker while watching endpoint ${name} (${errorMessage(e).replace(/\.$/, '')}); it was last seen ${describeState(last)}.`
          );
        options.log.info(`DescribeEndpoint ${name} got no answer (${errorMessage(e)}): trying again.`);
        await wait(5000 * (options.scale ?? 1) * failures, options.signal);
      }
    }
    await options.onPoll?.();
    const phase = last?.PendingDeploymentSummary?.ProductionVariants?.[0]?.VariantStatus?.[0];
    if (!bakeStarted && phase?.Status === 'Baking' && phase.StartTime) bakeStarted = phase.StartTime;
    const state = describeState(last);
    const now = serviceSeconds();
    const change = changes.at(-1);
    if (change?.state !== state) {
      changes.push({ seconds: now, state });
      noted = now;
    } else if (now - noted >= HEARTBEAT_SECONDS) {
      options.log.info(`endpoint ${name}: still ${state} (for ${formatDuration(now - change.seconds)})`);
      noted = now;
    }
    return last;
  };
  const seconds = () => (clock.now() - started) / 1000;
  try {
    const result = await poll({
      what: `endpoint ${name}`,
      read,
      done: (e) =>
        !e ||
        !SETTLING.has(e.EndpointStatus ?? '') ||
        Boolean(options.expect && otherConfig(e, options.expect)),
      describe: describeState,
      expectedChange: options.timing?.wakeAtPhaseEnd === false ? undefined : (e) => phaseEnd(e, options),
      timeoutSeconds: options.timeoutSeconds,
      log: options.log,
      signal: options.signal,
      scale: options.scale,
      minDelayMs: options.timing?.minDelayMs,
      maxDelayMs: options.timing?.maxDelayMs ?? 30000,
      clock,
      sleep: options.timing?.sleep
    });
    if (!result.state) throw new UserError(`Endpoint ${name} disappeared while it was watched.`);
    return { endpoint: result.state, polls, seconds: result.seconds, changes, bakeStarted };
  } catch (e) {
    if (e instanceof Cancelled) {
      const message = `${e.message} SageMaker carries on with the deployment by itself (and rolls back on its alarms); watch the endpoint in the console.`;
      return { endpoint: last, polls, seconds: seconds(), changes, stopped: { kind: 'cancelled', message } };
    }
    if (e instanceof LostConnection) {
      const message = `${e.message} SageMaker carries on with the deployment by itself; run this step again to watch it to the end (a re-run picks up the deployment and records how it ended).`;
      return { endpoint: last, polls, seconds: seconds(), changes, stopped: { kind: 'lost', message } };
    }
    if (e instanceof WaitTimeout) {
      const message = `${e.message} SageMaker carries on; raise wait-timeout or watch the endpoint in the console.`;
      return { endpoint: last, polls, seconds: seconds(), changes, stopped: { kind: 'timeout', message } };
    }
    throw e;
  }
}

export type Outcome =
  { status: 'deployed' } | { status: 'rolled-back' | 'failed' | 'superseded'; reason: string; by?: string };

/** Alarms among `names` that are in ALARM now. */
export async function firingAlarms(
  cloudwatch: CloudWatchClient | undefined,
  names: string[]
): Promise<string[]> {
  if (!cloudwatch || !names.length) return [];
  const result = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names, StateValue: 'ALARM' }));
  return (result.MetricAlarms ?? []).map((a) => a.AlarmName!);
}

const sentence = (text: string) => text.trim().replace(/\.$/, '');

/**
 * Another run's deployment, when the endpoint moved to a config that is neither the target nor the
 * previous one: nothing rolled back, another deployment replaced this one. Names the config and the
 * run that made it, from its tags.
 */
export async function superseded(
  sm: SageMakerClient,
  endpoint: DescribeEndpointCommandOutput,
  expected: Expected
): Promise<Outcome | undefined> {
  const other = otherConfig(endpoint, expected);
  if (!other) return undefined;
  const config = await orUndefined(sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: other })));
  const tags = await configTags(sm, config?.EndpointConfigArn);
  const run = tags[TAG.runUrl] ?? tags[TAG.madeBy];
  const by = `${other}${run ? ` (made by ${run}${tags[TAG.gitSha] ? ` at ${tags[TAG.gitSha].slice(0, 7)}` : ''})` : ' (not made by mlops-actions, or made without a run)'}`;
  const now =
    endpoint.PendingDeploymentSummary?.EndpointConfigName === other
      ? `it serves ${endpoint.EndpointConfigName} while ${other} is deployed`
      : `it serves ${endpoint.EndpointConfigName}`;
  return {
    status: 'superseded',
    by: other,
    reason: `Another deployment superseded ${expected.target} on ${endpoint.EndpointName}: the endpoint moved to ${by}, so nothing rolled back and ${expected.target} is not live; ${now}. Run again if ${expected.target} should win.`
  };
}

/** Why an alarm went into ALARM, as CloudWatch says: the first of `candidates` it can explain. */
export type ExplainAlarm = (candidates: string[]) => Promise<{ alarm: string; reason: string } | undefined>;

/** The alarm among `alarms` that `text` names (the longest name, so news-5xx-canary beats news-5xx). */
export function namedAlarm(text: string | undefined, alarms: string[]): string | undefined {
  if (!text) return undefined;
  return [...alarms].sort((a, b) => b.length - a.length).find((a) => text.includes(a));
}

/**
 * What happened, from the settled endpoint: deployed, superseded, rolled back (and why), or failed.
 * Given `explain`, a rollback's reason also carries CloudWatch's reason for the alarm's state.
 */
export async function judge(
  endpoint: DescribeEndpointCommandOutput,
  expected: Expected,
  context: {
    sagemaker: SageMakerClient;
    cloudwatch?: CloudWatchClient;
    alarms?: string[];
    explain?: ExplainAlarm;
  }
): Promise<Outcome> {
  const name = endpoint.EndpointName;
  const target = expected.target;
  const other = await superseded(context.sagemaker, endpoint, expected);
  if (other) return other;
  if (liveThenReplaced(endpoint, expected)) return { status: 'deployed' };
  const reason = endpoint.FailureReason?.trim();
  switch (endpoint.EndpointStatus) {
    case 'InService': {
      if (endpoint.EndpointConfigName === target) return { status: 'deployed' };
      // SageMaker may leave FailureReason empty after an auto-rollback: then name the alarms (of the
      // caller, else of the endpoint's last deployment) that are in ALARM now.
      const alarms =
        context.alarms ??
        (endpoint.LastDeploymentConfig?.AutoRollbackConfiguration?.Alarms ?? []).map((a) => a.AlarmName!);
      const firing = reason ? [] : await firingAlarms(context.cloudwatch, alarms);
      const why =
        reason || (firing.length ? `alarm ${firing.join(', ')} in ALARM` : 'SageMaker gave no reason');
      const named = namedAlarm(reason, alarms) ?? firing[0];
      const cause = await context.explain?.(named ? [named] : alarms);
      const told = cause
        ? `${sentence(why)} (${why.includes(cause.alarm) ? '' : `alarm ${cause.alarm}: `}${sentence(cause.reason)})`
        : sentence(why);
      return {
        status: 'rolled-back',
        reason: `The deployment of ${target} to ${name} was rolled back: ${told}. The endpoint serves ${endpoint.EndpointConfigName} again.`
      };
    }
    case 'Failed':
      return {
        status: 'failed',
        reason: `Endpoint ${name} is Failed${reason ? `: ${sentence(reason)}` : ''}. A failed endpoint can only be deleted: delete it (aws sagemaker delete-endpoint --endpoint-name ${name}) and deploy again to recreate it.`
      };
    case 'UpdateRollbackFailed':
      return {
        status: 'failed',
        reason: `Endpoint ${name} is UpdateRollbackFailed: the update and its rollback both failed${reason ? ` (${sentence(reason)})` : ''}, so it may serve a mix of both versions. A person must decide: roll back to a known-good config (rollback with to:) or delete the endpoint.`
      };
    default:
      return {
        status: 'failed',
        reason: `Endpoint ${name} ended ${endpoint.EndpointStatus}${reason ? `: ${sentence(reason)}` : ''}.`
      };
  }
}

/** Refuses to start on an endpoint that needs a person. */
export function refuseBroken(endpoint: DescribeEndpointCommandOutput | undefined): void {
  if (!endpoint) return;
  if (endpoint.EndpointStatus === 'Failed') {
    throw new UserError(
      `Endpoint ${endpoint.EndpointName} is Failed${endpoint.FailureReason ? ` (${sentence(endpoint.FailureReason)})` : ''}: only deleting it is possible; delete it (aws sagemaker delete-endpoint --endpoint-name ${endpoint.EndpointName}) and run again to recreate it.`
    );
  }
  if (endpoint.EndpointStatus === 'UpdateRollbackFailed') {
    throw new UserError(
      `Endpoint ${endpoint.EndpointName} is UpdateRollbackFailed: it may serve a mix of two versions and needs a person; roll back to a known-good config (rollback with to:) or delete it.`
    );
  }
}
