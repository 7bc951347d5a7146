/**
 * One factory for every AWS SDK client the actions use.
 * - Region: the `region` input, else AWS_REGION, else AWS_DEFAULT_REGION, else an error naming `region`.
 * - Credentials: the SDK's default chain (OIDC through aws-actions/configure-aws-credentials).
 * - Endpoints: the SDK's own AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> (or an explicit endpoint).
 * - Retries: AWS_MAX_ATTEMPTS / AWS_RETRY_MODE when set, otherwise adaptive with 5 attempts.
 * - User agent: `mlops-actions/<version> <action>`.
 * - S3 on an overridden endpoint: path-style and WHEN_REQUIRED checksums (S3-compatible servers
 *   otherwise store aws-chunked framing).
 */
import { InputError } from './errors.js';
import { VERSION } from './version.js';

export const DEFAULT_MAX_ATTEMPTS = 5;

export interface AwsOptions {
  /** The action (or tool) name for the user agent. */
  action: string;
  /** The value of the `region` input, if any. */
  region?: string;
  /** An explicit endpoint (for example a DVC remote's `endpointurl`); wins over the variables. */
  endpoint?: string;
  credentials?: unknown;
  env?: NodeJS.ProcessEnv;
  /** Further client settings of one service (a request handler with its own agents, ...); win over the rest. */
  config?: Record<string, unknown>;
}

export function resolveRegion(input: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const [region, source] = input?.trim()
    ? [input.trim(), 'Input "region"']
    : env.AWS_REGION
      ? [env.AWS_REGION, 'AWS_REGION (the region input is empty)']
      : [env.AWS_DEFAULT_REGION, 'AWS_DEFAULT_REGION (the region input and AWS_REGION are empty)'];
  if (!region) {
    throw new InputError(
      'region',
      'Input "region" is empty and neither AWS_REGION nor AWS_DEFAULT_REGION is set: give the AWS region, for example us-east-1.'
    );
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new InputError('region', `${source} must be an AWS region such as us-east-1, but got "${region}".`);
  }
  return region;
}

/** The SDK's name for a service in AWS_ENDPOINT_URL_<SERVICE> (`S3`, `SAGEMAKER`, `CLOUDWATCH_LOGS`). */
export function endpointVariable(serviceId: string): string {
  return `AWS_ENDPOINT_URL_${serviceId.toUpperCase().replace(/[ -]/g, '_')}`;
}

/** The endpoint the SDK will use for `serviceId`, when one is configured; undefined means AWS. */
export function endpointOverride(
  serviceId: string,
  env: NodeJS.ProcessEnv = process.env
): string | undefined {
  return env[endpointVariable(serviceId)] || env.AWS_ENDPOINT_URL || undefined;
}

export function clientConfig(serviceId: string, options: AwsOptions): Record<string, unknown> {
  const env = options.env ?? process.env;
  const config: Record<string, unknown> = {
    region: resolveRegion(options.region, env),
    customUserAgent: [['mlops-actions', VERSION], [options.action]]
  };
  // The SDK reads AWS_MAX_ATTEMPTS and AWS_RETRY_MODE itself; each one unset keeps our default.
  if (!env.AWS_MAX_ATTEMPTS) config.maxAttempts = DEFAULT_MAX_ATTEMPTS;
  if (!env.AWS_RETRY_MODE) config.retryMode = 'adaptive';
  if (options.endpoint) config.endpoint = options.endpoint;
  if (options.credentials) config.credentials = options.credentials;
  if (serviceId === 'S3' && (options.endpoint || endpointOverride('S3', env))) {
    config.forcePathStyle = true;
    config.requestChecksumCalculation = 'WHEN_REQUIRED';
    config.responseChecksumValidation = 'WHEN_REQUIRED';
  }
  return { ...config, ...options.config };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ClientClass<T> = new (config: any) => T;

/** `awsClient(SageMakerClient, 'SageMaker', { action: 'deploy-canary', region })`. */
export function awsClient<T>(Client: ClientClass<T>, serviceId: string, options: AwsOptions): T {
  return new Client(clientConfig(serviceId, options));
}

const NOT_FOUND_NAMES = new Set([
  'ResourceNotFound',
  'ResourceNotFoundException',
  'NotFound',
  'NotFoundException',
  'NoSuchEntity',
  'NoSuchKey',
  'RepositoryNotFoundException',
  'ImageNotFoundException'
]);

/**
 * Whether an AWS error says the resource does not exist, however the service (or an S3/SageMaker
 * compatible one) words it: SageMaker answers ValidationException "Could not find endpoint ...",
 * "Requested resource not found." or "... does not exist"; others have a named error or a 404.
 */
export function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  if (!err || typeof err !== 'object') return false;
  if (NOT_FOUND_NAMES.has(err.name ?? '')) return true;
  const missing = /could not find|cannot find|not found|does not exist|no such/i.test(err.message ?? '');
  return (err.name === 'ValidationException' || err.$metadata?.httpStatusCode === 404) && missing;
}

/** The call's answer, or undefined when the resource does not exist. */
export async function orUndefined<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET'
]);

/** Whether the call failed for want of an answer (the network, the service gone), not by a refusal. */
export function isConnectionError(e: unknown): boolean {
  const err = e as {
    name?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  if (!err || typeof err !== 'object') return false;
  if (CONNECTION_CODES.has(err.code ?? '') || CONNECTION_CODES.has(err.name ?? '')) return true;
  if (['TimeoutError', 'RequestTimeout', 'NetworkingError'].includes(err.name ?? '')) return true;
  return (
    !err.$metadata?.httpStatusCode &&
    /socket hang up|ECONNREFUSED|ECONNRESET|other side closed/i.test(err.message ?? '')
  );
}
