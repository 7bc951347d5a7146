/**
 * The deployment history of an endpoint, read from AWS itself: every toolkit-made endpoint config
 * carries tags (the endpoint it serves, when it went live, whether it was rolled back from).
 */
import {
  AddTagsCommand,
  DeleteTagsCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListEndpointConfigsCommand,
  ListModelsCommand,
  type SageMakerClient
} from '@aws-sdk/client-sagemaker';
import type { Logger } from '../report.js';
import { orUndefined } from '../aws.js';
import { configTags, type EndpointState } from './state.js';
import { isVersionName, TAG, toTagList, versionPrefix, type Tags } from './tags.js';

export interface Version {
  configName: string;
  arn: string;
  created: Date;
  tags: Tags;
}

/** Toolkit-made configs of `endpoint`, newest first. */
export async function listVersions(sm: SageMakerClient, endpoint: string): Promise<Version[]> {
  const versions: Version[] = [];
  let token: string | undefined;
  const prefix = versionPrefix(endpoint);
  do {
    const page = await sm.send(
      new ListEndpointConfigsCommand({
        NameContains: prefix,
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        MaxResults: 100,
        NextToken: token
      })
    );
    for (const c of page.EndpointConfigs ?? []) {
      if (!isVersionName(c.EndpointConfigName ?? '', endpoint)) continue;
      const tags = await configTags(sm, c.EndpointConfigArn);
      if (tags[TAG.endpoint] === endpoint)
        versions.push({
          configName: c.EndpointConfigName!,
          arn: c.EndpointConfigArn!,
          created: c.CreationTime!,
          tags
        });
    }
    token = page.NextToken;
  } while (token);
  return versions;
}

/**
 * The rollback target: of the versions other than `current` that still exist, the one that went live
 * last, unless it was rolled back from after it went live (its deployment did not succeed for good).
 */
export function rollbackTarget(versions: Version[], current: string | undefined): Version | undefined {
  return versions
    .filter((v) => v.configName !== current && wentLive(v.tags))
    .sort((a, b) => b.tags[TAG.wentLive].localeCompare(a.tags[TAG.wentLive]))[0];
}

export async function tagResource(sm: SageMakerClient, arn: string | undefined, tags: Tags): Promise<void> {
  if (arn) await sm.send(new AddTagsCommand({ ResourceArn: arn, Tags: toTagList(tags) }));
}

/** Marks a version live from `at`: its endpoint config and every model the config serves. */
export async function markLive(sm: SageMakerClient, configName: string, at: string): Promise<void> {
  const config = await orUndefined(
    sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: configName }))
  );
  if (!config) return;
  await tagResource(sm, config.EndpointConfigArn, { [TAG.wentLive]: at });
  for (const name of new Set((config.ProductionVariants ?? []).map((v) => v.ModelName!))) {
    const model = await orUndefined(sm.send(new DescribeModelCommand({ ModelName: name })));
    await tagResource(sm, model?.ModelArn, { [TAG.wentLive]: at });
  }
}

/** Whether a version went live for good: marked live, and not rolled back from since. */
export function wentLive(tags: Tags): boolean {
  const live = tags[TAG.wentLive];
  const back = tags[TAG.rolledBack];
  return Boolean(live) && (!back || live > back);
}

/**
 * Makes the marks agree with what the endpoint serves, before a run changes anything: a run that was
 * interrupted while it watched (runner lost, network gone) never marked the config that went live, so
 * a later rollback would skip it. A settled endpoint on a toolkit-made config of its own is marked
 * live (from the time SageMaker says it settled), and a rolled-back mark on the very config it serves
 * is dropped. Weights canaries are left alone (they are never a version to roll back to).
 */
export async function reconcile(sm: SageMakerClient, state: EndpointState, log: Logger): Promise<void> {
  const endpoint = state.endpoint;
  const name = endpoint?.EndpointConfigName;
  if (!endpoint || !name || endpoint.EndpointStatus !== 'InService' || endpoint.PendingDeploymentSummary)
    return;
  const tags = state.configTags;
  if (tags[TAG.endpoint] !== endpoint.EndpointName || wentLive(tags)) return;
  if (tags[TAG.strategy] === 'weights' && (state.config?.ProductionVariants?.length ?? 0) > 1) return;
  if (tags[TAG.rolledBack] && state.config?.EndpointConfigArn) {
    await sm.send(
      new DeleteTagsCommand({
        ResourceArn: state.config.EndpointConfigArn,
        TagKeys: [TAG.rolledBack, TAG.rollbackReason]
      })
    );
  }
  if (!tags[TAG.wentLive]) {
    await markLive(sm, name, (endpoint.LastModifiedTime ?? new Date()).toISOString());
  }
  log.info(
    `Reconciled the history of ${endpoint.EndpointName}: it serves ${name}, which ${tags[TAG.wentLive] ? 'was marked rolled back from' : 'was not marked live (the run that deployed it stopped watching before it finished)'}; marked it live.`
  );
}

