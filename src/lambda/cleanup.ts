/**
 * keep-versions: after a deployment went live, published versions beyond the newest N are deleted,
 * never one an alias routes to (weights included), one of the alias's `live` history within the last
 * N, one with provisioned concurrency, or the version rollback would return any alias of the function
 * to (so keep-versions 1 still leaves a rollback its target).
 */
import {
  DeleteFunctionCommand,
  ListAliasesCommand,
  ListProvisionedConcurrencyConfigsCommand,
  ListVersionsByFunctionCommand,
  type LambdaClient
} from '@aws-sdk/client-lambda';
import { orUndefined } from '../aws.js';
import type { Logger } from '../report.js';
import { parseVersions, tagKeys } from './history.js';
import { rollbackTarget } from './rollback.js';

export interface VersionsInUse {
  /** Published versions (numbers as strings). */
  versions: string[];
  /** Versions some alias routes to, weights included. */
  aliased: string[];
  /** Versions of the alias's `live` history, newest first. */
  live: string[];
  provisioned: string[];
  /** For each alias with a history, the version rollback would put it on (see rollbackTarget). */
  rollbackTargets: string[];
}

/** The versions to delete: beyond the newest `keep`, none in use. */
export function versionsToDelete(inUse: VersionsInUse, keep: number): string[] {
  const protectedVersions = new Set([
    ...inUse.aliased,
    ...inUse.live.slice(0, keep),
    ...inUse.provisioned,
    ...inUse.rollbackTargets
  ]);
  return inUse.versions
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .slice(keep)
    .filter((v) => !protectedVersions.has(v));
}

async function listAll<T>(page: (marker?: string) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
  const all: T[] = [];
  let marker: string | undefined;
  for (let i = 0; i < 100; i++) {
    const answer = await page(marker);
    all.push(...answer.items);
    if (!answer.next) break;
    marker = answer.next;
  }
  return all;
}

export async function versionsInUse(
  lambda: LambdaClient,
  functionName: string,
  alias: string,
  tags: Record<string, string>
): Promise<VersionsInUse> {
  const versions = await listAll(async (Marker) => {
    const a = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: functionName, Marker }));
    return { items: (a.Versions ?? []).map((v) => v.Version!), next: a.NextMarker };
  });
  const aliases = await listAll(async (Marker) => {
    const a = await lambda.send(new ListAliasesCommand({ FunctionName: functionName, Marker }));
    return { items: a.Aliases ?? [], next: a.NextMarker };
  });
  const provisioned = await listAll(async (Marker) => {
    const a = await lambda.send(
      new ListProvisionedConcurrencyConfigsCommand({ FunctionName: functionName, Marker })
    );
    return {
      items: (a.ProvisionedConcurrencyConfigs ?? []).map((c) => c.FunctionArn!.split(':').pop()!),
      next: a.NextMarker
    };
  });
  return {
    versions,
    aliased: aliases.flatMap((a) => [
      a.FunctionVersion!,
      ...Object.keys(a.RoutingConfig?.AdditionalVersionWeights ?? {})
    ]),
    live: parseVersions(tags[tagKeys(alias).live]),
    provisioned,
    rollbackTargets: aliases.flatMap(
      (a) => rollbackTarget(tags, a.Name!, a.FunctionVersion!, (v) => versions.includes(v)) ?? []
    )
  };
}

/** Deletes the versions keep-versions lets go; a refusal is a warning (the deployment succeeded). */
export async function cleanupVersions(
  lambda: LambdaClient,
  functionName: string,
  alias: string,
  tags: Record<string, string>,
  keep: number,
  log: Logger
): Promise<string[]> {
  const doomed = versionsToDelete(await versionsInUse(lambda, functionName, alias, tags), keep);
  const deleted: string[] = [];
  for (const version of doomed) {
    try {
      await orUndefined(
        lambda.send(new DeleteFunctionCommand({ FunctionName: functionName, Qualifier: version }))
      );
      deleted.push(version);
    } catch (e) {
      log.warning(`Version ${version} of ${functionName} could not be deleted (${(e as Error).message}).`);
    }
  }
  if (deleted.length) log.info(`Deleted versions ${deleted.join(', ')} (keep-versions ${keep}).`);
  return deleted;
}
