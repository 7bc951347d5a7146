/**
 * Plan, then apply: the endpoint's current state plus the inputs give a plan as plain data: what will
 * be created, which update policy, which traffic steps. Pure: no calls. `dry-run` prints it and stops.
 */
import type {
  CreateEndpointConfigInput,
  CreateModelInput,
  DeploymentConfig,
  ProductionVariant,
  ProductionVariantInstanceType
} from '@aws-sdk/client-sagemaker';
import { formatDuration } from '../duration.js';
import { InputError, UserError } from '../errors.js';
import type { CapacitySize, DeployOptions, Strategy } from './options.js';
import { livePackage, packageContainer, type PackageSource } from './package.js';
import type { EndpointState } from './state.js';
import { TAG, toTagList, versionName, type Tags } from './tags.js';

export const CANDIDATE_VARIANT = 'Candidate';

export interface TrafficStep {
  /** Share of traffic on the new version after this step, in percent. */
  percent: number;
  bakeSeconds: number;
}

export interface Plan {
  endpointName: string;
  action: 'create' | 'update' | 'weights-canary' | 'unchanged';
  strategy: Strategy;
  previousConfig?: string;
  newConfig?: string;
  modelName?: string;
  createModel?: CreateModelInput;
  createConfig?: CreateEndpointConfigInput;
  deploymentConfig?: DeploymentConfig;
  steps: TrafficStep[];
  terminationWaitSeconds: number;
  alarms: string[];
  notes: string[];
  /** The Approved Model Registry package the model is made from (model-package). */
  modelPackage?: PackageSource;
}

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

/**
 * The share of the new fleet a capacity size turns on. SageMaker turns on whole instances (at least
 * one), so on instances `10%` of 2 is 1 instance: half the traffic. Serverless shifts the percentage.
 */
export function capacityPercent(
  size: CapacitySize,
  options: Pick<DeployOptions, 'instanceCount' | 'serverless'>
): number {
  if (options.serverless) return Math.min(100, size.Value);
  const instances = options.instanceCount;
  const count =
    size.Type === 'INSTANCE_COUNT'
      ? size.Value
      : Math.max(1, Math.ceil((size.Value / 100) * instances - 1e-9));
  return Math.min(100, Math.round((count / instances) * 1000) / 10);
}

/** The traffic steps of a strategy, as percentages of traffic on the new version after each step. */
export function trafficSteps(
  options: Pick<
    DeployOptions,
    | 'strategy'
    | 'bakeSeconds'
    | 'canarySize'
    | 'linearStepPercent'
    | 'canaryWeight'
    | 'instanceCount'
    | 'serverless'
  >
): TrafficStep[] {
  const bake = options.bakeSeconds;
  if (options.strategy === 'all-at-once') return [{ percent: 100, bakeSeconds: bake }];
  if (options.strategy === 'weights') return [{ percent: options.canaryWeight, bakeSeconds: 0 }];
  if (options.strategy === 'canary') {
    return [
      { percent: capacityPercent(options.canarySize, options), bakeSeconds: bake },
      { percent: 100, bakeSeconds: bake }
    ];
  }
  const step = capacityPercent({ Type: 'CAPACITY_PERCENT', Value: options.linearStepPercent }, options);
  const steps: TrafficStep[] = [];
  for (let p = step; p < 100 - 1e-9; p = Math.round((p + step) * 10) / 10)
    steps.push({ percent: p, bakeSeconds: bake });
  return [...steps, { percent: 100, bakeSeconds: bake }];
}

/** Seconds SageMaker waits on purpose: every bake plus the termination wait. */
export function waitingSeconds(steps: TrafficStep[], terminationWaitSeconds: number): number {
  return steps.reduce((sum, s) => sum + s.bakeSeconds, 0) + terminationWaitSeconds;
}

/** Time SageMaker gets to create the new fleet and shift traffic, beyond the waits. */
export const PROVISIONING_ALLOWANCE = 1800;
/** SageMaker's limit on MaximumExecutionTimeoutInSeconds. */
export const MAX_EXECUTION_SECONDS = 28800;

