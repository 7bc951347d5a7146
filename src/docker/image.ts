/**
 * build-image's engine: log in (in a private Docker config), build once, make sure the ECR
 * repository exists, push every tag, and read back the digest the registry holds.
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { Logger } from '../report.js';
import { ecrLogin, ensureRepository, tagIsImmutable, type EcrRepository } from '../ecr/ecr.js';
import {
  buildImage,
  chooseBuilder,
  dockerVersions,
  type Builder,
  type BuiltImage,
  type DockerVersions
} from './build.js';
import { callerCredentials, login, withPrivateConfig } from './config.js';
import type { BuildOptions } from './options.js';
import { pushImage, type ManifestReader, type PushResult } from './push.js';
import { digestRef, imageRef } from './reference.js';
import { RegistryClient, type RegistryCredentials } from './registry.js';
import type { DockerRunner } from './runner.js';

export interface RegistryLogin extends RegistryCredentials {
  registry: string;
}

/** The credentials to push with: an ECR token, the username and password given, or none. */
export async function registryLogin(
  options: BuildOptions,
  ecr?: ECRClient
): Promise<RegistryLogin | undefined> {
  if (!options.push) return undefined;
  if (options.registryKind === 'ecr') {
    if (!ecr) throw new Error('An ECR client is needed to push to ECR.');
    return ecrLogin(ecr, options.registryId);
  }
  if (options.username && options.password && options.registry) {
    return { registry: options.registry, username: options.username, password: options.password };
  }
  return undefined;
}

export interface BuildDeps {
  docker: DockerRunner;
  log: Logger;
  /** Labels the action sets (OCI), merged under the user's. */
  labels: Record<string, string>;
  ecr?: ECRClient;
  credentials?: RegistryLogin;
  signal?: AbortSignal;
  /** The caller's Docker config directory (DOCKER_CONFIG or ~/.docker), seeded into the private one. */
  callerConfigDir?: string;
  tempRoot?: string;
  now?: () => number;
  /** Reads manifests from the registry (default: its HTTP API with the credentials). */
  registryReader?: (registry: string, credentials?: RegistryCredentials) => ManifestReader;
}

export interface BuildResult {
  registry?: string;
  repository: string;
  builder: Builder;
  versions: DockerVersions;
  image: BuiltImage;
  /** registry/repository:first-tag */
  ref: string;
  /** Every reference the local image carries. */
  refs: string[];
  /** The references that name the image: in the registry when pushed, else in the local engine. */
  published: string[];
  push?: PushResult;
  ecrRepository?: EcrRepository;
  /** The digest the registry holds, or the local image ID when nothing was pushed. */
  digest: string;
  /** registry/repository@digest when pushed; the local image ID otherwise. */
  imageUri: string;
  timeline: Array<{ step: string; start: number; end: number }>;
}

export async function buildAndPush(options: BuildOptions, deps: BuildDeps): Promise<BuildResult> {
  const now = deps.now ?? Date.now;
  const timeline: BuildResult['timeline'] = [];
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const start = now();
    try {
      return await fn();
    } finally {
      timeline.push({ step: name, start, end: now() });
    }
  };

  const versions = await dockerVersions(deps.docker);
  const builder = chooseBuilder(versions);
  deps.log.info(
    `Docker client ${versions.client}, engine ${versions.server}, buildx ${versions.buildx ?? 'not installed'}.`
  );
  const registry = deps.credentials?.registry ?? options.registry;
  const allTags = [...options.tags, ...options.movingTags];
  const refs = allTags.map((t) => imageRef(registry, options.repository, t));

  const work = async (docker: DockerRunner): Promise<BuildResult> => {
    if (deps.credentials) {
      const { registry: host, username, password } = deps.credentials;
      await step('login', () => login(docker, host, username, password, deps.log));
    }
    const image = await step('build', () =>
      buildImage(
        docker,
        builder,
        {
          context: options.context,
          dockerfile: options.dockerfile,
          tags: refs,
          target: options.target,
          buildArgs: options.buildArgs,
          labels: { ...deps.labels, ...options.labels },
          platform: options.platform,
          network: options.network,
          cacheFrom: options.cacheFrom,
          cacheTo: options.cacheTo
        },
        { log: deps.log, signal: deps.signal, now }
      )
    );
    deps.log.info(`Built ${image.id} as ${refs.join(', ')}.`);
    const result: BuildResult = {
      registry,
      repository: options.repository,
      builder,
      versions,
      image,
      ref: refs[0],
      refs,
      published: refs,
      digest: image.id,
      imageUri: image.id,
      timeline
    };
    if (!options.push) return result;
    if (!registry) throw new Error('No registry to push to.');

    let ecrRepository: EcrRepository | undefined;
    if (options.registryKind === 'ecr' && deps.ecr) {
      const client = deps.ecr;
      ecrRepository = await step('repository', () =>
        ensureRepository(client, options.repository, {
          create: options.createRepository,
          registryId: options.registryId,
          log: deps.log
        })
      );
    }
    // The registry API is read with the push's login: ours, else the caller's own.
    const readAs = deps.credentials ?? callerCredentials(deps.callerConfigDir, registry);
    const reader = (deps.registryReader ?? ((host, c) => new RegistryClient(host, c)))(registry, readAs);
    const pushed = await step('push', () =>
      pushImage(
        docker,
        reader,
        {
          registry,
          repository: options.repository,
          imageId: image.id,
          tags: options.tags,
          movingTags: options.movingTags,
          immutable: (tag) => (ecrRepository ? tagIsImmutable(ecrRepository, tag) : false)
        },
        { log: deps.log, signal: deps.signal, now }
      )
    );
    deps.log.info(`The registry holds ${pushed.digest} for ${options.repository}.`);
    return {
      ...result,
      push: pushed,
      published: pushed.tags
        .filter((t) => t.outcome !== 'not applied')
        .map((t) => imageRef(registry, options.repository, t.tag)),
      ecrRepository,
      digest: pushed.digest,
      imageUri: digestRef(registry, options.repository, pushed.digest)
    };
  };

  if (!deps.credentials) return work(deps.docker);
  return withPrivateConfig(
    deps.docker,
    { callerConfigDir: deps.callerConfigDir, tempRoot: deps.tempRoot },
    ({ docker }) => work(docker)
  );
}
