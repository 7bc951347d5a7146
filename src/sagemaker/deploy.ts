/** deploy-canary's engine: read the endpoint, plan, then apply the plan and judge the outcome. */
import { DescribeAlarmsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  UpdateEndpointCommand,
  type SageMakerClient
} from '@aws-sdk/client-sagemaker';
import { errorMessage, InputError, UserError, userFacing } from '../errors.js';
import type { Logger } from '../report.js';
import { cleanup, listVersions, markLive, rollbackTarget, tagResource } from './history.js';
import type { DeployOptions } from './options.js';
import { planDeployment, type Plan } from './plan.js';
import { readEndpointState, type EndpointState } from './state.js';
import { TAG, toTagList } from './tags.js';
import { judge, refuseBroken, SETTLING, waitForEndpoint, type Change, type PollTiming } from './watch.js';

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
  now: () => Date;
  /** Poll delays and a clock/sleep for waiting (defaults: 5 s to 30 s, real time). */
  timing?: PollTiming;
}

export type DeployStatus =
  'deployed' | 'canary' | 'unchanged' | 'rolled-back' | 'planned' | 'failed' | 'in-progress';

export interface DeployResult {
  plan: Plan;
  status: DeployStatus;
  /** Why it did not succeed (rolled-back, failed, or a wait that stopped early). */
  reason?: string;
  polls: number;
  waitedSeconds: number;
  /** The states the endpoint went through while the action watched it. */
  changes: Change[];
  deleted: string[];
}

/** Service errors that a user fixes (bad request, quota): said in one sentence with what still serves. */
const REFUSALS = new Set(['ValidationException', 'ResourceLimitExceeded', 'ResourceInUse']);

/**
 * Runs one call of the apply step; a refusal by SageMaker becomes a UserError that says what still
 * serves, after `onRefusal` (clean-up of what the refused step would have used) has run.
 */
export async function refusedAs<T>(
  operation: string,
  serving: string,
  call: () => Promise<T>,
  onRefusal?: () => Promise<void>
): Promise<T> {
  try {
    return await call();
  } catch (e) {
    const err = e as Error & { name?: string };
    if (userFacing(e) || !REFUSALS.has(err?.name ?? '')) throw e;
    await onRefusal?.();
    const hint =
      err.name === 'ResourceLimitExceeded'
        ? ' Lower instance-count or request a higher quota in Service Quotas.'
        : '';
    throw new UserError(
      `SageMaker refused ${operation} (${err.name}: ${err.message.replace(/\.$/, '')}).${hint} ${serving}`
    );
  }
}

async function checkAlarms(cloudwatch: CloudWatchClient | undefined, alarms: string[]): Promise<void> {
  if (!cloudwatch || !alarms.length) return;
  const found = new Set(
    ((await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: alarms }))).MetricAlarms ?? []).map(
      (a) => a.AlarmName
    )
  );
  const missing = alarms.filter((a) => !found.has(a));
  if (missing.length) {
    throw new InputError(
      'alarms',
      `Input "alarms" names ${missing.join(', ')}, which CloudWatch does not have in this region: create the alarm or fix the name.`
    );
  }
}

/** Waits for an endpoint that is already changing, then returns its fresh state. */
async function settledState(
  options: DeployOptions,
  clients: Clients,
  ctx: EngineContext
): Promise<EndpointState> {
  let state = await readEndpointState(clients.sagemaker, options.endpointName);
  refuseBroken(state.endpoint);
  if (state.endpoint && SETTLING.has(state.endpoint.EndpointStatus ?? '') && !options.dryRun) {
    ctx.log.info(
      `Endpoint ${options.endpointName} is ${state.endpoint.EndpointStatus}: waiting for it to settle before deploying.`
    );
    const watched = await waitForEndpoint(options.endpointName, watchOptions(options, clients, ctx));
    if (watched.stopped) throw new UserError(`${watched.stopped.message} Nothing was deployed.`);
    state = await readEndpointState(clients.sagemaker, options.endpointName);
    refuseBroken(state.endpoint);
  }
  return state;
}

export function watchOptions(
  options: { waitTimeoutSeconds: number; bakeSeconds?: number; terminationWaitSeconds?: number },
  clients: Clients,
  ctx: EngineContext
): Parameters<typeof waitForEndpoint>[1] {
  return {
    sagemaker: clients.sagemaker,
    log: ctx.log,
    signal: ctx.signal,
    timeoutSeconds: options.waitTimeoutSeconds,
    scale: ctx.scale,
    timing: ctx.timing,
    bakeSeconds: options.bakeSeconds,
    terminationWaitSeconds: options.terminationWaitSeconds
  };
}

