/**
 * The smoke-test action's inputs, every one checked (and the requests read) before any call to AWS,
 * so a bad value is one sentence naming its input and nothing was sent.
 */
import { InputError } from '../errors.js';
import type { Inputs } from '../inputs.js';
import { singleLine } from '../limits.js';
import { NAME } from '../sagemaker/options.js';
import type { LambdaTarget } from './lambda.js';
import { checkLambdaCases, readLambdaTarget } from './lambda-options.js';
import { loadCases } from './load.js';
import { isContentType, type SmokeCase } from './requests.js';

export interface SmokeOptions {
  /** The SageMaker endpoint; undefined when `lambda` is the target. */
  endpointName?: string;
  /** The Lambda alias, when function-name is given instead of endpoint-name. */
  lambda?: LambdaTarget;
  cases: SmokeCase[];
  targetVariant?: string;
  /** Times the set is sent; undefined when durationSeconds is given. */
  count?: number;
  durationSeconds?: number;
  concurrency: number;
  /** A fraction from 0 to 1. */
  maxErrorRate: number;
  maxP95Ms?: number;
  waitForInService: boolean;
  waitTimeoutSeconds: number;
  region?: string;
}

const NAME_TEXT =
  'a SageMaker name: letters, digits and hyphens, at most 63 characters, starting and ending with a letter or digit';
const HOUR = 3600;
/** The SDK's HTTP handler keeps at most 50 sockets a host; more workers would only queue. */
export const MAX_CONCURRENCY = 50;

function fail(input: string, message: string): never {
  throw new InputError(input, message);
}

/** `5%` (a percentage) or `0.05` (a fraction): the fraction. */
export function parseRate(value: string): number | undefined {
  const percent = /^(\d+(?:\.\d+)?|\.\d+)\s*%$/.exec(value);
  if (percent) {
    const n = Number(percent[1]);
    return n <= 100 ? n / 100 : undefined;
  }
  if (!/^(\d+(?:\.\d+)?|\.\d+)$/.test(value)) return undefined;
  const n = Number(value);
  return n <= 1 ? n : undefined;
}

export function readSmokeOptions(inputs: Inputs, workspace: string): SmokeOptions {
  const lambda = readLambdaTarget(inputs);
  const endpointName = lambda
    ? undefined
    : (inputs.matching('endpoint-name', NAME, NAME_TEXT) ??
      fail('endpoint-name', 'Input "endpoint-name" is required: give the SageMaker endpoint.'));
  const contentType = singleLine('content-type', inputs.raw('content-type') || 'application/json');
  if (!isContentType(contentType))
    fail(
      'content-type',
      `Input "content-type" must be a media type such as application/json or text/csv, but got ${JSON.stringify(contentType)}.`
    );
  const targetVariant = inputs.matching('target-variant', NAME, `a variant name (${NAME_TEXT})`);
  const count = inputs.integer('count', { min: 1, max: 1_000_000 });
  const durationSeconds = inputs.duration('duration', { min: 1, max: 6 * HOUR });
  if (count !== undefined && durationSeconds !== undefined)
    fail(
      'count',
      'Inputs "count" and "duration" cannot both be given: send the set count times, or for a duration, not both.'
    );
  const concurrency = inputs.integer('concurrency', { min: 1, max: MAX_CONCURRENCY }) ?? 4;
  const rateText = inputs.raw('max-error-rate') || '0';
  const maxErrorRate = parseRate(rateText);
  if (maxErrorRate === undefined)
    fail(
      'max-error-rate',
      `Input "max-error-rate" must be a percentage from 0% to 100% (5%) or a fraction from 0 to 1 (0.05), but got ${JSON.stringify(rateText)}.`
    );
  const p95 = inputs.duration('max-p95-latency', { min: 0.001, max: HOUR });
  const options = {
    endpointName,
    lambda,
    targetVariant,
    count: durationSeconds === undefined ? (count ?? 1) : undefined,
    durationSeconds,
    concurrency,
    maxErrorRate,
    maxP95Ms: p95 === undefined ? undefined : p95 * 1000,
    waitForInService: inputs.boolean('wait-for-in-service'),
    waitTimeoutSeconds: inputs.duration('wait-timeout', { min: 1, max: 8 * HOUR }) ?? 30 * 60,
    region: inputs.string('region')
  };
  const requests = singleLine(
    'requests',
    inputs.required('requests', 'give a file of JSON lines, or a folder of payload files, in the workspace')
  );
  const cases = loadCases(requests, workspace, contentType);
  if (lambda) checkLambdaCases(cases, lambda);
  return { ...options, cases };
}
