#!/usr/bin/env node
// What waiting for a SageMaker deployment costs: DescribeEndpoint calls per deployment, and how long
// after the endpoint settles the action notices (in the service's own, unscaled seconds).
//
// 1. The engine itself (deploy() from src/sagemaker, compiled with tsc) against the emulator on a
//    virtual clock: every poll delay and every service duration is exact, a run takes milliseconds,
//    so poll policies compare side by side over many runs (jitter differs run to run).
// 2. The built bundle (dist/deploy-canary) against the emulator in real time at two time scales,
//    with MLOPS_ACTIONS_TIME_SCALE equal to the emulator's: the count should not depend on the scale;
//    beside it the SDK's waitUntilEndpointInService on the same canary, its delay scaled alike.
//
// Usage: node bench/deploy-polling.mjs   (BENCH_RUNS=20 runs per cell of table 1)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compile } from '../scripts/bundle.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lib = path.join(root, 'bench', '.data', 'lib');
const runs = Number(process.env.BENCH_RUNS ?? 20);
const ROLE = 'arn:aws:iam::123456789012:role/sagemaker-execution';
const image = (n) => `123456789012.dkr.ecr.us-east-1.amazonaws.com/news@sha256:${String(n).repeat(64)}`;

compile(lib);
const load = (file) => import(pathToFileURL(path.join(lib, file)).href);
const { Emulator } = await load('emulator/server.js');
const { ALL_SERVICES } = await load('emulator/services/index.js');
const { DURATIONS } = await load('emulator/services/sagemaker/index.js');
const { deploy } = await load('sagemaker/deploy.js');
const { readDeployOptions } = await load('sagemaker/options.js');
const { Inputs } = await load('inputs.js');
const { ACTIONS } = await load('generated/actions.js');
const { silentLogger } = await load('report.js');
const {
  CreateEndpointConfigCommand,
  CreateModelCommand,
  SageMakerClient,
  UpdateEndpointCommand,
  waitUntilEndpointInService
} = await import('@aws-sdk/client-sagemaker');
const { CloudWatchClient } = await import('@aws-sdk/client-cloudwatch');

const STRATEGIES = {
  'canary, 10m bake': { strategy: 'canary', 'bake-time': '10m' },
  'linear 20% of 10, 10m bakes': {
    strategy: 'linear',
    'instance-count': '10',
    'bake-time': '10m',
    'wait-timeout': '2h'
  },
  'all at once, 10m bake': { strategy: 'all-at-once', 'bake-time': '10m' }
};
const POLICIES = {
  'this toolkit: 5 s, x1.5 to 30 s, wakes when a bake ends': {},
  '5 s, x1.5 to 20 s': { maxDelayMs: 20000, wakeAtPhaseEnd: false },
  '5 s, x1.5 to 30 s': { wakeAtPhaseEnd: false },
  '30 s fixed (like the SDK waiter)': { minDelayMs: 30000, maxDelayMs: 30000, wakeAtPhaseEnd: false }
};

const options = (values) => {
  const all = { 'endpoint-name': 'bench', image: image(1), 'role-arn': ROLE, ...values };
  return readDeployOptions(new Inputs((n) => all[n], ACTIONS['deploy-canary'].inputs, 'deploy-canary'));
};
const describes = (calls) => calls.filter((c) => c.operation === 'DescribeEndpoint').length;

