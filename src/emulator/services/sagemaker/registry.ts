/**
 * SageMaker's Model Registry in the emulator: model package groups and the versioned packages in
 * them (version 1, 2, ... per group), their approval status and metadata, and the containers a model
 * made from a package serves with. Validation is in registry-validate.ts, the answers' shapes in
 * registry-views.ts; the state is HostingState.packageGroups / packages / packageTokens / packageModels
 * (plain JSON).
 */
import type { Emulator, RequestInfo, Operation as Handler } from '../../server.js';
import { AwsError, validation } from '../../protocol.js';
import { listing } from './resources.js';
import { arnOf, hostingState, type HostingState, type Json } from './state.js';
import { checkName, checkTags } from './validate.js';
import { groupView, packageSummary, packageView } from './registry-views.js';
import {
  checkApprovalStatus,
  checkClientToken,
  checkCustomerMetadata,
  checkInferenceSpecification,
  checkMetadataKeysToRemove,
  checkModelMetrics,
  checkPackageArn,
  checkPackageName,
  checkPackageType,
  checkText
} from './registry-validate.js';

type SetTags = (arn: string, tags: Array<{ Key: string; Value: string }>) => void;

/** Fields a client gives that a package keeps and DescribeModelPackage shows as given. */
const KEPT = [
  'ModelPackageDescription',
  'InferenceSpecification',
  'ModelMetrics',
  'CustomerMetadataProperties',
  'MetadataProperties',
  'DriftCheckBaselines',
  'Domain',
  'Task',
  'SamplePayloadUrl',
  'AdditionalInferenceSpecifications',
  'SourceAlgorithmSpecification',
  'ValidationSpecification'
];

const registry = (s: HostingState) => {
  s.packageGroups ??= {};
  s.packages ??= {};
  s.packageTokens ??= {};
  return { groups: s.packageGroups, packages: s.packages, tokens: s.packageTokens };
};

/** A group by name or ARN. */
function groupOf(s: HostingState, name: unknown): Json | undefined {
  if (typeof name !== 'string') return undefined;
  const { groups } = registry(s);
  return groups[name] ?? Object.values(groups).find((g) => g.ModelPackageGroupArn === name.toLowerCase());
}

/**
 * A versioned package by its ARN or `<group>/<version>` (SageMaker's VersionedArnOrName; a bare
 * name would be an unversioned package, which the emulator does not keep).
 */
export function packageOf(s: HostingState, name: unknown): Json | undefined {
  if (typeof name !== 'string') return undefined;
  const { packages } = registry(s);
  const short = /^([a-zA-Z0-9](?:-*[a-zA-Z0-9])*)\/(\d{1,9})$/.exec(name);
  if (!short) return packages[name.toLowerCase()];
  return Object.values(packages).find(
    (p) => p.ModelPackageGroupName === short[1] && p.ModelPackageVersion === Number(short[2])
  );
}

const packageMissing = (name: unknown) => validation(`Model package ${String(name)} not found`);

/**
 * The containers a model made from packages serves with: each `{ModelPackageName}` container of
 * CreateModel becomes the package's first container (Image, ModelDataUrl, Environment, with the
 * model's own Environment on top). Undefined when no container names a package. SageMaker deploys
 * only Approved versions of a versioned package.
 */
export function packageContainers(s: HostingState, containers: Json[]): Json[] | undefined {
  if (!containers.some((c) => c?.ModelPackageName)) return undefined;
  return containers.map((c) => {
    if (!c?.ModelPackageName) return c;
    const pkg = packageOf(s, c.ModelPackageName);
    if (!pkg) throw packageMissing(c.ModelPackageName);
    if (pkg.ModelApprovalStatus !== 'Approved')
      throw validation(
        `Model package ${pkg.ModelPackageArn} cannot be used to create a model: its ModelApprovalStatus is ${pkg.ModelApprovalStatus}, not Approved.`
      );
    const source: Json = pkg.InferenceSpecification?.Containers?.[0];
    if (!source) throw validation(`Model package ${pkg.ModelPackageArn} has no InferenceSpecification.`);
    return {
      Image: source.Image,
      ...(source.ModelDataUrl ? { ModelDataUrl: source.ModelDataUrl } : {}),
      Environment: { ...(source.Environment ?? {}), ...(c.Environment ?? {}) }
    };
  });
}

