/** deploy-canary, promote and rollback inputs, checked against SageMaker's limits before any call. */
import { InputError } from '../errors.js';
import type { Inputs } from '../inputs.js';
import { formatDuration } from '../duration.js';
import { MAX_EXECUTION_SECONDS, capacityPercent, trafficSteps, waitingSeconds, waitsText } from './plan.js';
import { OWN_TAGS } from './tags.js';
import { checkMap, checkTags, MODEL_ENVIRONMENT } from '../limits.js';
import { parsePackageRef, type PackageRef } from '../registry/reference.js';
import type { PackageSource } from './package.js';

export type Strategy = 'canary' | 'linear' | 'all-at-once' | 'weights';

export interface CapacitySize {
  Type: 'CAPACITY_PERCENT' | 'INSTANCE_COUNT';
  Value: number;
}

export interface DeployOptions {
  endpointName: string;
  /** The image to serve; with a model package, the package's (filled in when it is resolved). */
  image: string;
  modelData?: string;
  /** The `model-package` input: a package ARN, or a group for its latest Approved package. */
  modelPackage?: PackageRef;
  /** The Approved package resolved from modelPackage (package.ts withPackage), before planning. */
  package?: PackageSource;
  roleArn?: string;
  region?: string;
  variantName: string;
  instanceType: string;
  instanceCount: number;
  serverless?: { MemorySizeInMB: number; MaxConcurrency: number };
  strategy: Strategy;
  canarySize: CapacitySize;
  linearStepPercent: number;
  bakeSeconds: number;
  terminationWaitSeconds: number;
  alarms: string[];
  canaryWeight: number;
  environment: Record<string, string>;
  dataCapture?: { uri: string; percent: number };
  tags: Record<string, string>;
  /** The model's metrics as tags (metric-tags.ts): on the model only, not its config. */
  metricTags?: Record<string, string>;
  wait: boolean;
  waitTimeoutSeconds: number;
  dryRun: boolean;
  keepVersions: number;
}

export interface WaitOptions {
  endpointName: string;
  region?: string;
  wait: boolean;
  waitTimeoutSeconds: number;
}

export const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const NAME_TEXT =
  'a SageMaker name: letters, digits and hyphens, at most 63 characters, starting and ending with a letter or digit';
const IMAGE =
  /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const S3_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const HOUR = 3600;

function fail(input: string, message: string): never {
  throw new InputError(input, message);
}

export function readWaitOptions(inputs: Inputs): WaitOptions {
  return {
    endpointName:
      inputs.matching('endpoint-name', NAME, NAME_TEXT) ??
      fail('endpoint-name', 'Input "endpoint-name" is required: give the SageMaker endpoint.'),
    region: inputs.string('region'),
    wait: inputs.boolean('wait'),
    waitTimeoutSeconds: inputs.duration('wait-timeout', { min: 1, max: 8 * HOUR })!
  };
}

export function readDeployOptions(inputs: Inputs): DeployOptions {
  const base = readWaitOptions(inputs);
  const { image, modelData, modelPackage } = readSource(inputs);
  const strategy = inputs.enum('strategy', ['canary', 'linear', 'all-at-once', 'weights'] as const)!;
  const instanceCount = inputs.integer('instance-count', { min: 1, max: 100 })!;
  const memory = inputs.integer('serverless-memory', { min: 1024, max: 6144 });
  const concurrency = inputs.integer('serverless-max-concurrency', { min: 1, max: 200 });
  if (memory !== undefined && memory % 1024 !== 0) {
    fail(
      'serverless-memory',
      `Input "serverless-memory" must be 1024, 2048, 3072, 4096, 5120 or 6144 (MB), but got "${memory}".`
    );
  }
  if ((memory === undefined) !== (concurrency === undefined)) {
    fail(
      memory === undefined ? 'serverless-memory' : 'serverless-max-concurrency',
      'Inputs "serverless-memory" and "serverless-max-concurrency" go together: give both for a serverless endpoint, or neither.'
    );
  }
  const serverless =
    memory !== undefined ? { MemorySizeInMB: memory, MaxConcurrency: concurrency! } : undefined;
  if (serverless && strategy === 'weights') {
    fail(
      'strategy',
      'Input "strategy" cannot be weights on a serverless endpoint: serverless endpoints have one production variant; use canary, linear or all-at-once.'
    );
  }

  const canaryText = inputs.raw('canary-size');
  const canaryMatch = /^(\d+)\s*(%?)$/.exec(canaryText);
  if (!canaryMatch || Number(canaryMatch[1]) < 1) {
    fail(
      'canary-size',
      `Input "canary-size" must be a percentage of capacity such as 10% or an instance count such as 1, but got "${canaryText}".`
    );
  }
  const canarySize: CapacitySize = canaryMatch[2]
    ? { Type: 'CAPACITY_PERCENT', Value: Number(canaryMatch[1]) }
    : { Type: 'INSTANCE_COUNT', Value: Number(canaryMatch[1]) };
  if (strategy === 'canary') {
    if (canarySize.Type === 'CAPACITY_PERCENT' && canarySize.Value > 50) {
      fail(
        'canary-size',
        `Input "canary-size" must be at most 50% of the instances (SageMaker's limit), but got "${canaryText}".`
      );
    }
    if (canarySize.Type === 'INSTANCE_COUNT') {
      if (serverless)
        fail(
          'canary-size',
          `Input "canary-size" must be a percentage on a serverless endpoint, but got "${canaryText}".`
        );
      if (canarySize.Value * 2 > instanceCount) {
        fail(
          'canary-size',
          `Input "canary-size" must be at most half of instance-count (${instanceCount}), but got "${canaryText}" instances.`
        );
      }
    }
  }
  const linearStepPercent = inputs.percent('linear-step', { min: 10, max: 50 })!;
  const alarms = inputs.list('alarms');
  if (alarms.length > 10)
    fail(
      'alarms',
      `Input "alarms" can name at most 10 alarms (SageMaker's limit), but got ${alarms.length}.`
    );
  const dataCapture = inputs.string('data-capture');
  const capturePercent = inputs.percent('data-capture-percent', { min: 0, max: 100 })!;
  if (dataCapture && !S3_URI.test(dataCapture))
    fail(
      'data-capture',
      `Input "data-capture" must be an S3 URI such as s3://bucket/capture, but got "${dataCapture}".`
    );
  if (dataCapture && serverless)
    fail(
      'data-capture',
      'Input "data-capture" is not possible on a serverless endpoint: SageMaker does not capture data there.'
    );
  const environment = checkMap('environment', inputs.map('environment'), MODEL_ENVIRONMENT);
  const tags = checkTags('tags', inputs.map('tags'), 50 - OWN_TAGS);

  const options: DeployOptions = {
    ...base,
    image,
    modelData,
    modelPackage,
    roleArn: inputs.matching(
      'role-arn',
      ROLE_ARN,
      'an IAM role ARN such as arn:aws:iam::123456789012:role/sagemaker-execution'
    ),
    variantName: inputs.matching('variant-name', NAME, NAME_TEXT)!,
    instanceType: inputs.matching(
      'instance-type',
      /^ml\.[a-z0-9]+\.[a-z0-9]+$/,
      'a SageMaker instance type such as ml.m5.large'
    )!,
    instanceCount,
    serverless,
    strategy,
    canarySize,
    linearStepPercent,
    bakeSeconds: inputs.duration('bake-time', { min: 0, max: HOUR })!,
    terminationWaitSeconds: inputs.duration('termination-wait', { min: 0, max: HOUR })!,
    alarms,
    canaryWeight: inputs.percent('canary-weight', { min: 1, max: 99 })!,
    environment,
    dataCapture: dataCapture ? { uri: dataCapture, percent: capturePercent } : undefined,
    tags,
    dryRun: inputs.boolean('dry-run'),
    keepVersions: inputs.integer('keep-versions', { min: 1, max: 100 })!
  };
  checkWaits(options);
  checkWholeInstances(options);
  return options;
}

