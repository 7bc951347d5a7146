/** smoke-test's Lambda side: the API Gateway event and its unwrapping, the Invoke requests, readiness. */
import {
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  type InvokeCommandOutput,
  ResourceNotFoundException
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { UserError } from '../../../src/errors.js';
import { MemoryLogger } from '../../../src/report.js';
import { proxyAnswer, proxyEvent } from '../../../src/smoke/apigateway.js';
import {
  functionErrorText,
  invokeErrorAnswer,
  lambdaInvoke,
  payloadOf,
  type LambdaTarget
} from '../../../src/smoke/lambda.js';
import { waitUntilActive } from '../../../src/smoke/lambda-ready.js';
import { judgeAnswer } from '../../../src/smoke/expect.js';
import { parseRequests } from '../../../src/smoke/requests.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');
/** A payload as the SDK's output types it (a Uint8Array with helpers the code does not use). */
const blob = (text: string) => bytes(text) as unknown as InvokeCommandOutput['Payload'];
const text = (b: Uint8Array | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8');
const target = (event: LambdaTarget['event'] = 'raw'): LambdaTarget => ({
  functionName: 'wine',
  alias: 'live',
  event
});

describe('the API Gateway proxy event (REST, payload format 1.0)', () => {
  it('carries the body as a string, the headers, and the request context of a POST', () => {
    const event = proxyEvent({
      body: bytes('{"instances": [[1]]}'),
      contentType: 'application/json',
      requestId: 'id-1',
      now: 1_700_000_000_000
    });
    expect(event).toEqual({
      resource: '/',
      path: '/',
      httpMethod: 'POST',
      headers: {
        Accept: 'application/json',
        'Content-Type': 'application/json',
        'User-Agent': 'mlops-actions-smoke-test',
        'X-Forwarded-For': '127.0.0.1',
        'X-Forwarded-Proto': 'https'
      },
      multiValueHeaders: {
        Accept: ['application/json'],
        'Content-Type': ['application/json'],
        'User-Agent': ['mlops-actions-smoke-test'],
        'X-Forwarded-For': ['127.0.0.1'],
        'X-Forwarded-Proto': ['https']
      },
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
      pathParameters: null,
      stageVariables: null,
      requestContext: {
        resourcePath: '/',
        httpMethod: 'POST',
        path: '/smoke/',
        stage: 'smoke',
        requestId: 'id-1',
        requestTimeEpoch: 1_700_000_000_000,
        protocol: 'HTTP/1.1',
        identity: { sourceIp: '127.0.0.1', userAgent: 'mlops-actions-smoke-test' }
      },
      body: '{"instances": [[1]]}',
      isBase64Encoded: false
    });
  });

  it('sends bytes that are not UTF-8 as base64', () => {
    const body = Buffer.from([0xff, 0xd8, 0xff, 0x00]);
    const event = proxyEvent({ body, contentType: 'image/jpeg', requestId: 'x', now: 0 });
    expect(event).toMatchObject({ body: body.toString('base64'), isBase64Encoded: true });
    expect(event.headers).toMatchObject({ 'Content-Type': 'image/jpeg' });
  });
});

describe('unwrapping the proxy result', () => {
  it('a 200 is the status and body the expectations see, with its content type', () => {
    const answer = proxyAnswer(
      bytes(JSON.stringify({ statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'hi' })),
      '7'
    );
    expect(answer).toEqual({
      status: 200,
      body: bytes('hi'),
      contentType: 'text/plain',
      variant: '7',
      error: undefined
    });
  });

  it('decodes a base64 body', () => {
    const answer = proxyAnswer(
      bytes(
        JSON.stringify({
          statusCode: 200,
          body: Buffer.from('{"a":1}').toString('base64'),
          isBase64Encoded: true
        })
      )
    );
    expect(text(answer.body)).toBe('{"a":1}');
  });

  it('a status of 400 or more carries its body as the error, and a 400 expected passes', () => {
    const answer = proxyAnswer(bytes(JSON.stringify({ statusCode: 400, body: '{"error": "bad"}' })), '7');
    expect(answer).toMatchObject({ status: 400, error: '{"error": "bad"}' });
    const [wants200, wants400] = parseRequests(
      '{"body": 1}\n{"body": 1, "expect": {"status": 400, "json": {"error": "bad"}}}\n',
      'r.jsonl',
      'application/json'
    );
    expect(judgeAnswer(wants200.expect, answer)).toEqual({
      ok: false,
      kind: 'status',
      why: 'got status 400 ({"error": "bad"}) where 200 was expected'
    });
    expect(judgeAnswer(wants400.expect, answer)).toEqual({ ok: true });
  });

  it.each([
    ['not JSON', 'Traceback...'],
    ['no statusCode', '{"predictions": []}'],
    ['a statusCode that is not an integer', '{"statusCode": "200", "body": ""}'],
    ['a body that is not a string', '{"statusCode": 200, "body": {"a": 1}}'],
    ['a list', '[1]']
  ])('%s is a malformed proxy response: 502, as API Gateway answers', (_, payload) => {
    const answer = proxyAnswer(bytes(payload));
    expect(answer.status).toBe(502);
    expect(answer.error).toMatch(/^Malformed Lambda proxy response: /);
  });

  it('a result without a body is an empty body', () => {
    expect(text(proxyAnswer(bytes('{"statusCode": 204}')).body)).toBe('');
  });
});

describe('Invoke', () => {
  const lambda = mockClient(LambdaClient);
  beforeEach(() => lambda.reset());
  const request = { body: bytes('{"instances": [[1]]}'), contentType: 'application/json' };

  it('raw: the body is the payload, sent to the alias; the executed version is the variant', async () => {
    lambda
      .on(InvokeCommand)
      .resolves({ StatusCode: 200, ExecutedVersion: '7', Payload: blob('{"ok":true}') });
    const answer = await lambdaInvoke(lambda as unknown as LambdaClient, target())(request);
    const [call] = lambda.commandCalls(InvokeCommand);
    expect(call.args[0].input).toEqual({
      FunctionName: 'wine',
      Qualifier: 'live',
      InvocationType: 'RequestResponse',
      Payload: request.body
    });
    expect(answer).toMatchObject({ status: 200, variant: '7', contentType: 'application/json' });
    expect(text(answer.body)).toBe('{"ok":true}');
  });

  it('api-gateway: the payload is the proxy event, the result unwrapped', async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      ExecutedVersion: '8',
      Payload: blob('{"statusCode": 201, "body": "made"}')
    });
    const answer = await lambdaInvoke(lambda as unknown as LambdaClient, target('api-gateway'))(request);
    const sent = JSON.parse(
      text(lambda.commandCalls(InvokeCommand)[0].args[0].input.Payload as Uint8Array)
    ) as {
      body: string;
      httpMethod: string;
    };
    expect(sent).toMatchObject({ httpMethod: 'POST', body: '{"instances": [[1]]}' });
    expect(answer).toMatchObject({ status: 201, variant: '8' });
    expect(text(answer.body)).toBe('made');
  });

  it('payloadOf gives each event its own request id', () => {
    let n = 0;
    const id = () => `id-${++n}`;
    const first = JSON.parse(text(payloadOf(target('api-gateway'), request, () => 5, id)));
    const second = JSON.parse(text(payloadOf(target('api-gateway'), request, () => 5, id)));
    expect([first.requestContext.requestId, second.requestContext.requestId]).toEqual(['id-1', 'id-2']);
  });

  it('a function error is an answer without a status, with the error message', async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      ExecutedVersion: '8',
      FunctionError: 'Unhandled',
      Payload: blob('{"errorMessage": "broken build", "errorType": "RuntimeError", "stackTrace": []}')
    });
    const answer = await lambdaInvoke(lambda as unknown as LambdaClient, target('api-gateway'))(request);
    expect(answer).toEqual({ variant: '8', error: 'function error (Unhandled) RuntimeError: broken build' });
  });

  it('function errors that are not JSON are shown as text', () => {
    expect(functionErrorText('Unhandled', bytes('died'))).toBe('function error (Unhandled) died');
    expect(functionErrorText('Unhandled', undefined)).toBe('function error (Unhandled) (no message)');
  });

  it("Lambda's own failures are answers without a status; an unknown function stops the test", async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
    expect(invokeErrorAnswer(throttled, target())).toEqual({
      error: 'TooManyRequestsException: Rate exceeded'
    });
    lambda
      .on(InvokeCommand)
      .rejects(new ResourceNotFoundException({ message: 'Function not found: wine:live', $metadata: {} }));
    await expect(lambdaInvoke(lambda as unknown as LambdaClient, target())(request)).rejects.toThrow(
      new UserError(
        'Lambda refused to invoke wine:live (ResourceNotFoundException: Function not found: wine:live): check function-name, alias, region and the requests.'
      )
    );
  });
});

