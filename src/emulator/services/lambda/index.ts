/**
 * AWS Lambda in the emulator: the control plane (REST-JSON, signing name `lambda`) over the state of
 * state.ts, with Lambda's routes, validation, messages and error codes.
 *
 * Emulated: CreateFunction (image functions: PackageType Image, Code.ImageUri an image of the
 * emulator's ECR, resolved to its digest), GetFunction, GetFunctionConfiguration, UpdateFunctionCode,
 * UpdateFunctionConfiguration (MemorySize, Timeout, Environment, Role, Description), PublishVersion
 * (CodeSha256 and RevisionId preconditions; nothing changed since the last version returns it),
 * ListVersionsByFunction, ListFunctions, DeleteFunction (a version too, unless an alias uses it),
 * Create/Get/Update/List/DeleteAlias (RoutingConfig with one weighted version, RevisionId),
 * Put/Get/Delete/ListProvisionedConcurrencyConfig(s), TagResource, UntagResource, ListTags and
 * Create/Get/Update/DeleteFunctionUrlConfig. `State` (Pending -> Active), `LastUpdateStatus`
 * (InProgress -> Successful, or Failed with the `lambdaUpdateFails` fault) and provisioned
 * concurrency (IN_PROGRESS -> READY) move on the scaled clock (timeline.ts). The `throttle` fault
 * answers TooManyRequestsException (429) on control-plane calls.
 *
 * Invoke (`POST /2015-03-31/functions/{FunctionName}/invocations`) is handed to invoke.ts.
 * Not emulated: Zip packages, layers, permissions (AddPermission), event source mappings,
 * concurrency limits (PutFunctionConcurrency), code signing, event invoke configs, SnapStart, VPCs,
 * InvokeAsync and response streaming: each answers UnknownOperationException naming the request.
 */
import type http from 'node:http';
import type { Emulator, ServiceDefinition } from '../../server.js';
import { AwsError } from '../../protocol.js';
import { LambdaError, sendError, sendJson, tooManyRequests } from './errors.js';
import { handleInvoke } from './invoke.js';
import { matchRoute } from './routes.js';
import { advance } from './timeline.js';
import { functionRef, qualifierOf } from './validate.js';

function regionOf(req: http.IncomingMessage): string {
  const scope = /Credential=[^/]+\/\d+\/([^/]+)\//.exec(req.headers.authorization ?? '');
  return scope?.[1] ?? 'us-east-1';
}

export function lambda(emulator: Emulator): ServiceDefinition {
  async function handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<string> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const matched = matchRoute(method, url);
    if (!matched) {
      sendError(
        res,
        new LambdaError(
          'UnknownOperationException',
          `lambda has no operation for ${method} ${url.pathname} in the emulator.`
        )
      );
      return 'UnknownOperation';
    }
    const { route, params } = matched;
    try {
      if (!route.handler) {
        const ref = functionRef(params.FunctionName);
        const qualifier = qualifierOf(ref, url.searchParams.get('Qualifier'));
        await handleInvoke(emulator, req, res, ref.name, qualifier, body);
        return route.operation;
      }
      if (emulator.throttled()) throw tooManyRequests();
      let input: unknown = {};
      if (body.length) {
        try {
          input = JSON.parse(body.toString('utf8'));
        } catch {
          throw new LambdaError('InvalidRequestContentException', 'Could not parse request body into json');
        }
      }
      const answer = await route.handler({
        emulator,
        region: regionOf(req),
        params,
        query: url.searchParams,
        body: input
      });
      if (!/^(Get|List)/.test(route.operation)) emulator.save();
      sendJson(res, answer.status, answer.body);
    } catch (e) {
      if (!(e instanceof AwsError)) throw e;
      if (!res.headersSent) sendError(res, e);
    }
    return route.operation;
  }

  return {
    name: 'lambda',
    signingName: 'lambda',
    protocol: 'json1.1',
    operations: {},
    advance: () => advance(emulator),
    raw: handle
  };
}
