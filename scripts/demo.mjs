#!/usr/bin/env node
// The main job: the starter workflows, run by the local workflow runner (`mlops-actions workflow`) on
// the bundled example (examples/wine-classifier) as a git repository, against the local emulator, on
// this machine's Docker engine and registry, with a loopback stand-in of GitHub's REST API for the
// pull request comments. No AWS account, no network, nothing injected.
//
//   main      the example with weak training defaults, its data pushed with DVC, its first model
//             trained and recorded in dvc.lock (what a repository looks like when it adopts the toolkit)
//   PR #1     restores the example's defaults: trained, built with that model, tested inside the
//             image, gated against main's metrics (passes, one comment), the model recorded in
//             dvc.lock, pushed to the DVC remote and committed to the branch; then merged
//   PR #2     trains a worse model: the gate fails the check, the comment shows the table
//   deploy    the merge: the model pulled from DVC, the image built, tested by digest, pushed,
//             deployed (its container really serves), smoke-tested, its metrics recorded on it
//   retrain   the schedule: trained on "SageMaker", gated against the live model's metrics, deployed
//             behind a canary
//   rollback  by hand: back to the merged model, read from the tags in AWS
//   lambda    the model's Lambda flavour by the ml-deploy-lambda starter, while users call its function
//             URL: a first deployment, a broken build rolled back by the errors they meet, a healthy
//             build live with provisioned concurrency (demo-lambda.mjs)
//   registry  the ml-promote starter on the same endpoint: packages registered, staged, approved or
//             declined by the production environment's reviewers, a live package rejected and
//             production rolled back to the last Approved one (demo-promote.mjs)
//
// Needs .ci/services first (the Docker engine and the registry on 127.0.0.1:5000).
// `npm run demo:actions` runs the actions one by one with the CLI instead (canary rolled back by an
// alarm that real traffic fires, an A/B test).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
import { BASE_IMAGE, checkServices, cli, example, root, runCli, startEmulator } from './demo-setup.mjs';
import { GitHubStandIn } from './github-stand-in.mjs';
import { lambdaAct } from './demo-lambda.mjs';
import { promoteAct } from './demo-promote.mjs';

const SCALE = '0.005';
const ROLE = 'arn:aws:iam::123456789012:role/wine-sagemaker-execution';
const REPOSITORY = 'mlops-actions/wine-classifier';
const quiet = process.argv.includes('--quiet');

let emulator;
let github;
function fail(message) {
  console.error(`demo: ${message}`);
  emulator?.kill();
  github?.stop();
  process.exit(1);
}

await checkServices({ quiet });
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-demo-'));
const repo = path.join(temp, 'wine-classifier');
const sh = (cmd, args, options = {}) =>
  execFileSync(cmd, args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
const git = (...args) => sh('git', args).trim();

// ---- The emulator and the GitHub stand-in
const started = await startEmulator({
  scale: SCALE,
  stateFile: path.join(temp, 'emulator/state.json'),
  buckets: 'wine-data,wine-models'
});
emulator = started.process;
const url = started.url;
github = new GitHubStandIn(REPOSITORY);
const githubUrl = await github.start();
const env = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  AWS_ENDPOINT_URL: url,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'demo',
  AWS_SECRET_ACCESS_KEY: 'demo-secret-key',
  AWS_EC2_METADATA_DISABLED: 'true',
  MLOPS_ACTIONS_TIME_SCALE: SCALE,
  GITHUB_API_URL: githubUrl
};
const cliRun = (args, cwd = repo) =>
  execFileSync(process.execPath, [cli, ...args], {
    cwd,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe']
  });

// ---- main: the example as a repository that adopts the toolkit
const data = path.join(example, 'data/train');
fs.cpSync(example, repo, {
  recursive: true,
  filter: (src) => src !== data && !src.startsWith(data + path.sep)
});
/** The starters, copied in and given this repository's values: only their inputs change. */
function starter(name, inputs, edit = (doc) => doc) {
  const doc = YAML.parseDocument(
    fs.readFileSync(path.join(root, 'workflows-templates', `${name}.yml`), 'utf8')
  );
  const text = String(doc).replaceAll('$default-branch', 'main');
  const parsed = YAML.parseDocument(text);
  const job = Object.keys(parsed.get('jobs').toJSON())[0];
  for (const [k, v] of Object.entries(inputs)) parsed.setIn(['jobs', job, 'with', k], v);
  edit(parsed, job);
  fs.mkdirSync(path.join(repo, '.github/workflows'), { recursive: true });
  fs.writeFileSync(path.join(repo, '.github/workflows', `${name}.yml`), String(parsed));
}
const build = { 'build-args': `BASE_IMAGE=${BASE_IMAGE}`, 'build-network': 'host' };
starter(
  'ml-pull-request',
  { ...build, 'commit-model': true, 'role-to-assume': 'arn:aws:iam::123456789012:role/wine-dvc' },
  (doc, job) => doc.setIn(['jobs', job, 'permissions', 'contents'], 'write')
);
starter('ml-deploy', {
  ...build,
  'endpoint-name': 'wine',
  repository: 'wine-classifier',
  'execution-role-arn': ROLE,
  'canary-size': '50%',
  alarms: '',
  'role-to-assume': 'arn:aws:iam::123456789012:role/wine-deploy'
});
// Training defaults of a first, weak model: PR #1 restores the example's.
const trainPy = path.join(repo, 'training/train.py');
const strong = fs.readFileSync(trainPy, 'utf8');
const withDefaults = (text, trees, depth) =>
  text
    .replace(/"n_estimators": \d+,/, `"n_estimators": ${trees},`)
    .replace(/"max_depth": \d+,/, `"max_depth": ${depth},`);
