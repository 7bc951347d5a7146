/**
 * The payload format 2.0 of function URLs, both ways: the event a request becomes (version, routeKey
 * `$default`, rawPath, rawQueryString, cookies, lower-cased headers joined by commas,
 * queryStringParameters, requestContext.http, body with isBase64Encoded for a binary body), and the
 * HTTP answer a function's result becomes (statusCode, headers, cookies, body, isBase64Encoded; any
 * other value: 200 application/json of it, as Lambda infers).
 */
import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import { ACCOUNT_ID } from '../sts.js';

const TEXT = /^(text\/|application\/(json|javascript|xml|x-www-form-urlencoded)|[^;]*\+(json|xml))/i;

/** `06/Dec/2026:13:00:00 +0000`, the request time format of requestContext.time. */
function clf(date: Date): string {
  const month = date.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const [d, t] = date.toISOString().split('T');
  return `${d.slice(8, 10)}/${month}/${d.slice(0, 4)}:${t.slice(0, 8)} +0000`;
}

export function eventOf(
  req: http.IncomingMessage,
  url: URL,
  path: string,
  body: Buffer,
  target: { fn: string; qualifier: string }
): Record<string, unknown> {
  const headers: Record<string, string> = {};
  let cookies: string[] = [];
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (name === 'cookie') cookies = String(value).split(/;\s*/).filter(Boolean);
    else headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const urlId = `${target.fn}${target.qualifier ? `-${target.qualifier}` : ''}`.toLowerCase();
  const now = new Date();
  const binary = body.length > 0 && !TEXT.test(headers['content-type'] ?? 'text/plain');
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: url.search.replace(/^\?/, ''),
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: urlId,
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: urlId,
      http: {
        method: req.method ?? 'GET',
        path,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? ''
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: clf(now),
      timeEpoch: now.getTime(),
      ownerAccountId: ACCOUNT_ID
    },
    ...(body.length ? { body: binary ? body.toString('base64') : body.toString('utf8') } : {}),
    isBase64Encoded: binary
  };
}

export interface UrlResponse {
  status: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

export function responseOf(payload: Buffer): UrlResponse {
  let result: unknown;
  try {
    result = JSON.parse(payload.toString('utf8'));
  } catch {
    return { status: 200, headers: { 'content-type': 'application/json' }, cookies: [], body: payload };
  }
  if (!result || typeof result !== 'object' || Array.isArray(result) || !('statusCode' in result)) {
    return { status: 200, headers: { 'content-type': 'application/json' }, cookies: [], body: payload };
  }
  const r = result as {
    statusCode: number;
    headers?: Record<string, unknown>;
    cookies?: unknown[];
    body?: unknown;
    isBase64Encoded?: boolean;
  };
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = String(v);
  const text =
    r.body === undefined || r.body === null
      ? ''
      : typeof r.body === 'string'
        ? r.body
        : JSON.stringify(r.body);
  return {
    status: Number(r.statusCode) || 200,
    headers,
    cookies: (r.cookies ?? []).map(String),
    body: r.isBase64Encoded ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8')
  };
}
