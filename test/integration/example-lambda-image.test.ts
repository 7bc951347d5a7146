/**
 * The example's Lambda image, built from the local base and run as Lambda runs it: `docker run
 * --network host` with AWS_LAMBDA_RUNTIME_API pointing at a tiny loopback stand-in of Lambda's
 * Runtime API in this test (next gives the queued event; response, error and init error are
 * captured). One container serves several invocations (warm), as a Lambda environment does.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import fs from 'node:fs';
import { proxyAnswer, proxyEvent as toolkitEvent } from '../../src/smoke/apigateway.js';
import { judgeAnswer } from '../../src/smoke/expect.js';
import { parseRequests } from '../../src/smoke/requests.js';
import { ROOT } from '../helpers/bundle.js';
import { DOCKER, docker } from '../helpers/docker.js';
import {
  buildExampleLambdaImage,
  EXAMPLE,
  ensureBaseImage,
  removeLocalImages,
  uniqueName
} from '../helpers/images.js';

interface Posted {
  kind: 'response' | 'error';
  body: Record<string, unknown>;
  errorType?: string;
  /** From handing out the event to the answer, in ms. */
  ms: number;
}

/** The Runtime API's four routes, on loopback. */
class RuntimeApi {
  readonly initErrors: Array<{ body: Record<string, unknown>; errorType?: string }> = [];
  private readonly queue: Array<{ id: string; event: unknown }> = [];
  private readonly waiting: http.ServerResponse[] = [];
  private readonly sentAt = new Map<string, number>();
  private readonly results = new Map<string, (p: Posted) => void>();
  private initWaiter?: () => void;
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => this.handle(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  address = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.address = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Queues an event and resolves with what the runtime posts for it. */
  invoke(event: unknown): Promise<Posted> {
    const id = randomUUID();
    const result = new Promise<Posted>((resolve) => this.results.set(id, resolve));
    this.queue.push({ id, event });
    this.flush();
    return result;
  }

  initError(): Promise<void> {
    return this.initErrors.length ? Promise.resolve() : new Promise((resolve) => (this.initWaiter = resolve));
  }

  private flush(): void {
    while (this.queue.length && this.waiting.length) {
      const { id, event } = this.queue.shift()!;
      const res = this.waiting.shift()!;
      this.sentAt.set(id, Date.now());
      res.writeHead(200, {
        'content-type': 'application/json',
        'Lambda-Runtime-Aws-Request-Id': id,
        'Lambda-Runtime-Deadline-Ms': String(Date.now() + 30_000),
        'Lambda-Runtime-Invoked-Function-Arn': 'arn:aws:lambda:us-east-1:123456789012:function:wine:live'
      });
      res.end(JSON.stringify(event));
    }
  }

  private handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    const url = req.url ?? '';
    const errorType = req.headers['lambda-runtime-function-error-type'] as string | undefined;
    if (req.method === 'GET' && url === '/2018-06-01/runtime/invocation/next') {
      this.waiting.push(res);
      return this.flush();
    }
    const posted = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    if (req.method === 'POST' && posted) {
      const [, id, kind] = posted;
      this.results.get(id)?.({
        kind: kind as Posted['kind'],
        body: JSON.parse(body) as Record<string, unknown>,
        errorType,
        ms: Date.now() - (this.sentAt.get(id) ?? Date.now())
      });
      res.writeHead(202).end('{"status":"OK"}');
      return;
    }
    if (req.method === 'POST' && url === '/2018-06-01/runtime/init/error') {
      this.initErrors.push({ body: JSON.parse(body) as Record<string, unknown>, errorType });
      this.initWaiter?.();
      res.writeHead(202).end('{"status":"OK"}');
      return;
    }
    res.writeHead(404).end();
  }
}

const name = uniqueName('lambda');
const good = `${name}-good:1`;
const broken = `${name}-broken:1`;
const containers: string[] = [];

const build = buildExampleLambdaImage;

/** Starts the image as a Lambda environment against `api`; returns the container id. */
function start(image: string, api: RuntimeApi, env: Record<string, string> = {}): string {
  const flags = Object.entries({ AWS_LAMBDA_RUNTIME_API: api.address, ...env }).flatMap(([k, v]) => [
    '-e',
    `${k}=${v}`
  ]);
  const id = docker(['run', '-d', '--network', 'host', ...flags, image]).trim();
  containers.push(id);
  return id;
}

const proxyEvent = (body: unknown) => ({
  resource: '/',
  path: '/',
  httpMethod: 'POST',
  headers: { 'Content-Type': 'application/json' },
  requestContext: { stage: 'prod', requestId: randomUUID(), identity: { sourceIp: '127.0.0.1' } },
  body: typeof body === 'string' ? body : JSON.stringify(body),
  isBase64Encoded: false
});
const ROW_CLASS_0 = [14.23, 1.71, 2.43, 15.6, 127, 2.8, 3.06, 0.28, 2.29, 5.64, 1.04, 3.92, 1065];

const apis: RuntimeApi[] = [];

/** A Runtime API of its own for each environment, so no other container takes its events. */
async function runtimeApi(): Promise<RuntimeApi> {
  const api = new RuntimeApi();
  await api.start();
  apis.push(api);
  return api;
}

