/**
 * The deployment history of an endpoint, read from AWS itself: every toolkit-made endpoint config
 * carries tags (the endpoint it serves, when it went live, whether it was rolled back from).
 */
import {
  AddTagsCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListEndpointConfigsCommand,
  type SageMakerClient
} from '@aws-sdk/client-sagemaker';
import type { Logger } from '../report.js';
import { orUndefined } from '../aws.js';
import { configTags } from './state.js';
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
  const good = (v: Version) => {
    const live = v.tags[TAG.wentLive];
    const back = v.tags[TAG.rolledBack];
    return Boolean(live) && (!back || live > back);
  };
  return versions
    .filter((v) => v.configName !== current && good(v))
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

/**
 * Deletes toolkit-made configs of the endpoint beyond the newest `keep`, never `protect`ed ones (the
 * live config, the rollback target), and their models when no kept config uses them.
 */
export async function cleanup(
  sm: SageMakerClient,
  versions: Version[],
  keep: number,
  protect: Array<string | undefined>,
  log: Logger
): Promise<string[]> {
  const kept = versions.slice(0, keep).map((v) => v.configName);
  for (const name of protect) if (name && !kept.includes(name)) kept.push(name);
  const doomed = versions.filter((v) => !kept.includes(v.configName));
  if (!doomed.length) return [];
  const models = async (name: string) =>
    (
      (await orUndefined(sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: name }))))
        ?.ProductionVariants ?? []
    ).map((v) => v.ModelName!);
  const inUse = new Set((await Promise.all(kept.map(models))).flat());
  const deleted: string[] = [];
  for (const version of doomed) {
    const used = await models(version.configName);
    await orUndefined(sm.send(new DeleteEndpointConfigCommand({ EndpointConfigName: version.configName })));
    for (const model of used) {
      if (inUse.has(model)) continue;
      await orUndefined(sm.send(new DeleteModelCommand({ ModelName: model })));
      inUse.add(model);
    }
    deleted.push(version.configName);
  }
  log.info(
    `Deleted ${deleted.length} old version(s) of the endpoint beyond keep-versions (${keep}): ${deleted.join(', ')}.`
  );
  return deleted;
}
