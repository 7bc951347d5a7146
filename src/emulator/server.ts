/**
 * The local AWS emulator: one HTTP server on 127.0.0.1 that speaks the protocols the AWS SDK uses,
 * so `AWS_ENDPOINT_URL=http://127.0.0.1:<port>` points every action at it. Services are plain
 * objects of operations over JSON-serializable state (kept in memory, or in a file so separate
 * runs share it). Every call is recorded; an admin API under `/_emulator/` reads the call log,
 * injects faults and resets state. Product code: the actions never import it.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { AwsError, jsonBody, parseForm, queryError, queryResponse } from './protocol.js';

export interface RequestInfo {
  operation: string;
  accessKeyId?: string;
  region?: string;
  userAgent?: string;
  requestId: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Operation = (input: any, request: RequestInfo) => unknown | Promise<unknown>;

export interface ServiceDefinition {
  /** The name used in the call log, the state and fault keys. */
  name: string;
  /** SigV4 signing name in the Authorization credential scope (`sagemaker`, `monitoring`). */
  signingName: string;
  protocol: 'json1.0' | 'json1.1' | 'query';
  /** X-Amz-Target prefix of JSON protocols (`SageMaker`). */
  targetPrefix?: string;
  xmlNamespace?: string;
  operations: Record<string, Operation>;
  /** Brings time-driven state up to date before each request. */
  advance?: () => void;
  /** Stops background work (running training jobs) when the emulator stops. */
  close?: () => void | Promise<void>;
  /** Handles a request in a protocol of its own (REST); returns the operation's name when it handled it. */
  raw?: (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => Promise<string | undefined>;
  /**
   * Paths of UNSIGNED requests this service's `raw` takes (plain HTTP clients: Lambda function URLs);
   * a request with SigV4 credentials or an X-Amz-Target is never routed by path.
   */
  paths?: RegExp;
}

export type ServiceFactory = (emulator: Emulator) => ServiceDefinition;

export interface CallRecord {
  service: string;
  operation: string;
  mutating: boolean;
  status: number;
  error?: string;
  userAgent?: string;
  at: string;
}

export interface EmulatorOptions {
  /** 0 picks a free port. */
  port?: number;
  /** Every service-side duration is multiplied by this factor (0.01: a 10-minute bake takes 6 s). */
  timeScale?: number;
  /** Keep state in this JSON file so separate runs share it. */
  stateFile?: string;
  services?: ServiceFactory[];
  now?: () => number;
  /** Where services keep bulk data (S3 objects, training work dirs); default: beside the state file, or a temp dir. */
  dataDir?: string;
  /** How training jobs run: `docker` (the image on the local engine) or `simulated` (no containers). */
  training?: 'docker' | 'simulated';
  /**
   * How endpoints serve: `docker` (each variant's image runs on the local Docker engine and answers
   * InvokeEndpoint) or `simulated` (the same timeline without containers; InvokeEndpoint refuses).
   * Default `simulated` here; the CLI picks `docker` when a Docker engine answers.
   */
  hosting?: 'docker' | 'simulated';
  /** The registry ECR points Docker at (`host:port`, plain HTTP on loopback); default 127.0.0.1:5000. */
  registry?: string;
}

/** Read-only operations; everything else counts as a mutating call in the call log. */
export function isMutating(operation: string): boolean {
  return !/^(Describe|List|Get|Search|BatchGet|Head|Filter)/.test(operation);
}

export class Emulator {
  readonly timeScale: number;
  readonly calls: CallRecord[] = [];
  /** Open-ended fault switches read by services; `throttle` (0-1) is handled here. */
  faults: Record<string, unknown> = {};
  private state: Record<string, unknown> = {};
  private readonly services: ServiceDefinition[] = [];
  private server?: http.Server;
  private readonly stateFile?: string;
  private readonly clock: () => number;
  url = '';
  readonly dataDir: string;

