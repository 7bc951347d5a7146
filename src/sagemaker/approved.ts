/**
 * rollback's `to-approved`: the most recent earlier version of an endpoint whose model came from a
 * Model Registry package that is still Approved. The history is the endpoint's own (the toolkit's
 * tags in AWS); each candidate's package is described now, so a package rejected since is skipped.
 */
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { UserError } from '../errors.js';
import { describePackage, resolved } from '../registry/reference.js';
import type { Logger } from '../report.js';
import { listVersions, wentLive, type Version } from './history.js';
import { TAG } from './tags.js';

export interface ApprovedTarget {
  version: Version;
  package: { arn: string; version: number; status: string };
}

/**
 * The package of the config the endpoint serves, when it is still Approved: to-approved then has
 * nothing to do (only a live package since rejected, or a live model not from a package, moves).
 */
export async function approvedLive(
  sm: Pick<SageMakerClient, 'send'>,
  tags: Record<string, string>
): Promise<ApprovedTarget['package'] | undefined> {
  const arn = tags[TAG.modelPackage];
  const described = arn ? await describePackage(sm, arn) : undefined;
  const found = described && resolved(described);
  return found?.status === 'Approved'
    ? { arn: found.arn, version: found.version, status: found.status }
    : undefined;
}

/** Earlier versions that went live for good, the most recent first (as rollback's default target). */
function earlier(versions: Version[], current: string): Version[] {
  return versions
    .filter((v) => v.configName !== current && wentLive(v.tags))
    .sort((a, b) => b.tags[TAG.wentLive].localeCompare(a.tags[TAG.wentLive]));
}

/**
 * The target, or a UserError (one sentence) saying what was checked: versions not from a package are
 * skipped, and so are packages that are Rejected, PendingManualApproval or deleted since.
 */
export async function approvedTarget(
  sm: Pick<SageMakerClient, 'send'>,
  endpoint: string,
  current: string,
  log?: Logger
): Promise<ApprovedTarget> {
  const candidates = earlier(await listVersions(sm as SageMakerClient, endpoint), current);
  const skipped: string[] = [];
  for (const version of candidates) {
    const arn = version.tags[TAG.modelPackage];
    if (!arn) {
      skipped.push(`${version.configName} (not from a package)`);
      continue;
    }
    const described = await describePackage(sm, arn);
    const found = described && resolved(described);
    if (found?.status === 'Approved') {
      for (const line of skipped) log?.info(`Skipped ${line}.`);
      return { version, package: { arn: found.arn, version: found.version, status: found.status } };
    }
    skipped.push(`${version.configName} (${arn} is ${found ? found.status : 'deleted'})`);
  }
  throw new UserError(
    `Endpoint ${endpoint} has no earlier version made from a model package that is still Approved${skipped.length ? `: ${skipped.join(', ')}` : ' (no earlier version went live)'}; nothing was rolled back, so approve and deploy a package or give "to" instead of "to-approved".`
  );
}