fs.writeFileSync(trainPy, withDefaults(strong, 2, 1));

// The publisher's data: the training script exports the bundled data set, the very bytes
// data/train.dvc tracks (data/.gitignore keeps it out of git).
const dockerRun = (args) =>
  sh('docker', [
    'run',
    '--rm',
    '--network',
    'none',
    '--user',
    `${process.getuid()}:${process.getgid()}`,
    '-v',
    `${repo}:/repo`,
    '-w',
    '/repo',
    BASE_IMAGE,
    ...args
  ]);
dockerRun(['python3', 'training/train.py', '--export-data', 'data/train']);
git('init', '-q', '-b', 'main');
git('config', 'user.name', 'Demo');
git('config', 'user.email', 'demo@example.invalid');
const commit = (message) => {
  git('add', '-A');
  git('commit', '-q', '-m', message);
};

const results = [];
const runs = [];
let summaries = '';
/** Runs one workflow through the local runner; returns its result (jobs, outcomes, outputs). */
async function workflow(
  title,
  file,
  { event, ref = 'main', inputs = {}, payload, reviews = [], expect = 'success' }
) {
  const work = fs.mkdtempSync(path.join(temp, 'run-'));
  const resultFile = path.join(work, 'result.json');
  const args = [
    'workflow',
    `.github/workflows/${file}`,
    '--event',
    event,
    '--repo',
    repo,
    '--ref',
    ref,
    '--repository',
    REPOSITORY,
    '--work-dir',
    work,
    '--result-file',
    resultFile,
    '--secret',
    'GITHUB_TOKEN=ghs_demo_token_not_secret',
    ...Object.entries(inputs).flatMap(([k, v]) => ['--input', `${k}=${v}`]),
    ...reviews.flatMap((r) => ['--review', r])
  ];
  if (payload) {
    fs.writeFileSync(path.join(work, 'event.json'), JSON.stringify(payload));
    args.push('--event-path', path.join(work, 'event.json'));
  }
  console.log(
    `\n━━ ${title}\n$ mlops-actions workflow .github/workflows/${file} --event ${event} --ref ${ref}`
  );
  const started = Date.now();
  const { code, log } = await runCli(args, { cwd: repo, env, quiet });
  const result = fs.existsSync(resultFile) ? JSON.parse(fs.readFileSync(resultFile, 'utf8')) : { jobs: [] };
  const summary = path.join(work, 'summary.md');
  if (fs.existsSync(summary)) summaries += `\n# ${title}\n\n${fs.readFileSync(summary, 'utf8')}\n`;
  const ok = expect === 'success' ? code === 0 : code === 1;
  runs.push({ title, file, code, ok, seconds: (Date.now() - started) / 1000, result });
  if (!ok) {
    if (quiet) process.stdout.write(log);
    console.error(`\ndemo: "${title}" exited ${code}, expected ${expect}.`);
    finish(1);
  }
  return result;
}
/** A job of the called reusable workflow: `model / gate` for the job `gate` called by `model`. */
const job = (result, id) => result.jobs.find((j) => j.id.split(' / ').pop() === id && j.id.includes(' / '));

function finish(code) {
  emulator.kill();
  github.stop();
  for (const line of results) console.log(line);
  // The runner's own time: all but the time inside step processes (Docker, training, AWS waits and
  // the actions themselves).
  console.log("\n| workflow | job | result | time | runner's own |");
  console.log('| --- | --- | --- | ---: | ---: |');
  for (const r of runs)
    for (const j of r.result.jobs ?? [])
      console.log(
        `| ${r.title} | ${j.id} | ${j.result} | ${Number(j.seconds ?? 0).toFixed(1)} s | ${Number(j.overheadSeconds ?? 0).toFixed(2)} s |`
      );
  const file = path.join(temp, 'summary.md');
  fs.writeFileSync(file, summaries);
  console.log(`\nEvery job summary: ${file}`);
  process.exit(code);
}

