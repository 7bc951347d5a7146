/**
 * The Lambda Runtime API of ONE execution environment: a small HTTP server on its own loopback port
 * (the container's `AWS_LAMBDA_RUNTIME_API`), so whatever calls it is that environment's runtime.
 * - `GET /2018-06-01/runtime/invocation/next`: a long poll; answers with the next event and the headers
 *   Lambda-Runtime-Aws-Request-Id, -Deadline-Ms, -Invoked-Function-Arn and -Trace-Id. The first call
 *   ends the environment's init.
 * - `POST /2018-06-01/runtime/invocation/{id}/response` and `.../{id}/error`: the outcome (202).
 * - `POST /2018-06-01/runtime/init/error`: init failed (202).
 * An unknown request id is 400 InvalidRequestID, as Lambda answers; a response over 6 MB ends the
 * invocation with Function.ResponseSizeTooLarge.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const PREFIX = '/2018-06-01/runtime';
export const MAX_RESPONSE = 6 * 1024 * 1024;

export interface RuntimeEvent {
  requestId: string;
  payload: Buffer;
  deadlineMs: number;
  functionArn: string;
  traceId: string;
}

export type RuntimeOutcome = { kind: 'response'; body: Buffer } | { kind: 'error'; body: Buffer };

export interface InitFailure {
  errorType: string;
  errorMessage: string;
}

function reply(res: http.ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export class RuntimeApi {
  port = 0;
  /** Resolves at the first `/next` (init done). */
  readonly initialised: Promise<void>;
  /** Resolves when the runtime posts `/init/error`. */
  readonly initFailed: Promise<InitFailure>;
  private resolveInit!: () => void;
  private resolveInitFailure!: (failure: InitFailure) => void;
  private readonly server: http.Server;
  private waiting?: http.ServerResponse;
  private queued?: RuntimeEvent;
  private readonly pending = new Map<string, (outcome: RuntimeOutcome) => void>();

  constructor() {
    this.initialised = new Promise((resolve) => (this.resolveInit = resolve));
    this.initFailed = new Promise((resolve) => (this.resolveInitFailure = resolve));
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => this.handle(req, res, Buffer.concat(chunks)));
    });
    this.server.keepAliveTimeout = 0;
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', resolve);
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  /** Hands an event to the runtime (now, or at its next poll); resolves with what it posts back. */
  deliver(event: RuntimeEvent): Promise<RuntimeOutcome> {
    const outcome = new Promise<RuntimeOutcome>((resolve) => this.pending.set(event.requestId, resolve));
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting && !waiting.destroyed) this.send(waiting, event);
    else this.queued = event;
    return outcome;
  }

  /** Forgets an invocation that ended otherwise (timeout, exit): a late post gets 400. */
  forget(requestId: string): void {
    this.pending.delete(requestId);
    if (this.queued?.requestId === requestId) this.queued = undefined;
  }

  async close(): Promise<void> {
    this.waiting?.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private send(res: http.ServerResponse, event: RuntimeEvent): void {
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': event.payload.length,
      'lambda-runtime-aws-request-id': event.requestId,
      'lambda-runtime-deadline-ms': String(event.deadlineMs),
      'lambda-runtime-invoked-function-arn': event.functionArn,
      'lambda-runtime-trace-id': event.traceId
    });
    res.end(event.payload);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (req.method === 'GET' && path === `${PREFIX}/invocation/next`) {
      this.resolveInit();
      const event = this.queued;
      this.queued = undefined;
      if (event) return this.send(res, event);
      this.waiting = res;
      return;
    }
    if (req.method === 'POST' && path === `${PREFIX}/init/error`) {
      let parsed: Partial<InitFailure> = {};
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        // a body that is not JSON: the header and a generic message stand in
      }
      this.resolveInitFailure({
        errorType: String(parsed.errorType ?? req.headers['lambda-runtime-function-error-type'] ?? 'Unknown'),
        errorMessage: String(parsed.errorMessage ?? (body.toString('utf8') || 'The runtime failed to start.'))
      });
      return reply(res, 202, { status: 'OK' });
    }
    const match = new RegExp(`^${PREFIX}/invocation/([^/]+)/(response|error)$`).exec(path);
    if (req.method === 'POST' && match) {
      const resolve = this.pending.get(decodeURIComponent(match[1]));
      if (!resolve)
        return reply(res, 400, { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' });
      this.pending.delete(decodeURIComponent(match[1]));
      if (match[2] === 'response' && body.length > MAX_RESPONSE) {
        const message = `Response payload size (${body.length} bytes) exceeded maximum allowed payload size (${MAX_RESPONSE} bytes).`;
        resolve({
          kind: 'error',
          body: Buffer.from(
            JSON.stringify({ errorMessage: message, errorType: 'Function.ResponseSizeTooLarge' })
          )
        });
        return reply(res, 413, { errorMessage: message, errorType: 'RequestEntityTooLarge' });
      }
      resolve({ kind: match[2] === 'response' ? 'response' : 'error', body });
      return reply(res, 202, { status: 'OK' });
    }
    reply(res, 404, { errorMessage: `No route ${req.method} ${path}`, errorType: 'NotFound' });
  }
}
