/**
 * promote and rollback. A weights canary is promoted by shifting all traffic to the candidate (then,
 * with retire, replacing the config by one holding only the candidate) and rolled back by sending all
 * traffic back and returning to the config that was live before. A guardrails deployment in progress
 * is promoted by waiting for SageMaker to finish. Any other rollback updates the endpoint to an
 * earlier config (read from the tags in AWS) and checks that it landed.
 */
import {
  CreateEndpointConfigCommand,
  DescribeEndpointConfigCommand,
  UpdateEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
  type DescribeEndpointConfigCommandOutput,
  type ProductionVariant
} from '@aws-sdk/client-sagemaker';
import { InputError, UserError } from '../errors.js';
import {
  onEndpoint,
  refusedAs,
  underLease,
  watchOptions,
  type Clients,
  type EngineContext
} from './deploy.js';
import { belongsTo, listVersions, markLive, reconcile, rollbackTarget, tagResource } from './history.js';
import type { Lease } from './lease.js';
import type { WaitOptions } from './options.js';
import { orUndefined } from '../aws.js';
import { readEndpointState, type EndpointState } from './state.js';
import { TAG, toTagList, versionName, type Tags } from './tags.js';
import { configTags, describeEndpoint } from './state.js';
import {
  judge,
  refuseBroken,
  SETTLING,
  waitForEndpoint,
  type Change,
  type Expected,
  type WatchResult
} from './watch.js';

export type PromoteStatus =
  'promoted' | 'rolled-back' | 'unchanged' | 'in-progress' | 'failed' | 'superseded';

export interface PromoteResult {
  status: PromoteStatus;
  /** The config the endpoint serves (or is moving to). */
  endpointConfig?: string;
  rolledBackFrom?: string;
  /** Set when the action failed: one sentence. */
  reason?: string;
  message: string;
  /** What was done, step by step, for the summary. */
  steps: string[];
  changes: Change[];
}

export function isWeightsCanary(state: EndpointState): boolean {
  return state.configTags[TAG.strategy] === 'weights' && (state.config?.ProductionVariants?.length ?? 0) > 1;
}

async function existing(options: WaitOptions, clients: Clients, verb: string): Promise<EndpointState> {
  const state = await readEndpointState(clients.sagemaker, options.endpointName);
  if (!state.endpoint)
    throw new UserError(
      `Endpoint ${options.endpointName} does not exist in this region: there is nothing to ${verb}; check endpoint-name and region.`
    );
  return state;
}

/** Collects the watches of one action run: their state changes and the first one that stopped early. */
class Watcher {
  readonly changes: Change[] = [];
  private offset = 0;
  lease?: Lease;
  constructor(
    private readonly options: WaitOptions,
    private readonly clients: Clients,
    private readonly ctx: EngineContext
  ) {}

  /** Waits until the endpoint settles, or (given `expect`) moves to a config neither expected. */
  async watch(expect?: Expected): Promise<WatchResult> {
    const result = await waitForEndpoint(
      this.options.endpointName,
      watchOptions(this.options, this.clients, this.ctx, {
        expect,
        onPoll: () => this.lease?.renew() ?? Promise.resolve()
      })
    );
    for (const c of result.changes) this.changes.push({ seconds: this.offset + c.seconds, state: c.state });
    this.offset += result.seconds;
    return result;
  }
}

async function configOf(
  clients: Clients,
  name: string | undefined
): Promise<DescribeEndpointConfigCommandOutput | undefined> {
  if (!name) return undefined;
  return orUndefined(clients.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: name })));
}

async function setWeights(
  weights: Record<string, number>,
  options: WaitOptions,
  clients: Clients,
  serving: string
): Promise<void> {
  await refusedAs(
    'UpdateEndpointWeightsAndCapacities',
    serving,
    () =>
      clients.sagemaker.send(
        new UpdateEndpointWeightsAndCapacitiesCommand({
          EndpointName: options.endpointName,
          DesiredWeightsAndCapacities: Object.entries(weights).map(([VariantName, DesiredWeight]) => ({
            VariantName,
            DesiredWeight
          }))
        })
      ),
    {
      // A lost answer: the endpoint already moves its weights to these.
      landed: async () =>
        ((await describeEndpoint(clients.sagemaker, options.endpointName))?.ProductionVariants ?? []).every(
          (v) => (v.DesiredWeight ?? v.CurrentWeight) === weights[v.VariantName!]
        )
    }
  );
}

