/**
 * rollback on a Lambda alias: the alias on the previous version that went live (the `live` history
 * tag: one that still exists, is not the current one and was not rolled back from), or, with a canary
 * left at a weight, on its primary version alone; or on the version given in `to`.
 */
import { GetFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { orUndefined } from '../aws.js';
import { UserError } from '../errors.js';
import { shiftAlias, unprovision } from './apply.js';
import { Superseded, type LambdaClients } from './engine.js';
import { parseVersions, tagKeys } from './history.js';
import { markLive, markRolledBack } from './lease.js';
import type { LambdaTarget } from './options.js';
import { clearDeployment, existingAlias, type AliasMoveResult } from './promote.js';
import { unqualified } from './state.js';

/** The version rollback returns to: the newest of the `live` history that is not `current` nor rolled back from. */
export function rollbackTarget(
  tags: Record<string, string>,
  alias: string,
  current: string,
  exists: (version: string) => boolean
): string | undefined {
  const keys = tagKeys(alias);
  const rolledBack = new Set(parseVersions(tags[keys.rolledBack]));
  return parseVersions(tags[keys.live]).find((v) => v !== current && !rolledBack.has(v) && exists(v));
}

export async function rollbackLambda(
  target: LambdaTarget & { to?: string },
  clients: LambdaClients
): Promise<AliasMoveResult> {
  const state = await existingAlias(target, clients, 'roll back');
  const arn = unqualified(state.config!.FunctionArn!);
  const primary = state.primary!.version;
  const aliasArn = state.alias!.AliasArn;
  const exists = new Map<string, boolean>();
  const check = async (v: string) => {
    const found = await orUndefined(
      clients.lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: target.functionName, Qualifier: v })
      )
    );
    exists.set(v, !!found);
  };
  let to = target.to;
  let from = state.weighted?.version ?? primary;
  if (!to && state.weighted) to = primary;
  if (!to) {
    for (const v of parseVersions(state.tags[tagKeys(target.alias).live])) await check(v);
    to = rollbackTarget(state.tags, target.alias, primary, (v) => exists.get(v) ?? false);
  } else if (target.to) {
    await check(target.to);
    if (!exists.get(target.to))
      throw new UserError(
        `Input "to" names version ${target.to}, which function ${target.functionName} does not have.`
      );
    from = primary;
  }
  if (!to)
    throw new UserError(
      `Function ${target.functionName} has no earlier version that went live on ${target.alias} (the toolkit's history tag): give the version in "to".`
    );
  const steps = [
    state.weighted
      ? `${target.alias}: version ${primary} with ${state.weighted.version} weighted`
      : `${target.alias}: version ${primary}`
  ];
  if (to === primary && !state.weighted)
    return {
      status: 'unchanged',
      version: to,
      aliasArn,
      message: `Alias ${target.alias} already serves version ${to}.`,
      steps: []
    };
  const current = {
    primary,
    ...(state.weighted
      ? { weighted: { version: state.weighted.version, weight: state.weighted.weight } }
      : {})
  };
  try {
    await shiftAlias(target.functionName, target.alias, { primary: to }, current, clients);
  } catch (e) {
    if (!(e instanceof Superseded)) throw e;
    return { status: 'superseded', from, aliasArn, message: e.message, reason: e.message, steps };
  }
  steps.push(`${target.alias}: version ${to} alone`);
  await markRolledBack(clients.lambda, arn, target.alias, from);
  if (to !== primary) await markLive(clients.lambda, arn, target.alias, to);
  await unprovision(target.functionName, from, clients);
  await clearDeployment(clients, arn, target.alias);
  return {
    status: 'rolled-back',
    version: to,
    from,
    aliasArn,
    message: `Rolled ${target.alias} back from version ${from} to version ${to}.`,
    steps
  };
}
