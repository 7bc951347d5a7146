/**
 * API Gateway's Lambda proxy integration (REST API, payload format 1.0), both ways: a smoke-test
 * request becomes the event API Gateway would send for `POST /` with that body, and the function's
 * `{statusCode, headers, body, isBase64Encoded}` becomes the answer an HTTP client would have seen,
 * so the same requests file (statuses, JSON checks) judges a SageMaker endpoint and a Lambda alias.
 * Pure: the request id and the time are given.
 */
import type { Answer } from './expect.js';

export const STAGE = 'smoke';
export const SOURCE_IP = '127.0.0.1';
export const USER_AGENT = 'mlops-actions-smoke-test';

export interface ProxyEventInput {
  body: Uint8Array;
  contentType: string;
  requestId: string;
  /** Epoch ms. */
  now: number;
}

/** Text stays text; bytes that are not UTF-8 go as base64, as API Gateway sends binary media. */
function bodyOf(bytes: Uint8Array): { body: string; isBase64Encoded: boolean } {
  const text = Buffer.from(bytes).toString('utf8');
  if (Buffer.from(text, 'utf8').equals(Buffer.from(bytes))) return { body: text, isBase64Encoded: false };
  return { body: Buffer.from(bytes).toString('base64'), isBase64Encoded: true };
}

/** The API Gateway proxy event for one request, as JSON bytes: the Lambda payload. */
export function proxyEvent(input: ProxyEventInput): Record<string, unknown> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Content-Type': input.contentType,
    'User-Agent': USER_AGENT,
    'X-Forwarded-For': SOURCE_IP,
    'X-Forwarded-Proto': 'https'
  };
  return {
    resource: '/',
    path: '/',
    httpMethod: 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      resourcePath: '/',
      httpMethod: 'POST',
      path: `/${STAGE}/`,
      stage: STAGE,
      requestId: input.requestId,
      requestTimeEpoch: input.now,
      protocol: 'HTTP/1.1',
      identity: { sourceIp: SOURCE_IP, userAgent: USER_AGENT }
    },
    ...bodyOf(input.body)
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function headerOf(headers: unknown, name: string): string | undefined {
  if (!isObject(headers)) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return typeof value === 'string' ? value : undefined;
}

function short(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

/**
 * The HTTP answer behind a proxy result. A payload that is not one (no integer statusCode, a body
 * that is not a string) is what API Gateway answers 502 "Malformed Lambda proxy response" to.
 * A statusCode of 400 or more carries its body as the error, the way a ModelError does.
 */
export function proxyAnswer(payload: Uint8Array, version?: string): Answer {
  const text = Buffer.from(payload).toString('utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined;
  }
  const status = isObject(doc) ? doc.statusCode : undefined;
  const body = isObject(doc) ? (doc.body ?? '') : undefined;
  if (
    !isObject(doc) ||
    typeof status !== 'number' ||
    !Number.isInteger(status) ||
    status < 100 ||
    status > 599 ||
    typeof body !== 'string'
  ) {
    return {
      status: 502,
      body: Buffer.from('{"message": "Internal server error"}'),
      contentType: 'application/json',
      variant: version,
      error: `Malformed Lambda proxy response: ${short(text) || '(empty)'}`
    };
  }
  const bytes = doc.isBase64Encoded === true ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  return {
    status,
    body: bytes,
    contentType: headerOf(doc.headers, 'content-type'),
    variant: version,
    error: status >= 400 ? short(bytes.toString('utf8')) || '(no body)' : undefined
  };
}