/** Creates a config holding one variant of `from` (as `as`), tagged as a version of the endpoint. */
async function singleVariantConfig(
  clients: Clients,
  from: DescribeEndpointConfigCommandOutput,
  variant: ProductionVariant,
  as: string,
  tags: Tags,
  options: WaitOptions,
  ctx: EngineContext,
  serving: string
): Promise<{ name: string; arn?: string }> {
  const name = versionName(options.endpointName, ctx.sha, ctx.now());
  const kept = { ...tags };
  for (const key of [
    TAG.previousConfig,
    TAG.liveVariant,
    TAG.candidateVariant,
    TAG.wentLive,
    TAG.rolledBack,
    TAG.rollbackReason,
    TAG.runUrl,
    TAG.madeBy
  ])
    delete kept[key];
  await refusedAs(
    'CreateEndpointConfig',
    serving,
    () =>
      clients.sagemaker.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: name,
          ProductionVariants: [{ ...variant, VariantName: as, InitialVariantWeight: 1 }],
          ...(from.DataCaptureConfig ? { DataCaptureConfig: from.DataCaptureConfig } : {}),
          Tags: toTagList({
            ...kept,
            [TAG.previousConfig]: from.EndpointConfigName!,
            [TAG.madeBy]: ctx.holder,
            ...(ctx.runUrl ? { [TAG.runUrl]: ctx.runUrl } : {})
          })
        })
      ),
    {
      landed: async () =>
        (await configTags(clients.sagemaker, (await configOf(clients, name))?.EndpointConfigArn))[
          TAG.madeBy
        ] === ctx.holder
    }
  );
  return { name, arn: (await configOf(clients, name))?.EndpointConfigArn };
}

export async function promote(
  options: WaitOptions & { retire: boolean },
  clients: Clients,
  ctx: EngineContext
): Promise<PromoteResult> {
  const state = await existing(options, clients, 'promote');
  refuseBroken(state.endpoint);
  const endpoint = state.endpoint!;
  const moving = endpoint.PendingDeploymentSummary || SETTLING.has(endpoint.EndpointStatus ?? '');
  if (!moving && !isWeightsCanary(state))
    return nothingToPromote(options.endpointName, endpoint.EndpointConfigName!);
  return underLease(state.endpoint, options, clients, ctx, (lease) =>
    promoteHeld(options, clients, ctx, lease)
  );
}

function nothingToPromote(endpoint: string, current: string, changes: Change[] = []): PromoteResult {
  return {
    status: 'unchanged',
    endpointConfig: current,
    message: `Nothing to promote: ${endpoint} serves ${current} with no weights canary and no deployment in progress.`,
    steps: [],
    changes
  };
}

