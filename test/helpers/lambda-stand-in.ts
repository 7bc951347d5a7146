/**
 * A loopback stand-in for the three Lambda REST routes smoke-test calls, for its bundle test until
 * the emulator serves Invoke itself:
 * - `POST /2015-03-31/functions/{name}/invocations?Qualifier=alias`: picks a version by the alias's
 *   weights (smooth weighted round robin, so a split is exact), runs the version's handler on the
 *   payload and answers 200 with the result and `X-Amz-Executed-Version`; a handler that throws is
 *   `X-Amz-Function-Error: Unhandled` with `{"errorMessage", "errorType"}`. An unknown function or
 *   alias is a ResourceNotFoundException (404); a payload that is not JSON an
 *   InvalidRequestContentException (400).
 * - `GET /2015-03-31/functions/{name}/aliases/{alias}` (GetAlias): FunctionVersion and RoutingConfig.
 * - `GET /2015-03-31/functions/{name}/configuration?Qualifier=v` (GetFunctionConfiguration): State
 *   and LastUpdateStatus, walking through the version's `states` (one a call; the last one stays).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (event: unknown, n: number) => unknown;

export interface StandInVersion {
  handler: Handler;
  /** `State/LastUpdateStatus` per GetFunctionConfiguration call, e.g. `Pending/InProgress`; default Active/Successful. */
  states?: string[];
  latencyMs?: number;
}

export interface StandInFunction {
  versions: Record<string, StandInVersion>;
  /** Alias name -> the main version and the weights of the others. */
  aliases: Record<string, { version: string; weights?: Record<string, number> }>;
}

export interface LambdaInvocation {
  functionName: string;
  qualifier?: string;
  version?: string;
  payload: string;
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const ROUTE = /^\/2015-03-31\/functions\/([^/?]+)\/(invocations|aliases\/([^/?]+)|configuration)(?:\?(.*))?$/;

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-requestid': `req-${Math.random().toString(36).slice(2)}`,
    ...headers
  });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

function error(res: http.ServerResponse, status: number, type: string, message: string) {
  send(res, status, { Type: 'User', message }, { 'x-amzn-errortype': type });
}

export class LambdaStandIn {
  readonly invocations: LambdaInvocation[] = [];
  /** `GetAlias fn:alias` and `GetFunctionConfiguration fn[:qualifier]`, in order. */
  readonly reads: string[] = [];
  url = '';
  private readonly server: http.Server;
  private readonly current = new Map<string, number[]>();
  private readonly counts = new Map<string, number>();

  constructor(private readonly functions: Record<string, StandInFunction>) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.handle(req, Buffer.concat(chunks).toString('utf8'), res).catch((e) =>
          send(res, 500, { message: String(e) }, { 'x-amzn-errortype': 'ServiceException' })
        );
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  reset(): void {
    this.invocations.splice(0);
    this.reads.splice(0);
    this.current.clear();
    this.counts.clear();
  }

  private pick(key: string, choices: Array<[string, number]>): string {
    const current = this.current.get(key) ?? choices.map(() => 0);
    this.current.set(key, current);
    const total = choices.reduce((sum, [, w]) => sum + w, 0);
    let best = 0;
    choices.forEach(([, w], i) => {
      current[i] += w;
      if (current[i] > current[best]) best = i;
    });
    current[best] -= total;
    return choices[best][0];
  }

  private async handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): Promise<void> {
    const route = ROUTE.exec(req.url ?? '');
    if (!route) return error(res, 404, 'UnknownOperationException', `No route ${req.url}`);
    const name = decodeURIComponent(route[1]);
    const qualifier = new URLSearchParams(route[4] ?? '').get('Qualifier') ?? undefined;
    const fn = this.functions[name];
    const arn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
    const missing = () => error(res, 404, 'ResourceNotFoundException', `Function not found: ${arn}`);
    if (route[3] !== undefined && req.method === 'GET') {
      const alias = decodeURIComponent(route[3]);
      this.reads.push(`GetAlias ${name}:${alias}`);
      const found = fn?.aliases[alias];
      if (!found)
        return error(res, 404, 'ResourceNotFoundException', `Cannot find alias arn: ${arn}:${alias}`);
      return send(res, 200, {
        AliasArn: `${arn}:${alias}`,
        Name: alias,
        FunctionVersion: found.version,
        RoutingConfig: found.weights ? { AdditionalVersionWeights: found.weights } : undefined,
        RevisionId: 'r1'
      });
    }
    if (route[2] === 'configuration' && req.method === 'GET') {
      this.reads.push(`GetFunctionConfiguration ${name}${qualifier ? `:${qualifier}` : ''}`);
      if (!fn) return missing();
      const version = fn.versions[qualifier ?? Object.keys(fn.versions)[0]];
      if (!version) return missing();
      const seen = this.reads.filter((r) => r === this.reads[this.reads.length - 1]).length;
      const states = version.states ?? ['Active/Successful'];
      const [State, LastUpdateStatus] = states[Math.min(seen, states.length) - 1].split('/');
      return send(res, 200, {
        FunctionName: name,
        FunctionArn: `${arn}${qualifier ? `:${qualifier}` : ''}`,
        Version: qualifier ?? '$LATEST',
        PackageType: 'Image',
        State,
        LastUpdateStatus
      });
    }
    if (route[2] === 'invocations' && req.method === 'POST') {
      const record: LambdaInvocation = { functionName: name, qualifier, payload: body };
      this.invocations.push(record);
      if (!fn) return missing();
      const alias = fn.aliases[qualifier ?? ''];
      if (!alias)
        return error(res, 404, 'ResourceNotFoundException', `Function not found: ${arn}:${qualifier}`);
      let event: unknown;
      try {
        event = JSON.parse(body || 'null');
      } catch {
        return error(res, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
      }
      const weights = Object.entries(alias.weights ?? {});
      const rest = 1 - weights.reduce((sum, [, w]) => sum + w, 0);
      const chosen = this.pick(`${name}:${qualifier}`, [[alias.version, rest], ...weights]);
      record.version = chosen;
      const version = fn.versions[chosen];
      const n = (this.counts.get(`${name}:${chosen}`) ?? 0) + 1;
      this.counts.set(`${name}:${chosen}`, n);
      if (version.latencyMs) await new Promise((r) => setTimeout(r, version.latencyMs));
      const headers = { 'x-amz-executed-version': chosen };
      try {
        return send(res, 200, JSON.stringify(version.handler(event, n) ?? null), headers);
      } catch (e) {
        const err = e as Error;
        return send(
          res,
          200,
          { errorMessage: err.message, errorType: err.name || 'Error', stackTrace: [] },
          { ...headers, 'x-amz-function-error': 'Unhandled' }
        );
      }
    }
    return error(res, 404, 'UnknownOperationException', `No route ${req.method} ${req.url}`);
  }
}
