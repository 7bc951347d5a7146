/**
 * SageMaker's validation of hosting requests: names, tags, production variants, deployment configs
 * and the account's instance quota, with SageMaker's messages and error codes.
 */
import type { Emulator, RequestInfo } from '../../server.js';
import { AwsError, validation } from '../../protocol.js';
import { arnOf, hostingState, type Json } from './state.js';
import { capacityShare } from './timeline.js';
import { PRODUCTION_VARIANT_INSTANCE_TYPES, TRAINING_INSTANCE_TYPES } from './instance-types.js';

const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const NAME_PATTERN = '^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}';
export const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const TAG_KEY = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u;
const SERVERLESS_MEMORY = [1024, 2048, 3072, 4096, 5120, 6144];
const DEFAULT_INSTANCE_LIMIT = 50;

export const patternError = (value: unknown, field: string, pattern: string) =>
  validation(
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${pattern}`
  );

const enumError = (value: unknown, field: string, values: readonly string[]) =>
  validation(
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(', ')}]`
  );

/** A variant's instance type, one of SageMaker's (`field` is where it was, as SageMaker names it). */
export function checkVariantInstanceType(type: unknown, field: string): void {
  if (typeof type !== 'string' || !PRODUCTION_VARIANT_INSTANCE_TYPES.includes(type))
    throw enumError(type, field, PRODUCTION_VARIANT_INSTANCE_TYPES);
}

/** A training job's instance type (ResourceConfig.InstanceType), one of SageMaker's. */
export function checkTrainingInstanceType(type: unknown): void {
  if (typeof type !== 'string' || !TRAINING_INSTANCE_TYPES.includes(type))
    throw enumError(type, 'resourceConfig.instanceType', TRAINING_INSTANCE_TYPES);
}

export function checkName(name: unknown, field: string): string {
  if (typeof name !== 'string' || !NAME.test(name)) throw patternError(name, field, NAME_PATTERN);
  return name;
}

export function checkTags(tags: unknown): Array<{ Key: string; Value: string }> {
  if (tags === undefined) return [];
  if (!Array.isArray(tags) || tags.length > 50)
    throw validation(
      "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"
    );
  for (const t of tags) {
    if (typeof t?.Key !== 'string' || !t.Key.length || t.Key.length > 128 || !TAG_KEY.test(t.Key))
      throw patternError(t?.Key, 'tags.member.key', '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$');
    if (t.Key.toLowerCase().startsWith('aws:'))
      throw validation(`Tag keys starting with "aws:" are reserved: ${t.Key}.`);
    if (typeof t.Value !== 'string' || t.Value.length > 256 || !TAG_KEY.test(t.Value))
      throw patternError(t?.Value, 'tags.member.value', '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$');
  }
  return tags;
}

/** Instances of `type` the account runs: live fleets, new fleets being deployed. */
function instancesInUse(emulator: Emulator, type: string): number {
  const state = () => hostingState(emulator);
  let count = 0;
  const add = (configName: string | undefined) => {
    for (const v of state().configs[configName ?? '']?.ProductionVariants ?? [])
      if (v.InstanceType === type) count += v.InitialInstanceCount ?? 0;
  };
  for (const e of Object.values(state().endpoints)) {
    if (e.status === 'Failed') continue;
    add(e.config);
    if (e.op?.kind === 'update') add(e.op.target);
  }
  return count;
}

export function checkCapacity(emulator: Emulator, config: Json): void {
  const limit = Number(emulator.faults['sagemaker.instanceLimit'] ?? DEFAULT_INSTANCE_LIMIT);
  const wanted = new Map<string, number>();
  for (const v of config.ProductionVariants)
    if (v.InstanceType)
      wanted.set(v.InstanceType, (wanted.get(v.InstanceType) ?? 0) + v.InitialInstanceCount);
  for (const [type, delta] of wanted) {
    const used = instancesInUse(emulator, type);
    if (used + delta > limit) {
      throw new AwsError(
        'ResourceLimitExceeded',
        `The account-level service limit '${type} for endpoint usage' is ${limit} Instances, with current utilization of ${used} Instances and a request delta of ${delta} Instances. Please use AWS Service Quotas to request an increase for this quota.`
      );
    }
  }
}

