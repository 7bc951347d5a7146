/**
 * The emulator runs Lambda functions for real: Invoke through the real SDK starts execution
 * environments (containers of the fixture runtime image, pulled from the loopback registry) that poll
 * the emulator's Runtime API; answers, errors, logs, metrics and function URLs are
 * Lambda's (provisioned concurrency: emulator-lambda-provisioned.test.ts). One emulator for the file, so environments are reused across cases.
 */
import { CreateFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { Emulator } from '../../src/emulator/server.js';
import { environmentsOf } from '../../src/emulator/services/lambda/environments.js';
import { functionUrlOf } from '../../src/emulator/services/lambda/state.js';
import { DURATIONS } from '../../src/emulator/services/lambda/timeline.js';
import {
  fixtureImage,
  leftContainers,
  makeFunction,
  ROLE,
  startLambdaWorld,
  type FunctionSpec,
  type LambdaWorld
} from '../helpers/lambda-emulator.js';
import { lambdaRuns, parse, report, tail, until } from '../helpers/lambda-runs.js';

let world: LambdaWorld;
let emulator: Emulator;
let c: LambdaWorld;
let image: string;
const make = (name: string, spec: Omit<FunctionSpec, 'image'>) =>
  makeFunction(world, name, { image, ...spec });
const { invoke, metric } = lambdaRuns(() => world);
const initOf = (line: string) => Number(/Init Duration: ([\d.]+) ms/.exec(line)?.[1] ?? NaN);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type UrlAnswer = { urlEvent: Record<string, any> };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const timed = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
  const t = performance.now();
  const value = await f();
  return [value, performance.now() - t];
};

beforeAll(async () => {
  // Time scale 0.01: a CloudWatch period of 60 s lasts 600 ms, Pending 50 ms; Lambda's Timeout stays
  // real time. The emulator's own router: ALL_SERVICES, Invoke and function URLs included.
  world = await startLambdaWorld({ hosting: 'docker', timeScale: 0.01, now: Date.now });
  c = world;
  emulator = world.emulator;
  image = await fixtureImage(world);
  await make('echo', {
    latest: { environment: { GREETING: 'latest' } },
    versions: [{ environment: { GREETING: 'one' } }, { environment: { GREETING: 'two' } }],
    aliases: { live: { version: '1', weights: { '2': 0.5 } }, stable: { version: '1' } },
    urls: ['', 'stable']
  });
}, 120_000);

afterAll(async () => {
  await world?.stop();
  expect(await leftContainers(world)).toEqual([]);
}, 60_000);

