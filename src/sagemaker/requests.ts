/**
 * The requests a plan holds, as SageMaker takes them: the model (from an image, or from a Model
 * Registry package), a production variant, the endpoint config, and the toolkit's tags on each;
 * and the plan as it may be shown, with the environment's values hidden. Pure: no calls.
 */
import type {
  CreateEndpointConfigInput,
  CreateModelInput,
  ProductionVariant,
  ProductionVariantInstanceType
} from '@aws-sdk/client-sagemaker';
import type { DeployOptions } from './options.js';
import { packageContainer } from './package.js';
import type { Plan } from './plan.js';
import { TAG, toTagList, type Tags } from './tags.js';

export interface PlanContext {
  sha: string;
  runUrl?: string;
  /** The run making the plan (its made-by tag). */
  holder?: string;
  now: Date;
}

/** The toolkit's tags for a model or config of `endpoint`. */
export function versionTags(
  options: Pick<DeployOptions, 'endpointName' | 'image' | 'modelData' | 'tags' | 'package'>,
  ctx: PlanContext,
  extra: Tags = {}
): Tags {
  return {
    ...options.tags,
    [TAG.endpoint]: options.endpointName,
    [TAG.gitSha]: ctx.sha,
    [TAG.image]: options.image,
    ...(options.package
      ? { [TAG.modelPackage]: options.package.arn }
      : options.modelData
        ? { [TAG.modelData]: options.modelData }
        : {}),
    ...(ctx.runUrl ? { [TAG.runUrl]: ctx.runUrl } : {}),
    ...(ctx.holder ? { [TAG.madeBy]: ctx.holder } : {}),
    ...extra
  };
}

export function modelRequest(
  name: string,
  options: DeployOptions,
  roleArn: string,
  tags: Tags
): CreateModelInput {
  return {
    ModelName: name,
    ExecutionRoleArn: roleArn,
    ...(options.package
      ? { Containers: [packageContainer(options)] }
      : {
          PrimaryContainer: {
            Image: options.image,
            ...(options.modelData ? { ModelDataUrl: options.modelData } : {}),
            ...(Object.keys(options.environment).length ? { Environment: options.environment } : {})
          }
        }),
    Tags: toTagList({ ...tags, ...options.metricTags })
  };
}

export function variant(
  options: DeployOptions,
  name: string,
  modelName: string,
  weight = 1
): ProductionVariant {
  return {
    VariantName: name,
    ModelName: modelName,
    InitialVariantWeight: weight,
    ...(options.serverless
      ? { ServerlessConfig: options.serverless }
      : {
          InstanceType: options.instanceType as ProductionVariantInstanceType,
          InitialInstanceCount: options.instanceCount
        })
  };
}

export function configRequest(
  name: string,
  variants: ProductionVariant[],
  options: DeployOptions,
  tags: Tags
): CreateEndpointConfigInput {
  return {
    EndpointConfigName: name,
    ProductionVariants: variants,
    ...(options.dataCapture
      ? {
          DataCaptureConfig: {
            EnableCapture: true,
            InitialSamplingPercentage: options.dataCapture.percent,
            DestinationS3Uri: options.dataCapture.uri,
            CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }]
          }
        }
      : {}),
    Tags: toTagList(tags)
  };
}

/** The plan as it may be shown: environment variables by name only, since their values may be secrets. */
export function redacted(plan: Plan): Plan {
  const model = plan.createModel;
  if (!model) return plan;
  const hide = <T extends { Environment?: Record<string, string> }>(container: T): T =>
    container.Environment
      ? {
          ...container,
          Environment: Object.fromEntries(Object.keys(container.Environment).map((k) => [k, '***']))
        }
      : container;
  return {
    ...plan,
    createModel: {
      ...model,
      ...(model.PrimaryContainer ? { PrimaryContainer: hide(model.PrimaryContainer) } : {}),
      ...(model.Containers ? { Containers: model.Containers.map(hide) } : {})
    }
  };
}
