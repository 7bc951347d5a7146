/** deploy-canary's engine: read the endpoint, plan, then apply the plan and judge the outcome. */
import { DescribeAlarmsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  UpdateEndpointCommand,
  type SageMakerClient
} from '@aws-sdk/client-sagemaker';
import { InputError } from '../errors.js';
import type { Logger } from '../report.js';
import { cleanup, listVersions, rollbackTarget, tagConfig } from './history.js';
import type { DeployOptions } from './options.js';
import { planDeployment, type Plan } from './plan.js';
import { readEndpointState, type EndpointState } from './state.js';
import { TAG } from './tags.js';
import { judge, refuseBroken, SETTLING, waitForEndpoint } from './watch.js';

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
}

export type DeployStatus =
  'deployed' | 'canary' | 'unchanged' | 'rolled-back' | 'planned' | 'failed' | 'in-progress';

export interface DeployResult {
  plan: Plan;
  status: DeployStatus;
  /** Why it did not succeed (rolled-back, failed). */
  reason?: string;
  polls: number;
  waitedSeconds: number;
  deleted: string[];
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
    await waitForEndpoint(options.endpointName, {
      ...clients,
      log: ctx.log,
      signal: ctx.signal,
      timeoutSeconds: options.waitTimeoutSeconds,
      scale: ctx.scale
    });
    state = await readEndpointState(clients.sagemaker, options.endpointName);
    refuseBroken(state.endpoint);
  }
  return state;
}

export async function deploy(
  options: DeployOptions,
  clients: Clients,
  ctx: EngineContext
): Promise<DeployResult> {
  const sm = clients.sagemaker;
  const state = await settledState(options, clients, ctx);
  await checkAlarms(clients.cloudwatch, options.alarms);
  const plan = planDeployment(state, options, { sha: ctx.sha, runUrl: ctx.runUrl, now: ctx.now() });
  const result = (status: DeployStatus, extra: Partial<DeployResult> = {}): DeployResult => ({
    plan,
    status,
    polls: 0,
    waitedSeconds: 0,
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

  await sm.send(new CreateModelCommand(plan.createModel!));
  const { EndpointConfigArn: newArn } = await sm.send(new CreateEndpointConfigCommand(plan.createConfig!));
  if (plan.action === 'create') {
    ctx.log.info(`Creating endpoint ${options.endpointName} with ${plan.newConfig}.`);
    await sm.send(
      new CreateEndpointCommand({
        EndpointName: options.endpointName,
        EndpointConfigName: plan.newConfig,
        Tags: plan.createConfig!.Tags
      })
    );
  } else {
    ctx.log.info(
      `Updating endpoint ${options.endpointName} from ${plan.previousConfig} to ${plan.newConfig} (${options.strategy}).`
    );
    await sm.send(
      new UpdateEndpointCommand({
        EndpointName: options.endpointName,
        EndpointConfigName: plan.newConfig,
        DeploymentConfig: plan.deploymentConfig
      })
    );
  }
  if (!options.wait) return result('in-progress');

  const watched = await waitForEndpoint(options.endpointName, {
    ...clients,
    log: ctx.log,
    signal: ctx.signal,
    timeoutSeconds: options.waitTimeoutSeconds,
    scale: ctx.scale,
    bakeSeconds: options.bakeSeconds,
    terminationWaitSeconds: options.terminationWaitSeconds
  });
  const outcome = await judge(watched.endpoint, plan.newConfig!, {
    cloudwatch: clients.cloudwatch,
    alarms: options.alarms
  });
  const waited = { polls: watched.polls, waitedSeconds: watched.seconds };
  if (outcome.status !== 'deployed') {
    if (outcome.status === 'rolled-back') {
      await tagConfig(sm, newArn, {
        [TAG.rolledBack]: ctx.now().toISOString(),
        [TAG.rollbackReason]: outcome.reason
      });
    }
    return result(outcome.status, { reason: outcome.reason, ...waited });
  }
  const weights = plan.action === 'weights-canary';
  if (!weights) await tagConfig(sm, newArn, { [TAG.wentLive]: ctx.now().toISOString() });
  const versions = await listVersions(sm, options.endpointName);
  const protect = [plan.newConfig, plan.previousConfig, rollbackTarget(versions, plan.newConfig)?.configName];
  const deleted = await cleanup(sm, versions, options.keepVersions, protect, ctx.log);
  return result(weights ? 'canary' : 'deployed', { ...waited, deleted });
}
