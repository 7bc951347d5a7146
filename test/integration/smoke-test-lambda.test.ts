/**
 * smoke-test against a Lambda alias: the built bundle run as the runner runs it, against a loopback
 * stand-in of Lambda's Invoke, GetAlias and GetFunctionConfiguration routes, through the real SDK.
 * (When the emulator serves Invoke, this test moves to it.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBundle } from '../helpers/bundle.js';
import { LambdaStandIn, type Handler } from '../helpers/lambda-stand-in.js';
import { plantedCommands } from '../helpers/workflow-commands.js';

interface ProxyEvent {
  httpMethod?: string;
  body?: string;
}

/** The model as a handler: raw payloads answer directly; a proxy event gets a proxy result. */
const model =
  (version: string): Handler =>
  (event) => {
    const proxied = Boolean((event as ProxyEvent)?.httpMethod);
    let doc = event as { label?: string; bad?: boolean };
    if (proxied) {
      try {
        doc = JSON.parse((event as ProxyEvent).body ?? '') as typeof doc;
      } catch {
        doc = {};
      }
    }
    const bad = typeof doc === 'object' && doc?.bad;
    const answer = bad
      ? { error: 'instances must be a list' }
      : { predictions: [{ label: doc?.label ?? 'class_0', score: 0.9 }], version };
    if (!proxied) return answer;
    return {
      statusCode: bad ? 400 : 200,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(answer)
    };
  };

const standIn = new LambdaStandIn({
  wine: {
    versions: { '6': { handler: model('6') }, '7': { handler: model('7') } },
    aliases: { live: { version: '6', weights: { '7': 0.25 } }, staging: { version: '7' } }
  },
  broken: {
    versions: {
      '1': {
        handler: () => {
          throw new Error('this build is deliberately broken');
        }
      }
    },
    aliases: { live: { version: '1' } }
  },
  pending: {
    versions: {
      '3': { handler: model('3'), states: ['Pending/InProgress', 'Pending/InProgress', 'Active/Successful'] }
    },
    aliases: { live: { version: '3' } }
  },
  failed: {
    versions: { '2': { handler: model('2'), states: ['Failed/Failed'] } },
    aliases: { live: { version: '2' } }
  },
  unwrapped: {
    versions: { '4': { handler: () => ({ predictions: [] }) } },
    aliases: { live: { version: '4' } }
  },
  hostile: {
    versions: {
      '5': {
        handler: () => {
          throw new Error('oops\n::error::planted by the function\n::add-mask::planted');
        }
      }
    },
    aliases: { live: { version: '5' } }
  }
});
let env: Record<string, string>;
let workspace: string;

beforeAll(async () => {
  const url = await standIn.start();
  env = {
    AWS_ENDPOINT_URL: url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDSTANDIN',
    AWS_SECRET_ACCESS_KEY: 'stand-in-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    MLOPS_ACTIONS_TIME_SCALE: '0.01'
  };
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-lambda-workspace-'));
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(workspace, file)), { recursive: true });
    fs.writeFileSync(path.join(workspace, file), text);
  };
  // The requests file a SageMaker endpoint is tested with: statuses, JSON checks, a 400 expected.
  write(
    'smoke.jsonl',
    [
      '{"body": {"instances": [[1, 2]]}, "expect": {"json": {"predictions.0.label": "class_0", "predictions[0].score": {"exists": true}}}}',
      '{"body": {"instances": [[3, 4]], "label": "class_1"}, "expect": {"status": 200, "json": {"predictions.0.label": "class_1"}}}',
      '{"body": {"bad": true}, "expect": {"status": 400, "json": {"error": "instances must be a list"}}}',
      '{"body": {"instances": [[5, 6]]}}'
    ].join('\n') + '\n'
  );
  write('plain.jsonl', '{"body": {"a": 1}}\n{"body": {"b": 2}}\n');
  write('text.jsonl', '{"body": "not json", "content-type": "text/csv"}\n');
  write(
    'wrong.jsonl',
    '{"body": {"label": "class_0"}, "expect": {"json": {"predictions.0.label": "class_1"}}}\n'
  );
});
afterAll(() => standIn.stop());
beforeEach(() => standIn.reset());

const run = (inputs: Record<string, string>) =>
  runBundle('smoke-test', inputs, { env, workspace, timeoutMs: 120_000 });
const versions = (outputs: Record<string, string>) =>
  JSON.parse(outputs.variants) as Record<string, { requests: number; errors: number }>;

