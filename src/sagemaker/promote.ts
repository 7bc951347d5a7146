/**
 * promote and rollback. A weights canary is promoted by shifting all traffic to the candidate (then,
 * with retire, replacing the config by one holding only the candidate) and rolled back by sending all
 * traffic back and returning to the config that was live before. A guardrails deployment in progress
 * is promoted by waiting for SageMaker to finish. Any other rollback updates the endpoint to an
 * earlier config (read from the tags) and checks that it landed.
 */
import {
  CreateEndpointConfigCommand,
  DescribeEndpointConfigCommand,
  UpdateEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
  type ProductionVariant
} from '@aws-sdk/client-sagemaker';
import { InputError, UserError } from '../errors.js';
import type { Clients, EngineContext } from './deploy.js';
import { listVersions, rollbackTarget, tagConfig } from './history.js';
import type { WaitOptions } from './options.js';
import { orUndefined, readEndpointState, type EndpointState } from './state.js';
import { TAG, toTagList, versionName } from './tags.js';
import { judge, refuseBroken, SETTLING, waitForEndpoint } from './watch.js';

export interface PromoteResult {
  status: 'promoted' | 'rolled-back' | 'unchanged' | 'in-progress' | 'failed';
  endpointConfig?: string;
  rolledBackFrom?: string;
  reason?: string;
  message: string;
}

function isWeightsCanary(state: EndpointState): boolean {
  return state.configTags[TAG.strategy] === 'weights' && (state.config?.ProductionVariants?.length ?? 0) > 1;
}

async function existing(options: WaitOptions, clients: Clients, verb: string): Promise<EndpointState> {
  const state = await readEndpointState(clients.sagemaker, options.endpointName);
  if (!state.endpoint)
    throw new UserError(
      `Endpoint ${options.endpointName} does not exist in this region: there is nothing to ${verb}.`
    );
  return state;
}

function watch(options: WaitOptions, clients: Clients, ctx: EngineContext) {
  return waitForEndpoint(options.endpointName, {
    ...clients,
    log: ctx.log,
    signal: ctx.signal,
    timeoutSeconds: options.waitTimeoutSeconds,
    scale: ctx.scale
  });
}

/** Updates the endpoint to `target` all at once and checks that it landed there. */
async function moveTo(
  target: string,
  options: WaitOptions,
  clients: Clients,
  ctx: EngineContext
): Promise<void> {
  await clients.sagemaker.send(
    new UpdateEndpointCommand({ EndpointName: options.endpointName, EndpointConfigName: target })
  );
  const outcome = await judge((await watch(options, clients, ctx)).endpoint, target);
  if (outcome.status !== 'deployed') throw new UserError(outcome.reason);
}

async function setWeights(
  weights: Record<string, number>,
  options: WaitOptions,
  clients: Clients,
  ctx: EngineContext
): Promise<void> {
  await clients.sagemaker.send(
    new UpdateEndpointWeightsAndCapacitiesCommand({
      EndpointName: options.endpointName,
      DesiredWeightsAndCapacities: Object.entries(weights).map(([VariantName, DesiredWeight]) => ({
        VariantName,
        DesiredWeight
      }))
    })
  );
  if (options.wait) await watch(options, clients, ctx);
}

export async function promote(
  options: WaitOptions & { retire: boolean },
  clients: Clients,
  ctx: EngineContext
): Promise<PromoteResult> {
  const sm = clients.sagemaker;
  let state = await existing(options, clients, 'promote');
  refuseBroken(state.endpoint);
  const pending = state.endpoint!.PendingDeploymentSummary?.EndpointConfigName;
  if (pending) {
    if (!options.wait)
      return {
        status: 'in-progress',
        endpointConfig: pending,
        message: `${pending} is still being deployed by SageMaker.`
      };
    ctx.log.info(`A deployment of ${pending} is in progress: waiting for SageMaker to finish it.`);
    const outcome = await judge((await watch(options, clients, ctx)).endpoint, pending);
    if (outcome.status !== 'deployed')
      return {
        status: outcome.status,
        endpointConfig: pending,
        reason: outcome.reason,
        message: outcome.reason
      };
    const arn = (await readEndpointState(sm, options.endpointName)).config?.EndpointConfigArn;
    await tagConfig(sm, arn, { [TAG.wentLive]: ctx.now().toISOString() });
    return {
      status: 'promoted',
      endpointConfig: pending,
      message: `SageMaker finished deploying ${pending}: it serves all traffic.`
    };
  }
  if (SETTLING.has(state.endpoint!.EndpointStatus ?? '')) {
    await watch(options, clients, ctx);
    state = await readEndpointState(sm, options.endpointName);
  }
  const current = state.endpoint!.EndpointConfigName!;
  if (!isWeightsCanary(state)) {
    return {
      status: 'unchanged',
      endpointConfig: current,
      message: `Nothing to promote: ${options.endpointName} serves ${current} with no canary and no deployment in progress.`
    };
  }
  const live = state.configTags[TAG.liveVariant];
  const candidate = state.configTags[TAG.candidateVariant];
  ctx.log.info(`Shifting all traffic of ${options.endpointName} to ${candidate}.`);
  await setWeights({ [candidate]: 1, [live]: 0 }, options, clients, ctx);
  if (!options.wait)
    return { status: 'in-progress', endpointConfig: current, message: `Traffic is moving to ${candidate}.` };
  if (!options.retire) {
    await tagConfig(sm, state.config!.EndpointConfigArn, { [TAG.wentLive]: ctx.now().toISOString() });
    return {
      status: 'promoted',
      endpointConfig: current,
      message: `${candidate} takes all traffic; ${live} still runs with weight 0 (retire: false).`
    };
  }
  const candidateVariant = state.config!.ProductionVariants!.find((v) => v.VariantName === candidate)!;
  const name = versionName(options.endpointName, ctx.sha, ctx.now());
  const tags = { ...state.configTags };
  for (const key of [TAG.previousConfig, TAG.liveVariant, TAG.candidateVariant, TAG.wentLive, TAG.runUrl])
    delete tags[key];
  const only: ProductionVariant = { ...candidateVariant, VariantName: live, InitialVariantWeight: 1 };
  const { EndpointConfigArn } = await sm.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: name,
      ProductionVariants: [only],
      DataCaptureConfig: state.config!.DataCaptureConfig,
      Tags: toTagList({
        ...tags,
        [TAG.strategy]: 'weights-promoted',
        ...(ctx.runUrl ? { [TAG.runUrl]: ctx.runUrl } : {})
      })
    })
  );
  ctx.log.info(
    `Retiring ${live}: replacing ${current} by ${name}, which holds only the candidate's model as ${live}.`
  );
  await moveTo(name, options, clients, ctx);
  await tagConfig(sm, EndpointConfigArn, { [TAG.wentLive]: ctx.now().toISOString() });
  return {
    status: 'promoted',
    endpointConfig: name,
    message: `${candidate} was promoted and the old variant retired: ${options.endpointName} serves ${name}.`
  };
}