  constructor(readonly options: EmulatorOptions = {}) {
    this.timeScale = options.timeScale ?? 1;
    this.dataDir =
      options.dataDir ??
      (options.stateFile
        ? `${options.stateFile}.data`
        : fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-emulator-')));
    this.stateFile = options.stateFile;
    this.clock = options.now ?? Date.now;
    if (this.stateFile && fs.existsSync(this.stateFile)) {
      const saved = JSON.parse(fs.readFileSync(this.stateFile, 'utf8'));
      this.state = saved.state ?? {};
      this.faults = saved.faults ?? {};
    }
    for (const factory of options.services ?? []) this.services.push(factory(this));
  }

  now(): number {
    return this.clock();
  }

  /** Milliseconds of real time a service-side duration of `seconds` takes. */
  scaled(seconds: number): number {
    return seconds * 1000 * this.timeScale;
  }

  /** The state object of a service, created by `init` on first use. Must stay JSON-serializable. */
  stateOf<T>(service: string, init: () => T): T {
    if (!(service in this.state)) this.state[service] = init();
    return this.state[service] as T;
  }

  reset(): void {
    this.state = {};
    this.faults = {};
    this.calls.length = 0;
    this.save();
  }

  save(): void {
    if (!this.stateFile) return;
    const temp = `${this.stateFile}.${process.pid}.tmp`;
    fs.mkdirSync(path.dirname(path.resolve(this.stateFile)), { recursive: true });
    fs.writeFileSync(temp, JSON.stringify({ state: this.state, faults: this.faults }, null, 1));
    fs.renameSync(temp, this.stateFile);
  }

  async start(port = 0): Promise<string> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((e) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(e?.stack ?? e));
      });
    });
    // Longer than any client backoff, so a kept-alive socket is not closed under a retrying SDK.
    this.server.keepAliveTimeout = 65_000;
    this.server.headersTimeout = 66_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', resolve);
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await Promise.all(this.services.map((service) => service.close?.()));
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  /**
   * Whether to throttle this call: `faults.throttle` is a share (0-1) spread evenly over the calls
   * (0.3: 3 calls in 10, never many in a row), so a retrying client always gets through.
   */
  throttled(): boolean {
    const share = Math.min(1, Math.max(0, Number(this.faults.throttle ?? 0)));
    const n = this.throttleCounter++;
    return Math.floor((n + 1) * share) > Math.floor(n * share);
  }
  private throttleCounter = 0;

  /** Calls that reached a mutating operation (for "no mutating call" assertions). */
  mutatingCalls(): CallRecord[] {
    return this.calls.filter((c) => c.mutating);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/_emulator/')) return this.admin(req, res, url, body);

    // A presigned request (S3's query-string SigV4) carries its credential scope in the query.
    const presigned = url.searchParams.get('X-Amz-Credential');
    const auth = req.headers.authorization ?? (presigned ? `Credential=${presigned}` : '');
    const scope = /Credential=([^/]+)\/\d+\/([^/]+)\/([^/]+)\//.exec(auth);
    const target = req.headers['x-amz-target'];
    // Several definitions may share a prefix (SageMaker endpoints and training jobs): the one that
    // has the operation answers.
    const candidates =
      typeof target === 'string'
        ? this.services.filter((s) => s.targetPrefix && target.startsWith(`${s.targetPrefix}.`))
        : this.services.filter((s) => s.signingName === scope?.[3]);
    const wanted = typeof target === 'string' ? target.slice(target.indexOf('.') + 1) : undefined;
    const byPath =
      !scope && typeof target !== 'string'
        ? this.services.find((s) => s.raw && s.paths?.test(url.pathname))
        : undefined;
    if (byPath && (await this.raw(byPath, req, res, body))) return;
    const service = candidates.find((s) => wanted && s.operations[wanted]) ?? candidates[0];
    if (!service) {
      return this.send(
        res,
        400,
        'application/json',
        jsonBody({
          __type: 'UnknownOperationException',
          message: `No emulated service for ${target ?? scope?.[3] ?? req.url}.`
        })
      );
    }
    if (await this.raw(service, req, res, body)) return;

    const requestId = randomUUID();
    const form = service.protocol === 'query' ? parseForm(body.toString('utf8')) : undefined;
    const operation =
      typeof target === 'string' ? target.slice(target.indexOf('.') + 1) : (form?.Action ?? '');
    const info: RequestInfo = {
      operation,
      accessKeyId: scope?.[1],
      region: scope?.[2],
      userAgent: req.headers['user-agent'],
      requestId
    };
    const record: CallRecord = {
      service: service.name,
      operation,
      mutating: isMutating(operation),
      status: 200,
      userAgent: req.headers['x-amz-user-agent']?.toString() ?? info.userAgent,
      at: new Date(this.now()).toISOString()
    };
    this.calls.push(record);

    let result: unknown;
    try {
      const handler = service.operations[operation];
      if (!handler)
        throw new AwsError(
          'UnknownOperationException',
          `${service.name} has no operation ${operation} in the emulator.`
        );
      if (this.throttled()) {
        throw new AwsError(
          service.protocol === 'query' ? 'Throttling' : 'ThrottlingException',
          'Rate exceeded'
        );
      }
      const input = form ?? (body.length ? JSON.parse(body.toString('utf8')) : {});
      result = await handler(input, info);
      if (record.mutating) this.save();
    } catch (e) {
      const error =
        e instanceof AwsError ? e : new AwsError('InternalFailure', String((e as Error)?.stack ?? e), 500);
      record.status = error.status;
      record.error = error.code;
      if (service.protocol === 'query') {
        return this.send(res, error.status, 'text/xml', queryError(error, requestId), requestId);
      }
      const type = `application/x-amz-json-${service.protocol.slice(4)}`;
      res.setHeader('x-amzn-ErrorType', error.code);
      res.setHeader('x-amzn-query-error', `${error.code};Sender`);
      return this.send(
        res,
        error.status,
        type,
        jsonBody({ __type: error.code, message: error.message }),
        requestId
      );
    }
    if (service.protocol === 'query') {
      return this.send(
        res,
        200,
        'text/xml',
        queryResponse(operation, service.xmlNamespace ?? '', result, requestId),
        requestId
      );
    }
    this.send(res, 200, `application/x-amz-json-${service.protocol.slice(4)}`, jsonBody(result), requestId);
  }

  /** A service's own protocol (`raw`): whether it handled the request (then it is in the call log). */
  private async raw(
    service: ServiceDefinition,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    body: Buffer
  ): Promise<boolean> {
    service.advance?.();
    const operation = await service.raw?.(req, res, body);
    if (!operation) return false;
    this.calls.push({
      service: service.name,
      operation,
      mutating: isMutating(operation),
      status: res.statusCode,
      userAgent: req.headers['x-amz-user-agent']?.toString() ?? req.headers['user-agent'],
      at: new Date(this.now()).toISOString()
    });
    return true;
  }

  private send(
    res: http.ServerResponse,
    status: number,
    type: string,
    body: string,
    requestId?: string
  ): void {
    res.writeHead(status, {
      'content-type': type,
      'content-length': Buffer.byteLength(body),
      ...(requestId ? { 'x-amzn-RequestId': requestId } : {})
    });
    res.end(body);
  }

  /**
   * Admin API: GET /_emulator/calls (the call log), DELETE /_emulator/calls, GET/POST /_emulator/faults
   * (merge a JSON object of fault switches), GET /_emulator/state, POST /_emulator/reset.
   */
  private admin(req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: Buffer): void {
    const route = `${req.method} ${url.pathname}`;
    const json = (value: unknown) => this.send(res, 200, 'application/json', JSON.stringify(value, null, 1));
    switch (route) {
      case 'GET /_emulator/calls':
        return json(this.calls);
      case 'DELETE /_emulator/calls':
        this.calls.length = 0;
        return json({});
      case 'GET /_emulator/faults':
        return json(this.faults);
      case 'POST /_emulator/faults':
        Object.assign(this.faults, body.length ? JSON.parse(body.toString('utf8')) : {});
        for (const [k, v] of Object.entries(this.faults)) if (v === null) delete this.faults[k];
        this.save();
        return json(this.faults);
      case 'GET /_emulator/state':
        for (const s of this.services) s.advance?.();
        return json(this.state);
      case 'POST /_emulator/reset':
        this.reset();
        return json({});
      default:
        this.send(res, 404, 'application/json', JSON.stringify({ message: `No admin route ${route}.` }));
    }
  }
}
