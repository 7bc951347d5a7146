/**
 * register-model's engine: the package of an image (by digest), its model data and metrics, in a
 * group created when missing. A re-run of the same package finds it and returns it: no new version,
 * no mutating call. Otherwise: the statistics document to S3 (content-addressed), the group, then
 * CreateModelPackage with a token made of the package's contents (two runs racing get one package).
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  AddTagsCommand,
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  DescribeModelPackageGroupCommand,
  ListTagsCommand,
  type CreateModelPackageInput,
  type SageMakerClient
} from '@aws-sdk/client-sagemaker';
import { isNotFound, orUndefined } from '../aws.js';
import { UserError, errorMessage } from '../errors.js';
import type { Logger } from '../report.js';
import { metricTags } from '../sagemaker/metric-tags.js';
import { fromTagList, toTagList } from '../sagemaker/tags.js';
import type { RegisterOptions } from './options.js';
import { describePackage, listPackages, resolved, type ResolvedPackage } from './reference.js';
import {
  createGroupRequest,
  createPackageRequest,
  samePackage,
  statisticsDocument,
  type Statistics
} from './requests.js';

export interface RegisterClients {
  sagemaker: Pick<SageMakerClient, 'send'>;
  /** Needed only with metrics. */
  s3?: Pick<S3Client, 'send'>;
}

export interface RegisterResult extends ResolvedPackage {
  /** false: a package with the same contents was there already (a re-run). */
  created: boolean;
  groupCreated: boolean;
  statistics?: Statistics;
  request: CreateModelPackageInput;
}

export async function register(
  options: RegisterOptions,
  clients: RegisterClients,
  log: Logger
): Promise<RegisterResult> {
  const statistics = statisticsDocument(options);
  const request = createPackageRequest(options, statistics);
  if (options.metrics) {
    for (const name of [...metricTags(options.metrics.values, 46).skipped, ...options.metrics.ignored])
      log.info(`Metric not copied to the package's metadata: ${name}.`);
  }
  const { sagemaker } = clients;
  const group = await orUndefined(
    sagemaker.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: options.group }))
  );
  if (group) {
    const existing = await findSame(sagemaker, options.group, request);
    if (existing) {
      const found = resolved(existing);
      log.info(
        `${found.arn} (version ${found.version}, ${found.status}) has this image, model data and metrics already: returning it, no new version.`
      );
      if (found.status !== options.approval)
        log.info(
          `Its approval stays ${found.status}: approval ${options.approval} applies to a new package; approve-model changes an existing one.`
        );
      return { ...found, created: false, groupCreated: false, statistics, request };
    }
  }

  if (statistics) await putStatistics(clients, statistics, log);
  let groupCreated = false;
  if (!group) groupCreated = await createGroup(sagemaker, options, log);
  else await tagGroup(sagemaker, group.ModelPackageGroupArn ?? '', options.tags, log);

  const { ModelPackageArn: arn } = await sagemaker.send(new CreateModelPackageCommand(request));
  const pkg = arn ? await describePackage(sagemaker, arn) : undefined;
  if (!pkg)
    throw new UserError(
      `SageMaker answered CreateModelPackage with ${arn ?? 'no ARN'}, which it cannot describe: a package with the same contents may have been deleted since; register again with other model data or metrics, or wait for SageMaker's idempotency window to pass.`
    );
  const made = resolved(pkg);
  log.info(`Registered ${made.arn}: version ${made.version} of ${options.group}, ${made.status}.`);
  return { ...made, created: true, groupCreated, statistics, request };
}

/** The newest package of `group` that `request` would duplicate, described; undefined when none. */
async function findSame(
  sagemaker: RegisterClients['sagemaker'],
  group: string,
  request: CreateModelPackageInput
) {
  for (const summary of await listPackages(sagemaker, group)) {
    if (!summary.ModelPackageArn) continue;
    const pkg = await describePackage(sagemaker, summary.ModelPackageArn);
    if (pkg && samePackage(pkg, request)) return pkg;
  }
  return undefined;
}

async function putStatistics(clients: RegisterClients, statistics: Statistics, log: Logger): Promise<void> {
  if (!clients.s3) throw new Error('register: metrics need an S3 client.');
  try {
    await clients.s3.send(
      new PutObjectCommand({
        Bucket: statistics.bucket,
        Key: statistics.key,
        Body: statistics.body,
        ContentType: 'application/json'
      })
    );
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name === 'NoSuchBucket' || isNotFound(e))
      throw new UserError(
        `Input "metrics-path" names the bucket ${statistics.bucket}, which does not exist (${errorMessage(e).replace(/\.$/, '')}): create it, or give another metrics-path.`
      );
    throw e;
  }
  log.info(`Stored the metrics as ${statistics.uri} (${statistics.body.length} bytes).`);
}

/** Creates the group; false when another run created it meanwhile. */
async function createGroup(
  sagemaker: RegisterClients['sagemaker'],
  options: RegisterOptions,
  log: Logger
): Promise<boolean> {
  try {
    await sagemaker.send(new CreateModelPackageGroupCommand(createGroupRequest(options)));
  } catch (e) {
    if (/already exists/i.test(errorMessage(e))) return false;
    throw e;
  }
  log.info(`Created the model package group ${options.group}.`);
  return true;
}

/** The tags input on an existing group: those it lacks or holds with another value. */
async function tagGroup(
  sagemaker: RegisterClients['sagemaker'],
  arn: string,
  tags: Record<string, string>,
  log: Logger
): Promise<void> {
  if (!arn || !Object.keys(tags).length) return;
  const current = fromTagList((await sagemaker.send(new ListTagsCommand({ ResourceArn: arn }))).Tags);
  const changed = toTagList(tags).filter((t) => current[t.Key] !== t.Value);
  if (!changed.length) return;
  await sagemaker.send(new AddTagsCommand({ ResourceArn: arn, Tags: changed }));
  log.info(`Tagged the group: ${changed.map((t) => t.Key).join(', ')}.`);
}
