/**
 * smoke-test against a Lambda alias: the built bundle run as the runner runs it, against the
 * emulator's Lambda with real execution environments (docker hosting, on a manual clock) through the
 * real SDK. Functions are made as a deploy makes them (CreateFunction, PublishVersion, aliases with
 * weights) from the example's Lambda image (examples/wine-classifier/lambda, its model and a broken
 * build) or, where a case needs a behaviour the example has not, the fixture runtime
 * (test/fixtures/lambda-runtime: echoes the API Gateway event, raises what it is told).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UpdateAliasCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DURATIONS } from '../../src/emulator/services/lambda/timeline.js';
import { ROOT, runBundle } from '../helpers/bundle.js';
import { docker } from '../helpers/docker.js';
import {
  EXAMPLE,
  REGISTRY,
  buildExampleLambdaImage,
  deleteFromRegistry,
  ensureBaseImage,
  removeLocalImages,
  uniqueName
} from '../helpers/images.js';
import {
  ecrUri,
  fixtureImage,
  leftContainers,
  makeFunction,
  settled,
  startLambdaWorld,
  type LambdaWorld
} from '../helpers/lambda-emulator.js';
import { until } from '../helpers/lambda-runs.js';
import { plantedCommands } from '../helpers/workflow-commands.js';

let world: LambdaWorld;
let env: Record<string, string>;
let workspace: string;
let good: string;
const repository = uniqueName('lambda-smoke');
const WINE = [14.23, 1.71, 2.43, 15.6, 127, 2.8, 3.06, 0.28, 2.29, 5.64, 1.04, 3.92, 1065];

/** The Lambda operations the emulator served since the last reset, in order. */
const lambdaCalls = () => world.emulator.calls.filter((c) => c.service === 'lambda').map((c) => c.operation);
const alive = (fn: string, version = '1') => ({
  versions: [{ environment: { BUILD: fn } }],
  aliases: { live: { version } }
});

beforeAll(async () => {
  ensureBaseImage();
  for (const [tag, args] of [
    ['good', { MODEL_VERSION: 'smoke' }],
    ['broken', { BROKEN_INVOCATIONS: '1' }]
  ] as const) {
    buildExampleLambdaImage(`${REGISTRY}/${repository}:${tag}`, args);
    docker(['push', '-q', `${REGISTRY}/${repository}:${tag}`]);
  }
  world = await startLambdaWorld({ hosting: 'docker' });
  good = await ecrUri(world, repository, 'good');
  const fixture = await fixtureImage(world);
  // Two builds of the model behind a weighted alias (75% / 25%), and a staging alias on the second.
  await makeFunction(world, 'wine', {
    image: good,
    versions: [{ environment: { MODEL_VERSION: 'v1' } }, { environment: { MODEL_VERSION: 'v2' } }],
    aliases: { live: { version: '1', weights: { '2': 0.25 } }, staging: { version: '2' } }
  });
  await makeFunction(world, 'broken', {
    image: await ecrUri(world, repository, 'broken'),
    ...alive('broken')
  });
  await makeFunction(world, 'updating', { image: good, ...alive('updating') });
  for (const name of ['echo', 'unwrapped', 'hostile'])
    await makeFunction(world, name, { image: fixture, ...alive(name) });
  env = {
    AWS_ENDPOINT_URL: world.emulator.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDEMULATOR',
    AWS_SECRET_ACCESS_KEY: 'emulator-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    MLOPS_ACTIONS_TIME_SCALE: '0.01'
  };
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-lambda-workspace-'));
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(workspace, file)), { recursive: true });
    fs.writeFileSync(path.join(workspace, file), text);
  };
  // The example's own requests file, as the SageMaker endpoint is smoke-tested with it.
  fs.copyFileSync(
    path.join(ROOT, EXAMPLE, 'serving/smoke/requests.jsonl'),
    path.join(workspace, 'requests.jsonl')
  );
  // Raw: the request body is the payload, here the proxy event the example's handler reads.
  const proxy = JSON.stringify({ body: JSON.stringify({ instances: [WINE] }) });
  write('plain.jsonl', `{"body": ${proxy}, "expect": {"json": {"statusCode": 200}}}\n{"body": ${proxy}}\n`);
  write('echo.jsonl', '{"body": {"instances": [[1, 2]]}}\n{"body": {"instances": [[3, 4]]}}\n');
  write('text.jsonl', '{"body": "not json", "content-type": "text/csv"}\n');
  write('wrong.jsonl', '{"body": {"instances": [[1, 2, 3]]}, "expect": {"status": 200}}\n');
  write('unwrapped.jsonl', '{"body": {"result": {"predictions": []}}}\n');
  write(
    'hostile.jsonl',
    `{"body": ${JSON.stringify({ raise: 'oops\n::error::planted by the function\n::add-mask::planted' })}}\n`
  );
}, 300_000);

