/**
 * Plan, then apply: the endpoint's current state plus the inputs give a plan as plain data: what will
 * be created, which update policy, which traffic steps. Pure: no calls. `dry-run` prints it and stops.
 */
import type {
  CreateEndpointConfigInput,
  CreateModelInput,
  DeploymentConfig,
  ProductionVariant
} from '@aws-sdk/client-sagemaker';
import { InputError, UserError } from '../errors.js';
import type { DeployOptions, Strategy } from './options.js';
import { livePackage, type PackageSource } from './package.js';
import { configRequest, modelRequest, variant, versionTags, type PlanContext } from './requests.js';
import type { EndpointState } from './state.js';
import { TAG, versionName } from './tags.js';
import { capacityPercent, checkWaitTimeout, deploymentConfig, trafficSteps } from './traffic.js';

// What other modules import from the plan: its request builders and traffic arithmetic live beside it.
export * from './requests.js';
export * from './traffic.js';

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
