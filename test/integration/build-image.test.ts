/**
 * build-image end to end, as the runner runs its bundle: the example model service built on the real
 * Docker engine, pushed to the registry on 127.0.0.1:5000 through the emulator's ECR.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { runBundle, ROOT, type BundleRun } from '../helpers/bundle.js';
import { docker } from '../helpers/docker.js';
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';
import {
  BASE_IMAGE,
  EXAMPLE,
  REGISTRY,
  deleteFromRegistry,
  ensureBaseImage,
  localImages,
  registryDigest,
  registryRepositories,
  removeLocalImages,
  uniqueName
} from '../helpers/images.js';

const SHA = '0123456789abcdef0123456789abcdef01234567'; // GITHUB_SHA of the runner environment
let emu: RunningEmulator;
let ecr: ECRClient;
const repository = uniqueName('serving');
const local = uniqueName('local');
const other = uniqueName('other');
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'build-image-test-'));

beforeAll(async () => {
  ensureBaseImage();
  emu = await startEmulator();
  ecr = new ECRClient({
    endpoint: emu.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator-secret' }
  });
}, 600_000);

afterAll(async () => {
  await emu?.stop();
  await deleteFromRegistry(repository);
  removeLocalImages(repository);
  removeLocalImages(local);
  await deleteFromRegistry(other);
  removeLocalImages(other);
  fs.rmSync(temp, { recursive: true, force: true });
});

const exampleInputs = (extra: Record<string, string> = {}) => ({
  context: EXAMPLE,
  dockerfile: `${EXAMPLE}/serving/Dockerfile`,
  repository,
  network: 'host',
  'build-args': `BASE_IMAGE: ${BASE_IMAGE}\nMODEL_VERSION: 1.0.0`,
  labels: 'org.example.team: ml\norg.opencontainers.image.title: wine-classifier',
  ...extra
});

const build = (
  inputs: Record<string, string>,
  env: Record<string, string | undefined> = {},
  onStart?: () => void
) =>
  runBundle('build-image', inputs, {
    workspace: ROOT,
    env: { ...emu.env, ...env },
    timeoutMs: 600_000,
    onStart: onStart ? () => onStart() : undefined
  });

function expectSuccess(run: BundleRun): void {
  if (run.exitCode !== 0) throw new Error(`build-image failed:\n${run.log}`);
}

/** The builder the runner's `docker` gives: buildx if present, BuildKit below client 23, else classic. */
function expectedBuilder(binary = 'docker'): string {
  try {
    execFileSync(binary, ['buildx', 'version'], { stdio: 'ignore' });
    return 'buildx';
  } catch {
    const client = execFileSync(binary, ['version', '--format', '{{.Client.Version}}'], { encoding: 'utf8' });
    return Number(client.split('.')[0]) < 23 ? 'BuildKit in the Docker daemon' : 'the classic builder';
  }
}

const inspect = (ref: string) =>
  JSON.parse(docker(['image', 'inspect', '--format', '{{json .}}', ref])) as {
    Id: string;
    Config: { Env: string[]; Labels: Record<string, string> };
  };