export async function deploy(
  options: DeployOptions,
  clients: Clients,
  ctx: EngineContext
): Promise<DeployResult> {
  const sm = clients.sagemaker;
  const state = await settledState(options, clients, ctx);
  await checkAlarms(clients.cloudwatch, options.alarms);
  const planAt = (now: Date) => planDeployment(state, options, { sha: ctx.sha, runUrl: ctx.runUrl, now });
  let plan = planAt(ctx.now());
  const result = (status: DeployStatus, extra: Partial<DeployResult> = {}): DeployResult => ({
    plan,
    status,
    polls: 0,
    waitedSeconds: 0,
    changes: [],
    deleted: [],
    ...extra
  });
  if (options.dryRun) {
    if (state.endpoint && SETTLING.has(state.endpoint.EndpointStatus ?? '')) {
      plan.notes.push(`The endpoint is ${state.endpoint.EndpointStatus} now: a real run waits for it first.`);
    }
    return result('planned');
  }
  if (plan.action === 'unchanged') return result('unchanged');

  const serving = plan.previousConfig
    ? `The endpoint still serves ${plan.previousConfig}.`
    : 'Nothing was deployed.';
  // Version names have a resolution of one second: a deployment right after another of the same
  // commit (a quick re-run, a fast emulator) takes the next free second instead of failing.
  for (let later = 1; ; later++) {
    const taken = await refusedAs('CreateModel', serving, async () => {
      try {
        await sm.send(new CreateModelCommand(plan.createModel!));
        return false;
      } catch (e) {
        if (later > 5 || !/already existing model/i.test(errorMessage(e))) throw e;
        return true;
      }
    });
    if (!taken) break;
    plan = planAt(new Date(ctx.now().valueOf() + later * 1000));
  }
  // What a refused request leaves behind never served: it is deleted again (best effort), so no
  // orphan model or config outlives a failed run. Only on a refusal: after a lost answer the
  // request may have gone through.
  const created: Array<() => Promise<unknown>> = [
    () => sm.send(new DeleteModelCommand({ ModelName: plan.modelName }))
  ];
  const undo = async () => {
    for (const remove of created.reverse())
      await Promise.resolve()
        .then(remove)
        .catch(() => undefined);
  };
  const { EndpointConfigArn: configArn } = await refusedAs(
    'CreateEndpointConfig',
    serving,
    () => sm.send(new CreateEndpointConfigCommand(plan.createConfig!)),
    undo
  );
  created.push(() => sm.send(new DeleteEndpointConfigCommand({ EndpointConfigName: plan.newConfig })));
  if (plan.action === 'create') {
    ctx.log.info(`Creating endpoint ${options.endpointName} with ${plan.newConfig}.`);
    await refusedAs(
      'CreateEndpoint',
      serving,
      () =>
        sm.send(
          new CreateEndpointCommand({
            EndpointName: options.endpointName,
            EndpointConfigName: plan.newConfig,
            Tags: toTagList({ ...options.tags, [TAG.endpoint]: options.endpointName })
          })
        ),
      undo
    );
  } else {
    ctx.log.info(
      `Updating endpoint ${options.endpointName} from ${plan.previousConfig} to ${plan.newConfig} (${options.strategy}).`
    );
    await refusedAs(
      'UpdateEndpoint',
      serving,
      () =>
        sm.send(
          new UpdateEndpointCommand({
            EndpointName: options.endpointName,
            EndpointConfigName: plan.newConfig,
            ...(plan.deploymentConfig ? { DeploymentConfig: plan.deploymentConfig } : {})
          })
        ),
      undo
    );
  }
  if (!options.wait) return result('in-progress');

  const watched = await waitForEndpoint(options.endpointName, watchOptions(options, clients, ctx));
  const waited = { polls: watched.polls, waitedSeconds: watched.seconds, changes: watched.changes };
  if (watched.stopped) return result('in-progress', { reason: watched.stopped.message, ...waited });
  const outcome = await judge(watched.endpoint!, plan.newConfig!, {
    cloudwatch: clients.cloudwatch,
    alarms: options.alarms
  });
  const now = ctx.now().toISOString();
  if (outcome.status !== 'deployed') {
    if (outcome.status === 'rolled-back') {
      await tagResource(sm, configArn, { [TAG.rolledBack]: now, [TAG.rollbackReason]: outcome.reason });
    }
    return result(outcome.status, { reason: outcome.reason, ...waited });
  }
  const weights = plan.action === 'weights-canary';
  if (!weights) await markLive(sm, plan.newConfig!, now);
  const versions = await listVersions(sm, options.endpointName);
  const protect = [plan.newConfig, plan.previousConfig, rollbackTarget(versions, plan.newConfig)?.configName];
  const deleted = await cleanup(sm, versions, options.keepVersions, protect, ctx.log);
  return result(weights ? 'canary' : 'deployed', { ...waited, deleted });
}
