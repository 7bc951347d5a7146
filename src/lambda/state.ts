/**
 * What a function and its alias are now, read with GetFunction, GetAlias, ListTags and
 * GetFunctionConfiguration of the versions the alias routes to: the plan is made from this alone.
 */
import {
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  ListTagsCommand,
  type AliasConfiguration,
  type FunctionConfiguration,
  type LambdaClient
} from '@aws-sdk/client-lambda';
import { orUndefined } from '../aws.js';

export interface VersionInfo {
  version: string;
  /** `sha256:<hex>` of the image the version runs, when Lambda says it. */
  digest?: string;
  provisioned?: boolean;
}

export interface FunctionState {
  /** $LATEST's configuration; undefined when the function does not exist. */
  config?: FunctionConfiguration;
  alias?: AliasConfiguration;
  tags: Record<string, string>;
  /** The version the alias serves (its FunctionVersion). */
  primary?: VersionInfo;
  /** The version a weighted alias also routes to, and its weight (0-1). */
  weighted?: VersionInfo & { weight: number };
}

/** The digest of an image version from its CodeSha256 (for an image, the image's digest). */
export function digestOf(config: FunctionConfiguration | undefined): string | undefined {
  const code = config?.CodeSha256;
  if (!code) return undefined;
  if (/^sha256:[a-f0-9]{64}$/.test(code)) return code;
  return /^[a-f0-9]{64}$/.test(code) ? `sha256:${code}` : undefined;
}

/** The function's ARN without a qualifier (what TagResource and ListTags take). */
export function unqualified(arn: string): string {
  return arn.replace(/^(arn:[^:]+:lambda:[^:]+:\d+:function:[^:]+):.*$/, '$1');
}

export async function versionInfo(
  lambda: LambdaClient,
  functionName: string,
  version: string
): Promise<VersionInfo> {
  const got = await orUndefined(
    lambda.send(new GetFunctionCommand({ FunctionName: functionName, Qualifier: version }))
  );
  const resolved = /@(sha256:[a-f0-9]{64})$/.exec(got?.Code?.ResolvedImageUri ?? '')?.[1];
  return { version, digest: resolved ?? digestOf(got?.Configuration) };
}

export async function readFunctionState(
  lambda: LambdaClient,
  functionName: string,
  aliasName: string
): Promise<FunctionState> {
  const fn = await orUndefined(lambda.send(new GetFunctionCommand({ FunctionName: functionName })));
  if (!fn?.Configuration) return { tags: {} };
  const arn = unqualified(fn.Configuration.FunctionArn ?? '');
  const tags = arn
    ? ((await orUndefined(lambda.send(new ListTagsCommand({ Resource: arn }))))?.Tags ?? fn.Tags ?? {})
    : (fn.Tags ?? {});
  const alias = await orUndefined(
    lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: aliasName }))
  );
  const state: FunctionState = { config: fn.Configuration, alias, tags };
  if (alias?.FunctionVersion) state.primary = await versionInfo(lambda, functionName, alias.FunctionVersion);
  const [weighted] = Object.entries(alias?.RoutingConfig?.AdditionalVersionWeights ?? {});
  if (weighted && weighted[1] > 0)
    state.weighted = { ...(await versionInfo(lambda, functionName, weighted[0])), weight: weighted[1] };
  return state;
}

/** $LATEST's configuration now (GetFunctionConfiguration), for waiting on State and LastUpdateStatus. */
export async function latestConfig(
  lambda: LambdaClient,
  functionName: string
): Promise<FunctionConfiguration> {
  return lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
}
