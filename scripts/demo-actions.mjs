#!/usr/bin/env node
// The main job: the whole pipeline on the bundled example (examples/wine-classifier), run with the
// CLI (`mlops-actions <action>`, the very code the actions run) against the local emulator, on this
// machine's Docker engine and registry. No AWS account, no network.
//
//   data:     dvc-push the example's data to the emulator's S3, dvc-pull it into a fresh checkout
//   PR:       build the training image, train locally, build the serving image, test inside it
//   deploy:   train on "SageMaker", deploy v1 (its container really serves), smoke-test it, retrain,
//             deploy v2 behind a canary, build a broken v3 (/invocations answers 500) and deploy it
//             behind a canary while smoke-test sends traffic: the 5XX alarm fires from the real
//             metrics, SageMaker rolls back, the step fails and says why; then an A/B test of v1
//             beside v2 by weights, the split smoke-test saw, and a rollback that ends it.
// Nothing is injected: every failure comes from the code and the containers.
//
// Needs .ci/services first (the Docker engine and the registry on 127.0.0.1:5000).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { BASE_IMAGE, checkServices, example, root, runCli, startEmulator } from './demo-setup.mjs';

const SCALE = '0.005';
const ROLE = 'arn:aws:iam::123456789012:role/wine-sagemaker-execution';
const quiet = process.argv.includes('--quiet');
const keep = process.argv.includes('--keep');

let emulator;
function fail(message) {
  console.error(`demo: ${message}`);
  emulator?.kill();
  process.exit(1);
}

await checkServices({ quiet });

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-demo-'));
const publisher = path.join(temp, 'publisher');
const repo = path.join(temp, 'repo');
// A checkout has data/train.dvc but not the data (data/.gitignore ignores it), so the publisher, who
// has the data, makes it: the training script exports the bundled data set, the very bytes
// data/train.dvc tracks. The fresh checkout gets nothing but what git holds.
const data = path.join(example, 'data/train');
const gitFiles = (src) => src !== data && !src.startsWith(data + path.sep);
fs.cpSync(example, publisher, { recursive: true, filter: gitFiles });
fs.cpSync(example, repo, { recursive: true, filter: gitFiles });
execFileSync(
  'docker',
  [
    'run',
    '--rm',
    '--network',
    'none',
    '--user',
    `${process.getuid()}:${process.getgid()}`,
    '-v',
    `${path.join(example, 'training')}:/training:ro`,
    '-v',
    `${path.join(publisher, 'data')}:/data`,
    BASE_IMAGE,
    'python3',
    '/training/train.py',
    '--export-data',
    '/data/train'
  ],
  { stdio: quiet ? 'ignore' : 'inherit' }
);

const started = await startEmulator({
  scale: SCALE,
  stateFile: path.join(temp, 'emulator/state.json'),
  buckets: 'wine-data,wine-models'
});
emulator = started.process;
const url = started.url;
const git = (format, fallback) => {
  try {
    return execFileSync('git', ['-C', root, 'log', '-1', `--format=${format}`], {
      encoding: 'utf8'
    }).trim();
  } catch {
    return fallback;
  }
};
const sha = git('%H', '0000000000000000000000000000000000000000');
// The copies of the example are not git checkouts: the commit's time makes the image's created
// label, so a re-run of the same commit builds the same image (its tag is immutable in ECR).
const commitTime = git('%ct', '0');

const results = [];
let summaries = '';
let abSplit;
const awsConfig = {
  endpoint: url,
  region: 'us-east-1',
  credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' }
};

