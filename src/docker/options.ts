/**
 * The inputs of build-image and test-in-docker, read and checked before anything runs: every
 * problem is one sentence that names the input, and nothing is built, pushed or started.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import type { Inputs } from '../inputs.js';
import { singleLine } from '../limits.js';
import { insideWorkspace } from '../paths.js';
import type { RunContext } from '../github/context.js';
import { parseEcrRegistry } from '../ecr/ecr.js';
import { REGISTRY, REPOSITORY, TAG, registryHost, tagSafe } from './reference.js';

export interface BuildOptions {
  /** Absolute paths, inside the workspace. */
  context: string;
  dockerfile: string;
  target?: string;
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  repository: string;
  /** The registry host given; undefined means the caller's ECR registry. */
  registry?: string;
  /** `ecr` for the caller's ECR registry (no registry given) or an ECR host; `other` otherwise. */
  registryKind: 'ecr' | 'other';
  /** The account of an ECR registry given by host. */
  registryId?: string;
  username?: string;
  password?: string;
  region?: string;
  tags: string[];
  /** The branch tag of the default tags: applied only where tags may move. */
  movingTags: string[];
  push: boolean;
  createRepository: boolean;
  cacheFrom: string[];
  cacheTo: string[];
  platform?: string;
  network?: string;
}

