/**
 * A loopback stand-in for the SageMaker Runtime REST API (and the one SageMaker call smoke-test makes
 * first), for the bundle test until the emulator serves InvokeEndpoint itself:
 * - `POST /endpoints/{name}/invocations`: picks a variant by the weights (smooth weighted round robin,
 *   so a split is exact) or by `X-Amzn-SageMaker-Target-Variant`, waits the variant's latency and
 *   answers with the container's body, its Content-Type and `x-Amzn-Invoked-Production-Variant`. A
 *   container status other than 2xx is a ModelError (HTTP 424, `x-amzn-errortype: ModelError`, JSON
 *   with OriginalStatusCode, OriginalMessage and LogStreamArn); an unknown endpoint or variant is a
 *   ValidationError (400).
 * - `DescribeEndpoint` (JSON 1.1, `X-Amz-Target: SageMaker.DescribeEndpoint`): the endpoint with its
 *   variants and weights; its status walks through `statuses` (one a call, the last one stays).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ContainerAnswer {
  status?: number;
  body: string;
  contentType?: string;
}

export interface VariantBehaviour {
  name: string;
  weight: number;
  latencyMs?: number;
  /** The container's answer; by default `{"predictions": [{"label": "class_0", "score": 0.9}]}`. */
  answer?: (request: { body: string; contentType: string; n: number }) => ContainerAnswer;
}

export interface StandInEndpoint {
  variants: VariantBehaviour[];
  /** EndpointStatus, one a DescribeEndpoint call; the last one stays (default InService). */
  statuses?: string[];
}

export interface Invocation {
  endpoint: string;
  targetVariant?: string;
  variant?: string;
  contentType?: string;
  body: string;
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

function send(res: http.ServerResponse, status: number, headers: Record<string, string>, body: string) {
  res.writeHead(status, { 'x-amzn-requestid': `req-${Math.random().toString(36).slice(2)}`, ...headers });
  res.end(body);
}

export class RuntimeStandIn {
  readonly invocations: Invocation[] = [];
  readonly describes: string[] = [];
  url = '';
  private readonly server: http.Server;
  private readonly current = new Map<string, number[]>();
  private readonly counts = new Map<string, number>();

  constructor(private readonly endpoints: Record<string, StandInEndpoint>) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.handle(req, Buffer.concat(chunks).toString('utf8'), res).catch((e) =>
          send(res, 500, { 'content-type': 'application/json' }, JSON.stringify({ message: String(e) }))
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

  /** Forgets the calls seen so far (and restarts the weighted round robin and status walks). */
  reset(): void {
    this.invocations.splice(0);
    this.describes.splice(0);
    this.current.clear();
    this.counts.clear();
  }

  private pick(name: string, variants: VariantBehaviour[]): VariantBehaviour {
    const current = this.current.get(name) ?? variants.map(() => 0);
    this.current.set(name, current);
    const total = variants.reduce((sum, v) => sum + v.weight, 0);
    let best = 0;
    variants.forEach((v, i) => {
      current[i] += v.weight;
      if (current[i] > current[best]) best = i;
    });
    current[best] -= total;
    return variants[best];
  }

  private async handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): Promise<void> {
    const invocation = /^\/endpoints\/([^/?]+)\/invocations$/.exec(req.url ?? '');
    if (req.method === 'POST' && invocation)
      return this.invoke(decodeURIComponent(invocation[1]), req, body, res);
    if (req.headers['x-amz-target'] === 'SageMaker.DescribeEndpoint') return this.describe(body, res);
    send(
      res,
      404,
      { 'content-type': 'application/json' },
      JSON.stringify({ message: `No route ${req.url}` })
    );
  }

  private async invoke(name: string, req: http.IncomingMessage, body: string, res: http.ServerResponse) {
    const target = req.headers['x-amzn-sagemaker-target-variant'] as string | undefined;
    const contentType = (req.headers['content-type'] as string | undefined) ?? 'application/octet-stream';
    const record: Invocation = { endpoint: name, targetVariant: target, contentType, body };
    this.invocations.push(record);
    const validation = (message: string) =>
      send(
        res,
        400,
        { 'content-type': 'application/json', 'x-amzn-errortype': 'ValidationError' },
        JSON.stringify({ message })
      );
    const endpoint = this.endpoints[name];
    if (!endpoint) return validation(`Endpoint ${name} of account ${ACCOUNT} not found.`);
    const variant = target
      ? endpoint.variants.find((v) => v.name === target)
      : this.pick(
          name,
          endpoint.variants.filter((v) => v.weight > 0)
        );
    if (!variant) return validation(`Variant ${target} not found for endpoint ${name}.`);
    record.variant = variant.name;
    const n = (this.counts.get(variant.name) ?? 0) + 1;
    this.counts.set(variant.name, n);
    if (variant.latencyMs) await new Promise((r) => setTimeout(r, variant.latencyMs));
    const answer = variant.answer?.({ body, contentType, n }) ?? {
      body: JSON.stringify({ predictions: [{ label: 'class_0', score: 0.9 }] })
    };
    const status = answer.status ?? 200;
    const common = { 'x-Amzn-Invoked-Production-Variant': variant.name };
    if (status >= 200 && status < 300) {
      return send(
        res,
        200,
        { ...common, 'content-type': answer.contentType ?? 'application/json' },
        answer.body
      );
    }
    const kind = status < 500 ? 'client' : 'server';
    send(
      res,
      424,
      { ...common, 'content-type': 'application/json', 'x-amzn-errortype': 'ModelError' },
      JSON.stringify({
        __type: 'ModelError',
        ErrorCode: `${kind.toUpperCase()}_ERROR_FROM_MODEL`,
        LogStreamArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/sagemaker/Endpoints/${name}`,
        Message: `Received ${kind} error (${status}) from primary with message "${answer.body}". See https://${REGION}.console.aws.amazon.com/cloudwatch/home?region=${REGION}#logEventViewer:group=/aws/sagemaker/Endpoints/${name} in account ${ACCOUNT} for more information.`,
        OriginalMessage: answer.body,
        OriginalStatusCode: status
      })
    );
  }

  private describe(body: string, res: http.ServerResponse) {
    const name = String((JSON.parse(body || '{}') as { EndpointName?: string }).EndpointName);
    this.describes.push(name);
    const endpoint = this.endpoints[name];
    const json = { 'content-type': 'application/x-amz-json-1.1' };
    if (!endpoint) {
      return send(
        res,
        400,
        json,
        JSON.stringify({
          __type: 'com.amazon.coral.validate#ValidationException',
          Message: `Could not find endpoint "arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/${name}".`
        })
      );
    }
    const seen = this.describes.filter((d) => d === name).length;
    const statuses = endpoint.statuses ?? ['InService'];
    const status = statuses[Math.min(seen, statuses.length) - 1];
    const now = Date.now() / 1000;
    send(
      res,
      200,
      json,
      JSON.stringify({
        EndpointName: name,
        EndpointArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/${name}`,
        EndpointConfigName: `${name}-config`,
        EndpointStatus: status,
        ProductionVariants: endpoint.variants.map((v) => ({
          VariantName: v.name,
          CurrentWeight: v.weight,
          DesiredWeight: v.weight,
          CurrentInstanceCount: 1,
          DesiredInstanceCount: 1
        })),
        CreationTime: now - 600,
        LastModifiedTime: now
      })
    );
  }
}