/** Runs one action with the CLI; returns its outputs. `expect: 'failure'` for a step meant to fail. */
async function step(title, action, inputs, { cwd = repo, expect = 'success' } = {}) {
  const dir = fs.mkdtempSync(path.join(temp, 'step-'));
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ENDPOINT_URL: url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'demo',
    AWS_SECRET_ACCESS_KEY: 'demo',
    AWS_EC2_METADATA_DISABLED: 'true',
    MLOPS_ACTIONS_TIME_SCALE: SCALE,
    GITHUB_REPOSITORY: 'mlops-actions/wine-classifier',
    GITHUB_SHA: sha,
    GITHUB_REF_NAME: 'main',
    GITHUB_RUN_ID: String(Date.now()),
    GITHUB_WORKSPACE: cwd,
    SOURCE_DATE_EPOCH: commitTime,
    RUNNER_TEMP: dir,
    GITHUB_OUTPUT: path.join(dir, 'output'),
    GITHUB_STEP_SUMMARY: path.join(dir, 'summary.md')
  };
  const args = [action, ...Object.entries(inputs).flatMap(([k, v]) => [`--${k}`, String(v)])];
  console.log(
    `\n━━ ${title}\n$ mlops-actions ${action} ${Object.entries(inputs)
      .map(([k, v]) => `--${k} ${JSON.stringify(String(v))}`)
      .join(' ')}`
  );
  const started = Date.now();
  const { code, log } = await runCli(args, { cwd, env, quiet });
  const outputs = {};
  const text = fs.existsSync(env.GITHUB_OUTPUT) ? fs.readFileSync(env.GITHUB_OUTPUT, 'utf8') : '';
  for (const m of text.matchAll(/^([^<\n]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) outputs[m[1]] = m[3];
  summaries += fs.existsSync(env.GITHUB_STEP_SUMMARY)
    ? `\n${fs.readFileSync(env.GITHUB_STEP_SUMMARY, 'utf8')}\n`
    : '';
  const ok = expect === 'success' ? code === 0 : code === 1;
  results.push({ title, action, code, ok, seconds: (Date.now() - started) / 1000, outputs });
  if (!ok) {
    if (quiet) process.stdout.write(log);
    console.error(`\ndemo: "${title}" exited ${code}, expected ${expect}.`);
    finish(1);
  }
  // A step meant to fail says why, even when the logs are quiet.
  if (quiet && expect === 'failure')
    for (const line of log.split('\n')) if (/^\s*(::)?error/.test(line)) console.log(line.trim());
  return outputs;
}

function finish(code) {
  emulator.kill();
  console.log('\n| step | action | exit | time | result |');
  console.log('| --- | --- | ---: | ---: | --- |');
  for (const r of results) {
    const o = r.outputs;
    const metrics = o.metrics ? JSON.parse(o.metrics) : undefined;
    const result =
      (metrics?.accuracy !== undefined ? `${o.status}, accuracy ${metrics.accuracy}` : undefined) ??
      (o.tests !== undefined ? `${o.tests} tests, ${o.failures} failures` : undefined) ??
      (o['error-rate'] !== undefined
        ? `${o.status}, ${o.requests} requests, ${o.errors} errors, p95 ${o['p95-ms']} ms`
        : undefined) ??
      o.status ??
      (o.digest ? o.digest.slice(0, 19) : undefined) ??
      (o.files ? `${o.files} files` : undefined) ??
      (o.uploaded !== undefined ? `${o.uploaded} uploaded` : '');
    console.log(
      `| ${r.title} | ${r.action} | ${r.code}${r.ok ? '' : ' (unexpected)'} | ${r.seconds.toFixed(1)} s | ${result} |`
    );
  }
  if (abSplit) {
    const total = Object.values(abSplit).reduce((sum, v) => sum + v.requests, 0);
    const split = Object.entries(abSplit)
      .map(([variant, v]) => `${variant} ${Math.round((100 * v.requests) / total)}%`)
      .join(', ');
    console.log(`\nThe A/B split smoke-test observed (weights 70/30): ${split} of ${total} requests.`);
  }
  const file = path.join(temp, 'summary.md');
  fs.writeFileSync(file, summaries);
  console.log(`\nEvery step's job summary: ${file}`);
  if (!keep)
    for (const image of ['wine-classifier-training:demo'])
      spawn('docker', ['rmi', '-f', image], { stdio: 'ignore' });
  process.exit(code);
}

const build = { network: 'host', 'build-args': `BASE_IMAGE=${BASE_IMAGE}` };
const metrics = "accuracy: 'accuracy=([0-9.]+)'\nf1_macro: 'f1_macro=([0-9.]+)'";

await step('Publish the data (dvc push)', 'dvc-push', {}, { cwd: publisher });
const pulled = await step('Pull the data into a fresh checkout (dvc pull)', 'dvc-pull', {});
if (!fs.existsSync(path.join(repo, 'data/train/wine.csv')) || pulled.files !== '1')
  fail('dvc-pull did not bring data/train/wine.csv back.');
const trainingImage = await step('Build the training image', 'build-image', {
  ...build,
  dockerfile: 'training/Dockerfile',
  repository: 'wine-classifier-training',
  tags: 'demo',
  push: false
});
await step('Train on the runner (local mode)', 'train', {
  mode: 'local',
  image: trainingImage['image-id'],
  'job-name': 'wine-pr',
  channels: 'train: data/train',
  'output-path': 'build/model',
  'metric-definitions': metrics
});
const serving = await step('Build the serving image and push it to ECR', 'build-image', {
  ...build,
  dockerfile: 'serving/Dockerfile',
  repository: 'wine-classifier',
  // Tags are immutable in ECR, and the local registry outlives the emulator: each run its own tag.
  tags: `${sha.slice(0, 12)}-demo-${Date.now()}`
});
await step('Test inside the pushed image, by digest', 'test-in-docker', {
  image: serving['image-uri'],
  command: 'pytest serving/tests --junitxml=/tmp/junit.xml',
  report: '/tmp/junit.xml'
});
const v1 = await step('Train v1 on SageMaker (emulated)', 'train', {
  image: trainingImage['image-id'],
  'role-arn': ROLE,
  'job-name': `wine-v1-${Date.now()}`,
  'output-path': 's3://wine-models/wine',
  hyperparameters: 'n_estimators: 50',
  'metric-definitions': metrics
});
await step('Deploy v1 (creates the endpoint: its container starts and passes /ping)', 'deploy-canary', {
  'endpoint-name': 'wine',
  image: serving['image-uri'],
  'model-data': v1['model-data'],
  'role-arn': ROLE
});
await step('Smoke-test v1: real predictions from the live endpoint', 'smoke-test', {
  'endpoint-name': 'wine',
  requests: 'serving/smoke/requests.jsonl',
  'max-p95-latency': '2s'
});
const v2 = await step('Retrain: v2', 'train', {
  image: trainingImage['image-id'],
  'role-arn': ROLE,
  'job-name': `wine-v2-${Date.now()}`,
  'output-path': 's3://wine-models/wine',
  hyperparameters: 'n_estimators: 200',
  'metric-definitions': metrics
});
await step('Deploy v2 behind a canary', 'deploy-canary', {
  'endpoint-name': 'wine',
  image: serving['image-uri'],
  'model-data': v2['model-data'],
  'canary-size': '50%',
  'bake-time': '10m'
});

// The alarm a team keeps beside its endpoint (in its infrastructure code): any 5XX answer.
await new CloudWatchClient(awsConfig).send(
  new PutMetricAlarmCommand({
    AlarmName: 'wine-5xx',
    AlarmDescription: 'The wine endpoint answered 5XX',
    Namespace: 'AWS/SageMaker',
    MetricName: 'Invocation5XXErrors',
    Dimensions: [
      { Name: 'EndpointName', Value: 'wine' },
      { Name: 'VariantName', Value: 'AllTraffic' }
    ],
    Statistic: 'Sum',
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 0,
    ComparisonOperator: 'GreaterThanThreshold',
    TreatMissingData: 'notBreaching'
  })
);
const broken = await step(
  'Build a broken v3 (/invocations answers 500, /ping stays healthy)',
  'build-image',
  {
    ...build,
    'build-args': `BASE_IMAGE=${BASE_IMAGE}\nBROKEN_INVOCATIONS=1`,
    dockerfile: 'serving/Dockerfile',
    repository: 'wine-classifier',
    tags: `${sha.slice(0, 12)}-broken-${Date.now()}`
  }
);
// The canary bakes under real traffic: smoke-test sends it while deploy-canary watches the alarm.
const [, brokenDeploy] = await Promise.all([
  step(
    'Traffic while v3 bakes (smoke-test for 8 s; errors allowed: it is the canary that fails)',
    'smoke-test',
    {
      'endpoint-name': 'wine',
      requests: 'serving/smoke/predictions.jsonl',
      duration: '8s',
      'max-error-rate': '100%'
    }
  ),
  step(
    'Deploy the broken v3 behind a canary: the 5XX alarm fires from real traffic, SageMaker rolls back',
    'deploy-canary',
    {
      'endpoint-name': 'wine',
      image: broken['image-uri'],
      'model-data': v2['model-data'],
      'canary-size': '50%',
      'bake-time': '10m',
      alarms: 'wine-5xx'
    },
    { expect: 'failure' }
  )
]);
if (brokenDeploy.status !== 'rolled-back') fail('the broken v3 was not rolled back.');
await step('A/B test: v1 beside v2 on 30% of the traffic (weights)', 'deploy-canary', {
  'endpoint-name': 'wine',
  image: serving['image-uri'],
  'model-data': v1['model-data'],
  strategy: 'weights',
  'canary-weight': '30'
});
const ab = await step('Traffic through the A/B test: the split smoke-test observed', 'smoke-test', {
  'endpoint-name': 'wine',
  requests: 'serving/smoke/predictions.jsonl',
  count: '50'
});
abSplit = JSON.parse(ab.variants);
await step('End the A/B test: roll back to v2 alone (read from the tags in AWS)', 'rollback', {
  'endpoint-name': 'wine',
  reason: 'demo: v2 stays'
});
finish(0);