async function promoteHeld(
  options: WaitOptions & { retire: boolean },
  clients: Clients,
  ctx: EngineContext,
  lease: Lease | undefined
): Promise<PromoteResult> {
  const sm = clients.sagemaker;
  const watcher = new Watcher(options, clients, ctx);
  watcher.lease = lease;
  const steps: string[] = [];
  const done = (r: Omit<PromoteResult, 'steps' | 'changes'>): PromoteResult => ({
    ...r,
    steps,
    changes: watcher.changes
  });
  let state = await existing(options, clients, 'promote');
  refuseBroken(state.endpoint);
  await reconcile(sm, state, ctx.log);
  const endpoint = state.endpoint!;
  const pending = endpoint.PendingDeploymentSummary?.EndpointConfigName;
  if (pending) {
    steps.push(`A deployment of ${pending} was in progress (from ${endpoint.EndpointConfigName}).`);
    if (!options.wait)
      return done({
        status: 'in-progress',
        endpointConfig: pending,
        message: `${pending} is still being deployed by SageMaker.`
      });
    ctx.log.info(`A deployment of ${pending} is in progress: waiting for SageMaker to finish it.`);
    const expect = { target: pending, previous: endpoint.EndpointConfigName };
    const watched = await watcher.watch(expect);
    if (watched.stopped)
      return done({
        status: 'in-progress',
        endpointConfig: pending,
        reason: watched.stopped.message,
        message: watched.stopped.message
      });
    const outcome = await judge(watched.endpoint!, expect, { sagemaker: sm, cloudwatch: clients.cloudwatch });
    const config = await configOf(clients, pending);
    if (outcome.status !== 'deployed') {
      if (outcome.status === 'rolled-back')
        await tagResource(sm, config?.EndpointConfigArn, {
          [TAG.rolledBack]: ctx.now().toISOString(),
          [TAG.rollbackReason]: outcome.reason
        });
      steps.push(outcome.reason);
      return done({
        status: outcome.status,
        endpointConfig: watched.endpoint?.EndpointConfigName,
        reason: outcome.reason,
        message: outcome.reason
      });
    }
    await markLive(sm, pending, ctx.now().toISOString());
    steps.push(`SageMaker finished: ${pending} serves all traffic.`);
    return done({
      status: 'promoted',
      endpointConfig: pending,
      message: `SageMaker finished deploying ${pending}: it serves all traffic.`
    });
  }
  if (SETTLING.has(endpoint.EndpointStatus ?? '')) {
    ctx.log.info(
      `Endpoint ${options.endpointName} is ${endpoint.EndpointStatus}: waiting for it to settle first.`
    );
    const watched = await watcher.watch();
    if (watched.stopped)
      return done({
        status: 'in-progress',
        endpointConfig: watched.endpoint?.EndpointConfigName,
        reason: `${watched.stopped.message} Nothing was promoted.`,
        message: watched.stopped.message
      });
    state = await readEndpointState(sm, options.endpointName);
    refuseBroken(state.endpoint);
  }
  const current = state.endpoint!.EndpointConfigName!;
  if (!isWeightsCanary(state)) return nothingToPromote(options.endpointName, current, watcher.changes);
  const live = state.configTags[TAG.liveVariant];
  const candidate = state.configTags[TAG.candidateVariant];
  const serving = `The endpoint still serves ${current} with the canary's split of traffic.`;
  ctx.log.info(`Shifting all traffic of ${options.endpointName} to ${candidate}.`);
  await setWeights({ [candidate]: 1, [live]: 0 }, options, clients, serving);
  steps.push(`Shifted all traffic from ${live} to ${candidate}.`);
  if (!options.wait)
    return done({
      status: 'in-progress',
      endpointConfig: current,
      message: `Traffic is moving to ${candidate}.`
    });
  const shifted = await watcher.watch();
  if (shifted.stopped)
    return done({
      status: 'in-progress',
      endpointConfig: current,
      reason: shifted.stopped.message,
      message: shifted.stopped.message
    });
  const shiftOutcome = await judge(
    shifted.endpoint!,
    { target: current, previous: current },
    { sagemaker: sm }
  );
  if (shiftOutcome.status !== 'deployed')
    return done({
      status: 'failed',
      endpointConfig: current,
      reason: shiftOutcome.reason,
      message: shiftOutcome.reason
    });
  if (!options.retire) {
    // Not marked live: the config still holds both variants (the old one at weight 0), so it is
    // no version to roll back to; promote again with retire, or roll back.
    return done({
      status: 'promoted',
      endpointConfig: current,
      message: `${candidate} takes all traffic; ${live} still runs with weight 0 (retire: false): promote again with retire to stop paying for it.`
    });
  }
  const candidateVariant = state.config!.ProductionVariants!.find((v) => v.VariantName === candidate)!;
  const retired = await singleVariantConfig(
    clients,
    state.config!,
    candidateVariant,
    live,
    {
      ...state.configTags,
      [TAG.strategy]: 'weights-promoted'
    },
    options,
    ctx,
    `The endpoint serves ${current}, with all traffic on ${candidate}.`
  );
  ctx.log.info(
    `Retiring ${live}: replacing ${current} by ${retired.name}, which holds only the candidate's model as ${live}.`
  );
  await refusedAs(
    'UpdateEndpoint',
    `The endpoint serves ${current}, with all traffic on ${candidate}.`,
    () =>
      sm.send(
        new UpdateEndpointCommand({ EndpointName: options.endpointName, EndpointConfigName: retired.name })
      ),
    { landed: () => onEndpoint(sm, options.endpointName, retired.name) }
  );
  steps.push(`Replaced ${current} by ${retired.name} (only the candidate's model, as ${live}).`);
  const retiring = { target: retired.name, previous: current };
  const moved = await watcher.watch(retiring);
  if (moved.stopped)
    return done({
      status: 'in-progress',
      endpointConfig: retired.name,
      reason: moved.stopped.message,
      message: moved.stopped.message
    });
  const outcome = await judge(moved.endpoint!, retiring, { sagemaker: sm });
  if (outcome.status !== 'deployed')
    return done({
      status: outcome.status,
      endpointConfig: moved.endpoint?.EndpointConfigName,
      reason: outcome.reason,
      message: outcome.reason
    });
  await markLive(sm, retired.name, ctx.now().toISOString());
  return done({
    status: 'promoted',
    endpointConfig: retired.name,
    message: `${candidate} was promoted and the old variant retired: ${options.endpointName} serves ${retired.name}.`
  });
}

