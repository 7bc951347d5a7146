/** deploy-lambda's inputs, and the function/alias target of promote and rollback, checked before any call. */
import { InputError } from '../errors.js';
import type { Inputs } from '../inputs.js';
import { checkTags } from '../limits.js';

export type LambdaStrategy = 'canary' | 'linear' | 'all-at-once';

export interface LambdaTarget {
  /** The function's name (an unqualified ARN given as input is kept as given: Lambda takes both). */
  functionName: string;
  alias: string;
  region?: string;
  waitTimeoutSeconds: number;
}

export interface LambdaDeployOptions extends LambdaTarget {
  image: string;
  /** The image's digest, `sha256:<64 hex>`. */
  digest: string;
  roleArn?: string;
  memorySize?: number;
  timeout?: number;
  environment?: Record<string, string>;
  architectures: Array<'x86_64' | 'arm64'>;
  strategy: LambdaStrategy;
  /** Percent of traffic, strictly between 0 and 100. */
  canaryPercent: number;
  linearStepPercent: number;
  bakeSeconds: number;
  alarms: string[];
  /** A fraction from 0 to 1; undefined: alarms only. */
  maxErrorRate?: number;
  provisionedConcurrency: number;
  dryRun: boolean;
  keepVersions: number;
  tags: Record<string, string>;
}

/** A function name, or its unqualified ARN (partial `123456789012:function:name` or full). */
export const FUNCTION =
  /^(?:(?:arn:aws[a-z-]*:lambda:[a-z]{2}(?:-[a-z]+)+-\d+:)?\d{12}:function:)?[a-zA-Z0-9_-]{1,64}$/;
/** An alias name: letters, digits, - and _, not only digits (those are versions), at most 128. */
export const ALIAS = /^(?!\d+$)[a-zA-Z0-9_-]{1,128}$/;
/**
 * An ECR image by digest: `<account>.dkr.ecr.<region>.amazonaws.com/<repo>@sha256:<hex>`, or the
 * emulator's ECR, whose pull address is its registry on loopback (`127.0.0.1:5000/<repo>@sha256:...`).
 */
export const ECR_DIGEST =
  /^(?:\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?|(?:127\.0\.0\.1|localhost)(?::\d+)?)\/[a-z0-9]+(?:[._/-][a-z0-9]+)*@(sha256:[a-f0-9]{64})$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const ENV_KEY = /^[a-zA-Z][a-zA-Z0-9_]*$/;
/** Lambda sets these itself; a function cannot. */
const RESERVED_ENV = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR'
]);
const HOUR = 3600;

function fail(input: string, message: string): never {
  throw new InputError(input, message);
}

const shown = (v: string) => JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);

export function checkFunctionName(input: string, value: string): string {
  if (/:function:[^:]+:/.test(value))
    fail(
      input,
      `Input "${input}" must be a function name or its unqualified ARN, but got the qualified ARN ${shown(value)}: give the alias in "alias" instead.`
    );
  if (!FUNCTION.test(value))
    fail(
      input,
      `Input "${input}" must be a Lambda function name (letters, digits, - and _, at most 64) or its ARN, but got ${shown(value)}.`
    );
  return value;
}

export function checkAlias(value: string): string {
  if (value === '$LATEST')
    fail(
      'alias',
      'Input "alias" cannot be $LATEST: Lambda shifts traffic only between published versions, so give an alias name such as live.'
    );
  if (!ALIAS.test(value))
    fail(
      'alias',
      `Input "alias" must be an alias name (letters, digits, - and _, at most 128, not only digits, which would be a version), but got ${shown(value)}.`
    );
  return value;
}

/** The function and alias of promote and rollback (given `function-name`), or of deploy-lambda. */
export function readLambdaTarget(inputs: Inputs): LambdaTarget {
  const name = inputs.raw('function-name');
  if (!name) fail('function-name', 'Input "function-name" is required: give the Lambda function.');
  return {
    functionName: checkFunctionName('function-name', name),
    alias: checkAlias(inputs.raw('alias') || 'live'),
    region: inputs.string('region'),
    waitTimeoutSeconds: inputs.duration('wait-timeout', { min: 1, max: 24 * HOUR }) ?? 3600
  };
}

