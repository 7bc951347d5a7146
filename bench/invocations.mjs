#!/usr/bin/env node
// What the emulator's runtime costs an invocation: the example's serving container called directly
// (POST /invocations on its port) side by side with the same container behind the emulator's
// InvokeEndpoint, through a bare signed-looking HTTP request and through the AWS SDK, in one run.
// Latency (p50, p95) one request at a time, and throughput with 8 requests in flight.
//
// Usage: node bench/invocations.mjs   (BENCH_REQUESTS=500 per cell; needs .ci/services first)
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compile } from '../scripts/bundle.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lib = path.join(root, 'bench', '.data', 'lib');
const N = Number(process.env.BENCH_REQUESTS ?? 500);
const CONCURRENCY = 8;
const ROLE = 'arn:aws:iam::123456789012:role/sagemaker-execution';
const IMAGE = 'mlops-bench-serving:latest';

compile(lib);
const load = (file) => import(pathToFileURL(path.join(lib, file)).href);
const { Emulator } = await load('emulator/server.js');
const { ALL_SERVICES } = await load('emulator/services/index.js');
const { hostingOf } = await load('emulator/services/sagemaker/hosting.js');
const sm = await import('@aws-sdk/client-sagemaker');
const { SageMakerRuntimeClient, InvokeEndpointCommand } = await import('@aws-sdk/client-sagemaker-runtime');

execFileSync(path.join(root, 'scripts/local-base-image.sh'), ['mlops-example-base:bookworm'], {
  stdio: 'ignore'
});
const example = path.join(root, 'examples/wine-classifier');
execFileSync(
  'docker',
  [
    'build',
    '-q',
    '--network',
    'host',
    '-f',
    path.join(example, 'serving/Dockerfile'),
    '--build-arg',
    'BASE_IMAGE=mlops-example-base:bookworm',
    '-t',
    IMAGE,
    example
  ],
  { stdio: 'ignore' }
);

const emulator = new Emulator({ services: ALL_SERVICES, hosting: 'docker', timeScale: 0.01 });
const url = await emulator.start();
const config = {
  region: 'us-east-1',
  endpoint: url,
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' }
};
const control = new sm.SageMakerClient(config);
await control.send(
  new sm.CreateModelCommand({
    ModelName: 'bench',
    ExecutionRoleArn: ROLE,
    PrimaryContainer: { Image: IMAGE }
  })
);
await control.send(
  new sm.CreateEndpointConfigCommand({
    EndpointConfigName: 'bench',
    ProductionVariants: [
      { VariantName: 'AllTraffic', ModelName: 'bench', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }
    ]
  })
);
await control.send(new sm.CreateEndpointCommand({ EndpointName: 'bench', EndpointConfigName: 'bench' }));
for (;;) {
  const e = await control.send(new sm.DescribeEndpointCommand({ EndpointName: 'bench' }));
  if (e.EndpointStatus === 'InService') break;
  if (e.EndpointStatus === 'Failed') throw new Error(e.FailureReason);
  await new Promise((r) => setTimeout(r, 100));
}
const state = await (await fetch(`${url}/_emulator/state`)).json();
const fleet = state.sagemaker.endpoints.bench.fleets[0];
const port = hostingOf(emulator).instance(fleet).container.port;

const body = JSON.stringify({
  instances: [[13.2, 1.78, 2.14, 11.2, 100, 2.65, 2.76, 0.26, 1.28, 4.38, 1.05, 3.4, 1050]]
});
const runtime = new SageMakerRuntimeClient(config);
const auth =
  'AWS4-HMAC-SHA256 Credential=a/20261201/us-east-1/sagemaker/aws4_request, SignedHeaders=host, Signature=0';
const paths = {
  'the container directly (fetch)': () =>
    fetch(`http://127.0.0.1:${port}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body
    }).then((r) => r.arrayBuffer()),
  'the emulator, bare HTTP (fetch)': () =>
    fetch(`${url}/endpoints/bench/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body
    }).then((r) => {
      if (r.status !== 200) throw new Error(`status ${r.status}`);
      return r.arrayBuffer();
    }),
  'the emulator, AWS SDK InvokeEndpoint': () =>
    runtime.send(
      new InvokeEndpointCommand({ EndpointName: 'bench', ContentType: 'application/json', Body: body })
    )
};

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
async function measure(call) {
  for (let i = 0; i < 20; i++) await call(); // warm up connections and the model
  const times = [];
  for (let i = 0; i < N; i++) {
    const t = process.hrtime.bigint();
    await call();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < N) await call();
    })
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    serial: N / (times.reduce((a, b) => a + b, 0) / 1000),
    parallel: N / seconds
  };
}

console.log(`\n${N} invocations of the wine classifier (1 row each) per cell, on this machine:\n`);
console.log(`| path | p50 | p95 | requests/s, 1 in flight | requests/s, ${CONCURRENCY} in flight |`);
console.log('| --- | ---: | ---: | ---: | ---: |');
try {
  for (const [name, call] of Object.entries(paths)) {
    const r = await measure(call);
    console.log(
      `| ${name} | ${r.p50.toFixed(2)} ms | ${r.p95.toFixed(2)} ms | ${r.serial.toFixed(0)} | ${r.parallel.toFixed(0)} |`
    );
  }
} finally {
  await emulator.stop();
}
