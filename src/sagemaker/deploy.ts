/** deploy-canary's engine: read the endpoint, plan, then apply the plan and judge the outcome. */
import { DescribeAlarmsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  UpdateEndpointCommand
} from '@aws-sdk/client-sagemaker';
import { orUndefined } from '../aws.js';
import { errorMessage, InputError, UserError } from '../errors.js';
import {
  madeByUs,
  onEndpoint,
  refusedAs,
  underLease,
  watchOptions,
  type Clients,
  type EngineContext
} from './apply.js';
import { explainer, observe, type BakeReport } from './bake.js';
import { cleanup, listVersions, markLive, reconcile, rollbackTarget, tagResource } from './history.js';
import type { DeployOptions } from './options.js';
import { withPackage } from './package.js';
import { planDeployment, type Plan } from './plan.js';
import { readEndpointState, type EndpointState } from './state.js';
import { TAG, toTagList } from './tags.js';
import { judge, refuseBroken, SETTLING, waitForEndpoint, type Change } from './watch.js';

export type DeployStatus =
  'deployed' | 'canary' | 'unchanged' | 'rolled-back' | 'superseded' | 'planned' | 'failed' | 'in-progress';

export interface DeployResult {
  plan: Plan;
  status: DeployStatus;
  /** Why it did not succeed (rolled-back, superseded, failed, or a wait that stopped early). */
  reason?: string;
  polls: number;
  waitedSeconds: number;
  /** The states the endpoint went through while the action watched it. */
  changes: Change[];
  deleted: string[];
  /** What the variants served while the update baked, and the alarms at the end (updates only). */
  bake?: BakeReport;
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
  if (state.endpoint && SETTLING.has(state.endpoint.EndpointStatus ?? '')) {
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

export async function deploy(
  given: DeployOptions,
  clients: Clients,
  ctx: EngineContext
): Promise<DeployResult> {
  const sm = clients.sagemaker;
  const started = ctx.now();
  // A model package is resolved first: one that is not Approved is refused before anything else.
  const options = await withPackage(given, sm);
  // The plan is made (and refused) from what the endpoint is now, before any mutating call; a real
  // run then takes the lease, waits for a change under way, and plans again from the fresh state.
  const first = await readEndpointState(sm, options.endpointName);
  refuseBroken(first.endpoint);
  await checkAlarms(clients.cloudwatch, options.alarms);
  const planFrom = (state: EndpointState, now: Date) =>
    planDeployment(state, options, { sha: ctx.sha, runUrl: ctx.runUrl, holder: ctx.holder, now });
  let plan = planFrom(first, started);
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
    if (first.endpoint && SETTLING.has(first.endpoint.EndpointStatus ?? '')) {
      plan.notes.push(`The endpoint is ${first.endpoint.EndpointStatus} now: a real run waits for it first.`);
    }
    return result('planned');
  }
  if (plan.action === 'unchanged' && first.endpoint?.EndpointStatus === 'InService') {
    await reconcile(sm, first, ctx.log);
    return result('unchanged');
  }
  return underLease(first.endpoint, options, clients, ctx, async (lease) => {
    const moving = first.endpoint && SETTLING.has(first.endpoint.EndpointStatus ?? '');
    const state = lease?.waited || moving ? await settledState(options, clients, ctx) : first;
    await reconcile(sm, state, ctx.log);
    plan = planFrom(state, ctx.now());
    if (plan.action === 'unchanged') return result('unchanged');
    await apply(plan, options, clients, ctx, (next) => (plan = planFrom(state, next)));
    const updated = ctx.now();
    if (!options.wait) return result('in-progress');

    const expect = { target: plan.newConfig!, previous: plan.previousConfig };
    const watched = await waitForEndpoint(
      options.endpointName,
      watchOptions(options, clients, ctx, { expect, onPoll: () => lease?.renew() ?? Promise.resolve() })
    );
    const waited = { polls: watched.polls, waitedSeconds: watched.seconds, changes: watched.changes };
    if (watched.stopped) return result('in-progress', { reason: watched.stopped.message, ...waited });
    const bake = await observe(plan, options, clients, ctx, watched.bakeStarted ?? updated);
    const outcome = await judge(watched.endpoint!, expect, {
      sagemaker: sm,
      cloudwatch: clients.cloudwatch,
      alarms: options.alarms,
      explain: explainer(clients, ctx, { start: updated, end: bake?.window.end ?? ctx.now() }, bake)
    });
    const now = ctx.now().toISOString();
    if (outcome.status !== 'deployed') {
      if (outcome.status === 'rolled-back') {
        const config = await orUndefined(
          sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: plan.newConfig }))
        );
        await tagResource(sm, config?.EndpointConfigArn, {
          [TAG.rolledBack]: now,
          [TAG.rollbackReason]: outcome.reason
        });
      }
      return result(outcome.status, { reason: outcome.reason, ...waited, bake });
    }
    const weights = plan.action === 'weights-canary';
    if (!weights) await markLive(sm, plan.newConfig!, now);
    const versions = await listVersions(sm, options.endpointName);
    const deleted = await cleanup(sm, {
      endpoint: options.endpointName,
      versions,
      keep: options.keepVersions,
      protect: [plan.newConfig, plan.previousConfig, rollbackTarget(versions, plan.newConfig)?.configName],
      before: started,
      log: ctx.log
    });
    return result(weights ? 'canary' : 'deployed', { ...waited, deleted, bake });
  });
}

/**
 * Creates the model and the config, then the endpoint or its update. A create whose answer was lost
 * is recognised by this run's tag, an update by the endpoint now deploying the config; what a
 * refused request leaves behind never served, so it is deleted again.
 */
async function apply(
  plan: Plan,
  options: DeployOptions,
  clients: Clients,
  ctx: EngineContext,
  replan: (now: Date) => Plan
): Promise<void> {
  const sm = clients.sagemaker;
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
        if (!/already existing model/i.test(errorMessage(e))) throw e;
        const model = await orUndefined(sm.send(new DescribeModelCommand({ ModelName: plan.modelName })));
        if (await madeByUs(sm, model?.ModelArn, ctx.holder)) return false;
        if (later > 5) throw e;
        return true;
      }
    });
    if (!taken) break;
    plan = replan(new Date(ctx.now().valueOf() + later * 1000));
  }
  const deleteModel = () => sm.send(new DeleteModelCommand({ ModelName: plan.modelName }));
  const deleteConfig = () => sm.send(new DeleteEndpointConfigCommand({ EndpointConfigName: plan.newConfig }));
  const undo =
    (...steps: Array<() => Promise<unknown>>) =>
    async () => {
      for (const step of steps) await step().catch(() => undefined);
    };
  await refusedAs(
    'CreateEndpointConfig',
    serving,
    () => sm.send(new CreateEndpointConfigCommand(plan.createConfig!)),
    {
      landed: async () => {
        const config = await orUndefined(
          sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: plan.newConfig }))
        );
        return madeByUs(sm, config?.EndpointConfigArn, ctx.holder);
      },
      undo: undo(deleteModel)
    }
  );
  const landing = {
    landed: () => onEndpoint(sm, options.endpointName, plan.newConfig!),
    undo: undo(deleteConfig, deleteModel)
  };
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
      landing
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
      landing
    );
  }
}