afterAll(async () => {
  await world?.stop();
  expect(await leftContainers(world)).toEqual([]);
  await deleteFromRegistry(repository);
  removeLocalImages(repository);
}, 60_000);
beforeEach(() => {
  world.emulator.calls.length = 0;
});

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
    expect(Object.keys(split)).toEqual(['1', '2']);
    expect([split['1'].requests, split['2'].requests]).toEqual([6, 2]);
    expect(lambdaCalls()).toEqual([
      'GetFunctionConfiguration',
      'GetAlias',
      'GetFunctionConfiguration',
      'GetFunctionConfiguration',
      ...Array(8).fill('Invoke')
    ]);
    expect(result.log).toContain('alias wine:live routes to version 1 (75%), version 2 (25%).');
    expect(result.summary).toContain('## smoke-test: passed on `wine:live`');
    expect(result.summary).toContain('| Alias | `live`: version 1 (75%), version 2 (25%) |');
    expect(result.summary).toContain('### Executed versions');
    expect(result.summary).toContain('| `1` | 6 | 0 |');
    expect(result.summary).toMatch(
      /pie showData title Traffic observed by version\n {2}"1" : 6\n {2}"2" : 2/
    );
  }, 120_000);

  it("api-gateway: the example's requests file judges the function, each request a REST proxy event, each result unwrapped", async () => {
    const result = await run({
      'function-name': 'wine',
      alias: 'staging',
      event: 'api-gateway',
      requests: 'requests.jsonl'
    });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ status: 'passed', requests: '4', errors: '0' });
    expect(Object.keys(versions(result.outputs))).toEqual(['2']);
    expect(result.summary).toContain('api-gateway (REST proxy event; statusCode and body unwrapped)');
  }, 120_000);

  it('api-gateway: the events are REST proxy events, each with its own request id (as the function logged them)', async () => {
    const result = await run({ 'function-name': 'echo', event: 'api-gateway', requests: 'echo.jsonl' });
    expect(result.errors).toEqual([]);
    const events = await until(async () => {
      const page = await world.logs.send(
        new FilterLogEventsCommand({ logGroupName: '/aws/lambda/echo', filterPattern: '"proxy event"' })
      );
      return (page.events?.length ?? 0) >= 2 ? page.events : undefined;
    });
    const parsed = events!.map(
      (e) => JSON.parse(e.message!.replace(/^proxy event /, '')) as Record<string, unknown>
    );
    // Requests run concurrently: find the first one's event by its body, not by log order.
    const first = parsed.find((e) => e.body === '{"instances":[[1,2]]}');
    expect(first).toMatchObject({
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
    const ids = parsed.map((e) => (e.requestContext as { requestId: string }).requestId);
    expect(new Set(ids).size).toBe(2);
  }, 120_000);

  it('api-gateway: a status of 400 or more where 200 was expected fails, and so does a result that is no proxy result (502)', async () => {
    const bad = await run({
      'function-name': 'wine',
      alias: 'staging',
      event: 'api-gateway',
      requests: 'wrong.jsonl'
    });
    expect(bad.exitCode).toBe(1);
    expect(bad.errors).toHaveLength(1);
    expect(bad.errors[0]).toMatch(
      /^1 of 1 requests failed \(100%\), above max-error-rate 0%: the first, from line 1 of wrong\.jsonl, got status 400 \(\{"error": ".+"\}\) where 200 was expected \(version 2\)\.$/
    );

    const malformed = await run({
      'function-name': 'unwrapped',
      event: 'api-gateway',
      requests: 'unwrapped.jsonl'
    });
    expect(malformed.exitCode).toBe(1);
    expect(malformed.errors[0]).toContain(
      'got status 502 (Malformed Lambda proxy response: {"predictions": []}) where 200 was expected (version 1).'
    );
  }, 120_000);

  it('a function error (X-Amz-Function-Error) is a failed request, with the error message shown', async () => {
    const result = await run({ 'function-name': 'broken', requests: 'plain.jsonl', concurrency: '1' });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([
      '2 of 2 requests failed (100%), above max-error-rate 0%: the first, from line 1 of plain.jsonl, got no answer from the model (function error (Unhandled) RuntimeError: this build is deliberately broken) where status 200 was expected (version 1).'
    ]);
    expect(result.outputs).toMatchObject({ status: 'failed', errors: '2', 'error-rate': '1' });
    expect(result.summary).toContain('### First failing requests (2 of 2)');
    expect(result.summary).toContain('| Request | Version | Why | Body |');
  }, 120_000);

  it('waits while the version behind the alias has an update InProgress, then sends', async () => {
    // A deploy's new version: UpdateFunctionCode with Publish, InProgress until the clock moves.
    const code = await world.lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'updating', ImageUri: good, Publish: true })
    );
    expect(code.LastUpdateStatus).toBe('InProgress');
    await world.lambda.send(
      new UpdateAliasCommand({ FunctionName: 'updating', Name: 'live', FunctionVersion: code.Version })
    );
    world.emulator.calls.length = 0;
    const running = run({ 'function-name': 'updating', requests: 'plain.jsonl' });
    const polls = () => lambdaCalls().filter((op) => op === 'GetFunctionConfiguration').length;
    // The function, then the version twice: the smoke test is waiting.
    expect(await until(() => polls() >= 3, 60_000)).toBe(true);
    expect(lambdaCalls()).not.toContain('Invoke');
    world.at(DURATIONS.update);
    const result = await running;
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain(
      `function updating version ${code.Version}: State Active, LastUpdateStatus InProgress`
    );
    expect(Object.keys(versions(result.outputs))).toEqual([code.Version]);
    expect(lambdaCalls().filter((op) => op === 'Invoke')).toHaveLength(2);
    await settled(world, 'updating');
  }, 120_000);

  it('obeys no workflow command from a function error', async () => {
    const result = await run({
      'function-name': 'hostile',
      requests: 'hostile.jsonl',
      'max-error-rate': '100%'
    });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain('planted by the function');
    expect(plantedCommands(result, /^planted/)).toEqual([]);
  }, 120_000);

  it('a function Lambda does not know stops the test with one sentence (wait-for-in-service false)', async () => {
    const result = await run({
      'function-name': 'ghost',
      requests: 'plain.jsonl',
      'wait-for-in-service': 'false'
    });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(
      /^Lambda refused to invoke ghost:live \(ResourceNotFoundException: Function not found: arn:aws:lambda:us-east-1:123456789012:function:ghost(:live)?\): check function-name, alias, region and the requests\.$/
    );
    expect(lambdaCalls().filter((op) => op !== 'Invoke')).toEqual([]);
  }, 120_000);
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
    expect(world.emulator.mutatingCalls()).toEqual([]);
  });
});