type RollbackOptions = WaitOptions & { to?: string; reason?: string };

export async function rollback(
  options: RollbackOptions,
  clients: Clients,
  ctx: EngineContext
): Promise<PromoteResult> {
  const state = await existing(options, clients, 'roll back');
  const current = state.endpoint!.EndpointConfigName!;
  if (options.to) await checkTo(options.to, options.endpointName, state, clients);
  else if (!isWeightsCanary(state) && !SETTLING.has(state.endpoint!.EndpointStatus ?? ''))
    if (!rollbackTarget(await listVersions(clients.sagemaker, options.endpointName), current))
      throw noHistory(options.endpointName, current);
  return underLease(state.endpoint, options, clients, ctx, (lease) =>
    rollbackHeld(options, clients, ctx, lease)
  );
}

/** An UpdateRollbackFailed endpoint may name its old config yet serve a mix: updating to it repairs it. */
function refuseServed(to: string, endpoint: string, state: EndpointState): void {
  if (to === state.endpoint?.EndpointConfigName && state.endpoint?.EndpointStatus === 'InService')
    throw new InputError(
      'to',
      `Input "to" names ${to}, which ${endpoint} already serves: nothing to roll back.`
    );
}

function noHistory(endpoint: string, current: string): UserError {
  return new UserError(
    `Endpoint ${endpoint} has no earlier version to roll back to: no toolkit-made config of it went live before ${current} (or each was rolled back from); give to: a config name.`
  );
}

/** `to` must name an existing config of this endpoint: another endpoint's is refused before any change. */
async function checkTo(to: string, endpoint: string, state: EndpointState, clients: Clients): Promise<void> {
  const config = await configOf(clients, to);
  if (!config)
    throw new InputError(
      'to',
      `Input "to" names the endpoint config ${to}, which does not exist in this region (keep-versions may have cleaned it up): give an existing config.`
    );
  refuseServed(to, endpoint, state);
  const tags = await configTags(clients.sagemaker, config.EndpointConfigArn);
  const versions = await listVersions(clients.sagemaker, endpoint);
  if (!belongsTo({ name: to, tags }, endpoint, versions, state.endpoint?.EndpointConfigName))
    throw new InputError(
      'to',
      `Input "to" names ${to}, which is not a config of ${endpoint}: ${tags[TAG.endpoint] ? `mlops-actions made it for the endpoint ${tags[TAG.endpoint]}` : 'no version of this endpoint was deployed from it'}; give one of ${endpoint}'s own configs (the rolled-back-from or previous-endpoint-config outputs of its deployments).`
    );
}

