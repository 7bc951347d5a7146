/**
 * sagemaker-runtime in the emulator (REST-JSON, signing name `sagemaker`): InvokeEndpoint,
 * `POST /endpoints/{EndpointName}/invocations`. The request goes to the fleet routing.ts picks, whose
 * container (hosting.ts) answers `POST /invocations` with the caller's body, Content-Type, Accept and
 * custom attributes; the answer carries the container's body and content type and
 * `x-Amzn-Invoked-Production-Variant`. A container answering 4xx/5xx is `ModelError` (424) with
 * OriginalStatusCode, OriginalMessage and LogStreamArn; an unknown endpoint or variant, or a payload
 * over 6 MB, is `ValidationError` (400); an instance that does not answer is `ServiceUnavailable`
 * (503). SageMaker's 60 s limit for the container's answer holds (real time). Every invocation
 * records the endpoint's CloudWatch metrics (metrics.ts). InvokeEndpointAsync and response streams
 * are not emulated: they are one UnknownOperationException naming the operation.
 */
import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Emulator, ServiceDefinition } from '../../server.js';
import { ACCOUNT_ID } from '../sts.js';
import { hostingState } from './state.js';
import { route } from './routing.js';
import { controlOf } from './control.js';
import { hostingOf, logGroupOf, logStreamArn } from './hosting.js';
import { recordInvocation } from './metrics.js';

export const MAX_PAYLOAD = 6 * 1024 * 1024;
const CONTAINER_TIMEOUT_MS = 60_000;
const PATH = /^\/endpoints\/([^/]+)\/(invocations|async-invocations|invocations-response-stream)$/;
const OPERATIONS: Record<string, string> = {
  invocations: 'InvokeEndpoint',
  'async-invocations': 'InvokeEndpointAsync',
  'invocations-response-stream': 'InvokeEndpointWithResponseStream'
};
const SERVING = new Set(['InService', 'Updating', 'UpdateRollbackFailed', 'SystemUpdating']);

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(',') : value;
}

function sendError(
  res: http.ServerResponse,
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {}
): void {
  const body = JSON.stringify({ message, ...extra });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-amzn-ErrorType': code,
    'x-amzn-RequestId': randomUUID()
  });
  res.end(body);
}

