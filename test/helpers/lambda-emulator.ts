/**
 * The emulator's Lambda through the real SDK on a manual clock, with tiny images (one file each,
 * `docker import`ed, nothing pulled) pushed to the local registry under a repository of its ECR.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { Emulator, type EmulatorOptions } from '../../src/emulator/server.js';
import { ALL_SERVICES } from '../../src/emulator/services/index.js';
import { docker } from './docker.js';
import { REGISTRY, deleteFromRegistry, registryDigest, removeLocalImages, uniqueName } from './images.js';

export const ROLE = 'arn:aws:iam::123456789012:role/lambda-role';
const credentials = { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator-secret' };

/** Pushes a one-file image as `<REGISTRY>/<repository>:<tag>`; its registry digest. */
export async function pushTinyImage(repository: string, tag: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiny-image-'));
  fs.writeFileSync(path.join(dir, 'hello.txt'), `${repository} ${tag}\n`);
  const tar = execFileSync('tar', ['-C', dir, '-c', '.']);
  fs.rmSync(dir, { recursive: true, force: true });
  const ref = `${REGISTRY}/${repository}:${tag}`;
  docker(['import', '-', ref], tar as unknown as string);
  docker(['push', ref]);
  return (await registryDigest(repository, tag))!;
}

export interface LambdaWorld {
  emulator: Emulator;
  lambda: LambdaClient;
  ecr: ECRClient;
  /** The manual clock: `at(s)` moves it on by s seconds. */
  at(seconds: number): number;
  stop(): Promise<void>;
}

let clock = 1_800_000_000_000;

export async function startLambdaWorld(options: EmulatorOptions = {}): Promise<LambdaWorld> {
  const emulator = new Emulator({ services: ALL_SERVICES, now: () => clock, timeScale: 1, ...options });
  const url = await emulator.start();
  const config = { endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 };
  return {
    emulator,
    lambda: new LambdaClient(config),
    ecr: new ECRClient(config),
    at: (seconds) => (clock += seconds * 1000),
    stop: () => emulator.stop()
  };
}

/** A repository in the emulator's ECR with images `v1` and `v2`; their digests. */
export async function imageRepository(world: LambdaWorld): Promise<{
  repository: string;
  v1: string;
  v2: string;
  uri: (tag: string) => string;
  cleanup(): Promise<void>;
}> {
  const repository = uniqueName('lambda');
  await world.ecr.send(new CreateRepositoryCommand({ repositoryName: repository }));
  const v1 = await pushTinyImage(repository, 'v1');
  const v2 = await pushTinyImage(repository, 'v2');
  return {
    repository,
    v1,
    v2,
    uri: (tag) =>
      `123456789012.dkr.ecr.us-east-1.amazonaws.com/${repository}${tag.startsWith('sha256:') ? '@' : ':'}${tag}`,
    cleanup: async () => {
      await deleteFromRegistry(repository);
      removeLocalImages(repository);
    }
  };
}

/** The error a promise rejects with (name, message, HTTP status), or undefined when it resolves. */
export const failure = (p: Promise<unknown>) =>
  p.then(() => undefined).catch((e) => e as Error & { name: string; $metadata: { httpStatusCode?: number } });
