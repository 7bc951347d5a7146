/**
 * promote on a Lambda alias: ends a canary left at a weight. The alias on the weighted version alone,
 * the history updated, the old version's provisioned concurrency removed. (And what rollback shares.)
 */
import { UntagResourceCommand } from '@aws-sdk/client-lambda';
import { orUndefined } from '../aws.js';
import { UserError } from '../errors.js';
import { shiftAlias, unprovision } from './apply.js';
import { Superseded, type LambdaClients } from './engine.js';
import { tagKeys } from './history.js';
import { markLive } from './lease.js';
import type { LambdaTarget } from './options.js';
import { readFunctionState, unqualified, type FunctionState } from './state.js';

export interface AliasMoveResult {
  status: 'promoted' | 'rolled-back' | 'unchanged' | 'superseded';
  version?: string;
  /** The version the alias served (alone or as primary) before. */
  from?: string;
  aliasArn?: string;
  message: string;
  reason?: string;
  steps: string[];
}

export async function existingAlias(
  target: LambdaTarget,
  clients: LambdaClients,
  verb: string
): Promise<FunctionState> {
  const state = await readFunctionState(clients.lambda, target.functionName, target.alias);
  if (!state.config)
    throw new UserError(
      `Function ${target.functionName} does not exist in this region: there is nothing to ${verb}; check function-name and region.`
    );
  if (!state.alias || !state.primary)
    throw new UserError(
      `Function ${target.functionName} has no alias ${target.alias}: there is nothing to ${verb}; check alias.`
    );
  return state;
}

export async function clearDeployment(clients: LambdaClients, arn: string, alias: string): Promise<void> {
  await orUndefined(
    clients.lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: [tagKeys(alias).deployment] }))
  );
}

export async function promoteLambda(target: LambdaTarget, clients: LambdaClients): Promise<AliasMoveResult> {
  const state = await existingAlias(target, clients, 'promote');
  const arn = unqualified(state.config!.FunctionArn!);
  const from = state.primary!.version;
  const aliasArn = state.alias!.AliasArn;
  if (!state.weighted)
    return {
      status: 'unchanged',
      version: from,
      aliasArn,
      message: `Alias ${target.alias} serves version ${from} alone: there is no canary to promote.`,
      steps: []
    };
  const version = state.weighted.version;
  const steps = [
    `${target.alias}: version ${from} with ${Math.round(state.weighted.weight * 10000) / 100}% to ${version}`
  ];
  try {
    await shiftAlias(
      target.functionName,
      target.alias,
      { primary: version },
      { primary: from, weighted: { version, weight: state.weighted.weight } },
      clients
    );
  } catch (e) {
    if (!(e instanceof Superseded)) throw e;
    return { status: 'superseded', from, aliasArn, message: e.message, reason: e.message, steps };
  }
  steps.push(`${target.alias}: version ${version} alone`);
  await markLive(clients.lambda, arn, target.alias, version);
  await unprovision(target.functionName, from, clients);
  await clearDeployment(clients, arn, target.alias);
  steps.push(`provisioned concurrency of version ${from} removed`);
  return {
    status: 'promoted',
    version,
    from,
    aliasArn,
    message: `Promoted version ${version} on ${target.alias}.`,
    steps
  };
}