export function sagemakerRuntime(emulator: Emulator): ServiceDefinition {
  async function invoke(req: http.IncomingMessage, res: http.ServerResponse, name: string, body: Buffer) {
    const started = process.hrtime.bigint();
    controlOf(emulator)?.advance();
    const endpoint = hostingState(emulator).endpoints[name];
    if (!endpoint || !SERVING.has(endpoint.status))
      return sendError(res, 400, 'ValidationError', `Endpoint ${name} of account ${ACCOUNT_ID} not found.`);
    if (body.length > MAX_PAYLOAD)
      return sendError(
        res,
        413,
        'ValidationError',
        `The request payload is ${body.length} bytes: real-time inference takes at most ${MAX_PAYLOAD} bytes (6 MB).`
      );
    const progress = endpoint.op ? controlOf(emulator)?.progressOf(endpoint, endpoint.op) : undefined;
    const fleets = hostingState(emulator).fleets ?? {};
    const chosen = route(
      endpoint,
      progress,
      header(req, 'x-amzn-sagemaker-target-variant'),
      fleets,
      Math.random
    );
    if ('error' in chosen) return sendError(res, 400, 'ValidationError', chosen.error);
    const hosting = hostingOf(emulator);
    if (!hosting || !chosen.fleet)
      return sendError(
        res,
        503,
        'ServiceUnavailable',
        'The emulator runs with --hosting simulated: its endpoints have no containers to answer InvokeEndpoint. Start it with --hosting docker.'
      );
    const variant = endpoint.variants.find((v) => v.VariantName === chosen.variant);
    const instances = variant?.CurrentInstanceCount ?? 1;
    const instance = hosting.instance(chosen.fleet);
    const overhead = (modelMicros = 0) =>
      Math.max(0, Number((process.hrtime.bigint() - started) / 1000n) - modelMicros);
    if (!instance?.ready || !instance.container) {
      recordInvocation(emulator, {
        endpoint: name,
        variant: chosen.variant,
        status: 503,
        overheadMicros: overhead(),
        instances
      });
      return sendError(
        res,
        503,
        'ServiceUnavailable',
        `No instance of variant ${chosen.variant} of endpoint ${name} is answering now. See ${logGroupOf(name)} in CloudWatch Logs.`
      );
    }
    const forward: Record<string, string> = {};
    for (const h of [
      'content-type',
      'accept',
      'x-amzn-sagemaker-custom-attributes',
      'x-amzn-sagemaker-inference-id'
    ]) {
      const value = header(req, h);
      if (value !== undefined) forward[h] = value;
    }
    const modelStarted = process.hrtime.bigint();
    let answer: Response;
    let text: Buffer;
    try {
      answer = await fetch(`http://127.0.0.1:${instance.container.port}/invocations`, {
        method: 'POST',
        headers: forward,
        body,
        signal: AbortSignal.timeout(CONTAINER_TIMEOUT_MS)
      });
      text = Buffer.from(await answer.arrayBuffer());
    } catch (e) {
      const timedOut = (e as Error).name === 'TimeoutError';
      recordInvocation(emulator, {
        endpoint: name,
        variant: chosen.variant,
        status: timedOut ? 504 : 503,
        overheadMicros: overhead(),
        instances
      });
      return timedOut
        ? sendError(
            res,
            424,
            'ModelError',
            `Your invocation timed out while waiting for a response from container primary. Review the latency metrics for each container in Amazon CloudWatch, resolve the issue, and try again.`,
            { LogStreamArn: logStreamArn(instance) }
          )
        : sendError(
            res,
            503,
            'ServiceUnavailable',
            `The instance of variant ${chosen.variant} did not answer: ${(e as Error).message}.`
          );
    }
    const modelMicros = Number((process.hrtime.bigint() - modelStarted) / 1000n);
    recordInvocation(emulator, {
      endpoint: name,
      variant: chosen.variant,
      status: answer.status,
      modelMicros,
      overheadMicros: overhead(modelMicros),
      instances
    });
    if (answer.status >= 400) {
      const original = text.toString('utf8');
      const kind = answer.status >= 500 ? 'server' : 'client';
      return sendError(
        res,
        424,
        'ModelError',
        `Received ${kind} error (${answer.status}) from primary with message "${original}". See https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logEventViewer:group=${logGroupOf(name)} in account ${ACCOUNT_ID} for more information.`,
        { OriginalStatusCode: answer.status, OriginalMessage: original, LogStreamArn: logStreamArn(instance) }
      );
    }
    const headers: Record<string, string | number> = {
      'content-type': answer.headers.get('content-type') ?? 'application/octet-stream',
      'content-length': text.length,
      'x-Amzn-Invoked-Production-Variant': chosen.variant,
      'x-amzn-RequestId': randomUUID()
    };
    const attributes = answer.headers.get('x-amzn-sagemaker-custom-attributes');
    if (attributes !== null) headers['X-Amzn-SageMaker-Custom-Attributes'] = attributes;
    res.writeHead(200, headers);
    res.end(text);
  }

  return {
    name: 'sagemaker-runtime',
    signingName: 'sagemaker',
    protocol: 'json1.1',
    operations: {},
    raw: async (req, res, body) => {
      const match = PATH.exec(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
      if (!match) return undefined;
      const operation = OPERATIONS[match[2]];
      if (operation !== 'InvokeEndpoint' || req.method !== 'POST') {
        sendError(
          res,
          400,
          'UnknownOperationException',
          `sagemaker-runtime has no operation ${operation} in the emulator.`
        );
        return operation;
      }
      await invoke(req, res, decodeURIComponent(match[1]), body);
      return operation;
    }
  };
}