/** What to deploy: `image` (and `model-data`), or `model-package` instead of both. */
function readSource(inputs: Inputs): { image: string; modelData?: string; modelPackage?: PackageRef } {
  const pkg = inputs.string('model-package');
  if (pkg) {
    for (const other of ['image', 'model-data'])
      if (inputs.string(other))
        fail(
          other,
          `Inputs "model-package" and "${other}" were both given: the package names its own image and model data, so give one or the other.`
        );
    return { image: '', modelPackage: parsePackageRef('model-package', pkg) };
  }
  const image = inputs.required(
    'image',
    'give the container image to deploy, ideally by digest, or a model-package'
  );
  if (!IMAGE.test(image))
    fail(
      'image',
      `Input "image" must be a container image such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/model@sha256:..., but got "${image}".`
    );
  const modelData = inputs.string('model-data');
  if (modelData && !/^(s3|https):\/\/\S+$/.test(modelData)) {
    fail(
      'model-data',
      `Input "model-data" must be an S3 URI of a model.tar.gz such as s3://bucket/model.tar.gz, but got "${modelData}".`
    );
  }
  return { image, modelData };
}

/**
 * The inputs together: SageMaker wants the whole deployment (every bake and the termination wait, plus
 * the time to create the new fleet) within 8 hours. (The wait-timeout is checked against the waits
 * when the plan knows whether there are any: a first deployment has none.)
 */
function checkWaits(options: DeployOptions): void {
  if (options.strategy === 'weights') return;
  const waits = waitingSeconds(trafficSteps(options), options.terminationWaitSeconds);
  if (waits + 600 > MAX_EXECUTION_SECONDS) {
    fail(
      'bake-time',
      `Input "bake-time" is too long for this deployment: ${waitsText(options)} make ${formatDuration(waits)} of waiting, but SageMaker allows a deployment 8h in all (with time to create the new fleet); shorten bake-time${options.strategy === 'linear' ? ' or use a bigger linear-step' : ''}.`
    );
  }
}

/**
 * SageMaker turns on whole instances: `10%` of 1 instance is the whole fleet, which no canary allows.
 * The share in instances must stay within SageMaker's limits too (canary <= 50%, linear 10-50%).
 */
function checkWholeInstances(options: DeployOptions): void {
  if (options.serverless) return;
  const n = options.instanceCount;
  const share = (size: CapacitySize) => {
    const percent = capacityPercent(size, options);
    return `${Math.round((percent / 100) * n)} of ${n} instance${n === 1 ? '' : 's'} (${percent}%)`;
  };
  const fix =
    n === 1
      ? 'set instance-count to at least 2, or use strategy all-at-once'
      : 'give a smaller share (or a count, such as 1) or more instances';
  if (options.strategy === 'canary' && capacityPercent(options.canarySize, options) > 50) {
    fail(
      'canary-size',
      `Input "canary-size" turns on ${share(options.canarySize)} for the canary, over SageMaker's 50% limit: ${fix}.`
    );
  }
  if (options.strategy === 'linear') {
    const step: CapacitySize = { Type: 'CAPACITY_PERCENT', Value: options.linearStepPercent };
    const percent = capacityPercent(step, options);
    if (percent < 10 || percent > 50) {
      fail(
        'linear-step',
        `Input "linear-step" turns on ${share(step)} a step, outside SageMaker's 10-50%: ${n === 1 ? fix : 'give another linear-step or instance-count'}.`
      );
    }
  }
}
