/**
 * The starters on a repository laid out the hand-written way (test/fixtures/handwritten-repo: a
 * Makefile that trains on the host, serving/app/ whose Dockerfile copies data/model tracked by a DVC 2
 * dvc.lock on S3), moved to our workflows by setting their inputs only, and run by the local workflow
 * runner through the built CLI against the emulator (its endpoints really serve) and a loopback
 * stand-in of GitHub's REST API. The example's own run of every starter is the demo's test.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListTagsCommand,
  SageMakerClient
} from '@aws-sdk/client-sagemaker';
import { ROOT } from '../helpers/bundle.js';
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';
import { GitHubStandIn } from '../helpers/github-stand-in.js';
import { makeHandwrittenRepo, type HandwrittenRepo } from '../helpers/handwritten-repo.js';

const CLI = path.join(ROOT, 'dist/cli/index.js');
const BASE_IMAGE = 'mlops-example-base:bookworm';
const REPOSITORY = 'octo-org/handwritten';
const SCALE = 0.005;

let emulator: RunningEmulator;
let repo: HandwrittenRepo;
let github: GitHubStandIn;
let apiUrl: string;
let temp: string;

const git = (...args: string[]) =>
  execFileSync('git', ['-C', repo.root, ...args], { encoding: 'utf8' }).trim();

/** A starter copied into the repository with this repository's values: only its inputs change. */
function starter(name: string, inputs: Record<string, string | boolean>, permissions?: object): void {
  const text = fs
    .readFileSync(path.join(ROOT, 'workflows-templates', `${name}.yml`), 'utf8')
    .replaceAll('$default-branch', 'main');
  const doc = YAML.parseDocument(text);
  const job = Object.keys((doc.get('jobs') as YAML.YAMLMap).toJSON())[0];
  // The hand-written layout has no training image: train-command replaces training-dockerfile.
  for (const key of ['training-dockerfile', 'training-channels', 'metric-definitions'])
    if (key in inputs) continue;
    else doc.deleteIn(['jobs', job, 'with', key]);
  for (const [key, value] of Object.entries(inputs)) doc.setIn(['jobs', job, 'with', key], value);
  if (permissions) doc.setIn(['jobs', job, 'permissions'], permissions);
  fs.mkdirSync(path.join(repo.root, '.github/workflows'), { recursive: true });
  fs.writeFileSync(path.join(repo.root, '.github/workflows', `${name}.yml`), String(doc));
}

interface Run {
  code: number | null;
  log: string;
  jobs: Array<{ id: string; result: string; outputs: Record<string, string> }>;
  work: string;
}

/** Runs the built CLI asynchronously: the emulator answers from this very process. */
async function workflow(file: string, args: string[], payload?: object): Promise<Run> {
  const work = fs.mkdtempSync(path.join(temp, 'run-'));
  const extra: string[] = [];
  if (payload) {
    fs.writeFileSync(path.join(work, 'event.json'), JSON.stringify(payload));
    extra.push('--event-path', path.join(work, 'event.json'));
  }
  const child = spawn(
    process.execPath,
    [
      CLI,
      'workflow',
      `.github/workflows/${file}`,
      '--repo',
      repo.root,
      '--repository',
      REPOSITORY,
      '--work-dir',
      work,
      '--result-file',
      path.join(work, 'result.json'),
      '--secret',
      'GITHUB_TOKEN=ghs_handwritten_test_token',
      ...args,
      ...extra
    ],
    {
      cwd: repo.root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...emulator.env, GITHUB_API_URL: apiUrl }
    }
  );
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const resultFile = path.join(work, 'result.json');
  const result = fs.existsSync(resultFile) ? JSON.parse(fs.readFileSync(resultFile, 'utf8')) : { jobs: [] };
  return { code, log, jobs: result.jobs, work };
}
/** An action through the built CLI, asynchronously (the emulator answers from this process). */
async function cliOutput(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: repo.root, env });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`mlops-actions ${args[0]} exited ${code}:\n${out}\n${err}`);
  return out;
}
const results = (run: Run) => Object.fromEntries(run.jobs.map((j) => [j.id, j.result]));
const outputs = (run: Run, id: string) => run.jobs.find((j) => j.id === id)?.outputs ?? {};

