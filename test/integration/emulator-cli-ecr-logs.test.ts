/**
 * The emulator's ECR, CloudWatch Logs and STS with Debian's AWS CLI v2 as the client: each command's
 * exit code, and what the next command sees. The emulator runs in this process, so the CLI is run
 * asynchronously.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { docker } from '../helpers/docker.js';
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';
import {
  REGISTRY,
  deleteFromRegistry,
  registryDigest,
  removeLocalImages,
  uniqueName
} from '../helpers/images.js';

const AWS = '/usr/bin/aws';
let emu: RunningEmulator;
const repository = uniqueName('cli');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI against the emulator; never throws, so each test checks the exit code. */
async function aws(...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(AWS, ['--endpoint-url', emu.url, ...args], {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'AKIDCLI',
        AWS_SECRET_ACCESS_KEY: 'cli-secret',
        AWS_DEFAULT_REGION: 'eu-west-1',
        AWS_REGION: 'eu-west-1',
        AWS_PAGER: '',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_EC2_METADATA_DISABLED: 'true'
      },
      encoding: 'utf8',
      timeout: 60_000
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : -1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? ''
    };
  }
}

async function json<T = Record<string, unknown>>(...args: string[]): Promise<T> {
  const run = await aws(...args, '--output', 'json');
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(run.stdout || '{}') as T;
}

/** A one-file image made with `docker import` (nothing to pull), pushed to the loopback registry. */
function pushTinyImage(tags: string[]): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiny-image-'));
  fs.writeFileSync(path.join(dir, 'hello.txt'), `hello ${repository}\n`);
  const tar = execFileSync('tar', ['-C', dir, '-c', '.']);
  fs.rmSync(dir, { recursive: true, force: true });
  const [first, ...rest] = tags.map((t) => `${REGISTRY}/${repository}:${t}`);
  docker(['import', '-', first], tar as unknown as string);
  for (const ref of rest) docker(['tag', first, ref]);
  for (const ref of [first, ...rest]) docker(['push', ref]);
}

beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.stop();
  await deleteFromRegistry(repository);
  removeLocalImages(repository);
});

describe('aws ecr against the emulator', () => {
  it('create-repository, describe-repositories, list-images, batch-get-image, delete-repository', async () => {
    const created = await json<{ repository: Record<string, unknown> }>(
      'ecr',
      'create-repository',
      '--repository-name',
      repository
    );
    expect(created.repository).toEqual({
      registryId: '123456789012',
      repositoryArn: `arn:aws:ecr:eu-west-1:123456789012:repository/${repository}`,
      repositoryName: repository,
      repositoryUri: `${REGISTRY}/${repository}`,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      imageTagMutability: 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: false },
      encryptionConfiguration: { encryptionType: 'AES256' }
    });
    const described = await json<{ repositories: Array<Record<string, unknown>> }>(
      'ecr',
      'describe-repositories',
      '--repository-names',
      repository
    );
    expect(described.repositories).toEqual([created.repository]);
    expect(await json('ecr', 'list-images', '--repository-name', repository)).toEqual({ imageIds: [] });

    pushTinyImage(['v1', 'latest']);
    const digest = await registryDigest(repository, 'v1');
    const listed = await json<{ imageIds: unknown[] }>('ecr', 'list-images', '--repository-name', repository);
    expect(listed.imageIds).toEqual([
      { imageDigest: digest, imageTag: 'latest' },
      { imageDigest: digest, imageTag: 'v1' }
    ]);
    // The CLI pages by itself: one item a page still gives every id.
    const paged = await json<{ imageIds: unknown[] }>(
      'ecr',
      'list-images',
      '--repository-name',
      repository,
      '--page-size',
      '1'
    );
    expect(paged.imageIds).toEqual(listed.imageIds);
    expect(
      await json('ecr', 'list-images', '--repository-name', repository, '--filter', 'tagStatus=UNTAGGED')
    ).toEqual({ imageIds: [] });

    const got = await json<{ images: Array<Record<string, string>>; failures: unknown[] }>(
      'ecr',
      'batch-get-image',
      '--repository-name',
      repository,
      '--image-ids',
      'imageTag=v1',
      'imageTag=v9',
      `imageDigest=${digest},imageTag=latest`
    );
    expect(got.images).toHaveLength(2);
    expect(got.images[0]).toEqual({
      registryId: '123456789012',
      repositoryName: repository,
      imageId: { imageDigest: digest, imageTag: 'v1' },
      imageManifest: expect.any(String),
      imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json'
    });
    expect(JSON.parse(got.images[0].imageManifest)).toMatchObject({ schemaVersion: 2 });
    expect(got.failures).toEqual([
      {
        imageId: { imageTag: 'v9' },
        failureCode: 'ImageNotFound',
        failureReason: 'Requested image not found'
      }
    ]);

    const refused = await aws('ecr', 'delete-repository', '--repository-name', repository);
    expect(refused.code).toBe(254);
    expect(refused.stderr).toContain('(RepositoryNotEmptyException)');
    expect(
      (await json('ecr', 'describe-repositories', '--repository-names', repository)).repositories
    ).toHaveLength(1);

    const deleted = await json<{ repository: Record<string, unknown> }>(
      'ecr',
      'delete-repository',
      '--repository-name',
      repository,
      '--force'
    );
    expect(deleted.repository).toEqual(created.repository);
    expect(await registryDigest(repository, 'v1')).toBeUndefined();
    const gone = await aws('ecr', 'describe-repositories', '--repository-names', repository);
    expect(gone.code).toBe(254);
    expect(gone.stderr).toContain('(RepositoryNotFoundException)');
    const again = await aws('ecr', 'delete-repository', '--repository-name', repository);
    expect(again.code).toBe(254);
    expect(again.stderr).toContain('(RepositoryNotFoundException)');
  }, 120_000);
});