/** SageMaker's DeploymentConfig (blue/green with traffic routing and auto-rollback alarms). */
export function deploymentConfig(options: DeployOptions): DeploymentConfig {
  const routing =
    options.strategy === 'canary'
      ? {
          Type: 'CANARY' as const,
          CanarySize: options.canarySize,
          WaitIntervalInSeconds: options.bakeSeconds
        }
      : options.strategy === 'linear'
        ? {
            Type: 'LINEAR' as const,
            LinearStepSize: { Type: 'CAPACITY_PERCENT' as const, Value: options.linearStepPercent },
            WaitIntervalInSeconds: options.bakeSeconds
          }
        : { Type: 'ALL_AT_ONCE' as const, WaitIntervalInSeconds: options.bakeSeconds };
  const waits = waitingSeconds(trafficSteps(options), options.terminationWaitSeconds);
  return {
    BlueGreenUpdatePolicy: {
      TrafficRoutingConfiguration: routing,
      TerminationWaitInSeconds: options.terminationWaitSeconds,
      // Longer than every wait plus time to provision the new fleet, within SageMaker's 600-28800.
      MaximumExecutionTimeoutInSeconds: Math.min(
        MAX_EXECUTION_SECONDS,
        Math.max(600, Math.ceil(waits + PROVISIONING_ALLOWANCE))
      )
    },
    ...(options.alarms.length
      ? { AutoRollbackConfiguration: { Alarms: options.alarms.map((AlarmName) => ({ AlarmName })) } }
      : {})
  };
}

function sameDeployment(state: EndpointState, options: DeployOptions): boolean {
  const variants = state.config?.ProductionVariants ?? [];
  if (variants.length !== 1) return false;
  const live = variants[0];
  const model = state.models[live.VariantName!];
  const fromPackage = livePackage(model);
  const container = model?.PrimaryContainer;
  const env = (fromPackage ? fromPackage.environment : container?.Environment) ?? {};
  const sameModel = options.package
    ? fromPackage?.arn === options.package.arn
    : !fromPackage &&
      container?.Image === options.image &&
      (container?.ModelDataUrl ?? '') === (options.modelData ?? '');
  return (
    live.VariantName === options.variantName &&
    sameModel &&
    JSON.stringify(Object.entries(env).sort()) ===
      JSON.stringify(Object.entries(options.environment).sort()) &&
    (options.serverless
      ? live.ServerlessConfig?.MemorySizeInMB === options.serverless.MemorySizeInMB &&
        live.ServerlessConfig?.MaxConcurrency === options.serverless.MaxConcurrency
      : live.InstanceType === options.instanceType && live.InitialInstanceCount === options.instanceCount)
  );
}

export function planDeployment(state: EndpointState, options: DeployOptions, ctx: PlanContext): Plan {
  const name = versionName(options.endpointName, ctx.sha, ctx.now);
  const base = {
    endpointName: options.endpointName,
    ...(options.package ? { modelPackage: options.package } : {}),
    strategy: options.strategy,
    steps: [] as TrafficStep[],
    terminationWaitSeconds: options.terminationWaitSeconds,
    alarms: options.alarms,
    notes: [] as string[]
  };
  const live = state.endpoint;
  const liveModel = Object.values(state.models)[0];
  const roleArn = options.roleArn ?? liveModel?.ExecutionRoleArn;
  if (!roleArn) {
    throw new InputError(
      'role-arn',
      `Input "role-arn" is required on the first deployment of ${options.endpointName}: give the execution role SageMaker runs the model as.`
    );
  }

  if (!live) {
    const tags = versionTags(options, ctx, { [TAG.strategy]: options.strategy });
    return {
      ...base,
      action: 'create',
      newConfig: name,
      modelName: name,
      createModel: modelRequest(name, options, roleArn, tags),
      createConfig: configRequest(name, [variant(options, options.variantName, name)], options, tags),
      steps: [{ percent: 100, bakeSeconds: 0 }],
      notes: [
        'The endpoint does not exist yet: it is created with the new version taking all traffic (a first deployment is always all at once).'
      ]
    };
  }

  const previous = live.EndpointConfigName;
  if (sameDeployment(state, options)) {
    return {
      ...base,
      action: 'unchanged',
      previousConfig: previous,
      newConfig: previous,
      modelName: state.config?.ProductionVariants?.[0]?.ModelName,
      notes: [
        `${options.package ? `Model package ${options.package.arn}` : options.image} is already live on ${options.endpointName} (config ${previous}).`
      ]
    };
  }
  const liveVariants = state.config?.ProductionVariants ?? [];
  const names = liveVariants.map((v) => v.VariantName).join(', ');
  if (state.configTags[TAG.strategy] === 'weights' && liveVariants.length > 1) {
    throw new UserError(
      `Endpoint ${options.endpointName} is running a weights canary (config ${previous}, variants ${names}): promote it or roll it back before deploying again.`
    );
  }
  if (liveVariants.length > 1) {
    throw new UserError(
      `Endpoint ${options.endpointName} serves ${liveVariants.length} production variants (${names}) that deploy-canary did not make: it deploys to single-variant endpoints, so give the endpoint one variant first or deploy to another endpoint.`
    );
  }
  const liveVariant = liveVariants[0];
  if (options.serverless && !liveVariant?.ServerlessConfig) {
    throw new InputError(
      'serverless-memory',
      `Input "serverless-memory" asks for a serverless endpoint, but ${options.endpointName} runs on instances: SageMaker cannot turn an instance endpoint into a serverless one; deploy to a new endpoint.`
    );
  }
  if (options.strategy === 'weights' && liveVariant?.ServerlessConfig) {
    throw new InputError(
      'strategy',
      `Input "strategy" cannot be weights on ${options.endpointName}: it is serverless, and a serverless endpoint has one production variant; use canary, linear or all-at-once.`
    );
  }
  const modelTags = versionTags(options, ctx, { [TAG.strategy]: options.strategy });

  if (options.strategy === 'weights') {
    const weight = options.canaryWeight;
    const liveName = liveVariant.VariantName!;
    const liveCopy: ProductionVariant = { ...liveVariant, InitialVariantWeight: 100 - weight };
    const configTags = {
      ...modelTags,
      [TAG.previousConfig]: previous!,
      [TAG.liveVariant]: liveName,
      [TAG.candidateVariant]: CANDIDATE_VARIANT
    };
    return {
      ...base,
      action: 'weights-canary',
      previousConfig: previous,
      newConfig: name,
      modelName: name,
      createModel: modelRequest(name, options, roleArn, modelTags),
      createConfig: configRequest(
        name,
        [liveCopy, variant(options, CANDIDATE_VARIANT, name, weight)],
        options,
        configTags
      ),
      steps: trafficSteps(options),
      notes: [
        `The candidate runs beside ${liveName} and takes ${weight}% of traffic until promote or rollback.`
      ]
    };
  }

  if (liveVariant && liveVariant.VariantName !== options.variantName) {
    throw new InputError(
      'variant-name',
      `Input "variant-name" is ${options.variantName}, but the live variant of ${options.endpointName} is ${liveVariant.VariantName}: deployment guardrails need the same variant name, so set variant-name to ${liveVariant.VariantName}.`
    );
  }
  checkWaitTimeout(options);
  const dc = deploymentConfig(options);
  return {
    ...base,
    action: 'update',
    previousConfig: previous,
    newConfig: name,
    modelName: name,
    createModel: modelRequest(name, options, roleArn, modelTags),
    createConfig: configRequest(name, [variant(options, options.variantName, name)], options, {
      ...modelTags,
      ...(previous ? { [TAG.previousConfig]: previous } : {})
    }),
    deploymentConfig: dc,
    steps: trafficSteps(options),
    notes: [
      ...wholeInstancesNote(options),
      ...(options.alarms.length
        ? []
        : ['No alarms are given: SageMaker cannot roll back on its own; give alarms for auto-rollback.'])
    ]
  };
}

