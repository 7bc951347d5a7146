/**
 * The Model Registry requests register-model and approve-model send, as plain data: the group, the
 * package (its container, metrics, metadata), the approval, and what makes two packages the same.
 *
 * Provenance goes in the package's MetadataProperties (CommitId, Repository, GeneratedBy) and
 * CustomerMetadataProperties: AWS documents that a versioned package "uses the tags associated with
 * the model group" and takes no Tags of its own, so tags (the tags input, the repository) go on the
 * group.
 */
import { createHash } from 'node:crypto';
import type {
  CreateModelPackageGroupInput,
  CreateModelPackageInput,
  DescribeModelPackageCommandOutput,
  InferenceSpecification,
  UpdateModelPackageInput
} from '@aws-sdk/client-sagemaker';
import { metricTags } from '../sagemaker/metric-tags.js';
import { tagValue, toTagList } from '../sagemaker/tags.js';
import type { Decision, RegisterOptions } from './options.js';

export const META = {
  gitSha: 'mlops-actions:git-sha',
  repository: 'mlops-actions:repository',
  runUrl: 'mlops-actions:run-url',
  imageDigest: 'mlops-actions:image-digest'
} as const;

/** The statistics document as stored in S3: its bytes, their sha256, and its key under the prefix. */
export interface Statistics {
  body: string;
  sha256: string;
  bucket: string;
  key: string;
  uri: string;
}

/** The metrics as the package's model-quality statistics, content-addressed: a re-run writes the same object. */
export function statisticsDocument(options: RegisterOptions): Statistics | undefined {
  if (!options.metrics || !options.metricsPath) return undefined;
  const doc = options.metrics.document ?? Object.fromEntries(options.metrics.values);
  const body = JSON.stringify(doc, null, 2) + '\n';
  const sha256 = createHash('sha256').update(body).digest('hex');
  const { bucket, prefix } = options.metricsPath;
  const key = prefix ? `${prefix}/${sha256}.json` : `${sha256}.json`;
  return { body, sha256, bucket, key, uri: `s3://${bucket}/${key}` };
}

export function inferenceSpecification(options: RegisterOptions): InferenceSpecification {
  return {
    Containers: [
      {
        Image: options.image,
        ...(options.modelData ? { ModelDataUrl: options.modelData } : {}),
        ...(Object.keys(options.environment).length ? { Environment: options.environment } : {})
      }
    ],
    SupportedContentTypes: options.contentTypes,
    SupportedResponseMIMETypes: options.contentTypes,
    SupportedRealtimeInferenceInstanceTypes: options.instanceTypes as never
  };
}

/** CustomerMetadataProperties: provenance and the metrics (`accuracy=0.97 f1=0.9`), non-empty values only. */
export function customerMetadata(options: RegisterOptions): Record<string, string> {
  const { provenance } = options;
  const own: Record<string, string> = {
    [META.gitSha]: provenance.sha,
    [META.repository]: provenance.repository,
    [META.runUrl]: provenance.runUrl ?? '',
    [META.imageDigest]: options.imageDigest
  };
  const metrics = options.metrics ? metricTags(options.metrics.values, 50 - 4).tags : {};
  return Object.fromEntries(
    Object.entries({ ...own, ...metrics })
      .map(([k, v]) => [k, tagValue(v)])
      .filter(([, v]) => v !== '')
  );
}

export function createGroupRequest(options: RegisterOptions): CreateModelPackageGroupInput {
  const repository = options.provenance.repository;
  const tags = { ...options.tags, ...(repository ? { [META.repository]: repository } : {}) };
  return {
    ModelPackageGroupName: options.group,
    ModelPackageGroupDescription: repository
      ? `Model packages of ${repository}, registered by mlops-actions register-model.`
      : 'Model packages registered by mlops-actions register-model.',
    ...(Object.keys(tags).length ? { Tags: toTagList(tags) } : {})
  };
}

/** A token for CreateModelPackage made of what makes the package: the same package gives the same token. */
export function clientToken(group: string, spec: InferenceSpecification, statisticsUri?: string): string {
  const identity = JSON.stringify([group, canonicalSpec(spec), statisticsUri ?? null]);
  return createHash('sha256').update(identity).digest('hex').slice(0, 32);
}

export function createPackageRequest(
  options: RegisterOptions,
  statistics?: Statistics
): CreateModelPackageInput {
  const spec = inferenceSpecification(options);
  const { provenance } = options;
  const short = provenance.sha.slice(0, 7);
  const description =
    options.description ??
    (provenance.repository
      ? `${provenance.repository}${short ? ` at ${short}` : ''}, registered by mlops-actions register-model.`
      : undefined);
  const metadata = {
    ...(provenance.sha ? { CommitId: provenance.sha } : {}),
    ...(provenance.repository ? { Repository: provenance.repository } : {}),
    ...(provenance.runUrl ? { GeneratedBy: provenance.runUrl } : {})
  };
  return {
    ModelPackageGroupName: options.group,
    ...(description ? { ModelPackageDescription: description } : {}),
    InferenceSpecification: spec,
    ModelApprovalStatus: options.approval,
    ...(statistics
      ? {
          ModelMetrics: {
            ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: statistics.uri } }
          }
        }
      : {}),
    ...(Object.keys(metadata).length ? { MetadataProperties: metadata } : {}),
    CustomerMetadataProperties: customerMetadata(options),
    ClientToken: clientToken(options.group, spec, statistics?.uri)
  };
}

/** What of a specification makes the package: its first container and the types it supports (as sets). */
function canonicalSpec(spec: InferenceSpecification | undefined): unknown {
  const container = spec?.Containers?.[0];
  const sorted = (list: readonly string[] | undefined) => [...new Set(list ?? [])].sort();
  return {
    containers: spec?.Containers?.length ?? 0,
    image: container?.Image ?? '',
    modelData: container?.ModelDataUrl ?? '',
    environment: Object.entries(container?.Environment ?? {}).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0
    ),
    contentTypes: sorted(spec?.SupportedContentTypes),
    responseTypes: sorted(spec?.SupportedResponseMIMETypes),
    instanceTypes: sorted(spec?.SupportedRealtimeInferenceInstanceTypes)
  };
}

/**
 * Whether `existing` is the package `request` would make: the same image, model data, environment,
 * supported types and metrics document (whatever its approval, description or provenance).
 */
export function samePackage(
  existing: DescribeModelPackageCommandOutput,
  request: CreateModelPackageInput
): boolean {
  const stats = (m: CreateModelPackageInput['ModelMetrics']) => m?.ModelQuality?.Statistics?.S3Uri ?? '';
  return (
    JSON.stringify(canonicalSpec(existing.InferenceSpecification)) ===
      JSON.stringify(canonicalSpec(request.InferenceSpecification)) &&
    stats(existing.ModelMetrics) === stats(request.ModelMetrics)
  );
}

export function approvalRequest(
  arn: string,
  decision: Decision,
  description: string
): UpdateModelPackageInput {
  return { ModelPackageArn: arn, ModelApprovalStatus: decision, ApprovalDescription: description };
}
