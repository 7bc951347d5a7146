// What the Lambda benches share: src compiled to bench/.data/lib, the real emulator (ALL_SERVICES,
// docker hosting) in-process, SDK clients on it, the fixture custom runtime (test/fixtures/
// lambda-runtime) pushed through the emulator's ECR, a built bundle run as the runner runs it, and
// percentiles / a markdown table.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import YAML from 'yaml';
import { compile } from '../scripts/bundle.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ROLE = 'arn:aws:iam::123456789012:role/bench-lambda';
const lib = path.join(root, 'bench', '.data', 'lib');
const REGISTRY = '127.0.0.1:5000';
const credentials = { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator-secret' };

compile(lib);
const load = (file) => import(pathToFileURL(path.join(lib, file)).href);
const { Emulator } = await load('emulator/server.js');
const { ALL_SERVICES } = await load('emulator/services/index.js');
const { LambdaClient } = await import('@aws-sdk/client-lambda');
const { CloudWatchClient } = await import('@aws-sdk/client-cloudwatch');
const { ECRClient, CreateRepositoryCommand } = await import('@aws-sdk/client-ecr');

/** The emulator with every service, Docker hosting, on the real clock at `timeScale`; its clients. */
export async function startWorld(timeScale) {
  const emulator = new Emulator({ services: ALL_SERVICES, hosting: 'docker', timeScale });
  const url = await emulator.start();
  const config = { endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 };
  return {
    emulator,
    url,
    lambda: new LambdaClient(config),
    cloudwatch: new CloudWatchClient(config),
    ecr: new ECRClient(config),
    /** What the runner's step gets to point the action at this emulator. */
    env: {
      AWS_ENDPOINT_URL: url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
      MLOPS_ACTIONS_TIME_SCALE: String(timeScale)
    },
    stop: () => emulator.stop()
  };
}

/**
 * The fixture runtime built once per label (a label changes the digest, so each is new code) and
 * pushed to the registry behind the emulator's ECR, under a repository made there. Returns the
 * image by digest as Lambda is given it: `<registry>/<repo>@sha256:...`.
 */
export async function fixtureImages(world, labels, repository = 'mlops-bench-lambda') {
  execFileSync(path.join(root, 'scripts/local-base-image.sh'), ['mlops-example-base:bookworm'], {
    stdio: 'ignore'
  });
  await world.ecr.send(new CreateRepositoryCommand({ repositoryName: repository })).catch((e) => {
    if (e.name !== 'RepositoryAlreadyExistsException') throw e;
  });
  const images = [];
  for (const label of labels) {
    const tag = `${REGISTRY}/${repository}:${label}`;
    const fixture = path.join(root, 'test/fixtures/lambda-runtime');
    execFileSync(
      'docker',
      ['build', '-q', '--network', 'none', '--label', `bench=${label}`, '-t', tag, fixture],
      {
        stdio: 'ignore'
      }
    );
    execFileSync('docker', ['push', '-q', tag], { stdio: 'ignore' });
    const digest = execFileSync('docker', ['image', 'inspect', '--format', '{{index .RepoDigests 0}}', tag], {
      encoding: 'utf8'
    }).trim();
    images.push(`${REGISTRY}/${repository}@${digest.split('@')[1]}`);
  }
  return images;
}

export const pct = (xs, p) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Prints a markdown table: `columns` (the first left-aligned), rows of cells. */
export function table(columns, rows) {
  const cells = [columns, ...rows].map((r) => r.map(String));
  const widths = columns.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => (i ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  console.log(line(cells[0]));
  console.log(`|${widths.map((w, i) => (i ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|')}|`);
  for (const r of cells.slice(1)) console.log(line(r));
}

/**
 * Runs a built bundle as the runner does (test/helpers/bundle.ts, in short): `node dist/<action>/
 * index.js` with INPUT_<NAME> for every declared input (else its default), GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files and the GITHUB_* context. Resolves to its exit code, outputs and log.
 */
export async function runAction(action, inputs, env) {
  const declared = YAML.parse(
    fs.readFileSync(path.join(root, 'actions', action, 'action.yml'), 'utf8')
  ).inputs;
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${action}-`));
  const files = Object.fromEntries(
    ['output', 'summary', 'env', 'path', 'state'].map((f) => [f, path.join(temp, f)])
  );
  for (const file of Object.values(files)) fs.writeFileSync(file, '');
  const vars = {
    PATH: process.env.PATH,
    HOME: process.env.HOME ?? os.homedir(),
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: temp,
    GITHUB_REPOSITORY: 'octo-org/news-classifier',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_NUMBER: '7',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_ACTOR: 'octocat',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_JOB: 'deploy',
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
    GITHUB_STATE: files.state,
    RUNNER_TEMP: temp,
    RUNNER_OS: 'Linux',
    ...Object.fromEntries(
      Object.entries(declared).map(([n, spec]) => [
        `INPUT_${n.toUpperCase()}`,
        inputs[n] ?? String(spec?.default ?? '')
      ])
    ),
    ...env
  };
  const child = spawn(process.execPath, [path.join(root, 'dist', action, 'index.js')], {
    cwd: temp,
    env: vars
  });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const exitCode = await new Promise((resolve) => child.on('close', resolve));
  const outputs = {};
  const lines = fs.readFileSync(files.output, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (!heredoc) continue;
    const value = [];
    while (++i < lines.length && lines[i] !== heredoc[2]) value.push(lines[i]);
    outputs[heredoc[1]] = value.join('\n');
  }
  fs.rmSync(temp, { recursive: true, force: true });
  return { exitCode, outputs, log };
}