describe('aws logs against the emulator', () => {
  it('describe-log-groups, describe-log-streams, tail (with --since, --log-stream-names, --follow), delete-log-group', async () => {
    const group = '/cli/tail';
    expect((await aws('logs', 'create-log-group', '--log-group-name', group)).code).toBe(0);
    const now = Date.now();
    for (const [stream, events] of [
      [
        'a',
        [
          { timestamp: now - 3 * 3600_000, message: 'old line' },
          { timestamp: now - 2000, message: 'a one' }
        ]
      ],
      ['b', [{ timestamp: now - 1000, message: 'b one' }]]
    ] as const) {
      expect(
        (await aws('logs', 'create-log-stream', '--log-group-name', group, '--log-stream-name', stream)).code
      ).toBe(0);
      const put = await aws(
        'logs',
        'put-log-events',
        '--log-group-name',
        group,
        '--log-stream-name',
        stream,
        '--log-events',
        JSON.stringify(events)
      );
      expect(put.code).toBe(0);
    }
    const groups = await json<{ logGroups: Array<Record<string, unknown>> }>(
      'logs',
      'describe-log-groups',
      '--log-group-name-prefix',
      '/cli/'
    );
    // CLI 2.9's model predates logGroupArn and logGroupClass, so it drops them (the SDK tests see them).
    expect(groups.logGroups).toEqual([
      {
        logGroupName: group,
        creationTime: expect.any(Number),
        metricFilterCount: 0,
        arn: `arn:aws:logs:eu-west-1:123456789012:log-group:${group}:*`,
        storedBytes: 'old linea oneb one'.length
      }
    ]);
    const streams = await json<{ logStreams: Array<Record<string, unknown>> }>(
      'logs',
      'describe-log-streams',
      '--log-group-name',
      group
    );
    expect(streams.logStreams[0]).toEqual({
      logStreamName: 'a',
      creationTime: expect.any(Number),
      firstEventTimestamp: now - 3 * 3600_000,
      lastEventTimestamp: now - 2000,
      lastIngestionTime: expect.any(Number),
      uploadSequenceToken: expect.any(String),
      arn: `arn:aws:logs:eu-west-1:123456789012:log-group:${group}:log-stream:a`,
      storedBytes: 0
    });

    // tail's default window is the last 10 minutes: the old line stays out.
    const tail = await aws('logs', 'tail', group, '--format', 'short');
    expect(tail.code).toBe(0);
    expect(
      tail.stdout
        .trim()
        .split('\n')
        .map((l) => l.replace(/^\S+ /, ''))
    ).toEqual(['a one', 'b one']);
    const since = await aws('logs', 'tail', group, '--since', '4h', '--log-stream-names', 'a');
    expect(since.code).toBe(0);
    expect(since.stdout).toMatch(/^\S+ a old line\n\S+ a a one\n$/);

    // --follow polls FilterLogEvents until stopped: a line written meanwhile shows up.
    const follow = execFile(
      AWS,
      ['--endpoint-url', emu.url, 'logs', 'tail', group, '--follow', '--format', 'short'],
      {
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: 'AKIDCLI',
          AWS_SECRET_ACCESS_KEY: 'cli-secret',
          AWS_DEFAULT_REGION: 'eu-west-1',
          AWS_PAGER: '',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null'
        },
        encoding: 'utf8'
      }
    );
    let followed = '';
    follow.stdout!.on('data', (chunk: string) => (followed += chunk));
    try {
      const until = async (text: string) => {
        for (let i = 0; i < 200 && !followed.includes(text); i++)
          await new Promise((r) => setTimeout(r, 100));
        return followed;
      };
      expect(await until('b one')).toContain('a one');
      const late = await aws(
        'logs',
        'put-log-events',
        '--log-group-name',
        group,
        '--log-stream-name',
        'b',
        '--log-events',
        JSON.stringify([{ timestamp: Date.now(), message: 'late line' }])
      );
      expect(late.code).toBe(0);
      expect(await until('late line')).toMatch(/b one\n.*late line\n$/);
      expect(followed.match(/a one/g)).toHaveLength(1);
    } finally {
      follow.kill('SIGINT');
    }

    expect((await aws('logs', 'delete-log-group', '--log-group-name', group)).code).toBe(0);
    expect((await json('logs', 'describe-log-groups', '--log-group-name-prefix', '/cli/')).logGroups).toEqual(
      []
    );
    const missing = await aws('logs', 'delete-log-group', '--log-group-name', group);
    expect(missing.code).toBe(254);
    expect(missing.stderr).toContain('(ResourceNotFoundException)');
    const tailMissing = await aws('logs', 'tail', group);
    expect(tailMissing.code).toBe(254);
    expect(tailMissing.stderr).toContain('ResourceNotFoundException');
  }, 120_000);
});

describe('aws sts against the emulator', () => {
  it('get-caller-identity', async () => {
    expect(await json('sts', 'get-caller-identity')).toEqual({
      UserId: 'AROAEMULATOR:AKIDCLI',
      Account: '123456789012',
      Arn: 'arn:aws:sts::123456789012:assumed-role/emulator/AKIDCLI'
    });
  });
});
