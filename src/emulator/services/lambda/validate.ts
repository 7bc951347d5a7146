/** Lambda's request validation, with Lambda's messages: names, ARNs, sizes, roles, aliases, weights. */
import { DIGEST, REPOSITORY, TAG } from '../../../docker/reference.js';
import { parseFunctionName } from './state.js';
import { LambdaError, invalid, validation } from './errors.js';

const FUNCTION_PATTERN =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?';
const ROLE_PATTERN = 'arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+';
const ALIAS_PATTERN = '(?!^[0-9]+$)([a-zA-Z0-9-_]+)';

/** A FunctionName parameter (name, partial ARN or ARN, maybe with a qualifier). */
export function functionRef(value: string, field = 'functionName'): { name: string; qualifier?: string } {
  const parsed = parseFunctionName(value);
  if (!parsed) {
    throw validation(field, value, `Member must satisfy regular expression pattern: ${FUNCTION_PATTERN}`);
  }
  return parsed;
}

/** A qualifier given twice (in the ARN and as `Qualifier`) must agree. */
export function qualifierOf(ref: { qualifier?: string }, query: string | null): string | undefined {
  const given = query ?? undefined;
  if (ref.qualifier && given && ref.qualifier !== given) {
    throw invalid('The derived qualifier from the function name does not match the specified qualifier.');
  }
  return ref.qualifier ?? given;
}

export function memorySize(value: unknown): number {
  if (!Number.isInteger(value)) throw validation('memorySize', value, 'Member must be an integer');
  const n = value as number;
  if (n < 128) throw validation('memorySize', n, 'Member must have value greater than or equal to 128');
  if (n > 10240) throw validation('memorySize', n, 'Member must have value less than or equal to 10240');
  return n;
}

export function timeout(value: unknown): number {
  if (!Number.isInteger(value)) throw validation('timeout', value, 'Member must be an integer');
  const n = value as number;
  if (n < 1) throw validation('timeout', n, 'Member must have value greater than or equal to 1');
  if (n > 900) throw validation('timeout', n, 'Member must have value less than or equal to 900');
  return n;
}

export function role(value: unknown): string {
  if (typeof value !== 'string' || !new RegExp(`^${ROLE_PATTERN}$`).test(value)) {
    throw validation('role', value, `Member must satisfy regular expression pattern: ${ROLE_PATTERN}`);
  }
  return value;
}

export function description(value: unknown): string {
  const text = value === undefined ? '' : String(value);
  if (text.length > 256) {
    throw validation('description', text, 'Member must have length less than or equal to 256');
  }
  return text;
}

export function environment(value: unknown): Record<string, string> {
  const variables = (value as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(variables)) {
    if (!/^[a-zA-Z]([a-zA-Z0-9_])+$/.test(key)) {
      throw invalid(
        `Lambda was unable to configure your environment variables because the environment variables you have provided contains invalid keys: ${key}. Keys must start with a letter and contain only letters, numbers and underscores.`
      );
    }
    out[key] = String(v);
  }
  if (Buffer.byteLength(JSON.stringify(out)) > 4096) {
    throw invalid(
      'Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit.'
    );
  }
  return out;
}

export function architectures(value: unknown): string[] {
  const list = (value as string[] | undefined) ?? ['x86_64'];
  if (list.length !== 1) {
    throw validation(
      'architectures',
      JSON.stringify(list),
      'Member must have length less than or equal to 1'
    );
  }
  if (!['x86_64', 'arm64'].includes(list[0])) {
    throw validation(
      'architectures',
      JSON.stringify(list),
      'Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]'
    );
  }
  return list;
}

export function aliasName(value: unknown, field = 'name'): string {
  const name = String(value ?? '');
  if (name.length < 1 || name.length > 128) {
    throw validation(field, name, 'Member must have length between 1 and 128');
  }
  if (name === '$LATEST' || !new RegExp(`^${ALIAS_PATTERN}$`).test(name)) {
    throw validation(field, name, `Member must satisfy regular expression pattern: ${ALIAS_PATTERN}`);
  }
  return name;
}

/** A FunctionVersion an alias points at: a published version number or `$LATEST`. */
export function functionVersion(value: unknown): string {
  const version = String(value ?? '');
  if (!/^(\$LATEST|[0-9]+)$/.test(version)) {
    throw validation(
      'functionVersion',
      version,
      'Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)'
    );
  }
  return version;
}

/**
 * RoutingConfig.AdditionalVersionWeights: at most one other published version (not `$LATEST`, not
 * the alias's own version) with a weight in [0, 1]. Whether the version exists is checked by the caller.
 */
export function weights(value: unknown, primary: string): Record<string, number> | undefined {
  const map = (value as { AdditionalVersionWeights?: Record<string, unknown> } | undefined)
    ?.AdditionalVersionWeights;
  if (!map || Object.keys(map).length === 0) return undefined;
  const entries = Object.entries(map);
  if (entries.length > 1) {
    throw invalid(
      `Number of items in AdditionalVersionWeights cannot be greater than 1, got ${entries.length}.`
    );
  }
  const [[version, weight]] = entries;
  if (!/^[0-9]+$/.test(version)) {
    if (version === '$LATEST' || primary === '$LATEST') {
      throw invalid('$LATEST is not supported for an alias pointing to more than 1 version');
    }
    throw validation(
      'routingConfig.additionalVersionWeights',
      version,
      'Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [0-9]+]'
    );
  }
  if (primary === '$LATEST') {
    throw invalid('$LATEST is not supported for an alias pointing to more than 1 version');
  }
  if (typeof weight !== 'number' || Number.isNaN(weight) || weight < 0 || weight > 1) {
    throw validation(
      'routingConfig.additionalVersionWeights',
      weight,
      'Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0]'
    );
  }
  if (version === primary) {
    throw invalid(
      `Invalid function version ${version}. Function version ${version} is already included in routing configuration.`
    );
  }
  return { [version]: weight };
}

/** Where an ImageUri points: its registry host, repository and tag or digest. */
export interface ImageRef {
  host: string;
  repository: string;
  reference: string;
}

/**
 * An ImageUri: ECR's `<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>` (or `@sha256:<hex>`),
 * or the same on the emulator's registry (`127.0.0.1:5000/<repo>...`, its ECR repositoryUri).
 */
export function imageUri(value: unknown, registryHost: string): ImageRef {
  const uri = String(value ?? '');
  const bad = () => invalid(`Source image ${uri} is not valid. Provide a valid source image.`);
  const slash = uri.indexOf('/');
  if (slash < 0) throw bad();
  const host = uri.slice(0, slash);
  const rest = uri.slice(slash + 1);
  if (!/^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com$/.test(host) && host !== registryHost) throw bad();
  const at = rest.indexOf('@');
  const colon = rest.lastIndexOf(':');
  let repository: string;
  let reference: string;
  if (at >= 0) {
    repository = rest.slice(0, at);
    reference = rest.slice(at + 1);
    if (!DIGEST.test(reference)) throw bad();
  } else if (colon >= 0) {
    repository = rest.slice(0, colon);
    reference = rest.slice(colon + 1);
    if (!TAG.test(reference)) throw bad();
  } else {
    repository = rest;
    reference = 'latest';
  }
  if (!REPOSITORY.test(repository)) throw bad();
  return { host, repository, reference };
}

export function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || !value) {
    throw new LambdaError(
      'ValidationException',
      `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`
    );
  }
  return value;
}
