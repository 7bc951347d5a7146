/**
 * Naming a model package: a versioned package's ARN, `<group>/<version>`, or a group (its latest
 * package, or its latest Approved one). `resolvePackage` is what approve-model, deploy-canary's
 * `model-package` and the promotion flow share to turn such a name into one described package.
 */
import {
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
  type DescribeModelPackageCommandOutput,
  type ModelApprovalStatus,
  type ModelPackageSummary,
  type SageMakerClient
} from '@aws-sdk/client-sagemaker';
import { orUndefined } from '../aws.js';
import { InputError, UserError } from '../errors.js';

export interface PackageRef {
  /** The versioned package's ARN, when the name was one. */
  arn?: string;
  group: string;
  version?: number;
  /** The ARN's region. */
  region?: string;
}

export interface ResolvedPackage {
  arn: string;
  group: string;
  version: number;
  /** ModelApprovalStatus: PendingManualApproval, Approved or Rejected. */
  status: string;
  package: DescribeModelPackageCommandOutput;
}

type SageMaker = Pick<SageMakerClient, 'send'>;

export const GROUP_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
export const PACKAGE_ARN =
  /^arn:aws[a-z-]*:sagemaker:([a-z0-9-]+):(\d{12}):model-package\/([a-zA-Z0-9](?:-*[a-zA-Z0-9]){0,62})\/([1-9]\d{0,8})$/i;
const SHORT = /^([a-zA-Z0-9](?:-*[a-zA-Z0-9]){0,62})\/([1-9]\d{0,8})$/;

/**
 * `value` as a reference; `version` (from a separate input) must agree with a version the value
 * names. Refused, naming `input`: anything else, such as an unversioned package's ARN.
 */
export function parsePackageRef(
  input: string,
  value: string,
  version?: number,
  versionInput = 'version'
): PackageRef {
  const arn = PACKAGE_ARN.exec(value);
  const short = SHORT.exec(value);
  let ref: PackageRef;
  if (arn) ref = { arn: value, group: arn[3], version: Number(arn[4]), region: arn[1] };
  else if (short) ref = { group: short[1], version: Number(short[2]) };
  else if (GROUP_NAME.test(value)) ref = { group: value, version };
  else
    throw new InputError(
      input,
      value.startsWith('arn:')
        ? `Input "${input}" must be a versioned model package ARN such as arn:aws:sagemaker:us-east-1:123456789012:model-package/news-classifier/3, but got ${JSON.stringify(value)}.`
        : `Input "${input}" must be a model package ARN, a group name or <group>/<version>, but got ${JSON.stringify(value)}.`
    );
  if (version !== undefined && ref.version !== version)
    throw new InputError(
      versionInput,
      `Input "${versionInput}" is ${version}, but "${input}" names version ${ref.version}: give one of them.`
    );
  return ref;
}

/**
 * The packages of `group`, newest first, page after page (up to `limit`), or only those of one
 * approval status. A group that does not exist has none.
 */
export async function listPackages(
  sagemaker: SageMaker,
  group: string,
  options: { status?: string; limit?: number } = {}
): Promise<ModelPackageSummary[]> {
  const limit = options.limit ?? Infinity;
  const all: ModelPackageSummary[] = [];
  let token: string | undefined;
  do {
    const page = await sagemaker.send(
      new ListModelPackagesCommand({
        ModelPackageGroupName: group,
        ...(options.status ? { ModelApprovalStatus: options.status as ModelApprovalStatus } : {}),
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        MaxResults: Math.min(100, limit),
        NextToken: token
      })
    );
    all.push(...(page.ModelPackageSummaryList ?? []));
    token = page.NextToken;
  } while (token && all.length < limit);
  return all.slice(0, limit);
}

/** The described package `name` (an ARN or `<group>/<version>`), or undefined when there is none. */
export async function describePackage(
  sagemaker: SageMaker,
  name: string
): Promise<DescribeModelPackageCommandOutput | undefined> {
  return orUndefined(sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: name })));
}

export function resolved(pkg: DescribeModelPackageCommandOutput): ResolvedPackage {
  return {
    arn: pkg.ModelPackageArn ?? '',
    group: pkg.ModelPackageGroupName ?? '',
    version: pkg.ModelPackageVersion ?? 0,
    status: pkg.ModelApprovalStatus ?? 'PendingManualApproval',
    package: pkg
  };
}

/**
 * The package `ref` names: by ARN or version, that one; by group alone, its newest package (its newest
 * Approved one with `approvedOnly`). With `approvedOnly` a package that is not Approved is refused,
 * naming its status. Read-only: DescribeModelPackage and ListModelPackages.
 */
export async function resolvePackage(
  sagemaker: SageMaker,
  ref: string | PackageRef,
  options: { approvedOnly?: boolean; input?: string } = {}
): Promise<ResolvedPackage> {
  const input = options.input ?? 'model-package';
  const parsed = typeof ref === 'string' ? parsePackageRef(input, ref) : ref;
  let name = parsed.arn ?? (parsed.version ? `${parsed.group}/${parsed.version}` : undefined);
  if (!name) {
    const status = options.approvedOnly ? 'Approved' : undefined;
    const [latest] = await listPackages(sagemaker, parsed.group, { status, limit: 1 });
    if (!latest?.ModelPackageArn)
      throw new UserError(
        `Input "${input}" names the group ${parsed.group}, which has no ${status ? 'Approved ' : ''}model package: register one with register-model${status ? ' and approve it with approve-model' : ''}.`
      );
    name = latest.ModelPackageArn;
  }
  const pkg = await describePackage(sagemaker, name);
  if (!pkg)
    throw new UserError(
      `Input "${input}" names the model package ${name}, which does not exist in this region: check the group and version.`
    );
  const found = resolved(pkg);
  if (options.approvedOnly && found.status !== 'Approved')
    throw new UserError(
      `Input "${input}" names ${found.arn}, which is ${found.status}, not Approved: approve it with approve-model first.`
    );
  return found;
}