/**
 * Whether `config` (its name and tags) is a config of `endpoint`: made by the toolkit for it, or named
 * by one of its versions as the config before it, or what it serves now.
 */
export function belongsTo(
  config: { name: string; tags: Tags },
  endpoint: string,
  versions: Version[],
  serving?: string
): boolean {
  const own = config.tags[TAG.endpoint];
  if (own) return own === endpoint;
  return config.name === serving || versions.some((v) => v.tags[TAG.previousConfig] === config.name);
}

export interface CleanupOptions {
  endpoint: string;
  versions: Version[];
  keep: number;
  /** Configs that are never deleted: what the endpoint serves or deploys, the rollback target. */
  protect: Array<string | undefined>;
  /** Only what was made before this moment can be an orphan (a run after it may still use it). */
  before: Date;
  log: Logger;
}

/** Toolkit-made models of `endpoint` (by name and tags), newest first. */
async function listModels(sm: SageMakerClient, endpoint: string, before: Date): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await sm.send(
      new ListModelsCommand({
        NameContains: versionPrefix(endpoint),
        CreationTimeBefore: before,
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        MaxResults: 100,
        NextToken: token
      })
    );
    for (const m of page.Models ?? []) {
      if (!isVersionName(m.ModelName ?? '', endpoint)) continue;
      if ((await configTags(sm, m.ModelArn))[TAG.endpoint] === endpoint) names.push(m.ModelName!);
    }
    token = page.NextToken;
  } while (token);
  return names;
}

/**
 * Reclaims what the endpoint can do without: orphans (configs that never reached the endpoint, from
 * a refused or lost UpdateEndpoint, and models no config uses), then the versions beyond the newest
 * `keep`. Never a `protect`ed config, and never a model that a kept config (or the one the endpoint
 * serves) uses.
 */
export async function cleanup(sm: SageMakerClient, options: CleanupOptions): Promise<string[]> {
  const { versions, keep, log } = options;
  const isProtected = (name: string) => options.protect.includes(name);
  const orphan = (v: Version) =>
    !v.tags[TAG.wentLive] &&
    !v.tags[TAG.rolledBack] &&
    v.created < options.before &&
    !isProtected(v.configName);
  const history = versions.filter((v) => !orphan(v));
  const kept = history.slice(0, keep).map((v) => v.configName);
  for (const name of options.protect) if (name && !kept.includes(name)) kept.push(name);
  const doomed = versions.filter((v) => !kept.includes(v.configName));
  const models = async (name: string) =>
    (
      (await orUndefined(sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: name }))))
        ?.ProductionVariants ?? []
    ).map((v) => v.ModelName!);
  const inUse = new Set((await Promise.all(kept.map(models))).flat());
  const deleted: string[] = [];
  const freed: string[] = [];
  const free = async (model: string) => {
    if (inUse.has(model)) return;
    await orUndefined(sm.send(new DeleteModelCommand({ ModelName: model })));
    inUse.add(model);
    freed.push(model);
  };
  for (const version of doomed) {
    const used = await models(version.configName);
    await orUndefined(sm.send(new DeleteEndpointConfigCommand({ EndpointConfigName: version.configName })));
    for (const model of used) await free(model);
    deleted.push(version.configName);
  }
  // Models whose config was never made (a refused or lost CreateEndpointConfig).
  for (const model of await listModels(sm, options.endpoint, options.before)) await free(model);
  const orphans = doomed.filter(orphan).map((v) => v.configName);
  if (orphans.length)
    log.info(
      `Reclaimed ${orphans.length} config(s) that never reached the endpoint (a refused or lost update): ${orphans.join(', ')}.`
    );
  const old = deleted.filter((n) => !orphans.includes(n));
  if (old.length)
    log.info(
      `Deleted ${old.length} old version(s) of the endpoint beyond keep-versions (${keep}): ${old.join(', ')}.`
    );
  const loose = freed.filter((m) => !doomed.some((v) => v.configName === m));
  if (loose.length)
    log.info(`Deleted ${loose.length} model(s) that no kept config uses: ${loose.join(', ')}.`);
  return deleted;
}