const build = { 'build-args': `BASE_IMAGE=${BASE_IMAGE}`, 'build-network': 'host' };
const tests = {
  'test-command': 'python3 -m pytest -p no:cacheprovider /opt/app/tests --junitxml=/tmp/junit.xml',
  'test-report': '/tmp/junit.xml'
};

beforeAll(async () => {
  temp = fs.mkdtempSync(path.join(os.tmpdir(), 'handwritten-workflows-'));
  emulator = await startEmulator({
    timeScale: SCALE,
    hosting: 'docker',
    dataDir: path.join(temp, 'emulator')
  });
  repo = await makeHandwrittenRepo({ endpoint: emulator.url, env: emulator.env });
  github = new GitHubStandIn(REPOSITORY);
  apiUrl = await github.start();
  starter(
    'ml-pull-request',
    {
      ...build,
      ...tests,
      'train-command': 'make train',
      'model-path': 'data/model',
      'metrics-file': 'metrics.json',
      dockerfile: 'serving/app/Dockerfile',
      'gate-rules': 'accuracy >= baseline - 0.01\nsamples >= 100',
      'commit-model': true
    },
    { contents: 'write', 'id-token': 'write', 'pull-requests': 'write' }
  );
  starter('ml-deploy', {
    ...build,
    ...tests,
    'endpoint-name': 'handwritten',
    repository: 'handwritten-service',
    dockerfile: 'serving/app/Dockerfile',
    'execution-role-arn': 'arn:aws:iam::123456789012:role/handwritten-sagemaker',
    'canary-size': '50%',
    alarms: '',
    'smoke-requests': 'serving/app/smoke.jsonl'
  });
  starter('ml-rollback', { 'endpoint-name': 'handwritten' });
  fs.writeFileSync(
    path.join(repo.root, 'serving/app/smoke.jsonl'),
    `${JSON.stringify({ body: { instances: [[0.1, 0.2]] }, expect: { status: 200, json: { 'predictions.0': { exists: true } } } })}\n`
  );
  git('add', '-A');
  git('commit', '-q', '-m', 'Move to the mlops-actions starters');
  // A pull request that changes how the model is written (coarser centroids): a new model.
  git('checkout', '-q', '-b', 'coarser');
  const train = path.join(repo.root, 'training/train.py');
  fs.writeFileSync(train, fs.readFileSync(train, 'utf8').replaceAll('s[2], 6)', 's[2], 3)'));
  git('commit', '-q', '-am', 'Coarser centroids');
  git('checkout', '-q', 'main');
}, 300_000);

afterAll(async () => {
  await github?.stop();
  await emulator?.stop();
  repo?.remove();
  fs.rmSync(temp, { recursive: true, force: true });
});