describe('Invoke', () => {
  it('runs $LATEST cold then warm: the second REPORT has no Init Duration', async () => {
    const [cold, coldMs] = await timed(() => invoke('echo', { hello: 1 }));
    expect(cold.StatusCode).toBe(200);
    expect(cold.ExecutedVersion).toBe('$LATEST');
    expect(cold.FunctionError).toBeUndefined();
    const body = parse(cold);
    expect(body.event).toEqual({ hello: 1 });
    expect(body.env).toMatchObject({
      AWS_LAMBDA_FUNCTION_NAME: 'echo',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/echo',
      AWS_REGION: 'us-east-1',
      _HANDLER: 'app.handler',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      GREETING: 'latest'
    });
    expect(body.env.AWS_LAMBDA_LOG_STREAM_NAME).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(body.context.function_arn).toBe('arn:aws:lambda:us-east-1:123456789012:function:echo');
    expect(body.context.deadline_ms).toBeGreaterThan(Date.now());
    expect(report(cold)).toMatch(
      /^REPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms\t$/
    );
    expect(tail(cold)).toMatch(/^START RequestId: \S+ Version: \$LATEST\n/m);

    const warm: number[] = [];
    for (let i = 0; i < 5; i++) {
      const [out, ms] = await timed(() => invoke('echo', { n: i }));
      expect(report(out)).not.toContain('Init Duration');
      expect(parse(out).env.AWS_LAMBDA_LOG_STREAM_NAME).toBe(body.env.AWS_LAMBDA_LOG_STREAM_NAME);
      warm.push(ms);
    }
    process.stdout.write(
      `Lambda fixture: cold invoke ${coldMs.toFixed(0)} ms (Init Duration ${initOf(report(cold)).toFixed(0)} ms), warm invoke median ${median(warm).toFixed(1)} ms of ${warm.map((m) => m.toFixed(1)).join(', ')}\n`
    );
    expect(median(warm)).toBeLessThan(coldMs);
  }, 60_000);

  it('runs a version by qualifier and an alias split by its weights', async () => {
    const one = await invoke('echo', {}, { Qualifier: '1' });
    expect(one.ExecutedVersion).toBe('1');
    expect(parse(one).env.GREETING).toBe('one');
    const byArn = await invoke('arn:aws:lambda:us-east-1:123456789012:function:echo:2');
    expect(parse(byArn).env.GREETING).toBe('two');
    const seen: Record<string, number> = {};
    for (let i = 0; i < 6; i++) {
      const out = await invoke('echo:live');
      seen[out.ExecutedVersion!] = (seen[out.ExecutedVersion!] ?? 0) + 1;
      expect(parse(out).env.AWS_LAMBDA_FUNCTION_VERSION).toBe(out.ExecutedVersion);
    }
    expect(seen).toEqual({ '1': 3, '2': 3 });
    expect(
      await metric('Invocations', { FunctionName: 'echo', Resource: 'echo:live', ExecutedVersion: '2' })
    ).toBe(3);
    expect(await metric('Invocations', { FunctionName: 'echo', Resource: 'echo:live' })).toBe(6);
  }, 60_000);

  it('a handler error is FunctionError Unhandled (HTTP 200) and an Errors metric per executed version', async () => {
    // The canary's own alarm, as a deploy watches it: errors of version 2 through the alias.
    await c.cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: 'echo-canary-errors',
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [
          { Name: 'FunctionName', Value: 'echo' },
          { Name: 'Resource', Value: 'echo:live' },
          { Name: 'ExecutedVersion', Value: '2' }
        ],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching'
      })
    );
    const outs = [await invoke('echo:live', { raise: 'boom' }), await invoke('echo:live', { raise: 'boom' })];
    for (const out of outs) {
      expect(out.StatusCode).toBe(200);
      expect(out.FunctionError).toBe('Unhandled');
      expect(parse(out)).toMatchObject({ errorMessage: 'boom', errorType: 'ValueError' });
      expect(parse(out).stackTrace.join('')).toContain('raise ValueError');
    }
    expect(await metric('Errors', { FunctionName: 'echo' })).toBe(2);
    expect(
      await metric('Errors', { FunctionName: 'echo', Resource: 'echo:live', ExecutedVersion: '2' })
    ).toBe(1);
    expect(
      await metric('Errors', { FunctionName: 'echo', Resource: 'echo:live', ExecutedVersion: '1' })
    ).toBe(1);
    expect(await metric('Duration', { FunctionName: 'echo' }, 'Maximum')).toBeGreaterThan(0);
    const alarm = await until(async () => {
      const out = await c.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['echo-canary-errors'] }));
      return out.MetricAlarms?.[0]?.StateValue === 'ALARM' ? out.MetricAlarms[0] : undefined;
    }, 10_000);
    expect(alarm?.StateValue).toBe('ALARM');
  }, 30_000);

  it("writes the container's lines and START/END/REPORT to /aws/lambda/<function>", async () => {
    const out = await invoke('echo', { log: ['first line', 'second line'], stderr: ['to stderr'] });
    const lines = tail(out).trimEnd().split('\n');
    const id = /^START RequestId: (\S+) Version: \$LATEST$/.exec(lines[0])?.[1];
    expect(id).toBeDefined();
    // stdout keeps its order; stderr is another pipe, so it may land anywhere between START and END.
    expect(lines.slice(1, 4).filter((l) => l !== 'to stderr')).toEqual(['first line', 'second line']);
    expect(lines.slice(1, 4)).toContain('to stderr');
    expect(lines[4]).toBe(`END RequestId: ${id}`);
    expect(lines[5]).toMatch(new RegExp(`^REPORT RequestId: ${id}\t`));
    const events = await until(async () => {
      const page = await c.logs.send(
        new FilterLogEventsCommand({ logGroupName: '/aws/lambda/echo', filterPattern: '"second line"' })
      );
      return page.events?.length ? page.events : undefined;
    });
    expect(events![0].logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
  }, 30_000);

  it('answers DryRun with 204 and Event with 202, running the event in the background', async () => {
    const dry = await invoke('echo', {}, { InvocationType: 'DryRun' });
    expect(dry.StatusCode).toBe(204);
    const event = await invoke('echo', { log: ['from an event'] }, { InvocationType: 'Event' });
    expect(event.StatusCode).toBe(202);
    const found = await until(async () => {
      const page = await c.logs.send(
        new FilterLogEventsCommand({ logGroupName: '/aws/lambda/echo', filterPattern: '"from an event"' })
      );
      return page.events?.length;
    });
    expect(found).toBe(1);
  }, 30_000);

  it('a runtime that exits mid-invocation is Runtime.ExitError and its environment is gone', async () => {
    const latest = () =>
      environmentsOf(emulator)!
        .list()
        .filter((e) => e.fn === 'echo' && e.version.Version === '$LATEST');
    await until(() => latest().every((e) => e.state === 'idle'));
    const before = latest().map((e) => e.id);
    const out = await invoke('echo', { exit: 3 });
    expect(out.FunctionError).toBe('Unhandled');
    expect(parse(out)).toMatchObject({ errorType: 'Runtime.ExitError' });
    expect(parse(out).errorMessage).toMatch(/Runtime exited with error: exit status 3/);
    expect(report(out)).toMatch(/Status: error\tError Type: Runtime.ExitError/);
    expect(latest()).toHaveLength(before.length - 1);
    expect(before).toEqual(expect.arrayContaining(latest().map((e) => e.id)));
    const next = await invoke('echo', {});
    expect(next.FunctionError).toBeUndefined();
  }, 30_000);

  it('refuses what Lambda refuses', async () => {
    await expect(invoke('nope')).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 404 }
    });
    await expect(invoke('echo', {}, { Qualifier: '9' })).rejects.toMatchObject({
      name: 'ResourceNotFoundException'
    });
    await expect(invoke('echo:nope')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const big = new Uint8Array(6 * 1024 * 1024 + 10).fill(32);
    await expect(
      c.lambda.send(new InvokeCommand({ FunctionName: 'echo', Payload: big }))
    ).rejects.toMatchObject({
      name: 'RequestTooLargeException',
      $metadata: { httpStatusCode: 413 }
    });
  }, 30_000);
});

