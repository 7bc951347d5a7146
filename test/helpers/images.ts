/**
 * The example model service for image tests: its local base image (made by
 * scripts/local-base-image.sh, instant when it exists), the local registry on 127.0.0.1:5000, and
 * clean-up of what a test pushed or built. Every name a test makes starts with `mlops-test-image-`.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ROOT } from './bundle.js';
import { DOCKER, docker } from './docker.js';

export const EXAMPLE = 'examples/wine-classifier';
export const BASE_IMAGE = 'mlops-example-base:bookworm';
export const REGISTRY = '127.0.0.1:5000';
export const REGISTRY_URL = `http://${REGISTRY}`;

/** Makes the example's base image unless it is there already (CI makes it in .ci/services.d). */
export function ensureBaseImage(): void {
  execFileSync(path.join(ROOT, 'scripts/local-base-image.sh'), [BASE_IMAGE], { stdio: 'inherit' });
}

export function uniqueName(what: string): string {
  return `mlops-test-image-${what}-${randomBytes(3).toString('hex')}`;
}

const ACCEPT = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json'
].join(', ');

/** The digest the registry itself holds for `repository:tag`, or undefined. */
export async function registryDigest(repository: string, tag: string): Promise<string | undefined> {
  const response = await fetch(`${REGISTRY_URL}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: ACCEPT }
  });
  return response.ok ? (response.headers.get('docker-content-digest') ?? undefined) : undefined;
}

export async function registryRepositories(): Promise<string[]> {
  const response = await fetch(`${REGISTRY_URL}/v2/_catalog?n=10000`);
  return ((await response.json()) as { repositories?: string[] }).repositories ?? [];
}

/** Deletes every tagged manifest of a repository from the registry (its blobs wait for GC). */
export async function deleteFromRegistry(repository: string): Promise<void> {
  const response = await fetch(`${REGISTRY_URL}/v2/${repository}/tags/list`);
  if (!response.ok) return;
  const tags = ((await response.json()) as { tags?: string[] | null }).tags ?? [];
  for (const tag of tags) {
    const digest = await registryDigest(repository, tag);
    if (digest) await fetch(`${REGISTRY_URL}/v2/${repository}/manifests/${digest}`, { method: 'DELETE' });
  }
}

/** Local image references (repository:tag) whose repository contains `name`. */
export function localImages(name: string): string[] {
  return docker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'])
    .split('\n')
    .filter((line) => line.includes(name));
}

/** Removes local images whose repository contains `name`, tagged or left with a digest only. */
export function removeLocalImages(name: string): void {
  const ids = docker(['image', 'ls', '--no-trunc', '--format', '{{.ID}} {{.Repository}}'])
    .split('\n')
    .filter((line) => line.includes(name))
    .map((line) => line.split(' ')[0]);
  if (ids.length) {
    try {
      docker(['image', 'rm', '--force', ...new Set(ids)]);
    } catch {
      // already gone, or still used by another image
    }
  }
}

/** Builds the example's serving (or training) image with the classic builder, for tests that need one. */
export function buildExampleImage(
  tag: string,
  buildArgs: Record<string, string> = {},
  dockerfile = 'serving/Dockerfile'
): string {
  const args = ['build', '--network', 'none', '-q', '-f', path.join(ROOT, EXAMPLE, dockerfile), '-t', tag];
  for (const [k, v] of Object.entries({ BASE_IMAGE, ...buildArgs })) args.push('--build-arg', `${k}=${v}`);
  return docker([...args, path.join(ROOT, EXAMPLE)]).trim();
}

/**
 * Builds the example's Lambda image (lambda/Dockerfile) on the local base, as
 * example-lambda-image.test.ts runs it: the classic builder, `--network host`, the example's directory
 * as context.
 */
export function buildExampleLambdaImage(tag: string, buildArgs: Record<string, string> = {}): void {
  const flags = Object.entries({ BASE_IMAGE, ...buildArgs }).flatMap(([k, v]) => [
    '--build-arg',
    `${k}=${v}`
  ]);
  execFileSync(
    DOCKER,
    ['build', '--network', 'host', '-q', '-f', 'lambda/Dockerfile', ...flags, '-t', tag, '.'],
    {
      cwd: path.join(ROOT, EXAMPLE),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DOCKER_BUILDKIT: '0' }
    }
  );
}