describe('smoke-test on a Lambda alias', () => {
  it('raw: the request bodies are the payloads, and the split of the weighted alias shows per executed version', async () => {
    const result = await run({ 'function-name': 'wine', requests: 'plain.jsonl', count: '4' });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ status: 'passed', requests: '8', errors: '0' });
    const split = versions(result.outputs);
    expect(Object.keys(split)).toEqual(['6', '7']);
    expect([split['6'].requests, split['7'].requests]).toEqual([6, 2]);
    expect(standIn.invocations).toHaveLength(8);
    expect(standIn.invocations.every((i) => i.qualifier === 'live')).toBe(true);
    expect(standIn.invocations.map((i) => i.payload)).toContain('{"a":1}');
    expect(standIn.reads).toEqual([
      'GetFunctionConfiguration wine',
      'GetAlias wine:live',
      'GetFunctionConfiguration wine:6',
      'GetFunctionConfiguration wine:7'
    ]);
    expect(result.log).toContain('alias wine:live routes to version 6 (75%), version 7 (25%).');
    expect(result.summary).toContain('## smoke-test: passed on `wine:live`');
    expect(result.summary).toContain('| Alias | `live`: version 6 (75%), version 7 (25%) |');
    expect(result.summary).toContain('### Executed versions');
    expect(result.summary).toContain('| `6` | 6 | 0 |');
    expect(result.summary).toMatch(
      /pie showData title Traffic observed by version\n {2}"6" : 6\n {2}"7" : 2/
    );
  });

  it('api-gateway: the SageMaker requests file judges the function, each request a REST proxy event, each result unwrapped', async () => {
    const result = await run({
      'function-name': 'wine',
      alias: 'staging',
      event: 'api-gateway',
      requests: 'smoke.jsonl'
    });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ status: 'passed', requests: '4', errors: '0' });
    expect(Object.keys(versions(result.outputs))).toEqual(['7']);
    const events = standIn.invocations.map((i) => JSON.parse(i.payload) as Record<string, unknown>);
    expect(events[0]).toMatchObject({
      resource: '/',
      path: '/',
      httpMethod: 'POST',
      headers: { 'Content-Type': 'application/json' },
      multiValueHeaders: { 'Content-Type': ['application/json'] },
      queryStringParameters: null,
      requestContext: {
        stage: 'smoke',
        httpMethod: 'POST',
        path: '/smoke/',
        identity: { sourceIp: '127.0.0.1' }
      },
      body: '{"instances":[[1,2]]}',
      isBase64Encoded: false
    });
    const ids = events.map((e) => (e.requestContext as { requestId: string }).requestId);
    expect(new Set(ids).size).toBe(4);
    expect(result.summary).toContain('api-gateway (REST proxy event; statusCode and body unwrapped)');
  });

  it('api-gateway: a status of 400 or more where 200 was expected fails, and so does a result that is no proxy result (502)', async () => {
    fs.writeFileSync(path.join(workspace, 'bad-only.jsonl'), '{"body": {"bad": true}}\n');
    const bad = await run({
      'function-name': 'wine',
      alias: 'staging',
      event: 'api-gateway',
      requests: 'bad-only.jsonl'
    });
    expect(bad.exitCode).toBe(1);
    expect(bad.errors).toEqual([
      '1 of 1 requests failed (100%), above max-error-rate 0%: the first, from line 1 of bad-only.jsonl, got status 400 ({"error":"instances must be a list"}) where 200 was expected (version 7).'
    ]);

    const malformed = await run({
      'function-name': 'unwrapped',
      event: 'api-gateway',
      requests: 'plain.jsonl'
    });
    expect(malformed.exitCode).toBe(1);
    expect(malformed.errors[0]).toContain(
      'got status 502 (Malformed Lambda proxy response: {"predictions":[]}) where 200 was expected (version 4).'
    );
  });

  it('a function error (X-Amz-Function-Error) is a failed request, with the error message shown', async () => {
    const result = await run({ 'function-name': 'broken', requests: 'plain.jsonl', concurrency: '1' });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([
      '2 of 2 requests failed (100%), above max-error-rate 0%: the first, from line 1 of plain.jsonl, got no answer from the model (function error (Unhandled) Error: this build is deliberately broken) where status 200 was expected (version 1).'
    ]);
    expect(result.outputs).toMatchObject({ status: 'failed', errors: '2', 'error-rate': '1' });
    expect(result.summary).toContain('### First failing requests (2 of 2)');
    expect(result.summary).toContain('| Request | Version | Why | Body |');
  });

  it('a wrong answer names the version that gave it', async () => {
    const result = await run({ 'function-name': 'wine', alias: 'staging', requests: 'wrong.jsonl' });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([
      'The request from line 1 of wrong.jsonl answered predictions.0.label = "class_0" where "class_1" was expected (version 7); 1 of 1 requests failed.'
    ]);
  });

  it('waits for a version that is Pending until it is Active, then sends; a Failed one stops the test before any request', async () => {
    const result = await run({ 'function-name': 'pending', requests: 'plain.jsonl' });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain('function pending version 3: State Pending, LastUpdateStatus InProgress');
    expect(standIn.reads.filter((r) => r === 'GetFunctionConfiguration pending:3')).toHaveLength(3);
    expect(standIn.invocations).toHaveLength(2);

    standIn.reset();
    const failed = await run({ 'function-name': 'failed', requests: 'plain.jsonl' });
    expect(failed.exitCode).toBe(1);
    expect(failed.errors).toEqual([
      'Function failed version 2 (behind alias live) is State Failed, LastUpdateStatus Failed, not Active: no request was sent.'
    ]);
    expect(standIn.invocations).toEqual([]);
  });

  it('obeys no workflow command from a function error', async () => {
    const result = await run({
      'function-name': 'hostile',
      requests: 'plain.jsonl',
      'max-error-rate': '100%'
    });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain('planted by the function');
    expect(plantedCommands(result, /^planted/)).toEqual([]);
  });

  it('a function Lambda does not know stops the test with one sentence (wait-for-in-service false)', async () => {
    const result = await run({
      'function-name': 'ghost',
      requests: 'plain.jsonl',
      'wait-for-in-service': 'false'
    });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([
      'Lambda refused to invoke ghost:live (ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:123456789012:function:ghost): check function-name, alias, region and the requests.'
    ]);
    expect(standIn.reads).toEqual([]);
  });
});

