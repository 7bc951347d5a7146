/**
 * rollback: a weights canary is rolled back by sending all traffic back and returning to the config
 * that was live before; any other rollback updates the endpoint to an earlier config of its own (read
 * from the tags in AWS, or `to`) and checks that it landed.
 */
import { UpdateEndpointCommand } from '@aws-sdk/client-sagemaker';
import { InputError, UserError } from '../errors.js';
import { onEndpoint, refusedAs, underLease, type Clients, type EngineContext } from './apply.js';
import { approvedLive, approvedTarget, type ApprovedTarget } from './approved.js';
import { belongsTo, listVersions, markLive, reconcile, rollbackTarget, tagResource } from './history.js';
import type { Lease } from './lease.js';
import type { WaitOptions } from './options.js';
import { configTags, readEndpointState, type EndpointState } from './state.js';
import { TAG } from './tags.js';
import { judge, refuseBroken, SETTLING } from './watch.js';
import {
  configOf,
  existing,
  isWeightsCanary,
  setWeights,
  singleVariantConfig,
  Watcher,
  type PromoteResult
} from './steps.js';

/** `toApproved`: back to the most recent earlier version from a package still Approved (approved.ts). */
type RollbackOptions = WaitOptions & { to?: string; reason?: string; toApproved?: boolean };

export async function rollback(
  options: RollbackOptions,
  clients: Clients,
  ctx: EngineContext
): Promise<PromoteResult> {
  const state = await existing(options, clients, 'roll back');
  const current = state.endpoint!.EndpointConfigName!;
  if (options.toApproved) {
    const live = await approvedLive(clients.sagemaker, state.configTags);
    if (live && !SETTLING.has(state.endpoint!.EndpointStatus ?? ''))
      return stillApproved(options, current, live);
    await approvedTarget(clients.sagemaker, options.endpointName, current);
  } else if (options.to) await checkTo(options.to, options.endpointName, state, clients);
  else if (!isWeightsCanary(state) && !SETTLING.has(state.endpoint!.EndpointStatus ?? ''))
    if (!rollbackTarget(await listVersions(clients.sagemaker, options.endpointName), current))
      throw noHistory(options.endpointName, current);
  return underLease(state.endpoint, options, clients, ctx, (lease) =>
    rollbackHeld(options, clients, ctx, lease)
  );
}

function stillApproved(
  options: RollbackOptions,
  current: string,
  live: NonNullable<PromoteResult['modelPackage']>
): PromoteResult {
  return {
    status: 'unchanged',
    endpointConfig: current,
    message: `Nothing to roll back: ${options.endpointName} serves ${current}, made from ${live.arn}, which is still Approved.`,
    steps: [],
    modelPackage: live,
    changes: []
  };
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
  const watcher = new Watcher(options, clients, ctx, lease);
  const { steps } = watcher;
  let approved: ApprovedTarget | undefined;
  const done = (r: Omit<PromoteResult, 'steps' | 'changes'>) =>
    watcher.done(approved ? { ...r, modelPackage: approved.package } : r);
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
  if (options.toApproved) {
    // Under the lease, again: a deployment may have put an Approved package live meanwhile.
    const live = await approvedLive(sm, state.configTags);
    if (live) return stillApproved(options, current, live);
    approved = await approvedTarget(sm, options.endpointName, current, ctx.log);
  }

  if (approved) {
    target = { name: approved.version.configName, arn: approved.version.arn };
    steps.push(
      `Chose ${target.name}: the most recent earlier version whose package is still Approved (${approved.package.arn}).`
    );
  } else if (isWeightsCanary(state) && !options.to) {
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