test('a pull request trains with make train, tests the image holding that model, gates it, records it in dvc.lock and on the branch', async () => {
  const run = await workflow(
    'ml-pull-request.yml',
    ['--event', 'pull_request', '--ref', 'coarser', '--base-ref', 'main'],
    { number: 7, pull_request: { number: 7 } }
  );
  if (run.code !== 0) throw new Error(run.log);
  expect(results(run)).toEqual({
    'model / model': 'success',
    'model / gate': 'success',
    'model / record': 'success',
    model: 'success'
  });
  // The image tested holds the model this run trained, byte for byte.
  const model = outputs(run, 'model / model');
  const trained = fs.readFileSync(
    path.join(run.work, 'jobs/model_model/workspace/data/model/model.json'),
    'utf8'
  );
  const inImage = execFileSync(
    'docker',
    [
      'run',
      '--rm',
      '--network',
      'none',
      '--entrypoint',
      'cat',
      model['image-id'],
      '/opt/ml/model/model.json'
    ],
    { encoding: 'utf8' }
  );
  expect(inImage).toBe(trained);
  // ... and it is the pull request's model: centroids rounded to 3 places, as its change says.
  const centroids = Object.values(JSON.parse(trained).centroids as Record<string, number[]>).flat();
  expect(centroids.every((c) => Math.round(c * 1000) / 1000 === c)).toBe(true);
  expect(centroids.some((c) => Math.round(c * 100) / 100 !== c)).toBe(true);
  // One comment with the table; the gate compared with main's metrics.json.
  const comments = github.commentsOn(7);
  expect(comments).toHaveLength(1);
  expect(comments[0].body).toMatch(/\| accuracy \| 0\.9917 \| 0\.9917 \|/);
  // dvc.lock now records the new model in DVC 3 form, committed to the branch, pushed to S3.
  expect(git('log', '-1', '--format=%s', 'coarser')).toMatch(/^Record the model trained by /);
  const lock = YAML.parse(git('show', 'coarser:dvc.lock'));
  const out = lock.stages.train.outs.find((o: { path: string }) => o.path === 'data/model');
  expect(out).toMatchObject({ hash: 'md5', nfiles: 1 });
  expect(model.committed).toBe('dvc.lock');
});

test("a fork's pull request is gated but neither pushed nor committed, and says so", async () => {
  const before = git('rev-parse', 'coarser');
  const run = await workflow(
    'ml-pull-request.yml',
    ['--event', 'pull_request', '--ref', 'coarser', '--base-ref', 'main'],
    {
      number: 8,
      pull_request: {
        number: 8,
        head: { ref: 'coarser', repo: { full_name: 'someone/handwritten', fork: true } }
      }
    }
  );
  if (run.code !== 0) throw new Error(run.log);
  expect(results(run)).toMatchObject({ 'model / model': 'success', 'model / record': 'skipped' });
  expect(run.log).toMatch(
    /comes from a fork \(someone\/handwritten\); its model is neither pushed nor committed/
  );
  expect(git('rev-parse', 'coarser')).toBe(before);
});

test('the merge pulls the DVC 2 model, builds, tests by digest, deploys, smoke-tests and records the metrics on the live model', async () => {
  const run = await workflow('ml-deploy.yml', ['--event', 'push', '--ref', 'main']);
  if (run.code !== 0) throw new Error(run.log);
  expect(results(run)).toEqual({
    'deploy / build': 'success',
    'deploy / deploy': 'success',
    deploy: 'success'
  });
  expect(outputs(run, 'deploy / build')['image-uri']).toMatch(
    /^127\.0\.0\.1:5000\/handwritten-service@sha256:/
  );
  expect(outputs(run, 'deploy')).toMatchObject({ status: 'deployed' });
  expect(run.log).toMatch(/smoke-test succeeded/);

  const sagemaker = new SageMakerClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' }
  });
  const endpoint = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'handwritten' }));
  expect(endpoint.EndpointStatus).toBe('InService');
  const config = await sagemaker.send(
    new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName })
  );
  const model = await sagemaker.send(
    new DescribeModelCommand({ ModelName: config.ProductionVariants![0].ModelName })
  );
  const tags = await sagemaker.send(new ListTagsCommand({ ResourceArn: model.ModelArn }));
  expect(tags.Tags).toContainEqual({ Key: 'mlops-actions:metrics', Value: 'accuracy=0.9917 samples=120' });
});