/** Entries one per line: cache specifications contain commas (`type=gha,mode=max`). */
function lines(inputs: Inputs, name: string): string[] {
  return inputs
    .raw(name)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/** An input that holds one value: a line break is refused, naming the input, before its own checks. */
function single(inputs: Inputs, name: string): string | undefined {
  const value = inputs.string(name);
  return value === undefined ? undefined : singleLine(name, value);
}

function checkedMap(inputs: Inputs, name: string, key: RegExp, accepted: string): Record<string, string> {
  const map = inputs.map(name);
  for (const k of Object.keys(map)) {
    if (!key.test(k))
      throw new InputError(
        name,
        `Input "${name}" has the key ${JSON.stringify(k)}, but keys must be ${accepted}.`
      );
  }
  return map;
}

export function readBuildOptions(inputs: Inputs, github: RunContext): BuildOptions {
  const workspace = github.workspace;
  const repository = singleLine(
    'repository',
    inputs.required('repository', 'the image repository, for example news-classifier')
  );
  if (!REPOSITORY.test(repository) || repository.length > 256) {
    throw new InputError(
      'repository',
      `Input "repository" must be a repository name of lower-case letters, digits and . _ - separators (with / for namespaces), but got "${repository}".`
    );
  }

  const contextInput = inputs.raw('context') || '.';
  const context = insideWorkspace('context', contextInput, workspace);
  if (!fs.existsSync(context) || !fs.statSync(context).isDirectory()) {
    throw new InputError(
      'context',
      `Input "context" must be a directory, but "${contextInput}" does not exist.`
    );
  }
  const dockerfileInput = inputs.string('dockerfile');
  // The context's own Dockerfile is checked like a given one: it may be a link out of the workspace.
  const dockerfile = insideWorkspace(
    'dockerfile',
    dockerfileInput ?? path.relative(fs.realpathSync(workspace), path.join(context, 'Dockerfile')),
    workspace
  );
  if (!fs.existsSync(dockerfile) || !fs.statSync(dockerfile).isFile()) {
    throw new InputError(
      'dockerfile',
      dockerfileInput
        ? `Input "dockerfile" must be a file, but "${dockerfileInput}" does not exist.`
        : `Input "dockerfile" is empty and the context has no Dockerfile at "${path.relative(fs.realpathSync(workspace), dockerfile) || dockerfile}": give its path.`
    );
  }
  const target =
    single(inputs, 'target') &&
    inputs.matching('target', /^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a build stage name');
  const buildArgs = checkedMap(
    inputs,
    'build-args',
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    'names of letters, digits and _'
  );
  const labels = checkedMap(
    inputs,
    'labels',
    /^[A-Za-z0-9][A-Za-z0-9._/-]*$/,
    'names such as org.example.team'
  );

  const registryInput = single(inputs, 'registry');
  const registry = registryInput ? registryHost(registryInput) : undefined;
  if (registry !== undefined && !REGISTRY.test(registry)) {
    throw new InputError(
      'registry',
      `Input "registry" must be a registry host such as 123456789012.dkr.ecr.us-east-1.amazonaws.com or ghcr.io, but got "${registryInput}".`
    );
  }
  const ecrHost = registry ? parseEcrRegistry(registry) : undefined;
  const registryKind = !registry || ecrHost ? 'ecr' : 'other';
  const username = single(inputs, 'username');
  const password = single(inputs, 'password');
  if (registryKind === 'ecr' && (username || password)) {
    const which = username ? 'username' : 'password';
    throw new InputError(
      which,
      `Input "${which}" is for registries other than ECR; ECR logs in with the workflow's AWS credentials${registry ? '' : ' (give "registry" for another registry)'}.`
    );
  }
  if (Boolean(username) !== Boolean(password)) {
    const missing = username ? 'password' : 'username';
    throw new InputError(missing, `Input "${missing}" is empty: "username" and "password" go together.`);
  }
  const region =
    ecrHost?.region ??
    (single(inputs, 'region') &&
      inputs.matching('region', /^[a-z]{2}(-[a-z]+)+-\d+$/, 'an AWS region such as us-east-1'));

  const given = inputs.list('tags');
  const defaults = [github.sha, github.refName ? tagSafe(github.refName) : ''].filter(Boolean);
  if (!given.length && !defaults.length) {
    throw new InputError(
      'tags',
      'Input "tags" is empty and there is no commit sha or branch to tag with (GITHUB_SHA, GITHUB_REF_NAME): give the tags.'
    );
  }
  const tags = given.length ? [...new Set(given)] : [defaults[0]];
  const movingTags = given.length ? [] : defaults.slice(1).filter((t) => !tags.includes(t));
  for (const tag of tags) {
    if (!TAG.test(tag)) {
      throw new InputError(
        'tags',
        `Input "tags" has "${tag}", but a tag is up to 128 letters, digits, _ . and -, not starting with . or -.`
      );
    }
  }

  const platform =
    single(inputs, 'platform') &&
    inputs.matching(
      'platform',
      /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/,
      'one platform such as linux/amd64 or linux/arm64 (the image is loaded into the local engine, which holds one)'
    );
  const network = inputs.enum('network', ['default', 'host', 'none'] as const);
  return {
    context,
    dockerfile,
    target,
    buildArgs,
    labels,
    repository,
    registry,
    registryKind,
    registryId: ecrHost?.accountId,
    username,
    password,
    region,
    tags,
    movingTags,
    push: inputs.boolean('push'),
    createRepository: inputs.boolean('create-repository'),
    cacheFrom: lines(inputs, 'cache-from'),
    cacheTo: lines(inputs, 'cache-to'),
    platform,
    network
  };
}

/**
 * The image's creation time for its `org.opencontainers.image.created` label: SOURCE_DATE_EPOCH,
 * else the commit's time, else now. A rebuild of the same commit then gets the same label (and,
 * from a warm cache, the same image), as reproducible builds do.
 */
export function creationTime(env: NodeJS.ProcessEnv, workspace: string, now = Date.now()): string {
  const epoch = Number(env.SOURCE_DATE_EPOCH);
  if (env.SOURCE_DATE_EPOCH && Number.isFinite(epoch)) return new Date(epoch * 1000).toISOString();
  try {
    const committed = execFileSync('git', ['-C', workspace, 'log', '-1', '--format=%ct'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore']
    }).trim();
    if (/^\d+$/.test(committed)) return new Date(Number(committed) * 1000).toISOString();
  } catch {
    // not a git checkout
  }
  return new Date(now).toISOString();
}

/** The labels the action sets itself (OCI annotations), then the user's. */
export function imageLabels(
  github: RunContext,
  created: string,
  version: string,
  user: Record<string, string>
): Record<string, string> {
  const labels: Record<string, string> = {};
  if (github.repository)
    labels['org.opencontainers.image.source'] = `${github.serverUrl}/${github.repository}`;
  if (github.sha) labels['org.opencontainers.image.revision'] = github.sha;
  labels['org.opencontainers.image.created'] = created;
  labels['org.opencontainers.image.version'] = version;
  return { ...labels, ...user };
}

export interface TestOptions {
  image: string;
  command: string;
  workdir?: string;
  mountWorkspace: boolean;
  env: Record<string, string>;
  network: 'none' | 'host';
  user?: string;
  timeoutSeconds: number;
  report?: string;
}

const IMAGE = /^[A-Za-z0-9[][A-Za-z0-9._:/@[\]-]*$/;

export function readTestOptions(inputs: Inputs): TestOptions {
  const image = singleLine(
    'image',
    inputs.required('image', 'the image to test, for example the image-uri output of build-image')
  );
  // The characters of a reference (registry[:port]/path:tag@sha256:digest, [::1] hosts, image IDs):
  // no option (-x), no space, nothing the runner could read as a command (##[).
  if (!IMAGE.test(image)) {
    throw new InputError(
      'image',
      `Input "image" must be an image reference such as repo@sha256:..., but got ${JSON.stringify(image)}.`
    );
  }
  // The command may be a multi-line script: it is logged quoted on one line, never as it is.
  const command = inputs.required('command', "the test command, run with the image's /bin/sh");
  const workdir = single(inputs, 'workdir');
  if (workdir !== undefined && !workdir.startsWith('/')) {
    throw new InputError(
      'workdir',
      `Input "workdir" must be an absolute path inside the container, but got "${workdir}".`
    );
  }
  const env = checkedMap(
    inputs,
    'env',
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    'variable names of letters, digits and _'
  );
  const network = inputs.enum('network', ['none', 'host'] as const) ?? 'none';
  const user =
    single(inputs, 'user') &&
    inputs.matching(
      'user',
      /^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/,
      'a user or uid, with an optional :group'
    );
  const timeoutSeconds = inputs.duration('timeout', { min: 1, max: 6 * 3600 }) ?? 1800;
  const report = single(inputs, 'report');
  return {
    image,
    command,
    workdir,
    mountWorkspace: inputs.boolean('mount-workspace'),
    env,
    network,
    user,
    timeoutSeconds,
    report
  };
}
