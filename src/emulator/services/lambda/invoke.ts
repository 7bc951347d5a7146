/**
 * Invoke (`POST /2015-03-31/functions/{FunctionName}/invocations?Qualifier=...`), run for real in an
 * execution environment on Docker (environments.ts), answered as Lambda does:
 * - `X-Amz-Invocation-Type`: RequestResponse (200 and the payload), Event (202 at once, the function
 *   runs in the background), DryRun (204 after the checks).
 * - `X-Amz-Executed-Version`; `X-Amz-Function-Error: Unhandled` (still 200) with the error object when
 *   the handler failed, the runtime crashed or timed out; `X-Amz-Log-Type: Tail` adds
 *   `X-Amz-Log-Result` (base64 of the last 4 KB of the invocation's log).
 * - An alias runs FunctionVersion or its weighted other version (alias-routing.ts).
 * - Errors: ResourceNotFoundException (404), ResourceConflictException (409) for a function not
 *   Active, RequestTooLargeException (413) over 6 MB, TooManyRequestsException (429) at the
 *   function's environment cap (and a Throttles metric), InvalidRequestContentException (400) for a
 *   payload that is not JSON, ServiceException (503) when the emulator runs with --hosting simulated.
 * Metrics go to CloudWatch (metrics.ts). `invokeFunction` is shared with function URLs (url.ts).
 */
import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Emulator } from '../../server.js';
import { functionArn, lambdaState, versionOf, type VersionRecord } from './state.js';
import { environmentsOf, REGION } from './environments.js';
import { versionFor } from './alias-routing.js';
import { recordInvocation, recordThrottle, type InvocationTarget } from './metrics.js';
import type { InvocationResult } from './environment.js';

export const MAX_PAYLOAD = 6 * 1024 * 1024;
const MAX_EVENT = 1024 * 1024;

export class LambdaError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {}
  ) {
    super(message);
  }
}

export type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

export interface InvokeAnswer extends InvocationResult {
  executedVersion: string;
}

function isActive(emulator: Emulator, v: VersionRecord): boolean {
  // Pending settles at `settlesAt` even if the control plane has not been asked since.
  return (
    v.State === 'Active' ||
    (v.State === 'Pending' && v.settlesAt !== undefined && v.settlesAt <= emulator.now())
  );
}

const tooLarge = (limit: number) =>
  new LambdaError(
    413,
    'RequestTooLargeException',
    `Request must be smaller than ${limit} bytes for the InvokeFunction operation`
  );

/** Checks the call and picks the version (by the alias weights when `route`); throws LambdaError. */
function resolve(emulator: Emulator, name: string, qualifier: string | undefined, route: boolean) {
  const fn = lambdaState(emulator).functions[name];
  const arn = functionArn(REGION, name, qualifier);
  if (!fn) throw new LambdaError(404, 'ResourceNotFoundException', `Function not found: ${arn}`);
  const alias = qualifier && !/^(\$LATEST|\d+)$/.test(qualifier) ? fn.aliases[qualifier] : undefined;
  const version = alias
    ? fn.versions[route ? versionFor(name, alias) : alias.FunctionVersion]
    : versionOf(fn, qualifier);
  if (!version) throw new LambdaError(404, 'ResourceNotFoundException', `Function not found: ${arn}`);
  if (!isActive(emulator, version))
    throw new LambdaError(
      409,
      'ResourceConflictException',
      `The operation cannot be performed at this time. The function is currently in the following state: ${version.State}`
    );
  const target: InvocationTarget = {
    fn: name,
    qualifier,
    isAlias: !!alias,
    executedVersion: version.Version
  };
  return { arn, version, target };
}