beforeAll(() => {
  ensureBaseImage();
  build(good, { MODEL_VERSION: 'lambda-test' });
  build(broken, { BROKEN_INVOCATIONS: '1' });
}, 600_000);

afterEach(async () => {
  for (const id of containers.splice(0)) {
    try {
      docker(['rm', '--force', id]);
    } catch {
      // already gone
    }
  }
  for (const api of apis.splice(0)) await api.stop();
});

afterAll(() => removeLocalImages(name));

describe("the example's Lambda image on the Runtime API", () => {
  it('the handler tests pass inside the image, as test-in-docker runs them', () => {
    const out = docker([
      'run',
      '--rm',
      '--network',
      'none',
      '-v',
      `${path.join(ROOT, EXAMPLE)}:/workspace:ro`,
      '-w',
      '/workspace',
      '--entrypoint',
      '/bin/sh',
      good,
      '-c',
      'pytest -q lambda/tests'
    ]);
    expect(out).toMatch(/\b12 passed\b/);
  }, 120_000);

  it('answers a prediction as an API Gateway proxy result, warm invocations on the model loaded once, and a bad request with a 400', async () => {
    const api = await runtimeApi();
    const started = Date.now();
    const id = start(good, api);
    const first = await api.invoke(proxyEvent({ instances: [ROW_CLASS_0] }));
    const cold = Date.now() - started;
    expect(first.kind).toBe('response');
    expect(first.body).toMatchObject({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json', 'X-Model-Version': 'lambda-test' }
    });
    const answer = JSON.parse(first.body.body as string) as {
      predictions: Array<{ label: string }>;
      model_version: string;
    };
    expect(answer.predictions[0].label).toBe('class_0');
    expect(answer.model_version).toBe('lambda-test');

    const warm: number[] = [];
    for (let i = 0; i < 5; i++) warm.push((await api.invoke(proxyEvent({ instances: [ROW_CLASS_0] }))).ms);
    console.log(
      `the example's Lambda image: docker run to the first answer ${cold} ms (init ${cold - first.ms} ms); warm invocations ${warm.join(', ')} ms`
    );

    const bad = await api.invoke(proxyEvent({ instances: [[1, 2, 3]] }));
    expect(bad.kind).toBe('response');
    expect(bad.body.statusCode).toBe(400);
    expect(JSON.parse(bad.body.body as string)).toEqual({ error: 'instance 0 must have 13 features' });
    const notJson = await api.invoke(proxyEvent('{nope'));
    expect(notJson.body.statusCode).toBe(400);
    // Eight invocations, one init: the model was loaded once.
    const logs = execFileSync(DOCKER, ['logs', id], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(logs.match(/loaded the model of \/opt\/ml\/model/g)).toHaveLength(1);
  }, 120_000);

  it("passes the serving image's smoke requests, sent as smoke-test's API Gateway events and unwrapped as smoke-test does", async () => {
    const api = await runtimeApi();
    start(good, api);
    const file = path.join(ROOT, EXAMPLE, 'serving/smoke/requests.jsonl');
    const cases = parseRequests(fs.readFileSync(file, 'utf8'), 'requests.jsonl', 'application/json');
    expect(cases.length).toBeGreaterThanOrEqual(4);
    for (const c of cases) {
      const event = toolkitEvent({
        body: c.body,
        contentType: c.contentType,
        requestId: randomUUID(),
        now: Date.now()
      });
      const posted = await api.invoke(event);
      expect(posted.kind).toBe('response');
      const answer = proxyAnswer(Buffer.from(JSON.stringify(posted.body)));
      expect([c.name, judgeAnswer(c.expect, answer)]).toEqual([c.name, { ok: true }]);
    }
  }, 120_000);

  it('the broken build posts a function error on every invocation, after an init that succeeded', async () => {
    const api = await runtimeApi();
    start(broken, api);
    for (let i = 0; i < 2; i++) {
      const posted = await api.invoke(proxyEvent({ instances: [ROW_CLASS_0] }));
      expect(posted.kind).toBe('error');
      expect(posted.errorType).toBe('Unhandled');
      expect(posted.body).toMatchObject({
        errorType: 'RuntimeError',
        errorMessage: 'this build is deliberately broken'
      });
      expect(posted.body.stackTrace).toEqual(expect.any(Array));
    }
    expect(api.initErrors).toEqual([]);
  }, 120_000);

  it('a model that cannot be loaded fails the init: /init/error, and the runtime exits', async () => {
    const api = await runtimeApi();
    const id = start(good, api, { MODEL_DIR: '/nowhere' });
    await api.initError();
    expect(api.initErrors).toHaveLength(1);
    expect(api.initErrors[0].errorType).toBe('Runtime.ImportModuleError');
    expect(api.initErrors[0].body).toMatchObject({ errorType: 'FileNotFoundError' });
    expect(String(api.initErrors[0].body.errorMessage)).toContain('/nowhere/model.joblib');
    const code = docker(['wait', id]).trim();
    expect(code).toBe('1');
  }, 120_000);
});