const base = { 'function-name': 'wine', requests: 'plain.jsonl' };
const cases: Array<[input: string, inputs: Record<string, string>, message: string]> = [
  [
    'function-name',
    { ...base, 'endpoint-name': 'news' },
    'Inputs "endpoint-name" and "function-name" cannot both be given: test a SageMaker endpoint or a Lambda function, one per step.'
  ],
  [
    'endpoint-name',
    { requests: 'plain.jsonl' },
    'Input "endpoint-name" or "function-name" is required: give the SageMaker endpoint, or the Lambda function (with alias), to test.'
  ],
  ['event', { ...base, event: 'http' }, 'Input "event" must be raw or api-gateway, but got "http".'],
  [
    'event',
    { 'endpoint-name': 'news', requests: 'plain.jsonl', event: 'api-gateway' },
    'Input "event" must be raw with endpoint-name: api-gateway events are for a Lambda function'
  ],
  [
    'alias',
    { 'endpoint-name': 'news', requests: 'plain.jsonl', alias: 'live' },
    'Input "alias" is for a Lambda function'
  ],
  [
    'alias',
    { ...base, alias: '$LATEST' },
    'Input "alias" must name an alias such as live, but got "$LATEST", the unpublished code'
  ],
  ['alias', { ...base, alias: '7' }, 'but got "7", a version number'],
  ['alias', { ...base, alias: 'live/blue' }, 'Input "alias" must be a Lambda alias name'],
  ['alias', { ...base, alias: 'blue' }, 'Input "alias" names blue, but function wine has no such alias'],
  [
    'target-variant',
    { ...base, 'target-variant': 'Canary' },
    'Input "target-variant" is for a SageMaker endpoint'
  ],
  ['function-name', { ...base, 'function-name': 'wine:live' }, 'give the alias in the input "alias"'],
  [
    'function-name',
    { ...base, 'function-name': 'wine classifier' },
    'Input "function-name" must be a Lambda function name'
  ],
  [
    'function-name',
    { ...base, 'function-name': 'ghost' },
    'Input "function-name" names ghost, which does not exist in this region'
  ],
  [
    'requests',
    { ...base, requests: 'text.jsonl' },
    'Input "requests": line 1 of text.jsonl has a body that is not JSON, which Lambda refuses as a payload (event: raw): send JSON, or give event: api-gateway.'
  ],
  [
    'requests',
    { ...base, requests: '../outside.jsonl' },
    'Input "requests" must be a path inside the workspace'
  ]
];

describe('smoke-test bad Lambda inputs: one sentence naming the input, exit code 1, no request sent', () => {
  it.each(cases)('%s: %j', async (input, inputs, message) => {
    const result = await run(inputs);
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    const [error] = result.errors;
    expect(error).toContain(message);
    expect(error).toContain(`"${input}"`);
    expect(error).not.toContain('\n');
    expect(error).toMatch(/^[A-Z].*\.$/);
    expect(result.log).not.toMatch(/^\s+at /m);
    expect(standIn.invocations).toEqual([]);
  });
});
