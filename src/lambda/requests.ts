/** The Lambda requests deploy-lambda, promote and rollback send, built as plain data (tested by shape). */
import type {
  CreateAliasRequest,
  CreateFunctionRequest,
  PublishVersionRequest,
  PutProvisionedConcurrencyConfigRequest,
  UpdateAliasRequest,
  UpdateFunctionCodeRequest,
  UpdateFunctionConfigurationRequest
} from '@aws-sdk/client-lambda';
import { versionDescription } from './history.js';
import type { LambdaDeployOptions } from './options.js';
import type { ConfigChange } from './plan.js';

export function createFunctionRequest(options: LambdaDeployOptions): CreateFunctionRequest {
  return {
    FunctionName: options.functionName,
    PackageType: 'Image',
    Code: { ImageUri: options.image },
    Role: options.roleArn,
    Architectures: options.architectures,
    ...(options.memorySize !== undefined ? { MemorySize: options.memorySize } : {}),
    ...(options.timeout !== undefined ? { Timeout: options.timeout } : {}),
    ...(options.environment ? { Environment: { Variables: options.environment } } : {}),
    ...(Object.keys(options.tags).length ? { Tags: options.tags } : {})
  };
}

export function updateCodeRequest(
  options: LambdaDeployOptions,
  architectures: boolean
): UpdateFunctionCodeRequest {
  return {
    FunctionName: options.functionName,
    ImageUri: options.image,
    ...(architectures ? { Architectures: options.architectures } : {})
  };
}

export function updateConfigRequest(
  functionName: string,
  change: ConfigChange
): UpdateFunctionConfigurationRequest {
  return { FunctionName: functionName, ...change };
}

/**
 * PublishVersion with the code this run put on `$LATEST` as a precondition (`CodeSha256`, the image
 * digest's hex): a change of the code by anyone else in between is refused, not published as ours.
 */
export function publishRequest(
  functionName: string,
  codeSha256: string,
  sha: string,
  runUrl?: string
): PublishVersionRequest {
  return { FunctionName: functionName, CodeSha256: codeSha256, Description: versionDescription(sha, runUrl) };
}

export function createAliasRequest(functionName: string, alias: string, version: string): CreateAliasRequest {
  return {
    FunctionName: functionName,
    Name: alias,
    FunctionVersion: version,
    Description: 'mlops-actions'
  };
}

/**
 * The alias on `primary`, with `weighted` taking `weight` (0-1) of its traffic; no `weighted` (or a
 * weight of 0): `primary` alone. The RevisionId read before makes a concurrent change fail instead
 * of being overwritten.
 */
export function aliasRequest(
  functionName: string,
  alias: string,
  primary: string,
  revisionId: string | undefined,
  weighted?: { version: string; weight: number }
): UpdateAliasRequest {
  const weights = weighted && weighted.weight > 0 ? { [weighted.version]: weighted.weight } : {};
  return {
    FunctionName: functionName,
    Name: alias,
    FunctionVersion: primary,
    RoutingConfig: { AdditionalVersionWeights: weights },
    ...(revisionId ? { RevisionId: revisionId } : {})
  };
}

export function provisionedRequest(
  functionName: string,
  version: string,
  count: number
): PutProvisionedConcurrencyConfigRequest {
  return { FunctionName: functionName, Qualifier: version, ProvisionedConcurrentExecutions: count };
}

/** Where the alias stands for a shift: the new version's weight as the alias expresses it. */
export function aliasFor(
  previous: string | undefined,
  next: string,
  weight: number
): { primary: string; weighted?: { version: string; weight: number } } {
  if (weight >= 1 || !previous) return { primary: next };
  return { primary: previous, weighted: { version: next, weight } };
}