describe('failures of the function', () => {
  it('times out after the version Timeout in real time', async () => {
    await make('slow', { latest: { timeout: 1 } });
    const out = await invoke('slow', { sleep_ms: 3000 });
    expect(out.FunctionError).toBe('Unhandled');
    expect(parse(out).errorMessage).toMatch(/Task timed out after 1.00 seconds/);
    expect(tail(out)).toMatch(/Task timed out after 1.00 seconds/);
    expect(report(out)).toMatch(/Status: timeout/);
    expect((await invoke('slow', { echo: 'fine' })).FunctionError).toBeUndefined();
  }, 30_000);

  it('an init error is Runtime.InitError, an exit before the first poll Runtime.ExitError', async () => {
    await make('broken', {
      latest: { environment: { FAIL_INIT: 'no model file' } },
      versions: [{ environment: { EXIT_INIT: '4' } }]
    });
    const init = await invoke('broken');
    expect(init.FunctionError).toBe('Unhandled');
    expect(parse(init)).toMatchObject({ errorType: 'Runtime.InitError' });
    expect(parse(init).errorMessage).toContain('no model file');
    const exit = await invoke('broken:1');
    expect(parse(exit)).toMatchObject({ errorType: 'Runtime.ExitError' });
    expect(parse(exit).errorMessage).toContain('exit status 4');
    expect(
      environmentsOf(emulator)!
        .list()
        .filter((e) => e.fn === 'broken')
    ).toEqual([]);
  }, 30_000);

  it('throttles beyond the per-function cap of environments', async () => {
    const environments = environmentsOf(emulator)!;
    environments.maxPerFunction = 1;
    try {
      await make('busy', {});
      const results = await Promise.allSettled([
        invoke('busy', { sleep_ms: 1500 }),
        new Promise((r) => setTimeout(r, 300)).then(() => invoke('busy'))
      ]);
      expect(results[0].status).toBe('fulfilled');
      expect(results[1]).toMatchObject({
        status: 'rejected',
        reason: { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } }
      });
      expect(await metric('Throttles', { FunctionName: 'busy' })).toBe(1);
    } finally {
      environments.maxPerFunction = 10;
    }
  }, 30_000);
});