/** Says so when SageMaker's whole instances make a step bigger than the percentage asked for. */
function wholeInstancesNote(options: DeployOptions): string[] {
  if (options.serverless) return [];
  const [input, size] =
    options.strategy === 'canary'
      ? (['canary-size', options.canarySize] as const)
      : options.strategy === 'linear'
        ? (['linear-step', { Type: 'CAPACITY_PERCENT' as const, Value: options.linearStepPercent }] as const)
        : [];
  if (!input || size.Type !== 'CAPACITY_PERCENT') return [];
  const percent = capacityPercent(size, options);
  if (percent === size.Value) return [];
  const count = Math.round((percent / 100) * options.instanceCount);
  return [
    `SageMaker turns on whole instances: ${input} ${size.Value}% of ${options.instanceCount} instances is ${count} instance${count > 1 ? 's' : ''}, so ${input === 'canary-size' ? 'the canary takes' : 'each step moves'} ${percent}% of the traffic.`
  ];
}

/**
 * An update waits on purpose (every bake and the termination wait) before it can finish: a
 * wait-timeout shorter than that would certainly stop the action first. A first deployment has no
 * bakes, so it is not checked against them.
 */
export function checkWaitTimeout(options: DeployOptions): void {
  if (!options.wait || options.strategy === 'weights') return;
  const steps = trafficSteps(options);
  const waits = waitingSeconds(steps, options.terminationWaitSeconds);
  if (options.waitTimeoutSeconds > waits) return;
  throw new InputError(
    'wait-timeout',
    `Input "wait-timeout" is ${formatDuration(options.waitTimeoutSeconds)}, but this deployment waits ${formatDuration(waits)} (${waitsText(options)}) before it can finish: raise wait-timeout above that, or set wait to false.`
  );
}

/** `2 traffic steps baking 10m each and termination-wait 5m`. */
export function waitsText(options: DeployOptions): string {
  const steps = trafficSteps(options);
  return `${steps.length} traffic step${steps.length > 1 ? 's' : ''} baking ${formatDuration(options.bakeSeconds)} each${
    options.terminationWaitSeconds
      ? ` and termination-wait ${formatDuration(options.terminationWaitSeconds)}`
      : ''
  }`;
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
