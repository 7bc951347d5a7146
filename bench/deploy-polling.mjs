#!/usr/bin/env node
// What watching a 10-minute canary costs: DescribeEndpoint calls and how long after the endpoint
// settles the watcher notices. Side by side in one run against the emulator (time scale 0.01, so
// SageMaker's ~22 minutes of provisioning, shifting and baking take ~13 s): deploy-canary's own
// poller (5 s, x1.5, capped at 30 s, reset on every change of state, waking when a bake ends) and the SDK waiter
// waitUntilEndpointInService (a fixed 30 s), both scaled by the same factor.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateEndpointConfigCommand,
  CreateModelCommand,
  SageMakerClient,
  UpdateEndpointCommand,
  waitUntilEndpointInService
} from '@aws-sdk/client-sagemaker';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCALE = Number(process.env.BENCH_SCALE ?? 0.01);
const ROLE = 'arn:aws:iam::123456789012:role/bench';
const IMAGE = (n) =>
  `123456789012.dkr.ecr.us-east-1.amazonaws.com/bench@sha256:${String(n).repeat(64).slice(0, 64)}`;

const emulator = spawn(
  process.execPath,
  [path.join(root, 'dist/cli/index.js'), 'emulator', '--port', '0', '--time-scale', String(SCALE)],
  { stdio: ['ignore', 'pipe', 'inherit'] }
);
const url = await new Promise((resolve) =>
  emulator.stdout.on('data', (d) => {
    const m = /listening on (\S+)/.exec(String(d));
    if (m) resolve(m[1]);
  })
);
const env = {
  ...process.env,
  AWS_ENDPOINT_URL: url,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'a',
  AWS_SECRET_ACCESS_KEY: 'b',
  MLOPS_ACTIONS_TIME_SCALE: String(SCALE),
  GITHUB_SHA: 'bench000'
};
const calls = async () => (await fetch(`${url}/_emulator/calls`)).json();
const clearCalls = () => fetch(`${url}/_emulator/calls`, { method: 'DELETE' });
// provision 120 s + shift 10 s + bake 600 s + shift 10 s + bake 600 s, as the emulator models SageMaker
const SETTLES_AFTER = 120 + 10 + 600 + 10 + 600;

function deploy(endpoint, n) {
  const inputs = {
    'endpoint-name': endpoint,
    image: IMAGE(n),
    'role-arn': ROLE,
    'bake-time': '10m',
    'canary-size': '10%'
  };
  const runnerEnv = {
    ...env,
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]))
  };
  const result = spawnSync(process.execPath, [path.join(root, 'dist/deploy-canary/index.js')], {
    env: runnerEnv,
    encoding: 'utf8'
  });
  if (result.status !== 0) throw new Error(result.stdout + result.stderr);
}

function measure(log, start) {
  const describes = log.filter((c) => c.operation === 'DescribeEndpoint');
  const last = Date.parse(describes.at(-1).at);
  return { calls: describes.length, noticedAfter: ((last - start) / 1000 - SETTLES_AFTER * SCALE) / SCALE };
}

// Ours: the deploy-canary bundle itself.
deploy('bench-ours', 1);
await clearCalls();
deploy('bench-ours', 2);
const oursLog = await calls();
const ours = measure(oursLog, Date.parse(oursLog.find((c) => c.operation === 'UpdateEndpoint').at));

// The SDK waiter, its 30 s delay scaled the same way.
const sm = new SageMakerClient({
  region: 'us-east-1',
  endpoint: url,
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' }
});
deploy('bench-waiter', 1);
for (const name of ['bench-waiter-v2']) {
  await sm.send(
    new CreateModelCommand({ ModelName: name, ExecutionRoleArn: ROLE, PrimaryContainer: { Image: IMAGE(3) } })
  );
  await sm.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: name,
      ProductionVariants: [
        { VariantName: 'AllTraffic', ModelName: name, InstanceType: 'ml.m5.large', InitialInstanceCount: 2 }
      ]
    })
  );
}
await clearCalls();
await sm.send(
  new UpdateEndpointCommand({
    EndpointName: 'bench-waiter',
    EndpointConfigName: 'bench-waiter-v2',
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
const delay = 30 * SCALE;
await waitUntilEndpointInService(
  { client: sm, minDelay: delay, maxDelay: delay, maxWaitTime: 3600 },
  { EndpointName: 'bench-waiter' }
);
const waiterLog = await calls();
const waiter = measure(waiterLog, Date.parse(waiterLog.find((c) => c.operation === 'UpdateEndpoint').at));
emulator.kill();

console.log(
  `A 10-minute canary (${SETTLES_AFTER} s of SageMaker time: provision, 10% + bake 10m, 100% + bake 10m), emulator time scale ${SCALE}; times unscaled.\n`
);
console.log('| watcher | DescribeEndpoint calls | noticed after settling | notices a rollback |');
console.log('| --- | ---: | ---: | --- |');
console.log(
  `| deploy-canary (5 s x1.5 to 30 s, reset on change, wakes when a bake ends) | ${ours.calls} | ${ours.noticedAfter.toFixed(1)} s | yes: checks the config and FailureReason |`
);
console.log(
  `| SDK waitUntilEndpointInService (30 s) | ${waiter.calls} | ${waiter.noticedAfter.toFixed(1)} s | no: any InService is success |`
);
