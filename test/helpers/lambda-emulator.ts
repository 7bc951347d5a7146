/**
 * The emulator's Lambda through the real SDK (on a manual clock unless told otherwise), with images
 * pushed to the local registry under repositories of its ECR: tiny ones (one file each, `docker
 * import`ed, nothing pulled) for the control plane, the fixture runtime (test/fixtures/lambda-runtime,
 * a custom runtime whose handler does what the event asks) for functions that run; and `makeFunction`,
 * a function with versions, weighted aliases, provisioned concurrency and URL configs made through
 * the control plane's own calls.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand
} from '@aws-sdk/client-lambda';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { Emulator, type EmulatorOptions } from '../../src/emulator/server.js';
import { ALL_SERVICES } from '../../src/emulator/services/index.js';
import { existingEnvironments } from '../../src/emulator/services/lambda/environments.js';
import { containersOf } from '../../src/emulator/services/sagemaker/containers.js';
import { ROOT } from './bundle.js';
import { docker } from './docker.js';
import {
  REGISTRY,
  deleteFromRegistry,
  ensureBaseImage,
  registryDigest,
  removeLocalImages,
  uniqueName
} from './images.js';

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
  cloudwatch: CloudWatchClient;
  logs: CloudWatchLogsClient;
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
    cloudwatch: new CloudWatchClient(config),
    logs: new CloudWatchLogsClient(config),
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

/** The containers of the world's execution environments still on the engine (none after `stop`). */
export async function leftContainers(world: LambdaWorld): Promise<string[]> {
  const tag = existingEnvironments(world.emulator)?.tag;
  return tag ? containersOf(tag) : [];
}

/** The error a promise rejects with (name, message, HTTP status), or undefined when it resolves. */
export const failure = (p: Promise<unknown>) =>
  p.then(() => undefined).catch((e) => e as Error & { name: string; $metadata: { httpStatusCode?: number } });

/** The URI Lambda is given for an image of the emulator's ECR (a repository it creates if missing). */
export async function ecrUri(world: LambdaWorld, repository: string, tag: string): Promise<string> {
  await world.ecr.send(new CreateRepositoryCommand({ repositoryName: repository })).catch((e: Error) => {
    if (e.name !== 'RepositoryAlreadyExistsException') throw e;
  });
  return `123456789012.dkr.ecr.us-east-1.amazonaws.com/${repository}:${tag}`;
}

const FIXTURE = 'mlops-test-lambda-runtime';
let fixtureBuilt: Promise<void> | undefined;

/** The fixture runtime image, built and pushed once per test file, as an image of the world's ECR. */
export async function fixtureImage(world: LambdaWorld): Promise<string> {
  fixtureBuilt ??= (async () => {
    ensureBaseImage();
    const tagged = `${REGISTRY}/${FIXTURE}:fixture`;
    docker([
      'build',
      '--network',
      'none',
      '-q',
      '-t',
      tagged,
      path.join(ROOT, 'test/fixtures/lambda-runtime')
    ]);
    docker(['push', '-q', tagged]);
    if (!(await registryDigest(FIXTURE, 'fixture')))
      throw new Error(`${tagged} is not in the registry after its push`);
  })();
  await fixtureBuilt;
  return ecrUri(world, FIXTURE, 'fixture');
}

export interface VersionSpec {
  environment?: Record<string, string>;
  timeout?: number;
  memorySize?: number;
}

export interface FunctionSpec {
  image: string;
  latest?: VersionSpec;
  /** Published versions 1, 2, ... (each: $LATEST configured so, then PublishVersion). */
  versions?: VersionSpec[];
  /** CreateAlias on `version`, then UpdateAlias with the weights (RoutingConfig). */
  aliases?: Record<string, { version: string; weights?: Record<string, number> }>;
  provisioned?: Record<string, number>;
  /** Qualifiers ('' for the function) with a function URL config (AuthType NONE). */
  urls?: string[];
}

const configOf = (spec: VersionSpec = {}) => ({
  MemorySize: spec.memorySize ?? 256,
  Timeout: spec.timeout ?? 10,
  Environment: { Variables: spec.environment ?? {} }
});

/** Until $LATEST is Active with no update InProgress (a manual clock is moved on meanwhile). */
export async function settled(world: LambdaWorld, name: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const c = await world.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    if (c.State === 'Active' && c.LastUpdateStatus !== 'InProgress') return;
    world.at(1);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`function ${name} did not settle`);
}

/** A function made as a deploy makes it: CreateFunction, versions published, aliases, configs. */
export async function makeFunction(world: LambdaWorld, name: string, spec: FunctionSpec): Promise<void> {
  const send = world.lambda.send.bind(world.lambda) as (c: unknown) => Promise<unknown>;
  const [first, ...rest] = [...(spec.versions ?? []), spec.latest];
  await send(
    new CreateFunctionCommand({
      FunctionName: name,
      PackageType: 'Image',
      Code: { ImageUri: spec.image },
      Role: ROLE,
      ...configOf(first)
    })
  );
  await settled(world, name);
  for (const [i, version] of (spec.versions ?? []).entries()) {
    if (i > 0) {
      await send(new UpdateFunctionConfigurationCommand({ FunctionName: name, ...configOf(version) }));
      await settled(world, name);
    }
    await send(new PublishVersionCommand({ FunctionName: name }));
  }
  if (spec.versions?.length) {
    await send(new UpdateFunctionConfigurationCommand({ FunctionName: name, ...configOf(rest.at(-1)) }));
    await settled(world, name);
  }
  for (const [alias, a] of Object.entries(spec.aliases ?? {})) {
    await send(new CreateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: a.version }));
    if (a.weights)
      await send(
        new UpdateAliasCommand({
          FunctionName: name,
          Name: alias,
          RoutingConfig: { AdditionalVersionWeights: a.weights }
        })
      );
  }
  for (const [qualifier, n] of Object.entries(spec.provisioned ?? {}))
    await send(
      new PutProvisionedConcurrencyConfigCommand({
        FunctionName: name,
        Qualifier: qualifier,
        ProvisionedConcurrentExecutions: n
      })
    );
  for (const qualifier of spec.urls ?? [])
    await send(
      new CreateFunctionUrlConfigCommand({
        FunctionName: name,
        ...(qualifier ? { Qualifier: qualifier } : {}),
        AuthType: 'NONE'
      })
    );
}
