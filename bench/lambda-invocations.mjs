#!/usr/bin/env node
// What a Lambda invocation costs in the emulator's Docker hosting, with the fixture custom runtime
// (test/fixtures/lambda-runtime) on the real emulator: functions made by CreateFunction from an
// image pushed through its ECR, published versions and an alias, all through the AWS SDK.
//  (a) on-demand cold start: each call meets a fresh environment (a new version published just
//      before it): the SDK round trip and the REPORT line's Init Duration, over BENCH_COLD runs;
//  (b) with provisioned concurrency: PutProvisionedConcurrencyConfig (1) on a new version, how long
//      until READY, then the first call through the alias on it: its round trip and whether its
//      REPORT line has an Init Duration (it must not), over BENCH_PROVISIONED runs;
//  (c) warm calls through the alias, one at a time, over BENCH_WARM calls.
//
// Usage: node bench/lambda-invocations.mjs   (needs the registry on 127.0.0.1:5000 and Docker)
import { performance } from 'node:perf_hooks';
import { ROLE, fixtureImages, pct, sleep, startWorld, table } from './lambda-setup.mjs';

const COLD = Number(process.env.BENCH_COLD ?? 7);
const PROVISIONED = Number(process.env.BENCH_PROVISIONED ?? 7);
const WARM = Number(process.env.BENCH_WARM ?? 200);
const FN = 'bench-invocations';
const {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetFunctionConfigurationCommand,
  GetProvisionedConcurrencyConfigCommand,
  InvokeCommand,
  PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand
} = await import('@aws-sdk/client-lambda');

// Lambda's own durations (create, update) are scaled down; cold starts and READY are real time.
const world = await startWorld(0.01);
const send = (command) => world.lambda.send(command);

/** Until $LATEST is Active with no update in progress. */
async function settled() {
  for (;;) {
    const c = await send(new GetFunctionConfigurationCommand({ FunctionName: FN }));
    if (c.State === 'Active' && c.LastUpdateStatus !== 'InProgress') return;
    await sleep(20);
  }
}

let run = 0;
/** A new version: $LATEST's environment changed (so its environments are new), then published. */
async function newVersion() {
  await send(
    new UpdateFunctionConfigurationCommand({
      FunctionName: FN,
      Environment: { Variables: { RUN: String(++run) } }
    })
  );
  await settled();
  return (await send(new PublishVersionCommand({ FunctionName: FN }))).Version;
}

async function invoke(Qualifier) {
  const t = performance.now();
  const out = await send(
    new InvokeCommand({ FunctionName: FN, Qualifier, Payload: Buffer.from('{"echo":1}'), LogType: 'Tail' })
  );
  const ms = performance.now() - t;
  if (out.FunctionError) throw new Error(`the fixture failed: ${Buffer.from(out.Payload).toString()}`);
  const report = Buffer.from(out.LogResult ?? '', 'base64').toString('utf8');
  const init = /REPORT .*Init Duration: ([\d.]+) ms/.exec(report)?.[1];
  return { ms, init: init === undefined ? undefined : Number(init), version: out.ExecutedVersion };
}

try {
  const [image] = await fixtureImages(world, ['invocations']);
  await send(
    new CreateFunctionCommand({
      FunctionName: FN,
      PackageType: 'Image',
      Code: { ImageUri: image },
      Role: ROLE,
      MemorySize: 256,
      Timeout: 10
    })
  );
  await settled();
  await send(new CreateAliasCommand({ FunctionName: FN, Name: 'live', FunctionVersion: await newVersion() }));

  const cold = [];
  for (let i = 0; i < COLD; i++) cold.push(await invoke(await newVersion()));

  const provisioned = [];
  for (let i = 0; i < PROVISIONED; i++) {
    const version = await newVersion();
    await send(new UpdateAliasCommand({ FunctionName: FN, Name: 'live', FunctionVersion: version }));
    const t = performance.now();
    await send(
      new PutProvisionedConcurrencyConfigCommand({
        FunctionName: FN,
        Qualifier: version,
        ProvisionedConcurrentExecutions: 1
      })
    );
    for (;;) {
      const c = await send(
        new GetProvisionedConcurrencyConfigCommand({ FunctionName: FN, Qualifier: version })
      );
      if (c.Status === 'READY') break;
      if (c.Status === 'FAILED') throw new Error(`provisioned concurrency FAILED: ${c.StatusReason}`);
      await sleep(10);
    }
    const ready = performance.now() - t;
    const first = await invoke('live');
    if (first.version !== version) throw new Error(`the alias ran ${first.version}, not ${version}`);
    provisioned.push({ ...first, ready });
    await send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: FN, Qualifier: version }));
  }

  await invoke('live');
  const warm = [];
  for (let i = 0; i < WARM; i++) warm.push((await invoke('live')).ms);

  const f = (x) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(1));
  const row = (what, xs) => [what, f(pct(xs, 0.5)), f(pct(xs, 0.95)), xs.length];
  const inits = provisioned.filter((p) => p.init !== undefined);
  table(
    ['what (ms)', 'median', 'p95', 'runs'],
    [
      row(
        'on-demand cold: Init Duration (REPORT)',
        cold.map((c) => c.init)
      ),
      row(
        'on-demand cold: Invoke (SDK round trip)',
        cold.map((c) => c.ms)
      ),
      row(
        'provisioned: Put -> READY',
        provisioned.map((p) => p.ready)
      ),
      row(
        'provisioned: first call via alias (SDK round trip)',
        provisioned.map((p) => p.ms)
      ),
      [`provisioned: first calls with an Init Duration`, `${inits.length} of ${provisioned.length}`, '', ''],
      row('warm Invoke via alias (SDK round trip)', warm)
    ]
  );
  if (cold.some((c) => c.init === undefined)) console.log('Note: some on-demand calls had no Init Duration.');
} finally {
  await world.stop();
}