/** Runs one invocation; throws LambdaError for what Lambda refuses. DryRun resolves undefined. */
export async function invokeFunction(
  emulator: Emulator,
  name: string,
  qualifier: string | undefined,
  payload: Buffer,
  type: InvocationType = 'RequestResponse'
): Promise<InvokeAnswer | undefined> {
  const limit = type === 'Event' ? MAX_EVENT : MAX_PAYLOAD;
  if (payload.length > limit) throw tooLarge(limit);
  const { arn, version, target } = resolve(emulator, name, qualifier, type !== 'DryRun');
  if (payload.length) {
    try {
      JSON.parse(payload.toString('utf8'));
    } catch {
      throw new LambdaError(
        400,
        'InvalidRequestContentException',
        'Could not parse request body into json: Unexpected character'
      );
    }
  }
  const environments = environmentsOf(emulator);
  if (!environments)
    throw new LambdaError(
      503,
      'ServiceException',
      'The emulator runs with --hosting simulated: its Lambda functions have no containers to run Invoke. Start it with --hosting docker.'
    );
  if (type === 'DryRun') return undefined;
  const env = environments.acquire(name, version, qualifier);
  if (!env) {
    recordThrottle(emulator, target);
    throw new LambdaError(429, 'TooManyRequestsException', 'Rate Exceeded.', {
      Reason: 'ConcurrentInvocationLimitExceeded',
      retryAfterSeconds: '1'
    });
  }
  await env.ready;
  const concurrent = environments.busy(name);
  const provisioned = env.spec.provisioned;
  const ofConfig = environments.list().filter((e) => provisioned && e.spec.provisioned === provisioned);
  const utilization = ofConfig.filter((e) => e.state === 'busy').length / Math.max(1, ofConfig.length);
  const result = await env.invoke(
    payload.length ? payload : Buffer.from('{}'),
    qualifier ? arn : functionArn(REGION, name)
  );
  recordInvocation(emulator, target, {
    durationMs: result.durationMs,
    error: result.errorType !== undefined,
    concurrent,
    provisionedUtilization: provisioned ? utilization : undefined
  });
  return { ...result, executedVersion: version.Version };
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

export function sendLambdaError(res: http.ServerResponse, e: LambdaError): void {
  const body = JSON.stringify({ Type: e.status < 500 ? 'User' : 'Service', message: e.message, ...e.extra });
  res.writeHead(e.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-errortype': e.code,
    'x-amzn-requestid': randomUUID(),
    ...(e.status === 429 ? { 'retry-after': '1' } : {})
  });
  res.end(body);
}

export async function handleInvoke(
  emulator: Emulator,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  name: string,
  qualifier: string | undefined,
  body: Buffer
): Promise<void> {
  const type = header(req, 'x-amz-invocation-type') ?? 'RequestResponse';
  try {
    if (!['RequestResponse', 'Event', 'DryRun'].includes(type))
      throw new LambdaError(
        400,
        'InvalidParameterValueException',
        `Invalid InvocationType: ${type}. Valid values: RequestResponse, Event, DryRun.`
      );
    if (type === 'Event') {
      if (body.length > MAX_EVENT) throw tooLarge(MAX_EVENT);
      await invokeFunction(emulator, name, qualifier, body, 'DryRun');
      // Lambda queues the event and runs it after the answer: a throttle or an error shows in the
      // metrics and the logs only.
      void invokeFunction(emulator, name, qualifier, body, 'Event').catch(() => undefined);
      res.writeHead(202, { 'x-amzn-requestid': randomUUID(), 'content-length': 0 });
      return void res.end();
    }
    const answer = await invokeFunction(emulator, name, qualifier, body, type as InvocationType);
    if (!answer) {
      res.writeHead(204, { 'x-amzn-requestid': randomUUID(), 'content-length': 0 });
      return void res.end();
    }
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': answer.payload.length,
      'x-amz-executed-version': answer.executedVersion,
      'x-amzn-requestid': answer.requestId
    };
    if (answer.errorType) headers['x-amz-function-error'] = answer.errorType;
    if (header(req, 'x-amz-log-type') === 'Tail') headers['x-amz-log-result'] = answer.tail;
    res.writeHead(200, headers);
    res.end(answer.payload);
  } catch (e) {
    if (!(e instanceof LambdaError)) throw e;
    sendLambdaError(res, e);
  }
}
