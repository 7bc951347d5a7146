/**
 * deploy-canary's `model-package`: the Approved Model Registry package a model is made from. It is
 * resolved (read-only) before any mutating call, so an unapproved package is refused first; the
 * model is then `Containers: [{ModelPackageName}]` and its tags link the package.
 */
import type {
  ContainerDefinition,
  DescribeModelCommandOutput,
  SageMakerClient
} from '@aws-sdk/client-sagemaker';
import { InputError } from '../errors.js';
import { resolvePackage, type PackageRef, type ResolvedPackage } from '../registry/reference.js';
import { metricsFromTags, metricTags } from './metric-tags.js';
import type { DeployOptions } from './options.js';
import { OWN_TAGS, type Tags } from './tags.js';

/** What a deployment from a package records and shows. */
export interface PackageSource {
  arn: string;
  group: string;
  version: number;
  /** ModelApprovalStatus when it was resolved (always Approved for a deployment). */
  status: string;
  image: string;
  modelData?: string;
  /** Where the package's metrics documents are: `ModelQuality.Statistics` -> S3 URI. */
  metrics: Array<{ kind: string; uri: string }>;
  /**
   * The package's metrics (register-model's copy in its CustomerMetadataProperties) as the model's
   * metric tags, for metrics-gate's `endpoint:` baseline; set when the `metrics` input is not given.
   */
  metricTags?: Tags;
}

type SageMaker = Pick<SageMakerClient, 'send'>;

/** The S3 URIs of a package's ModelMetrics, by kind (`ModelQuality.Statistics`, ...). */
function metricDocuments(value: unknown, path: string[] = []): PackageSource['metrics'] {
  if (!value || typeof value !== 'object') return [];
  const uri = (value as { S3Uri?: unknown }).S3Uri;
  if (typeof uri === 'string') return [{ kind: path.join('.'), uri }];
  return Object.entries(value).flatMap(([key, inner]) => metricDocuments(inner, [...path, key]));
}

export function packageSource(found: ResolvedPackage): PackageSource {
  const container = found.package.InferenceSpecification?.Containers?.[0];
  return {
    arn: found.arn,
    group: found.group,
    version: found.version,
    status: found.status,
    image: container?.Image ?? '',
    ...(container?.ModelDataUrl ? { modelData: container.ModelDataUrl } : {}),
    metrics: metricDocuments(found.package.ModelMetrics)
  };
}

/** A package ARN of another region than the deployment's is refused, naming `model-package`. */
export function checkPackageRegion(ref: PackageRef | undefined, region: string): void {
  if (ref?.region && ref.region !== region)
    throw new InputError(
      'model-package',
      `Input "model-package" names a package in ${ref.region}, but the endpoint is in ${region}: SageMaker makes models only from packages of their own region, so register the package in ${region}.`
    );
}

/**
 * The options with the package resolved: refused (one sentence naming its ARN and status) unless
 * Approved; `image` and `modelData` become the package's, for the tags and the summary.
 */
export async function withPackage(options: DeployOptions, sm: SageMaker): Promise<DeployOptions> {
  if (!options.modelPackage) return options;
  const found = await resolvePackage(sm, options.modelPackage, { approvedOnly: true });
  const source = packageSource(found);
  const recorded = metricsFromTags(found.package.CustomerMetadataProperties ?? {});
  if (!options.metricTags && recorded?.size) {
    // More than fit beside the tags input: left off the model (the package's documents still say).
    const room = 50 - OWN_TAGS - Object.keys(options.tags).length;
    source.metricTags = orNothing(() => metricTags(recorded, room, 'model-package').tags);
  }
  return {
    ...options,
    image: source.image,
    modelData: source.modelData,
    package: source,
    metricTags: options.metricTags ?? source.metricTags
  };
}

function orNothing<T>(make: () => T): T | undefined {
  try {
    return make();
  } catch {
    return undefined;
  }
}

/** The model's one container: the package by ARN, with the `environment` input on top of its own. */
export function packageContainer(options: DeployOptions): ContainerDefinition {
  return {
    ModelPackageName: options.package!.arn,
    ...(Object.keys(options.environment).length ? { Environment: options.environment } : {})
  };
}

/** The live model's package, when it was made from one: its ARN and its own environment. */
export function livePackage(
  model: DescribeModelCommandOutput | undefined
): { arn: string; environment: Record<string, string> } | undefined {
  // As created (Containers of one), or as SageMaker may answer a single container (PrimaryContainer).
  const container = model?.Containers?.length === 1 ? model.Containers[0] : model?.PrimaryContainer;
  if (!container?.ModelPackageName) return undefined;
  return { arn: container.ModelPackageName, environment: container.Environment ?? {} };
}