export function modelRegistry(emulator: Emulator, setTags: SetTags) {
  const state = () => registry(hostingState(emulator));
  const groupArn = (request: RequestInfo, name: string) => arnOf(request, 'model-package-group', name);
  const groupMissing = (request: RequestInfo, name: unknown) =>
    validation(`ModelPackageGroup ${groupArn(request, String(name))} does not exist.`);

  const operations: Record<string, Handler> = {
    CreateModelPackageGroup: (r, request) => {
      const name = checkName(r.ModelPackageGroupName, 'modelPackageGroupName');
      checkText(r.ModelPackageGroupDescription, 'modelPackageGroupDescription', 1024);
      const tags = checkTags(r.Tags);
      const arn = groupArn(request, name);
      if (groupOf(hostingState(emulator), name))
        throw validation(`Model Package Group already exists: ${arn}`);
      state().groups[name] = {
        ModelPackageGroupName: name,
        ModelPackageGroupArn: arn,
        ...(r.ModelPackageGroupDescription !== undefined
          ? { ModelPackageGroupDescription: r.ModelPackageGroupDescription }
          : {}),
        CreationTime: emulator.now(),
        LatestVersion: 0
      };
      setTags(arn, tags);
      return { ModelPackageGroupArn: arn };
    },
    DescribeModelPackageGroup: ({ ModelPackageGroupName }, request) => {
      const group = groupOf(hostingState(emulator), ModelPackageGroupName);
      if (!group) throw groupMissing(request, ModelPackageGroupName);
      return { ...groupView(group), CreatedBy: {} };
    },
    ListModelPackageGroups: (r) => {
      const { items, next } = listing(
        Object.values(state().groups),
        { ...r, SortOrder: r.SortOrder ?? 'Ascending', MaxResults: r.MaxResults ?? 100 },
        (g) => g.ModelPackageGroupName
      );
      return { ModelPackageGroupSummaryList: items.map(groupView), ...(next ? { NextToken: next } : {}) };
    },
    DeleteModelPackageGroup: ({ ModelPackageGroupName }, request) => {
      const group = groupOf(hostingState(emulator), ModelPackageGroupName);
      if (!group) throw groupMissing(request, ModelPackageGroupName);
      const name = group.ModelPackageGroupName;
      if (Object.values(state().packages).some((p) => p.ModelPackageGroupName === name))
        throw new AwsError(
          'ConflictException',
          `Model Package Group ${group.ModelPackageGroupArn} cannot be deleted because it contains model packages. Delete them first.`
        );
      delete hostingState(emulator).tags[group.ModelPackageGroupArn];
      delete state().groups[name];
      return {};
    },
    CreateModelPackage: (r, request) => {
      if (r.ModelPackageName !== undefined && r.ModelPackageGroupName !== undefined)
        throw validation(
          'Both ModelPackageName and ModelPackageGroupName are provided in the input. Cannot determine which one to use.'
        );
      if (r.ModelPackageGroupName === undefined && r.ModelPackageName === undefined)
        throw validation('Missing ARN.');
      if (r.ModelPackageGroupName === undefined)
        throw validation(
          'The emulator keeps versioned model packages only: give ModelPackageGroupName instead of ModelPackageName.'
        );
      checkClientToken(r.ClientToken);
      const known = r.ClientToken === undefined ? undefined : state().tokens[r.ClientToken];
      if (known && state().packages[known]) return { ModelPackageArn: known };
      const group = groupOf(hostingState(emulator), r.ModelPackageGroupName);
      if (!group) throw validation('Model Package Group does not exist.');
      checkText(r.ModelPackageDescription, 'modelPackageDescription', 1024);
      checkInferenceSpecification(r.InferenceSpecification);
      checkApprovalStatus(r.ModelApprovalStatus);
      checkModelMetrics(r.ModelMetrics);
      checkCustomerMetadata(r.CustomerMetadataProperties);
      // AWS: a package given a group "uses the tags associated with the model group. In this case,
      // you cannot supply a tag argument." (moto accepts them.) AddTags tags a version afterwards.
      if (r.Tags !== undefined)
        throw validation(
          'Tags cannot be supplied with ModelPackageGroupName: a versioned model package uses the tags of its model group (tag a version with AddTags).'
        );
      const version = (group.LatestVersion ?? 0) + 1;
      group.LatestVersion = version;
      const arn = arnOf(request, 'model-package', `${group.ModelPackageGroupName}/${version}`);
      const kept = Object.fromEntries(KEPT.filter((k) => r[k] !== undefined).map((k) => [k, r[k]]));
      state().packages[arn] = {
        ModelPackageGroupName: group.ModelPackageGroupName,
        ModelPackageVersion: version,
        ModelPackageArn: arn,
        ...kept,
        ModelApprovalStatus: r.ModelApprovalStatus ?? 'PendingManualApproval',
        ...(r.CertifyForMarketplace !== undefined ? { CertifyForMarketplace: r.CertifyForMarketplace } : {}),
        CreationTime: emulator.now()
      };
      if (r.ClientToken !== undefined) state().tokens[r.ClientToken] = arn;
      return { ModelPackageArn: arn };
    },
    DescribeModelPackage: ({ ModelPackageName }) => {
      checkPackageName(ModelPackageName);
      const pkg = packageOf(hostingState(emulator), ModelPackageName);
      if (!pkg) throw packageMissing(ModelPackageName);
      return packageView(pkg);
    },
    ListModelPackages: (r) => {
      checkApprovalStatus(r.ModelApprovalStatus);
      checkPackageType(r.ModelPackageType);
      let type = r.ModelPackageType ?? 'Unversioned';
      let group: string | undefined;
      if (r.ModelPackageGroupName !== undefined) {
        type = 'Versioned';
        group = groupOf(hostingState(emulator), r.ModelPackageGroupName)?.ModelPackageGroupName;
        if (!group) return { ModelPackageSummaryList: [] };
      }
      // Every package the emulator keeps is versioned.
      const all = type === 'Unversioned' ? [] : Object.values(state().packages);
      const chosen = all
        .filter((p) => group === undefined || p.ModelPackageGroupName === group)
        .filter(
          (p) => r.ModelApprovalStatus === undefined || p.ModelApprovalStatus === r.ModelApprovalStatus
        );
      const { items, next } = listing(
        chosen,
        { ...r, SortOrder: r.SortOrder ?? 'Ascending', MaxResults: r.MaxResults ?? 100 },
        (p) => p.ModelPackageGroupName
      );
      return { ModelPackageSummaryList: items.map(packageSummary), ...(next ? { NextToken: next } : {}) };
    },
    UpdateModelPackage: (r) => {
      checkPackageArn(r.ModelPackageArn);
      const pkg = packageOf(hostingState(emulator), r.ModelPackageArn);
      if (!pkg) throw packageMissing(r.ModelPackageArn);
      checkApprovalStatus(r.ModelApprovalStatus);
      checkText(r.ApprovalDescription, 'approvalDescription', 1024);
      checkCustomerMetadata(r.CustomerMetadataProperties);
      checkMetadataKeysToRemove(r.CustomerMetadataPropertiesToRemove);
      if (r.ModelApprovalStatus !== undefined) pkg.ModelApprovalStatus = r.ModelApprovalStatus;
      if (r.ApprovalDescription !== undefined) pkg.ApprovalDescription = r.ApprovalDescription;
      const metadata = { ...(pkg.CustomerMetadataProperties ?? {}), ...(r.CustomerMetadataProperties ?? {}) };
      for (const key of r.CustomerMetadataPropertiesToRemove ?? []) delete metadata[key];
      if (Object.keys(metadata).length > 50)
        throw validation('A model package can have at most 50 CustomerMetadataProperties.');
      if (Object.keys(metadata).length) pkg.CustomerMetadataProperties = metadata;
      else delete pkg.CustomerMetadataProperties;
      pkg.LastModifiedTime = emulator.now();
      return { ModelPackageArn: pkg.ModelPackageArn };
    },
    DeleteModelPackage: ({ ModelPackageName }) => {
      checkPackageName(ModelPackageName);
      const pkg = packageOf(hostingState(emulator), ModelPackageName);
      if (!pkg) throw packageMissing(ModelPackageName);
      delete hostingState(emulator).tags[pkg.ModelPackageArn];
      delete state().packages[pkg.ModelPackageArn];
      for (const [token, arn] of Object.entries(state().tokens))
        if (arn === pkg.ModelPackageArn) delete state().tokens[token];
      return {};
    }
  };
  return { operations };
}

/** Whether `arn` names a model package group or package (for AddTags/ListTags/DeleteTags). */
export function isRegistryArn(s: HostingState, arn: string): boolean {
  const { groups, packages } = registry(s);
  return !!packages[arn] || Object.values(groups).some((g) => g.ModelPackageGroupArn === arn);
}
