/**
 * smoke-test's target: a SageMaker endpoint (`endpoint-name`, optionally `target-variant`) or a
 * Lambda alias (`function-name`, `alias`, `event`), exactly one, each mismatch one sentence naming
 * the input before any call to AWS.
 */
import { InputError } from '../errors.js';
import type { Inputs } from '../inputs.js';
import type { EventShape, LambdaTarget } from './lambda.js';
import type { SmokeCase } from './requests.js';

/** A function name, or its ARN (full or partial) without a qualifier. */
const FUNCTION = /^(?:(?:arn:aws[\w-]*:lambda:[a-z0-9-]+:)?\d{12}:function:)?[a-zA-Z0-9_-]{1,64}$/;
const QUALIFIED = /^(?:(?:arn:aws[\w-]*:lambda:[a-z0-9-]+:)?\d{12}:function:)?[a-zA-Z0-9_-]{1,64}:.+$/;
/** Lambda's alias names: letters, digits, - and _, not all digits (that is a version). */
const ALIAS = /^[a-zA-Z0-9_-]{1,128}$/;
export const DEFAULT_ALIAS = 'live';
const EVENTS: EventShape[] = ['raw', 'api-gateway'];
/** Lambda's limit on a synchronous invocation's payload. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

function fail(input: string, message: string): never {
  throw new InputError(input, message);
}

/** Which target the inputs name: undefined for SageMaker (endpoint-name), else the Lambda alias. */
export function readLambdaTarget(inputs: Inputs): LambdaTarget | undefined {
  const endpoint = inputs.raw('endpoint-name');
  const fn = inputs.raw('function-name');
  const alias = inputs.raw('alias');
  const event = inputs.raw('event') || 'raw';
  if (endpoint && fn)
    fail(
      'function-name',
      'Inputs "endpoint-name" and "function-name" cannot both be given: test a SageMaker endpoint or a Lambda function, one per step.'
    );
  if (!endpoint && !fn)
    fail(
      'endpoint-name',
      'Input "endpoint-name" or "function-name" is required: give the SageMaker endpoint, or the Lambda function (with alias), to test.'
    );
  if (!EVENTS.includes(event as EventShape))
    fail('event', `Input "event" must be raw or api-gateway, but got ${JSON.stringify(event)}.`);
  if (endpoint) {
    if (alias)
      fail('alias', 'Input "alias" is for a Lambda function: give it with function-name, not endpoint-name.');
    if (event !== 'raw')
      fail(
        'event',
        'Input "event" must be raw with endpoint-name: api-gateway events are for a Lambda function (function-name), and a SageMaker endpoint takes the request body as it is.'
      );
    return undefined;
  }
  if (inputs.raw('target-variant'))
    fail(
      'target-variant',
      'Input "target-variant" is for a SageMaker endpoint: a Lambda alias routes by its own weights; leave it empty with function-name.'
    );
  if (QUALIFIED.test(fn))
    fail(
      'function-name',
      `Input "function-name" must be a function name or ARN without a qualifier, but got ${JSON.stringify(fn)}: give the alias in the input "alias".`
    );
  if (!FUNCTION.test(fn))
    fail(
      'function-name',
      `Input "function-name" must be a Lambda function name (letters, digits, - and _, at most 64) or its ARN, but got ${JSON.stringify(fn)}.`
    );
  const name = alias || DEFAULT_ALIAS;
  if (name === '$LATEST' || /^\d+$/.test(name))
    fail(
      'alias',
      `Input "alias" must name an alias such as live, but got ${JSON.stringify(name)}, ${name === '$LATEST' ? 'the unpublished code' : 'a version number'}: smoke-test what traffic reaches, the alias in front of it.`
    );
  if (!ALIAS.test(name))
    fail(
      'alias',
      `Input "alias" must be a Lambda alias name (letters, digits, - and _, at most 128), but got ${JSON.stringify(name)}.`
    );
  return { functionName: fn, alias: name, event: event as EventShape };
}

/** The cases checked against what Lambda accepts: a raw payload is JSON, and at most 6 MB. */
export function checkLambdaCases(cases: SmokeCase[], target: LambdaTarget): void {
  for (const c of cases) {
    if (c.body.length > MAX_PAYLOAD_BYTES)
      fail('requests', `Input "requests": ${c.name} has a body over Lambda's 6 MB limit on a payload.`);
    if (target.event !== 'raw') continue;
    try {
      JSON.parse(Buffer.from(c.body).toString('utf8'));
    } catch {
      fail(
        'requests',
        `Input "requests": ${c.name} has a body that is not JSON, which Lambda refuses as a payload (event: raw): send JSON, or give event: api-gateway.`
      );
    }
  }
}