/** A percent of traffic strictly between 0 and 100 (`10%` or `10`). */
function trafficPercent(inputs: Inputs, name: string): number {
  const value = inputs.raw(name);
  const match = /^(\d+(?:\.\d+)?)\s*%?$/.exec(value);
  const n = match ? Number(match[1]) : NaN;
  if (!match || !(n > 0 && n < 100))
    fail(
      name,
      `Input "${name}" must be a percentage of traffic above 0% and below 100% such as 10%, but got ${shown(value)}.`
    );
  return n;
}

/** `5%` or a fraction `0.05`, from 0 to 1. */
function errorRate(inputs: Inputs): number | undefined {
  const value = inputs.raw('max-error-rate');
  if (!value) return undefined;
  const match = /^(\d+(?:\.\d+)?|\.\d+)\s*(%?)$/.exec(value);
  const n = match ? Number(match[1]) / (match[2] ? 100 : 1) : NaN;
  if (!match || !(n >= 0 && n <= 1))
    fail(
      'max-error-rate',
      `Input "max-error-rate" must be an error rate from 0 to 1 (0.05) or a percentage (5%), but got ${shown(value)}.`
    );
  return n;
}

function environment(inputs: Inputs): Record<string, string> | undefined {
  if (!inputs.raw('environment')) return undefined;
  const map = inputs.map('environment');
  for (const key of Object.keys(map)) {
    if (!ENV_KEY.test(key))
      fail(
        'environment',
        `Input "environment" has the key ${shown(key)}: Lambda's variable names are letters, digits and _, starting with a letter.`
      );
    if (RESERVED_ENV.has(key))
      fail('environment', `Input "environment" has the key ${shown(key)}, which Lambda reserves for itself.`);
  }
  const size = Object.entries(map).reduce((n, [k, v]) => n + k.length + v.length, 0);
  if (size > 4096)
    fail('environment', `Input "environment" is ${size} characters in all, but Lambda takes at most 4 KB.`);
  return map;
}

export function readLambdaDeployOptions(inputs: Inputs): LambdaDeployOptions {
  const target = readLambdaTarget(inputs);
  const image = inputs.required('image', 'give the ECR image to deploy, by digest');
  const match = ECR_DIGEST.exec(image);
  if (!match)
    fail(
      'image',
      /@sha256:/.test(image) || !/:[\w][\w.-]*$/.test(image)
        ? `Input "image" must be an ECR image by digest such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/model@sha256:<64 hex digits>, but got ${shown(image)}.`
        : `Input "image" must be an ECR image by digest (…@sha256:<64 hex digits>), not a tag, which can move: use the image-uri output of build-image, but got ${shown(image)}.`
    );
  const architecture = inputs.enum('architectures', ['x86_64', 'arm64'] as const) ?? 'x86_64';
  return {
    ...target,
    image,
    digest: match[1],
    roleArn: inputs.matching(
      'role-arn',
      ROLE_ARN,
      'an IAM role ARN such as arn:aws:iam::123456789012:role/lambda-execution'
    ),
    memorySize: inputs.integer('memory-size', { min: 128, max: 10240 }),
    timeout: inputs.integer('timeout', { min: 1, max: 900 }),
    environment: environment(inputs),
    architectures: [architecture],
    strategy: inputs.enum('strategy', ['canary', 'linear', 'all-at-once'] as const) ?? 'canary',
    canaryPercent: trafficPercent(inputs, 'canary-size'),
    linearStepPercent: trafficPercent(inputs, 'linear-step'),
    bakeSeconds: inputs.duration('bake-time', { min: 0, max: 24 * HOUR }) ?? 300,
    alarms: inputs.list('alarms'),
    maxErrorRate: errorRate(inputs),
    provisionedConcurrency: inputs.integer('provisioned-concurrency', { min: 0, max: 100000 }) ?? 0,
    dryRun: inputs.boolean('dry-run'),
    keepVersions: inputs.integer('keep-versions', { min: 1, max: 1000 }) ?? 5,
    // Lambda takes 50 tags a function; the toolkit's history takes 3 an alias.
    tags: checkTags('tags', inputs.map('tags'), 40)
  };
}