describe('readiness', () => {
  const lambda = mockClient(LambdaClient);
  beforeEach(() => lambda.reset());
  const options = () => ({
    lambda: lambda as unknown as LambdaClient,
    log: new MemoryLogger(),
    timeoutSeconds: 60,
    minDelayMs: 1,
    maxDelayMs: 1
  });

  it('reads the alias, then waits for each version it routes to to be Active', async () => {
    lambda.on(GetFunctionConfigurationCommand, { FunctionName: 'wine' }).resolves({ State: 'Active' });
    lambda
      .on(GetAliasCommand)
      .resolves({ FunctionVersion: '6', RoutingConfig: { AdditionalVersionWeights: { '7': 0.1 } } });
    lambda
      .on(GetFunctionConfigurationCommand, { FunctionName: 'wine', Qualifier: '6' })
      .resolves({ State: 'Active', LastUpdateStatus: 'Successful' });
    lambda
      .on(GetFunctionConfigurationCommand, { FunctionName: 'wine', Qualifier: '7' })
      .resolvesOnce({ State: 'Pending', LastUpdateStatus: 'InProgress' })
      .resolves({ State: 'Active', LastUpdateStatus: 'Successful' });
    const o = options();
    const routing = await waitUntilActive(target(), o);
    expect(routing).toEqual([
      { version: '6', weight: 0.9 },
      { version: '7', weight: 0.1 }
    ]);
    expect(lambda.commandCalls(GetAliasCommand)[0].args[0].input).toEqual({
      FunctionName: 'wine',
      Name: 'live'
    });
    const qualifiers = lambda
      .commandCalls(GetFunctionConfigurationCommand)
      .map((c) => c.args[0].input.Qualifier ?? '-');
    expect(qualifiers).toEqual(['-', '6', '7', '7']);
    expect(o.log.lines.join('\n')).toContain(
      'function wine version 7: State Pending, LastUpdateStatus InProgress'
    );
  });

  it('an update InProgress on an Active version is waited for too', async () => {
    lambda.on(GetFunctionConfigurationCommand, { FunctionName: 'wine' }).resolves({ State: 'Active' });
    lambda.on(GetAliasCommand).resolves({ FunctionVersion: '6' });
    lambda
      .on(GetFunctionConfigurationCommand, { FunctionName: 'wine', Qualifier: '6' })
      .resolvesOnce({ State: 'Active', LastUpdateStatus: 'InProgress' })
      .resolves({ State: 'Active', LastUpdateStatus: 'Successful' });
    await waitUntilActive(target(), options());
    expect(lambda.commandCalls(GetFunctionConfigurationCommand)).toHaveLength(3);
  });

  it('a Failed version stops the test before any request (the emulator never makes State Failed, so here)', async () => {
    lambda.on(GetFunctionConfigurationCommand, { FunctionName: 'wine' }).resolves({ State: 'Active' });
    lambda.on(GetAliasCommand).resolves({ FunctionVersion: '2' });
    lambda
      .on(GetFunctionConfigurationCommand, { FunctionName: 'wine', Qualifier: '2' })
      .resolves({ State: 'Failed', LastUpdateStatus: 'Failed' });
    await expect(waitUntilActive(target(), options())).rejects.toThrow(
      'Function wine version 2 (behind alias live) is State Failed, LastUpdateStatus Failed, not Active: no request was sent.'
    );
  });

  it('a missing function or alias is a sentence naming the input', async () => {
    const missing = new ResourceNotFoundException({ message: 'Function not found', $metadata: {} });
    lambda.on(GetFunctionConfigurationCommand).rejects(missing);
    await expect(waitUntilActive(target(), options())).rejects.toThrow(
      'Input "function-name" names wine, which does not exist in this region: check the name and region, or deploy it first.'
    );
    lambda.reset();
    lambda.on(GetFunctionConfigurationCommand).resolves({ State: 'Active' });
    lambda.on(GetAliasCommand).rejects(missing);
    await expect(waitUntilActive(target(), options())).rejects.toThrow(
      'Input "alias" names live, but function wine has no such alias'
    );
  });

  it('a version still Pending at wait-timeout stops the test, saying how it was left', async () => {
    lambda.on(GetFunctionConfigurationCommand, { FunctionName: 'wine' }).resolves({ State: 'Active' });
    lambda.on(GetAliasCommand).resolves({ FunctionVersion: '6' });
    lambda
      .on(GetFunctionConfigurationCommand, { FunctionName: 'wine', Qualifier: '6' })
      .resolves({ State: 'Pending', LastUpdateStatus: 'InProgress' });
    await expect(waitUntilActive(target(), { ...options(), timeoutSeconds: 0.01 })).rejects.toThrow(
      /^Timed out after .* waiting for function wine version 6; it was left State Pending, LastUpdateStatus InProgress; no request was sent: raise wait-timeout/
    );
  });
});