describe('build-image', () => {
  let first: BundleRun;
  let password = '';
  let loginSeen = false;
  const callerConfig = path.join(temp, 'docker-config');
  const runnerTemp = path.join(temp, 'runner-temp');
  const callerJson = JSON.stringify({ auths: { 'registry.example.com': { auth: 'dXNlcjpvdGhlcg==' } } });

  beforeAll(async () => {
    fs.mkdirSync(callerConfig, { recursive: true });
    fs.mkdirSync(runnerTemp, { recursive: true });
    fs.writeFileSync(path.join(callerConfig, 'config.json'), callerJson);
    // While it runs, the login must land in a private config under RUNNER_TEMP (and only there).
    const timer = setInterval(() => {
      for (const dir of fs.readdirSync(runnerTemp)) {
        try {
          const config = JSON.parse(fs.readFileSync(path.join(runnerTemp, dir, 'config.json'), 'utf8'));
          if (config.auths?.[REGISTRY]?.auth) loginSeen = true;
        } catch {
          // not written yet
        }
      }
    }, 50);
    try {
      first = await build(exampleInputs({ tags: 'v1' }), {
        DOCKER_CONFIG: callerConfig,
        RUNNER_TEMP: runnerTemp
      });
    } finally {
      clearInterval(timer);
    }
    const state = emu.emulator.stateOf<{ passwords: string[] }>('ecr', () => ({ passwords: [] }));
    password = state.passwords.at(-1) ?? '';
  }, 600_000);

  it('builds the example, pushes it through ECR and reports the digest the registry holds', async () => {
    expectSuccess(first);
    const digest = await registryDigest(repository, 'v1');
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(first.outputs).toEqual({
      image: `${REGISTRY}/${repository}:v1`,
      digest,
      'image-uri': `${REGISTRY}/${repository}@${digest}`,
      tags: `${REGISTRY}/${repository}:v1`,
      'image-id': inspect(`${REGISTRY}/${repository}:v1`).Id
    });
    // The emulator's ECR sees the same image, read from the registry.
    const images = await ecr.send(new DescribeImagesCommand({ repositoryName: repository }));
    expect(images.imageDetails).toEqual([
      expect.objectContaining({ imageDigest: digest, imageTags: ['v1'] })
    ]);
    const { repositories } = await ecr.send(
      new DescribeRepositoriesCommand({ repositoryNames: [repository] })
    );
    expect(repositories?.[0]).toMatchObject({
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      repositoryUri: `${REGISTRY}/${repository}`
    });
    expect(emu.emulator.mutatingCalls().map((c) => c.operation)).toEqual(['CreateRepository']);
  });

  it('says which builder it used, in the log and the summary', () => {
    const builder = expectedBuilder();
    expect(first.log).toContain(`Building with ${builder}`);
    expect(first.summary).toContain(`| Builder | ${builder}`);
    expect(first.summary).toContain(`| \`v1\` | pushed |`);
    expect(first.summary).toMatch(
      /\| Repository \| mlops-test-image-serving-\w+ \(created now, tags immutable, scan on push\) \|/
    );
    expect(first.summary).toContain('```mermaid\ngantt');
  });

  it('puts the build args and the labels (its own OCI ones and the given ones) into the image', () => {
    const image = inspect(`${REGISTRY}/${repository}:v1`);
    expect(image.Config.Env).toContain('MODEL_VERSION=1.0.0');
    const committed = execFileSync('git', ['-C', ROOT, 'log', '-1', '--format=%ct'], {
      encoding: 'utf8'
    }).trim();
    expect(image.Config.Labels).toMatchObject({
      'org.example.team': 'ml',
      'org.opencontainers.image.title': 'wine-classifier',
      'org.opencontainers.image.source': 'https://github.com/octo-org/news-classifier',
      'org.opencontainers.image.revision': SHA,
      'org.opencontainers.image.version': 'v1',
      'org.opencontainers.image.created': new Date(Number(committed) * 1000).toISOString()
    });
  });

  it('leaves no credentials in any Docker config, and never prints the password', () => {
    expect(password).toHaveLength(32);
    expect(loginSeen).toBe(true); // the login happened, into the private config
    expect(fs.readdirSync(runnerTemp)).toEqual([]);
    expect(fs.readFileSync(path.join(callerConfig, 'config.json'), 'utf8')).toBe(callerJson);
    expect(fs.readdirSync(callerConfig)).toEqual(['config.json']);
    const home = path.join(os.homedir(), '.docker', 'config.json');
    if (fs.existsSync(home)) expect(fs.readFileSync(home, 'utf8')).not.toContain(REGISTRY);
    // Only the runner's mask command carries it, and the runner consumes that line.
    const lines = first.log.split('\n').filter((l) => l.includes(password));
    expect(lines).toEqual([`::add-mask::${password}`]);
    expect(first.summary).not.toContain(password);
  });

  it('the pushed image, by digest, passes its own tests inside itself (test-in-docker)', async () => {
    const run = await runBundle(
      'test-in-docker',
      {
        image: first.outputs['image-uri'],
        command: 'pytest serving/tests --junitxml=/tmp/junit.xml',
        workdir: `/workspace/${EXAMPLE}`,
        report: '/tmp/junit.xml'
      },
      { workspace: ROOT }
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ tests: '13', failures: '0' });
  });

  it('pushing the same image under the same tag again passes without a push', async () => {
    const again = await build(exampleInputs({ tags: 'v1' }));
    expectSuccess(again);
    expect(again.outputs.digest).toBe(first.outputs.digest);
    expect(again.outputs['image-id']).toBe(first.outputs['image-id']);
    expect(again.log).toContain('Tag "v1" already holds this image');
    expect(again.log).not.toContain(`Pushing ${REGISTRY}/${repository}:v1`);
    expect(again.summary).toContain('| `v1` | already there |');
  });

  it('a different image under an existing immutable tag fails clearly and changes nothing', async () => {
    const before = await registryDigest(repository, 'v1');
    const other = await build(
      exampleInputs({ tags: 'v1', 'build-args': `BASE_IMAGE: ${BASE_IMAGE}\nMODEL_VERSION: 2.0.0` })
    );
    expect(other.exitCode).toBe(1);
    expect(other.errors).toHaveLength(1);
    expect(other.errors[0]).toMatch(
      new RegExp(
        `^Tag "v1" already exists in the immutable repository ${repository} and holds another image \\(${before}\\), so sha256:[0-9a-f]{64} cannot be pushed under it: give a new tag in "tags" \\(the commit sha is unique\\)\\.$`
      )
    );
    expect(other.log).not.toContain('Pushing ');
    expect(await registryDigest(repository, 'v1')).toBe(before);
  });

  it('default tags: the commit sha, and the branch tag only where tags may move', async () => {
    const run = await build(exampleInputs());
    expectSuccess(run);
    expect(run.outputs.image).toBe(`${REGISTRY}/${repository}:${SHA}`);
    expect(run.outputs.tags).toBe(`${REGISTRY}/${repository}:${SHA}`);
    expect(await registryDigest(repository, SHA)).toBe(run.outputs.digest);
    expect(await registryDigest(repository, 'main')).toBeUndefined();
    expect(run.summary).toContain(
      '| `main` | not applied (a branch tag moves, and tags in this repository cannot) |'
    );
  });

  it('push: false leaves the image in the engine, sets image-id and digest, and calls nothing', async () => {
    emu.emulator.calls.length = 0;
    const run = await build(
      { ...exampleInputs({ repository: local, push: 'false' }) },
      { AWS_REGION: undefined }
    );
    expectSuccess(run);
    const id = inspect(`${local}:${SHA}`).Id;
    expect(run.outputs).toMatchObject({
      image: `${local}:${SHA}`,
      'image-id': id,
      digest: id,
      'image-uri': id,
      tags: `${local}:${SHA}\n${local}:main`
    });
    expect(localImages(local).sort()).toEqual([`${local}:${SHA}`, `${local}:main`]);
    expect(emu.emulator.calls).toEqual([]);
    expect(await registryRepositories()).not.toContain(local);
    expect(run.summary).toContain('Not pushed (push: false)');
  });

  it('another registry: a login with username and password, and tags that may move', async () => {
    emu.emulator.calls.length = 0;
    const secret = 'not-a-real-secret-4821';
    const inputs = {
      registry: REGISTRY,
      username: 'ci-bot',
      password: secret,
      repository: other,
      tags: 'latest'
    };
    const firstPush = await build(exampleInputs(inputs), { AWS_REGION: undefined });
    expectSuccess(firstPush);
    expect(firstPush.log).toContain(`Logged in to ${REGISTRY} as ci-bot`);
    expect(firstPush.log.split('\n').filter((l) => l.includes(secret))).toEqual([`::add-mask::${secret}`]);
    expect(firstPush.outputs.digest).toBe(await registryDigest(other, 'latest'));
    const moved = await build(
      exampleInputs({ ...inputs, 'build-args': `BASE_IMAGE: ${BASE_IMAGE}\nMODEL_VERSION: moved` }),
      { AWS_REGION: undefined }
    );
    expectSuccess(moved);
    expect(moved.outputs.digest).not.toBe(firstPush.outputs.digest);
    expect(await registryDigest(other, 'latest')).toBe(moved.outputs.digest);
    expect(emu.emulator.calls).toEqual([]); // no AWS at all
  });

  it('a cancelled build (SIGTERM) stops, pushes nothing and leaves no credentials behind', async () => {
    const workspace = fs.mkdtempSync(path.join(temp, 'slow-'));
    fs.writeFileSync(
      path.join(workspace, 'Dockerfile'),
      `FROM ${BASE_IMAGE}\nRUN echo building-slowly && sleep 60\n`
    );
    const runnerTempDir = fs.mkdtempSync(path.join(temp, 'runner-temp-'));
    const slow = uniqueName('slow');
    const run = await runBundle(
      'build-image',
      { repository: slow, tags: 'v1', network: 'none' },
      {
        workspace,
        env: { ...emu.env, RUNNER_TEMP: runnerTempDir },
        onStart: (child, log) => {
          const timer = setInterval(() => {
            if (log().includes('building-slowly')) {
              clearInterval(timer);
              child.kill('SIGTERM');
            }
          }, 100);
        }
      }
    );
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual(['The build was cancelled; no image was pushed.']);
    expect(fs.readdirSync(runnerTempDir)).toEqual([]);
    expect(localImages(slow)).toEqual([]);
    expect(await registryRepositories()).not.toContain(slow);
  });

  const legacyClient = fs.existsSync('/usr/bin/docker')
    ? Number(
        execFileSync('/usr/bin/docker', ['version', '--format', '{{.Client.Version}}'], {
          encoding: 'utf8'
        }).split('.')[0]
      ) < 23
    : false;
  (legacyClient ? it : it.skip)(
    'with a client that has BuildKit built in, builds with BuildKit through the daemon',
    async () => {
      const run = await build(exampleInputs({ tags: 'buildkit' }), {
        MLOPS_ACTIONS_DOCKER: '/usr/bin/docker'
      });
      expectSuccess(run);
      expect(run.log).toContain(
        'Building with BuildKit in the Docker daemon (DOCKER_BUILDKIT=1): /usr/bin/docker build --progress plain'
      );
      expect(run.summary).toContain('| Builder | BuildKit in the Docker daemon (DOCKER_BUILDKIT=1) |');
      expect(run.outputs.digest).toBe(await registryDigest(repository, 'buildkit'));
    }
  );
});