/** One deployment of image 2 over image 1, on a virtual clock; returns calls and notice latency. */
async function virtualRun(values, policy) {
  let t = Date.UTC(2026, 0, 1);
  const clock = { now: () => t };
  const sleep = async (ms) => {
    t += ms;
    await new Promise((r) => setTimeout(r, 0));
  };
  const emulator = new Emulator({ services: ALL_SERVICES, now: clock.now, timeScale: 1 });
  const url = await emulator.start();
  try {
    const config = {
      region: 'us-east-1',
      endpoint: url,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' }
    };
    const clients = { sagemaker: new SageMakerClient(config), cloudwatch: new CloudWatchClient(config) };
    const ctx = (n) => ({
      log: silentLogger,
      scale: 1,
      sha: `${n}`.repeat(7),
      now: () => new Date(t),
      timing: { ...policy, clock, sleep }
    });
    const first = values['instance-count'] ? { 'instance-count': values['instance-count'] } : {};
    await deploy(options(first), clients, ctx(1));
    emulator.calls.length = 0;
    const started = t;
    const result = await deploy(options({ ...values, image: image(2) }), clients, ctx(2));
    if (result.status !== 'deployed')
      throw new Error(`bench deployment ended ${result.status}: ${result.reason}`);
    const endpoint = emulator.stateOf('sagemaker', () => ({})).endpoints.bench;
    const lastDescribe = Math.max(
      ...emulator.calls.filter((c) => c.operation === 'DescribeEndpoint').map((c) => Date.parse(c.at))
    );
    return {
      calls: describes(emulator.calls),
      latency: (lastDescribe - endpoint.modified) / 1000,
      deployment: (endpoint.modified - started) / 1000
    };
  } finally {
    await emulator.stop();
  }
}

/** The built bundle, in real time, against an emulator at `scale`. */
async function bundleRun(scale) {
  const emulator = new Emulator({ services: ALL_SERVICES, timeScale: scale });
  const url = await emulator.start();
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    AWS_ENDPOINT_URL: url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'a',
    AWS_SECRET_ACCESS_KEY: 'b',
    AWS_EC2_METADATA_DISABLED: 'true',
    MLOPS_ACTIONS_TIME_SCALE: String(scale),
    GITHUB_OUTPUT: path.join(lib, `output-${scale}`),
    GITHUB_STEP_SUMMARY: path.join(lib, `summary-${scale}`)
  };
  const inputs = (n, extra = {}) => {
    const values = { 'endpoint-name': 'bench', image: image(n), 'role-arn': ROLE, ...extra };
    const declared = ACTIONS['deploy-canary'].inputs;
    return Object.fromEntries(
      Object.keys(declared).map((k) => [`INPUT_${k.toUpperCase()}`, values[k] ?? declared[k].default ?? ''])
    );
  };
  const action = (n, extra) =>
    new Promise((resolve, reject) => {
      fs.writeFileSync(env.GITHUB_OUTPUT, '');
      fs.writeFileSync(env.GITHUB_STEP_SUMMARY, '');
      const child = spawn(process.execPath, [path.join(root, 'dist/deploy-canary/index.js')], {
        env: { ...env, ...inputs(n, extra) },
        stdio: ['ignore', 'pipe', 'pipe']
      });
      let log = '';
      child.stdout.on('data', (d) => (log += d));
      child.stderr.on('data', (d) => (log += d));
      child.on('close', (code) =>
        code === 0 ? resolve() : reject(new Error(`deploy-canary exited ${code}:\n${log}`))
      );
    });
  try {
    await action(1);
    emulator.calls.length = 0;
    const started = Date.now();
    await action(2, { 'bake-time': '10m' });
    const wall = (Date.now() - started) / 1000;
    const endpoint = emulator.stateOf('sagemaker', () => ({})).endpoints.bench;
    const lastDescribe = Math.max(
      ...emulator.calls.filter((c) => c.operation === 'DescribeEndpoint').map((c) => Date.parse(c.at))
    );
    return {
      calls: describes(emulator.calls),
      latency: (lastDescribe - endpoint.modified) / 1000 / scale,
      wall
    };
  } finally {
    await emulator.stop();
  }
}

/**
 * The SDK's own waitUntilEndpointInService (its 30 s delay scaled the same way) watching the same
 * canary, started by hand after a first deployment by the bundle. It counts any InService as success.
 */