export async function rollback(
  options: WaitOptions & { to?: string; reason?: string },
  clients: Clients,
  ctx: EngineContext
): Promise<PromoteResult> {
  const sm = clients.sagemaker;
  let state = await existing(options, clients, 'roll back');
  if (state.endpoint!.EndpointStatus === 'Failed') refuseBroken(state.endpoint);
  if (SETTLING.has(state.endpoint!.EndpointStatus ?? '')) {
    ctx.log.info(
      `Endpoint ${options.endpointName} is ${state.endpoint!.EndpointStatus}: waiting for it to settle before rolling back.`
    );
    await watch(options, clients, ctx);
    state = await readEndpointState(sm, options.endpointName);
  }
  const current = state.endpoint!.EndpointConfigName!;
  const reason = options.reason || `rolled back by ${ctx.runUrl ?? 'mlops-actions rollback'}`;
  let target: string | undefined;
  let arn: string | undefined;

  if (isWeightsCanary(state) && !options.to) {
    const live = state.configTags[TAG.liveVariant];
    const candidate = state.configTags[TAG.candidateVariant];
    target = state.configTags[TAG.previousConfig];
    ctx.log.info(`Sending all traffic of ${options.endpointName} back to ${live}.`);
    await setWeights({ [live]: 1, [candidate]: 0 }, { ...options, wait: true }, clients, ctx);
    arn = (await orUndefined(sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: target }))))
      ?.EndpointConfigArn;
    if (!arn) {
      throw new UserError(
        `All traffic is back on ${live}, but the config that was live before the canary (${target}) no longer exists, so the candidate cannot be retired: roll back with to: an existing config.`
      );
    }
  } else if (options.to) {
    target = options.to;
    arn = (await orUndefined(sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: target }))))
      ?.EndpointConfigArn;
    if (!arn)
      throw new InputError(
        'to',
        `Input "to" names the endpoint config ${target}, which no longer exists (keep-versions may have cleaned it up): give an existing config.`
      );
    if (target === current)
      throw new InputError(
        'to',
        `Input "to" names ${target}, which ${options.endpointName} already serves: nothing to roll back.`
      );
  } else {
    const previous = rollbackTarget(await listVersions(sm, options.endpointName), current);
    if (!previous) {
      throw new UserError(
        `Endpoint ${options.endpointName} has no earlier version to roll back to: no toolkit-made config of it went live before ${current} (or each was rolled back from); give to: a config name.`
      );
    }
    target = previous.configName;
    arn = previous.arn;
  }
  ctx.log.info(`Rolling ${options.endpointName} back from ${current} to ${target}: ${reason}.`);
  await sm.send(
    new UpdateEndpointCommand({ EndpointName: options.endpointName, EndpointConfigName: target })
  );
  if (!options.wait)
    return {
      status: 'in-progress',
      endpointConfig: target,
      rolledBackFrom: current,
      message: `Rolling back to ${target}.`
    };
  const outcome = await judge((await watch(options, clients, ctx)).endpoint, target);
  if (outcome.status !== 'deployed') {
    return {
      status: 'failed',
      endpointConfig: target,
      rolledBackFrom: current,
      reason: `The rollback to ${target} did not land: ${outcome.reason}`,
      message: outcome.reason
    };
  }
  const now = ctx.now().toISOString();
  await tagConfig(sm, state.config?.EndpointConfigArn, {
    [TAG.rolledBack]: now,
    [TAG.rollbackReason]: reason
  });
  await tagConfig(sm, arn, { [TAG.wentLive]: now });
  return {
    status: 'rolled-back',
    endpointConfig: target,
    rolledBackFrom: current,
    message: `${options.endpointName} serves ${target} again (rolled back from ${current}).`
  };
}
