/**
 * promote: a weights canary is promoted by shifting all traffic to the candidate (then, with retire,
 * replacing the config by one holding only the candidate); a guardrails deployment in progress is
 * promoted by waiting for SageMaker to finish it.
 */
import { UpdateEndpointCommand } from '@aws-sdk/client-sagemaker';
import { onEndpoint, refusedAs, underLease, type Clients, type EngineContext } from './apply.js';
import { markLive, reconcile, tagResource } from './history.js';
import type { Lease } from './lease.js';
import type { WaitOptions } from './options.js';
import { readEndpointState } from './state.js';
import { TAG } from './tags.js';
import { judge, refuseBroken, SETTLING, type Change } from './watch.js';
import {
  configOf,
  existing,
  isWeightsCanary,
  setWeights,
  singleVariantConfig,
  Watcher,
  type PromoteResult
} from './steps.js';

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
  const watcher = new Watcher(options, clients, ctx, lease);
  const { steps } = watcher;
  const done = (r: Omit<PromoteResult, 'steps' | 'changes'>) => watcher.done(r);
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
