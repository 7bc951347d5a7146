/**
 * The image of a Lambda version, made ready on the local Docker engine: an ECR URI
 * (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>...`) is read as the same repository in the
 * emulator's loopback registry (where its ECR keeps images); an image of that registry is pulled once,
 * any other reference must be on the engine already (nothing is pulled from elsewhere). Its CMD is
 * what Lambda gives the runtime as `_HANDLER`.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Emulator } from '../../server.js';

const run = promisify(execFile);

export interface PreparedImage {
  /** The reference `docker run` takes. */
  ref: string;
  /** The image's CMD joined by spaces (Lambda's `_HANDLER`). */
  handler: string;
}

export class ImageError extends Error {}

export function registryOf(emulator: Emulator): string {
  return (emulator.options.registry ?? '127.0.0.1:5000').replace(/^https?:\/\//, '').replace(/\/$/, '');
}

/** The reference Docker runs for an image URI of a function. */
export function localReference(emulator: Emulator, uri: string): string {
  const ecr = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/(.+)$/.exec(uri);
  return ecr ? `${registryOf(emulator)}/${ecr[1]}` : uri;
}

const PREPARED = new Map<string, Promise<PreparedImage>>();

async function inspect(ref: string): Promise<string[] | null | undefined> {
  try {
    const { stdout } = await run('docker', ['image', 'inspect', '--format', '{{json .Config.Cmd}}', ref]);
    return JSON.parse(stdout.trim()) as string[] | null;
  } catch {
    return undefined;
  }
}

async function prepare(emulator: Emulator, uri: string): Promise<PreparedImage> {
  const ref = localReference(emulator, uri);
  let cmd = await inspect(ref);
  if (cmd === undefined && ref.startsWith(`${registryOf(emulator)}/`)) {
    try {
      await run('docker', ['pull', '--quiet', ref]);
    } catch (e) {
      throw new ImageError(
        `The image ${uri} could not be pulled from ${registryOf(emulator)}: ${String((e as { stderr?: string }).stderr ?? e).trim()}`
      );
    }
    cmd = await inspect(ref);
  }
  if (cmd === undefined)
    throw new ImageError(
      `The image ${uri} is not on the local Docker engine nor in the emulator's registry ${registryOf(emulator)}.`
    );
  return { ref, handler: (cmd ?? []).join(' ') };
}

/** Pulls (once) and inspects an image; a failure is not remembered, so a later push can fix it. */
export function prepareImage(emulator: Emulator, uri: string): Promise<PreparedImage> {
  const key = `${registryOf(emulator)} ${uri}`;
  let prepared = PREPARED.get(key);
  if (!prepared) {
    prepared = prepare(emulator, uri);
    PREPARED.set(key, prepared);
    prepared.catch(() => PREPARED.delete(key));
  }
  return prepared;
}

/** The container's peak memory in MB from its cgroup (v1 or v2), when this host exposes it. */
export async function peakMemoryMb(containerId: string | undefined): Promise<number | undefined> {
  if (!containerId) return undefined;
  const { readFile } = await import('node:fs/promises');
  for (const file of [
    `/sys/fs/cgroup/memory/docker/${containerId}/memory.max_usage_in_bytes`,
    `/sys/fs/cgroup/system.slice/docker-${containerId}.scope/memory.peak`,
    `/sys/fs/cgroup/docker/${containerId}/memory.peak`
  ]) {
    try {
      return Math.ceil(Number((await readFile(file, 'utf8')).trim()) / (1024 * 1024));
    } catch {
      // not this layout
    }
  }
  return undefined;
}

export async function containerId(name: string): Promise<string | undefined> {
  try {
    const { stdout } = await run('docker', ['inspect', '--format', '{{.Id}}', name]);
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}
