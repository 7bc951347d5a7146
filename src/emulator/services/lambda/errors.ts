/**
 * Lambda's errors on the wire (REST-JSON): the HTTP status, `x-amzn-ErrorType: <Code>` and a body
 * `{"Type": "User", "message": "..."}`, which the AWS SDK turns into the exception class of that code.
 */
import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import { AwsError } from '../../protocol.js';

export class LambdaError extends AwsError {
  constructor(
    code: string,
    message: string,
    status = 400,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {}
  ) {
    super(code, message, status);
  }
}

export const notFound = (message: string) => new LambdaError('ResourceNotFoundException', message, 404);
export const conflict = (message: string) => new LambdaError('ResourceConflictException', message, 409);
export const invalid = (message: string) => new LambdaError('InvalidParameterValueException', message);
export const precondition = (message: string) => new LambdaError('PreconditionFailedException', message, 412);
/** A RevisionId that is not the current one (optimistic locking of functions and aliases). */
export const staleRevision = () =>
  precondition(
    'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id'
  );
export const tooManyRequests = () =>
  new LambdaError(
    'TooManyRequestsException',
    'Rate exceeded',
    429,
    { Reason: 'CallerRateLimitExceeded' },
    { 'Retry-After': '1' }
  );

/** One constraint of Lambda's request validation (`1 validation error detected: ...`). */
export function validation(field: string, value: unknown, constraint: string): LambdaError {
  return new LambdaError(
    'ValidationException',
    `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ${constraint}`
  );
}

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(text ? { 'content-type': 'application/json' } : {}),
    'content-length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
    ...headers
  });
  res.end(text);
}

export function sendError(res: http.ServerResponse, error: AwsError): void {
  const lambda = error instanceof LambdaError ? error : undefined;
  sendJson(
    res,
    error.status,
    { Type: error.status >= 500 ? 'Service' : 'User', message: error.message, ...lambda?.extra },
    { 'x-amzn-ErrorType': error.code, ...lambda?.headers }
  );
}