test('merging the recorded model deploys it behind a canary; the manual rollback returns to the first model', async () => {
  const sagemaker = new SageMakerClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' }
  });
  const live = async () =>
    (await sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'handwritten' }))).EndpointConfigName;
  const first = await live();
  git('merge', '-q', '--ff-only', 'coarser');
  const deployed = await workflow('ml-deploy.yml', ['--event', 'push', '--ref', 'main']);
  if (deployed.code !== 0) throw new Error(deployed.log);
  expect(outputs(deployed, 'deploy')).toMatchObject({ status: 'deployed' });
  // dvc-pull brought the model the pull request recorded (DVC 3 entry), not main's first one.
  expect(deployed.log).toMatch(/Plan for handwritten: update, canary/);
  const second = await live();
  expect(second).not.toBe(first);

  const rolled = await workflow('ml-rollback.yml', [
    '--event',
    'workflow_dispatch',
    '--input',
    'reason=the coarser model answers differently'
  ]);
  if (rolled.code !== 0) throw new Error(rolled.log);
  expect(results(rolled)).toEqual({ 'rollback / rollback': 'success', rollback: 'success' });
  expect(outputs(rolled, 'rollback')).toMatchObject({ status: 'rolled-back', 'endpoint-config': first });
  expect(await live()).toBe(first);
});

test('the schedule retrains on SageMaker with the training container, gates against the live model and deploys the new model data', async () => {
  const env = { ...process.env, ...emulator.env, GITHUB_WORKSPACE: repo.root };
  // The training image, pushed by digest; the training data on S3 (the same bytes DVC tracks).
  const built = await cliOutput(
    [
      'build-image',
      '--dockerfile',
      'training/Dockerfile',
      '--repository',
      'handwritten-training',
      '--build-args',
      `BASE_IMAGE=${BASE_IMAGE}`,
      '--network',
      'host',
      '--tags',
      `retrain-${Date.now()}`
    ],
    env
  );
  const trainingImage = /^image-uri=(\S+)$/m.exec(built)![1];
  const raw = path.join(temp, 'raw');
  execFileSync('python3', ['training/make_data.py', raw], { cwd: repo.root });
  const s3 = new S3Client({
    endpoint: emulator.url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' }
  });
  for (const file of fs.readdirSync(raw))
    await s3.send(
      new PutObjectCommand({
        Bucket: 'handwritten-dvc',
        Key: `retrain/train/${file}`,
        Body: fs.readFileSync(path.join(raw, file))
      })
    );
  const sagemaker = new SageMakerClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' }
  });
  const liveModel = async () => {
    const endpoint = await sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'handwritten' }));
    const config = await sagemaker.send(
      new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName })
    );
    return sagemaker.send(new DescribeModelCommand({ ModelName: config.ProductionVariants![0].ModelName }));
  };
  const servingImage = (await liveModel()).PrimaryContainer!.Image!;
  starter('ml-retrain', {
    'training-image': trainingImage,
    'training-role-arn': 'arn:aws:iam::123456789012:role/handwritten-sagemaker',
    channels: 'train: s3://handwritten-dvc/retrain/train',
    'output-path': 's3://handwritten-dvc/models',
    'metric-definitions': "accuracy: 'accuracy=([0-9.]+)'",
    'endpoint-name': 'handwritten',
    'serving-image': servingImage,
    'gate-rules': 'accuracy >= baseline - 0.01',
    alarms: ''
  });
  git('add', '-A');
  git('commit', '-q', '-m', 'Retrain every week');

  const run = await workflow('ml-retrain.yml', ['--event', 'schedule']);
  if (run.code !== 0) throw new Error(run.log);
  expect(results(run)).toEqual({
    'retrain / train': 'success',
    'retrain / gate': 'success',
    'retrain / deploy': 'success',
    retrain: 'success'
  });
  const trained = outputs(run, 'retrain / train');
  expect(JSON.parse(trained.metrics)).toEqual({ accuracy: 0.9917 });
  expect(outputs(run, 'retrain')).toMatchObject({ passed: 'true', status: 'deployed' });
  const live = await liveModel();
  expect(live.PrimaryContainer).toMatchObject({ Image: servingImage, ModelDataUrl: trained['model-data'] });
});