describe('function URLs', () => {
  it('sends payload format 2.0 and maps the result back; plain fetch, no signing', async () => {
    const base = functionUrlOf(emulator, 'echo', '');
    const plain = await fetch(`${base}some/path?a=1&a=2&b=x`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Custom': 'yes', cookie: 'k=v; k2=v2' },
      body: JSON.stringify({ note: 'hi' })
    });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('application/json');
    const event = ((await plain.json()) as UrlAnswer).urlEvent;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/some/path',
      rawQueryString: 'a=1&a=2&b=x',
      cookies: ['k=v', 'k2=v2'],
      queryStringParameters: { a: '1,2', b: 'x' },
      body: '{"note":"hi"}',
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST', path: '/some/path', sourceIp: '127.0.0.1' } }
    });
    expect(event.headers['x-custom']).toBe('yes');
    const mapped = await fetch(`${functionUrlOf(emulator, 'echo', 'stable')}x`, {
      method: 'POST',
      body: JSON.stringify({
        result: { statusCode: 201, headers: { 'X-Made': 'here' }, cookies: ['a=b'], body: 'made' }
      })
    });
    expect(mapped.status).toBe(201);
    expect(mapped.headers.get('x-made')).toBe('here');
    expect(mapped.headers.get('set-cookie')).toBe('a=b');
    expect(await mapped.text()).toBe('made');
    const binary = await fetch(base, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([0, 1, 2])
    });
    expect(((await binary.json()) as UrlAnswer).urlEvent).toMatchObject({
      body: 'AAEC',
      isBase64Encoded: true
    });
  }, 30_000);

  it('is 403 without a url config and 502 on a function error', async () => {
    const none = await fetch(`${functionUrlOf(emulator, 'echo', 'live')}x`);
    expect(none.status).toBe(403);
    expect(await none.json()).toEqual({ Message: 'Forbidden' });
    expect((await fetch(`${functionUrlOf(emulator, 'nope', '')}`)).status).toBe(403);
    const failed = await fetch(functionUrlOf(emulator, 'echo', ''), {
      method: 'POST',
      body: JSON.stringify({ raise: 'x' })
    });
    expect(failed.status).toBe(502);
    expect(await failed.json()).toEqual({ Message: 'Internal Server Error' });
  }, 30_000);
});

it('refuses a Pending function (ResourceConflictException), and answers with one sentence without Docker hosting', async () => {
  // Simulated hosting on the manual clock: CreateFunction's Pending window lasts until the clock moves.
  const simulated = await startLambdaWorld();
  try {
    const uri = await fixtureImage(simulated);
    const invokeIn = () => simulated.lambda.send(new InvokeCommand({ FunctionName: 'echo' }));
    await simulated.lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'echo',
        PackageType: 'Image',
        Code: { ImageUri: uri },
        Role: ROLE
      })
    );
    await expect(invokeIn()).rejects.toMatchObject({
      name: 'ResourceConflictException',
      message: expect.stringContaining('the following state: Pending')
    });
    simulated.at(DURATIONS.create);
    await expect(invokeIn()).rejects.toMatchObject({
      name: 'ServiceException',
      message: expect.stringContaining('--hosting docker')
    });
  } finally {
    await simulated.stop();
  }
});