async function waiterRun(scale) {
  const emulator = new Emulator({ services: ALL_SERVICES, timeScale: scale });
  const url = await emulator.start();
  try {
    const config = {
      region: 'us-east-1',
      endpoint: url,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' }
    };
    const sm = new SageMakerClient(config);
    let t = Date.now();
    const ctx = { log: silentLogger, scale, sha: '1111111', now: () => new Date(t) };
    await deploy(options({}), { sagemaker: sm }, ctx);
    await sm.send(
      new CreateModelCommand({
        ModelName: 'bench-v2',
        ExecutionRoleArn: ROLE,
        PrimaryContainer: { Image: image(2) }
      })
    );
    await sm.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: 'bench-v2',
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            ModelName: 'bench-v2',
            InstanceType: 'ml.m5.large',
            InitialInstanceCount: 2
          }
        ]
      })
    );
    emulator.calls.length = 0;
    const started = Date.now();
    await sm.send(
      new UpdateEndpointCommand({
        EndpointName: 'bench',
        EndpointConfigName: 'bench-v2',
        DeploymentConfig: {
          BlueGreenUpdatePolicy: {
            TrafficRoutingConfiguration: {
              Type: 'CANARY',
              CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 },
              WaitIntervalInSeconds: 600
            }
          }
        }
      })
    );
    await waitUntilEndpointInService(
      { client: sm, minDelay: 30 * scale, maxDelay: 30 * scale, maxWaitTime: 3600 },
      { EndpointName: 'bench' }
    );
    t = Date.now();
    const endpoint = emulator.stateOf('sagemaker', () => ({})).endpoints.bench;
    const lastDescribe = Math.max(
      ...emulator.calls.filter((c) => c.operation === 'DescribeEndpoint').map((c) => Date.parse(c.at))
    );
    return {
      calls: describes(emulator.calls),
      latency: (lastDescribe - endpoint.modified) / 1000 / scale,
      wall: (Date.now() - started) / 1000
    };
  } finally {
    await emulator.stop();
  }
}

const stats = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  return { mean, min: sorted[0], max: sorted[sorted.length - 1] };
};
const fmt = (n, digits = 0) => n.toFixed(digits);

console.log(
  `Emulator timeline (unscaled): new fleet ${DURATIONS.provision} s, each traffic shift ${DURATIONS.activate} s, then the bake.\n`
);
console.log(`1. The engine on a virtual clock, ${runs} runs per cell (mean, min-max)\n`);
console.log('| deployment | takes | poll policy | DescribeEndpoint calls | noticed after settling (s) |');
console.log('| --- | ---: | --- | ---: | ---: |');
for (const [name, values] of Object.entries(STRATEGIES)) {
  for (const [policyName, policy] of Object.entries(POLICIES)) {
    const results = [];
    for (let i = 0; i < runs; i++) results.push(await virtualRun(values, policy));
    const calls = stats(results.map((r) => r.calls));
    const latency = stats(results.map((r) => r.latency));
    const minutes = results[0].deployment / 60;
    console.log(
      `| ${name} | ${fmt(minutes, 1)} min | ${policyName} | ${fmt(calls.mean, 1)} (${calls.min}-${calls.max}) | ${fmt(latency.mean, 1)} (${fmt(latency.min, 1)}-${fmt(latency.max, 1)}) |`
    );
  }
}

console.log(
  "\n2. The built bundle in real time (canary, 10m bake; MLOPS_ACTIONS_TIME_SCALE = the emulator's)\n"
);
console.log(
  '| watcher | time scale | wall clock (s) | DescribeEndpoint calls | noticed after settling (unscaled s) |'
);
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const scale of [0.01, 0.002]) {
  const r = await bundleRun(scale);
  console.log(`| deploy-canary bundle | ${scale} | ${fmt(r.wall, 1)} | ${r.calls} | ${fmt(r.latency, 1)} |`);
}
const waiter = await waiterRun(0.01);
console.log(
  `| SDK waitUntilEndpointInService (30 s) | 0.01 | ${fmt(waiter.wall, 1)} | ${waiter.calls} | ${fmt(waiter.latency, 1)} |`
);
fs.rmSync(path.join(root, 'bench', '.data'), { recursive: true, force: true });
