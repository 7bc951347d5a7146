/**
 * Function URLs, served by the emulator itself for any HTTP client (curl, fetch; no signing):
 * `<emulator>/lambda-url/<function>/<alias or $LATEST>/<path>?<query>` (state.ts: functionUrlOf).
 * Only a qualifier with a url config (state `urls`, AuthType NONE) answers; anything else is 403
 * `{"Message":"Forbidden"}`, as a URL nobody made is. The request becomes the payload format 2.0
 * event function URLs send (events.ts); the result comes back as the HTTP answer: a
 * `{statusCode, headers, cookies, body, isBase64Encoded}` object as given, any other value as 200
 * application/json of it; a function error is 502 `{"Message":"Internal Server Error"}`, a throttle
 * 429. `lambdaUrls` is the emulator service (routed by path, server.ts `paths`), and in docker mode
 * it also starts and stops the execution environments (environments.ts).
 */
import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Emulator, ServiceDefinition } from '../../server.js';
import { lambdaState, URL_PREFIX } from './state.js';
import { invokeFunction, LambdaError } from './invoke.js';
import { environmentsOf, existingEnvironments } from './environments.js';
import { eventOf, responseOf } from './events.js';

const PATH = new RegExp(`^${URL_PREFIX}([a-zA-Z0-9_-]{1,64})/([a-zA-Z0-9_$-]+)(/.*)?$`);

function send(
  res: http.ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {}
): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUUID(),
    ...headers
  });
  res.end(body);
}

export async function handleUrl(
  emulator: Emulator,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  body: Buffer
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const match = PATH.exec(url.pathname);
  const fn = match ? lambdaState(emulator).functions[match[1]] : undefined;
  const qualifier = match?.[2] === '$LATEST' ? '' : (match?.[2] ?? '');
  const config = fn?.urls?.[qualifier];
  if (!match || !fn || !config || config.AuthType !== 'NONE') return send(res, 403, { Message: 'Forbidden' });
  const event = eventOf(req, url, match[3] ?? '/', body, { fn: fn.FunctionName, qualifier });
  try {
    const answer = await invokeFunction(
      emulator,
      fn.FunctionName,
      qualifier || undefined,
      Buffer.from(JSON.stringify(event))
    );
    if (!answer || answer.errorType) return send(res, 502, { Message: 'Internal Server Error' });
    const reply = responseOf(answer.payload);
    res.writeHead(reply.status, {
      ...reply.headers,
      ...(reply.cookies.length ? { 'set-cookie': reply.cookies } : {}),
      'content-length': reply.body.length,
      'x-amzn-requestid': answer.requestId
    });
    res.end(reply.body);
  } catch (e) {
    if (!(e instanceof LambdaError)) throw e;
    if (e.status === 429) return send(res, 429, { Message: 'Too Many Requests' });
    if (e.status === 503) return send(res, 503, { Message: e.message });
    send(res, e.status === 404 ? 403 : 502, {
      Message: e.status === 404 ? 'Forbidden' : 'Internal Server Error'
    });
  }
}

/** The emulator service of function URLs (register it with the others in services/index.ts). */
export function lambdaUrls(emulator: Emulator): ServiceDefinition {
  // In docker mode the environments' controller runs from the start (provisioned concurrency).
  environmentsOf(emulator);
  return {
    name: 'lambda-url',
    signingName: 'lambda-url',
    protocol: 'json1.1',
    operations: {},
    paths: new RegExp(`^${URL_PREFIX}`),
    close: () => existingEnvironments(emulator)?.close(),
    raw: async (req, res, body) => {
      if (!new URL(req.url ?? '/', 'http://127.0.0.1').pathname.startsWith(URL_PREFIX)) return undefined;
      await handleUrl(emulator, req, res, body);
      return 'InvokeFunctionUrl';
    }
  };
}