// main's first model, trained with the weak defaults and recorded in dvc.lock with dvc-push --commit.
console.log('\n━━ main: the data pushed with DVC, a first model trained and recorded in dvc.lock');
dockerRun(['python3', 'training/train.py', '--data', 'data/train', '--output', 'model']);
cliRun(['dvc-push', '--commit', 'true']);
commit('The wine classifier, its data and a first model (weak defaults)');
console.log(
  `  main at ${git('rev-parse', '--short', 'HEAD')}: ${fs.readFileSync(path.join(repo, 'metrics.json'), 'utf8').trim()}`
);

// PR #1: the example's real defaults.
git('checkout', '-q', '-b', 'more-trees');
fs.writeFileSync(trainPy, withDefaults(strong, 100, 0));
commit('More and deeper trees');
git('checkout', '-q', 'main');
const pr = (number, branch) => ({
  number,
  pull_request: { number, head: { ref: branch }, base: { ref: 'main' } }
});
const pr1 = await workflow('PR #1 more trees', 'ml-pull-request.yml', {
  event: 'pull_request',
  ref: 'more-trees',
  payload: pr(1, 'more-trees')
});
const comment1 = github.commentsOn(1)[0];
if (!comment1) fail('PR #1 has no metrics comment.');
results.push(`\nPR #1's comment (${github.commentsOn(1).length} comment):\n${comment1.body}`);
if (job(pr1, 'gate')?.outputs?.passed !== 'true') fail('PR #1 did not pass its gate.');
const recorded = git('log', '-1', '--format=%s', 'more-trees');
if (!/Record the model/.test(recorded))
  fail(`PR #1's model was not committed to its branch (last commit: ${recorded}).`);
git('merge', '-q', '--ff-only', 'more-trees');

// PR #2: a worse model.
git('checkout', '-q', '-b', 'shallow-trees');
fs.writeFileSync(trainPy, withDefaults(strong, 10, 2));
commit('Ten trees of depth 2');
git('checkout', '-q', 'main');
await workflow('PR #2 shallow trees', 'ml-pull-request.yml', {
  event: 'pull_request',
  ref: 'shallow-trees',
  payload: pr(2, 'shallow-trees'),
  expect: 'failure'
});
const comment2 = github.commentsOn(2)[0];
if (!comment2) fail('PR #2 has no metrics comment.');
results.push(`\nPR #2's comment:\n${comment2.body}`);

// The merge deploys.
const deployed = await workflow('Merge to main: deploy', 'ml-deploy.yml', { event: 'push' });
const imageUri = job(deployed, 'build')?.outputs?.['image-uri'];
if (!imageUri?.includes('@sha256:')) fail('the deploy workflow gave no image by digest.');

// The schedule retrains: the training image by digest, the data on S3.
console.log('\n━━ retrain prerequisites: the training image pushed by digest, the training data on S3');
const built = cliRun([
  'build-image',
  '--dockerfile',
  'training/Dockerfile',
  '--repository',
  'wine-classifier-training',
  '--build-args',
  `BASE_IMAGE=${BASE_IMAGE}`,
  '--network',
  'host',
  '--tags',
  `retrain-${Date.now()}`
]);
const trainingImage = /^image-uri=(\S+)$/m.exec(built)?.[1];
if (!trainingImage) fail(`build-image gave no image-uri:\n${built}`);
await new S3Client({
  endpoint: url,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' }
}).send(
  new PutObjectCommand({
    Bucket: 'wine-data',
    Key: 'train/wine.csv',
    Body: fs.readFileSync(path.join(repo, 'data/train/wine.csv'))
  })
);
starter('ml-retrain', {
  'training-image': trainingImage,
  'training-role-arn': ROLE,
  channels: 'train: s3://wine-data/train',
  'output-path': 's3://wine-models/wine',
  'metric-definitions': "accuracy: 'accuracy=([0-9.]+)'\nf1_macro: 'f1_macro=([0-9.]+)'",
  'endpoint-name': 'wine',
  'serving-image': imageUri,
  'gate-rules': 'accuracy >= baseline - 0.01',
  alarms: '',
  'role-to-assume': 'arn:aws:iam::123456789012:role/wine-deploy'
});
starter('ml-rollback', {
  'endpoint-name': 'wine',
  'role-to-assume': 'arn:aws:iam::123456789012:role/wine-deploy'
});
commit('Retrain and rollback workflows');
await workflow('Schedule: retrain', 'ml-retrain.yml', { event: 'schedule' });
await workflow('By hand: rollback', 'ml-rollback.yml', {
  event: 'workflow_dispatch',
  inputs: { reason: 'demo: back to the merged model' }
});

// The same model on Lambda: a first deployment, a broken build rolled back by the errors users meet,
// a healthy one live with provisioned concurrency.
await lambdaAct({ repo, url, build, starter, commit, workflow, job, results, fail });

// Promotion through the model registry, approved and rejected by the production environment's
// reviewers, on the same endpoint.
await promoteAct({ url, build, starter, commit, workflow, job, results, fail });
finish(0);
