/**
 * Lambda's Invoke through the SDK, as an Invoke for the send loop: each request goes to the alias
 * (Qualifier), as the request body itself (`event: raw`) or inside an API Gateway proxy event
 * (`event: api-gateway`, whose result is unwrapped). The version that ran (ExecutedVersion) is the
 * answer's variant, so a weighted alias's split shows per version. A function error
 * (X-Amz-Function-Error) is an answer without a status, with the function's errorMessage; Lambda's
 * own failures (throttling beyond the SDK's retries, a lost connection) likewise. A function or alias
 * Lambda does not know, a payload it refuses and refused credentials are the user's to fix: they stop
 * the test.
 */
import { randomUUID } from 'node:crypto';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { errorMessage, userFacing, UserError } from '../errors.js';
import { proxyAnswer, proxyEvent } from './apigateway.js';
import type { Answer } from './expect.js';
import type { Invoke } from './send.js';

export type EventShape = 'raw' | 'api-gateway';

export interface LambdaTarget {
  functionName: string;
  alias: string;
  event: EventShape;
}

/** Errors of a request that no retry fixes. */
const STOPPING = new Set([
  'ResourceNotFoundException',
  'InvalidParameterValueException',
  'InvalidRequestContentException',
  'RequestTooLargeException',
  'UnsupportedMediaTypeException'
]);

function oneLine(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

/** The answer an Invoke error stands for; throws the errors that stop the test. */
export function invokeErrorAnswer(e: unknown, target: LambdaTarget): Answer {
  const fixable = userFacing(e);
  if (fixable) throw fixable;
  const err = (e ?? {}) as { name?: string; message?: string };
  if (STOPPING.has(err.name ?? '')) {
    throw new UserError(
      `Lambda refused to invoke ${target.functionName}:${target.alias} (${err.name}: ${oneLine(err.message ?? '').replace(/\.$/, '')}): check function-name, alias, region and the requests.`
    );
  }
  return { error: `${err.name ?? 'Error'}: ${oneLine(errorMessage(e))}` };
}

/** What a failed handler said: `{"errorMessage": ..., "errorType": ...}`, or the payload as text. */
export function functionErrorText(kind: string, payload: Uint8Array | undefined): string {
  const text = Buffer.from(payload ?? new Uint8Array()).toString('utf8');
  try {
    const doc = JSON.parse(text) as { errorMessage?: unknown; errorType?: unknown };
    if (doc && typeof doc.errorMessage === 'string') {
      const type = typeof doc.errorType === 'string' ? `${doc.errorType}: ` : '';
      return `function error (${kind}) ${oneLine(type + doc.errorMessage)}`;
    }
  } catch {
    // not JSON: shown as it is
  }
  return `function error (${kind}) ${oneLine(text) || '(no message)'}`;
}

/** The payload Lambda gets for one request. */
export function payloadOf(
  target: LambdaTarget,
  request: { body: Uint8Array; contentType: string },
  now: () => number = Date.now,
  id: () => string = randomUUID
): Uint8Array {
  if (target.event === 'raw') return request.body;
  const event = proxyEvent({
    body: request.body,
    contentType: request.contentType,
    requestId: id(),
    now: now()
  });
  return Buffer.from(JSON.stringify(event), 'utf8');
}

export function lambdaInvoke(client: LambdaClient, target: LambdaTarget): Invoke {
  return async (request) => {
    try {
      const out = await client.send(
        new InvokeCommand({
          FunctionName: target.functionName,
          Qualifier: target.alias,
          InvocationType: 'RequestResponse',
          Payload: payloadOf(target, request)
        })
      );
      const version = out.ExecutedVersion || undefined;
      if (out.FunctionError) {
        return { variant: version, error: functionErrorText(out.FunctionError, out.Payload) };
      }
      const payload = out.Payload ?? new Uint8Array();
      if (target.event === 'api-gateway') return proxyAnswer(payload, version);
      return {
        status: out.StatusCode ?? 200,
        body: payload,
        contentType: 'application/json',
        variant: version
      };
    } catch (e) {
      return invokeErrorAnswer(e, target);
    }
  };
}