export function validateDeploymentConfig(
  dc: Json | undefined,
  current: Json | undefined,
  target: Json
): void {
  if (!dc) return;
  const policy = dc.BlueGreenUpdatePolicy;
  const rolling = dc.RollingUpdatePolicy;
  if (policy && rolling)
    throw validation('Only one of BlueGreenUpdatePolicy and RollingUpdatePolicy can be given.');
  const variants: Json[] = target.ProductionVariants;
  if (rolling) {
    if (variants.length > 1 || variants.some((v) => v.ServerlessConfig))
      throw validation(
        'RollingUpdatePolicy is not supported for endpoints with multiple variants or serverless variants.'
      );
    const batch = rolling.MaximumBatchSize;
    if (!batch || !(batch.Value >= 1)) throw validation('RollingUpdatePolicy.MaximumBatchSize is required.');
  }
  if (policy) {
    const routing = policy.TrafficRoutingConfiguration;
    if (!routing || !['ALL_AT_ONCE', 'CANARY', 'LINEAR'].includes(routing.Type))
      throw validation(
        `1 validation error detected: Value '${routing?.Type}' at 'deploymentConfig.blueGreenUpdatePolicy.trafficRoutingConfiguration.type' failed to satisfy constraint: Member must satisfy enum value set: [ALL_AT_ONCE, CANARY, LINEAR]`
      );
    const wait = routing.WaitIntervalInSeconds;
    if (!(wait >= 0 && wait <= 3600)) throw validation('WaitIntervalInSeconds must be between 0 and 3600.');
    const termination = policy.TerminationWaitInSeconds ?? 0;
    if (!(termination >= 0 && termination <= 3600))
      throw validation('TerminationWaitInSeconds must be between 0 and 3600.');
    const variant = variants[0];
    let steps = 1;
    if (routing.Type === 'CANARY') {
      const size = routing.CanarySize;
      if (!size || !(size.Value >= 1)) throw validation('CanarySize is required for CANARY traffic routing.');
      if (capacityShare(size, variant) > 0.5)
        throw validation(
          "CanarySize must be less than or equal to 50% of the variant's total instance count."
        );
      steps = 2;
    }
    if (routing.Type === 'LINEAR') {
      const size = routing.LinearStepSize;
      if (!size || !(size.Value >= 1))
        throw validation('LinearStepSize is required for LINEAR traffic routing.');
      const share = capacityShare(size, variant);
      if (share < 0.1 - 1e-9 || share > 0.5 + 1e-9)
        throw validation("LinearStepSize must be 10-50% of the variant's total instance count.");
      steps = Math.ceil(1 / share - 1e-9);
    }
    const timeout = policy.MaximumExecutionTimeoutInSeconds;
    if (timeout !== undefined) {
      if (!(timeout >= 600 && timeout <= 28800))
        throw validation('MaximumExecutionTimeoutInSeconds must be between 600 and 28800.');
      if (timeout <= steps * wait + termination)
        throw validation(
          'MaximumExecutionTimeoutInSeconds must be larger than the total waiting time of WaitIntervalInSeconds and TerminationWaitInSeconds.'
        );
    }
  }
  if (current && (policy || rolling)) {
    const names = (c: Json) =>
      c.ProductionVariants.map((v: Json) => v.VariantName)
        .sort()
        .join(',');
    if (names(current) !== names(target))
      throw validation(
        'Deployment guardrails require the new endpoint configuration to have the same production variant names as the current one.'
      );
  }
  const alarms = dc.AutoRollbackConfiguration?.Alarms;
  if (alarms !== undefined && (!Array.isArray(alarms) || alarms.length < 1 || alarms.length > 10))
    throw validation('AutoRollbackConfiguration.Alarms must have between 1 and 10 alarms.');
}

export function validateVariants(emulator: Emulator, request: RequestInfo, variants: Json[]): void {
  const state = () => hostingState(emulator);
  if (!Array.isArray(variants) || variants.length < 1 || variants.length > 10)
    throw validation('ProductionVariants must have between 1 and 10 variants.');
  const names = new Set<string>();
  for (const [index, v] of variants.entries()) {
    checkName(v.VariantName, 'productionVariants.member.variantName');
    if (names.has(v.VariantName))
      throw validation(`The variant name ${v.VariantName} is used more than once.`);
    names.add(v.VariantName);
    if (!state().models[v.ModelName])
      throw validation(`Could not find model "${arnOf(request, 'model', String(v.ModelName))}".`);
    if (v.ServerlessConfig) {
      const { MemorySizeInMB: memory, MaxConcurrency: concurrency } = v.ServerlessConfig;
      if (!SERVERLESS_MEMORY.includes(memory))
        throw validation(
          `Value '${memory}' at 'memorySizeInMB' failed to satisfy constraint: Member must be one of ${SERVERLESS_MEMORY.join(', ')}`
        );
      if (!(concurrency >= 1 && concurrency <= 200))
        throw validation(
          `Value '${concurrency}' at 'maxConcurrency' failed to satisfy constraint: Member must have value between 1 and 200`
        );
      if (v.InstanceType || v.InitialInstanceCount)
        throw validation('A serverless variant cannot have an InstanceType or InitialInstanceCount.');
    } else {
      checkVariantInstanceType(v.InstanceType, `productionVariants.${index + 1}.member.instanceType`);
      if (!(Number.isInteger(v.InitialInstanceCount) && v.InitialInstanceCount >= 1))
        throw validation(
          `1 validation error detected: Value '${v.InitialInstanceCount}' at 'productionVariants.${index + 1}.member.initialInstanceCount' failed to satisfy constraint: Member must have value greater than or equal to 1`
        );
    }
    if ((v.InitialVariantWeight ?? 1) < 0)
      throw validation('InitialVariantWeight must be greater than or equal to 0.');
  }
  if (variants.some((v) => v.ServerlessConfig) && variants.length > 1)
    throw validation(
      'An endpoint configuration with a serverless variant can have only one production variant.'
    );
}