async function rollbackHeld(
  options: RollbackOptions,
  clients: Clients,
  ctx: EngineContext,
  lease: Lease | undefined
): Promise<PromoteResult> {
  const sm = clients.sagemaker;
  const watcher = new Watcher(options, clients, ctx);
  watcher.lease = lease;
  const steps: string[] = [];
  const done = (r: Omit<PromoteResult, 'steps' | 'changes'>): PromoteResult => ({
    ...r,
    steps,
    changes: watcher.changes
  });
  let state = await existing(options, clients, 'roll back');
  // UpdateRollbackFailed is allowed: rolling back to a known-good config is how a person repairs it.
  if (state.endpoint!.EndpointStatus === 'Failed') refuseBroken(state.endpoint);
  if (SETTLING.has(state.endpoint!.EndpointStatus ?? '')) {
    ctx.log.info(
      `Endpoint ${options.endpointName} is ${state.endpoint!.EndpointStatus}: SageMaker cannot take another update until it settles, so rollback waits for it.`
    );
    const watched = await watcher.watch();
    if (watched.stopped) throw new UserError(`${watched.stopped.message} Nothing was rolled back.`);
    state = await readEndpointState(sm, options.endpointName);
    if (state.endpoint?.EndpointStatus === 'Failed') refuseBroken(state.endpoint);
  }
  await reconcile(sm, state, ctx.log);
  const current = state.endpoint!.EndpointConfigName!;
  const reason = options.reason || `rolled back by ${ctx.runUrl ?? 'mlops-actions rollback'}`;
  const serving = `The endpoint still serves ${current}.`;
  let target: { name: string; arn?: string };

  if (isWeightsCanary(state) && !options.to) {
    const live = state.configTags[TAG.liveVariant];
    const candidate = state.configTags[TAG.candidateVariant];
    const before = await configOf(clients, state.configTags[TAG.previousConfig]);
    ctx.log.info(`Sending all traffic of ${options.endpointName} back to ${live}.`);
    await setWeights({ [live]: 1, [candidate]: 0 }, options, clients, serving);
    steps.push(`Sent all traffic from ${candidate} back to ${live}.`);
    const shifted = await watcher.watch();
    if (shifted.stopped)
      throw new UserError(
        `${shifted.stopped.message} The traffic is moving back to ${live}; run rollback again to retire the candidate.`
      );
    if (before) target = { name: before.EndpointConfigName!, arn: before.EndpointConfigArn };
    else {
      // The config from before the canary is gone: make one of the live variant alone.
      const liveVariant = state.config!.ProductionVariants!.find((v) => v.VariantName === live)!;
      target = await singleVariantConfig(
        clients,
        state.config!,
        liveVariant,
        live,
        {
          ...state.configTags,
          [TAG.strategy]: 'weights-rolled-back'
        },
        options,
        ctx,
        `All traffic is on ${live}, but ${current} still runs the candidate.`
      );
      steps.push(
        `The config from before the canary no longer exists: created ${target.name} with ${live} alone.`
      );
    }
  } else if (options.to) {
    const config = await configOf(clients, options.to);
    if (!config)
      throw new UserError(
        `The endpoint config ${options.to} was deleted while rollback waited: nothing was rolled back; give an existing config.`
      );
    refuseServed(options.to, options.endpointName, state);
    target = { name: options.to, arn: config.EndpointConfigArn };
  } else {
    const previous = rollbackTarget(await listVersions(sm, options.endpointName), current);
    if (!previous) throw noHistory(options.endpointName, current);
    target = { name: previous.configName, arn: previous.arn };
  }

  ctx.log.info(`Rolling ${options.endpointName} back from ${current} to ${target.name}: ${reason}.`);
  await refusedAs(
    'UpdateEndpoint',
    serving,
    () =>
      sm.send(
        new UpdateEndpointCommand({ EndpointName: options.endpointName, EndpointConfigName: target.name })
      ),
    { landed: () => onEndpoint(sm, options.endpointName, target.name) }
  );
  steps.push(`Updated the endpoint from ${current} to ${target.name}, all at once.`);
  const moving = { endpointConfig: target.name, rolledBackFrom: current };
  if (!options.wait)
    return done({ status: 'in-progress', ...moving, message: `Rolling back to ${target.name}.` });
  const expect = { target: target.name, previous: current };
  const watched = await watcher.watch(expect);
  if (watched.stopped)
    return done({
      status: 'in-progress',
      ...moving,
      reason: watched.stopped.message,
      message: watched.stopped.message
    });
  const outcome = await judge(watched.endpoint!, expect, { sagemaker: sm });
  if (outcome.status !== 'deployed') {
    const why = `The rollback to ${target.name} did not land: ${outcome.reason}`;
    return done({
      status: outcome.status === 'superseded' ? 'superseded' : 'failed',
      endpointConfig: watched.endpoint?.EndpointConfigName,
      rolledBackFrom: current,
      reason: why,
      message: why
    });
  }
  const now = ctx.now().toISOString();
  // Only this endpoint's own config carries its history (a hand-made one is left untagged).
  if (state.configTags[TAG.endpoint] === options.endpointName)
    await tagResource(sm, state.config?.EndpointConfigArn, {
      [TAG.rolledBack]: now,
      [TAG.rollbackReason]: reason
    });
  await markLive(sm, target.name, now);
  return done({
    status: 'rolled-back',
    ...moving,
    message: `${options.endpointName} serves ${target.name} again (rolled back from ${current}).`
  });
}
