/**
 * The promotion starter (ml-promote) end to end through the local workflow runner's built CLI,
 * against the emulator (its endpoints really serve) on the hand-written fixture: a merge with the
 * production environment's review approved (registered, staged, approved, deployed by package ARN,
 * smoke-tested), then a merge whose review is rejected (the package Rejected, production untouched),
 * then a dispatched rejection of the live package (production rolled back to the previous Approved
 * package). The model's metrics travel with it: registered with each package, recorded on the model
 * deployed from it, and shown to the next reviewers beside the live model's (metrics-gate).
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  SageMakerClient
} from '@aws-sdk/client-sagemaker';
import { ROOT } from '../helpers/bundle.js';
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';
import { makeHandwrittenRepo, type HandwrittenRepo } from '../helpers/handwritten-repo.js';

const CLI = path.join(ROOT, 'dist/cli/index.js');
const SCALE = 0.005;

let emulator: RunningEmulator;
let repo: HandwrittenRepo;
let temp: string;
let sagemaker: SageMakerClient;

const git = (...args: string[]) =>
  execFileSync('git', ['-C', repo.root, ...args], { encoding: 'utf8' }).trim();

interface Run {
  code: number | null;
  log: string;
  /** Every job summary of the run (the runner's summary.md). */
  summary: string;
  jobs: Array<{ id: string; result: string; outputs: Record<string, string>; error?: string }>;
}

/** The built CLI, spawned asynchronously: the emulator answers from this very process. */
async function workflow(args: string[]): Promise<Run> {
  const work = fs.mkdtempSync(path.join(temp, 'run-'));
  const child = spawn(
    process.execPath,
    [
      CLI,
      'workflow',
      '.github/workflows/ml-promote.yml',
      '--repo',
      repo.root,
      '--repository',
      'octo-org/handwritten',
      '--work-dir',
      work,
      '--result-file',
      path.join(work, 'result.json'),
      ...args
    ],
    { cwd: repo.root, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...emulator.env } }
  );
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const file = path.join(work, 'result.json');
  const summary = path.join(work, 'summary.md');
  return {
    code,
    log,
    summary: fs.existsSync(summary) ? fs.readFileSync(summary, 'utf8') : '',
    jobs: fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')).jobs : []
  };
}
const results = (run: Run) => Object.fromEntries(run.jobs.map((j) => [j.id, j.result]));
const outputs = (run: Run, id: string) => run.jobs.find((j) => j.id === id)?.outputs ?? {};

/** The package the production endpoint's model was created from. */
async function livePackage(endpoint: string): Promise<string | undefined> {
  const { EndpointConfigName } = await sagemaker.send(
    new DescribeEndpointCommand({ EndpointName: endpoint })
  );
  const config = await sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName }));
  const model = await sagemaker.send(
    new DescribeModelCommand({ ModelName: config.ProductionVariants![0].ModelName })
  );
  return (model.Containers?.[0] ?? model.PrimaryContainer)?.ModelPackageName;
}
const status = async (arn: string) =>
  (await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }))).ModelApprovalStatus;

beforeAll(async () => {
  temp = fs.mkdtempSync(path.join(os.tmpdir(), 'promote-workflow-'));
  emulator = await startEmulator({
    timeScale: SCALE,
    hosting: 'docker',
    dataDir: path.join(temp, 'emulator')
  });
  sagemaker = new SageMakerClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' }
  });
  repo = await makeHandwrittenRepo({ endpoint: emulator.url, env: emulator.env });
  // The starter with this repository's values: only its inputs change.
  const doc = YAML.parseDocument(
    fs
      .readFileSync(path.join(ROOT, 'workflows-templates/ml-promote.yml'), 'utf8')
      .replaceAll('$default-branch', 'main')
  );
  const inputs: Record<string, string> = {
    'build-args': 'BASE_IMAGE=mlops-example-base:bookworm',
    'build-network': 'host',
    'test-command': 'python3 -m pytest -p no:cacheprovider /opt/app/tests --junitxml=/tmp/junit.xml',
    'model-package-group': 'handwritten',
    'staging-endpoint-name': 'handwritten-staging',
    'production-endpoint-name': 'handwritten',
    repository: 'handwritten-service',
    dockerfile: 'serving/app/Dockerfile',
    'metrics-path': 's3://handwritten-dvc/model-metrics',
    'execution-role-arn': 'arn:aws:iam::123456789012:role/handwritten-sagemaker',
    'canary-size': '50%',
    alarms: '',
    'smoke-requests': 'serving/app/smoke.jsonl'
  };
  for (const [key, value] of Object.entries(inputs)) doc.setIn(['jobs', 'promote', 'with', key], value);
  fs.mkdirSync(path.join(repo.root, '.github/workflows'), { recursive: true });
  fs.writeFileSync(path.join(repo.root, '.github/workflows/ml-promote.yml'), String(doc));
  // The model's metrics: registered with each package, recorded on the production model it becomes.
  fs.writeFileSync(path.join(repo.root, 'metrics.json'), JSON.stringify({ accuracy: 0.91 }));
  fs.writeFileSync(
    path.join(repo.root, 'serving/app/smoke.jsonl'),
    `${JSON.stringify({ body: { instances: [[0.1, 0.2]] }, expect: { status: 200 } })}\n`
  );
  git('add', '-A');
  git('commit', '-q', '-m', 'Promote through the model registry');
}, 300_000);

