#!/usr/bin/env node
// What a Lambda invocation costs in the emulator's docker mode, with the fixture custom runtime
// (test/fixtures/lambda-runtime): cold start (container start to its first /next, Lambda's
// Init Duration, and the whole cold Invoke as the SDK sees it) over BENCH_COLD fresh environments,
// and warm Invoke latency (p50, p95) over BENCH_WARM calls, one at a time, through the AWS SDK.
//
// Usage: node bench/lambda-invocations.mjs   (needs the registry on 127.0.0.1:5000 and Docker)
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compile } from '../scripts/bundle.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lib = path.join(root, 'bench', '.data', 'lib');
const COLD = Number(process.env.BENCH_COLD ?? 7);
const WARM = Number(process.env.BENCH_WARM ?? 200);
const TAG = '127.0.0.1:5000/mlops-bench-lambda:fixture';

compile(lib);
const load = (file) => import(pathToFileURL(path.join(lib, file)).href);
const { Emulator } = await load('emulator/server.js');
const { handleInvoke } = await load('emulator/services/lambda/invoke.js');
const { lambdaUrls } = await load('emulator/services/lambda/url.js');
const { lambdaState, parseFunctionName } = await load('emulator/services/lambda/state.js');
const { LambdaClient, InvokeCommand } = await import('@aws-sdk/client-lambda');

execFileSync(path.join(root, 'scripts/local-base-image.sh'), ['mlops-example-base:bookworm'], {
  stdio: 'ignore'
});
execFileSync('docker', [
  'build',
  '-q',
  '--network',
  'none',
  '-t',
  TAG,
  path.join(root, 'test/fixtures/lambda-runtime')
]);
execFileSync('docker', ['push', '-q', TAG]);
const image = execFileSync('docker', ['image', 'inspect', '--format', '{{index .RepoDigests 0}}', TAG], {
  encoding: 'utf8'
}).trim();

// Invoke's route, until the control plane (which routes it) is registered with the emulator.
const invokeOnly = (emulator) => ({
  name: 'lambda',
  signingName: 'lambda',
  protocol: 'json1.1',
  operations: {},
  raw: async (req, res, body) => {
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(
      new URL(req.url, 'http://x').pathname
    );
    if (!match) return undefined;
    const { name, qualifier } = parseFunctionName(decodeURIComponent(match[1]));
    await handleInvoke(emulator, req, res, name, qualifier, body);
    return 'Invoke';
  }
});
const emulator = new Emulator({ services: [invokeOnly, lambdaUrls], hosting: 'docker' });
await emulator.start();
const seed = (name) => {
  const version = {
    Version: '$LATEST',
    Description: '',
    PackageType: 'Image',
    ImageUri: image,
    ResolvedImageUri: image,
    CodeSha256: '',
    CodeSize: 0,
    Role: 'r',
    MemorySize: 256,
    Timeout: 10,
    Environment: {},
    Architectures: ['x86_64'],
    RevisionId: 'r',
    LastModified: 'x',
    State: 'Active',
    LastUpdateStatus: 'Successful',
    codeChangedAt: 1
  };
  lambdaState(emulator).functions[name] = {
    FunctionName: name,
    latest: version,
    versions: {},
    nextVersion: 1,
    aliases: {},
    provisioned: {},
    urls: {},
    tags: {}
  };
};
const client = new LambdaClient({
  region: 'us-east-1',
  endpoint: emulator.url,
  maxAttempts: 1,
  credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' }
});
const invoke = async (name) => {
  const t = performance.now();
  const out = await client.send(
    new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{"echo":1}'), LogType: 'Tail' })
  );
  const ms = performance.now() - t;
  const log = Buffer.from(out.LogResult ?? '', 'base64').toString('utf8');
  return { ms, init: Number(/Init Duration: ([\d.]+) ms/.exec(log)?.[1] ?? NaN) };
};
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

try {
  const cold = [];
  for (let i = 0; i < COLD; i++) {
    seed(`cold-${i}`);
    cold.push(await invoke(`cold-${i}`));
  }
  seed('warm');
  await invoke('warm');
  const warm = [];
  for (let i = 0; i < WARM; i++) warm.push((await invoke('warm')).ms);
  const f = (x) => x.toFixed(1).padStart(8);
  console.log(`| what (ms)                                 |      p50 |      p95 | runs |`);
  console.log(`|-------------------------------------------|----------|----------|------|`);
  const row = (what, xs) =>
    console.log(
      `| ${what.padEnd(41)} | ${f(pct(xs, 0.5))} | ${f(pct(xs, 0.95))} | ${String(xs.length).padStart(4)} |`
    );
  row(
    'cold start: container start to first /next',
    cold.map((c) => c.init)
  );
  row(
    'cold Invoke (SDK round trip)',
    cold.map((c) => c.ms)
  );
  row('warm Invoke (SDK round trip)', warm);
} finally {
  await emulator.stop();
}