afterAll(async () => {
  await emulator?.stop();
  repo?.remove();
  if (temp) fs.rmSync(temp, { recursive: true, force: true });
});

/** A commit whose serving image differs (one more test copied into it): a new package version. */
function newImage(revision: number): void {
  fs.writeFileSync(
    path.join(repo.root, `serving/app/tests/test_revision_${revision}.py`),
    `def test_revision():\n    assert ${revision} == ${revision}\n`
  );
  fs.writeFileSync(path.join(repo.root, 'metrics.json'), JSON.stringify({ accuracy: 0.9 + revision / 100 }));
  git('add', '-A');
  git('commit', '-q', '-m', `Revision ${revision}`);
}

let first = '';

test('approved: registered pending, staged from its container, approved by the review, deployed by ARN', async () => {
  const run = await workflow(['--event', 'push', '--ref', 'main', '--review', 'production=approve']);
  if (run.code !== 0) throw new Error(run.log);
  expect(results(run)).toEqual({
    'promote / build': 'success',
    'promote / register': 'success',
    'promote / staging': 'success',
    'promote / production': 'success',
    'promote / reject': 'skipped',
    promote: 'success'
  });
  expect(run.log).toContain('review of production approved (--review)');
  first = outputs(run, 'promote')['model-package-arn'];
  expect(first).toMatch(/:model-package\/handwritten\/1$/);
  expect(await status(first)).toBe('Approved');
  expect(await livePackage('handwritten')).toBe(first);
  // Staging serves the package's own container, not the package (it was not Approved then).
  expect(await livePackage('handwritten-staging')).toBeUndefined();
}, 900_000);

let second = '';

test('rejected: the production job fails without a step, the package is Rejected, production keeps the first', async () => {
  newImage(2);
  const run = await workflow(['--event', 'push', '--ref', 'main', '--review', 'production=reject']);
  expect(run.code).toBe(1);
  expect(results(run)).toMatchObject({
    'promote / staging': 'success',
    'promote / production': 'failure',
    'promote / reject': 'success'
  });
  expect(run.jobs.find((j) => j.id === 'promote / production')?.error).toMatch(
    /review of environment "production" was rejected/
  );
  // For the reviewers: this package's metrics beside those of the model production serves (the first
  // package's, recorded on its model by deploy-canary from the package).
  expect(run.summary).toContain("handwritten against production's live model");
  expect(run.summary).toMatch(/accuracy.*0\.91.*0\.92/);
  second = outputs(run, 'promote / register')['model-package-arn'];
  expect(second).toMatch(/:model-package\/handwritten\/2$/);
  expect(await status(second)).toBe('Rejected');
  expect(await livePackage('handwritten')).toBe(first);
}, 900_000);

test('a dispatched rejection of the live package rolls production back to the previous Approved one', async () => {
  // A third package approved and deployed, then rejected by hand.
  newImage(3);
  const approved = await workflow(['--event', 'push', '--ref', 'main', '--review', 'production=approve']);
  if (approved.code !== 0) throw new Error(approved.log);
  const third = outputs(approved, 'promote')['model-package-arn'];
  expect(await livePackage('handwritten')).toBe(third);
  const run = await workflow([
    '--event',
    'workflow_dispatch',
    '--input',
    'decision=Rejected',
    '--input',
    `model-package=${third}`
  ]);
  if (run.code !== 0) throw new Error(run.log);
  expect(results(run)).toMatchObject({ 'promote / build': 'skipped', 'promote / reject': 'success' });
  expect(await status(third)).toBe('Rejected');
  expect(await livePackage('handwritten')).toBe(first);
}, 900_000);
