/**
 * Building an image with whatever the machine has: `docker buildx build --load` where the buildx
 * plugin exists (GitHub's runners), else BuildKit inside the daemon through `DOCKER_BUILDKIT=1`
 * (a client older than 23 has it built in), else the classic builder. The choice is logged.
 */
import { UserError } from '../errors.js';
import type { Logger } from '../report.js';
import { commandLine, lastLine, type DockerRunner } from './runner.js';

export type Builder = 'buildx' | 'buildkit' | 'classic';

export const BUILDER_NAMES: Record<Builder, string> = {
  buildx: 'buildx (docker buildx build --load)',
  buildkit: 'BuildKit in the Docker daemon (DOCKER_BUILDKIT=1)',
  classic: 'the classic builder (no buildx, and the Docker client has no built-in BuildKit)'
};

export interface DockerVersions {
  client: string;
  server: string;
  buildx?: string;
}

/** The engine's and client's versions, or a UserError when there is no usable Docker. */
export async function dockerVersions(docker: DockerRunner): Promise<DockerVersions> {
  const result = await docker.run({ args: ['version', '--format', '{{json .}}'] });
  let parsed: { Client?: { Version?: string }; Server?: { Version?: string } | null } = {};
  try {
    parsed = JSON.parse(result.stdout.trim().split('\n').pop() || '{}');
  } catch {
    parsed = {};
  }
  if (result.code === -1) {
    throw new UserError(
      `The Docker client "${docker.binary}" could not be run (${lastLine(result)}): this action needs Docker on the runner.`
    );
  }
  if (result.code !== 0 || !parsed.Server?.Version) {
    throw new UserError(
      `The Docker engine is not reachable through "${docker.binary}" (${lastLine(result)}): start Docker or set DOCKER_HOST.`
    );
  }
  const buildx = await docker.run({ args: ['buildx', 'version'] });
  return {
    client: parsed.Client?.Version ?? 'unknown',
    server: parsed.Server.Version,
    buildx: buildx.code === 0 ? buildx.stdout.trim().split(/\s+/)[1] || 'present' : undefined
  };
}

/** buildx when present; else BuildKit through the daemon when the client still has it built in (< 23). */
export function chooseBuilder(versions: DockerVersions): Builder {
  if (versions.buildx) return 'buildx';
  const major = (v: string) => Number(/^(\d+)/.exec(v)?.[1] ?? NaN);
  // Clients from 23 on hand BuildKit builds to buildx and fail without it; older ones speak to the
  // daemon's BuildKit themselves (engines from 18.09 have it).
  if (major(versions.client) < 23 && major(versions.server) >= 18) return 'buildkit';
  return 'classic';
}

export interface BuildSpec {
  context: string;
  dockerfile: string;
  /** Full references to tag the result with (`registry/repository:tag`). */
  tags: string[];
  target?: string;
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  platform?: string;
  network?: string;
  cacheFrom: string[];
  cacheTo: string[];
}

export interface BuildCommand {
  args: string[];
  env: Record<string, string>;
  /** Inputs this builder cannot use, with the reason (logged as warnings). */
  ignored: string[];
}

export function buildCommand(builder: Builder, spec: BuildSpec): BuildCommand {
  const ignored: string[] = [];
  const args = builder === 'buildx' ? ['buildx', 'build', '--load'] : ['build'];
  if (builder !== 'classic') args.push('--progress', 'plain');
  args.push('--file', spec.dockerfile);
  for (const tag of spec.tags) args.push('--tag', tag);
  for (const [k, v] of Object.entries(spec.buildArgs)) args.push('--build-arg', `${k}=${v}`);
  for (const [k, v] of Object.entries(spec.labels)) args.push('--label', `${k}=${v}`);
  if (spec.target) args.push('--target', spec.target);
  if (spec.platform) args.push('--platform', spec.platform);
  if (spec.network) args.push('--network', spec.network);
  if (builder === 'buildx') {
    for (const c of spec.cacheFrom) args.push('--cache-from', c);
    for (const c of spec.cacheTo) args.push('--cache-to', c);
  } else {
    if (spec.cacheFrom.length) ignored.push('cache-from (it needs buildx)');
    if (spec.cacheTo.length) ignored.push('cache-to (it needs buildx)');
  }
  args.push(spec.context);
  return { args, env: { DOCKER_BUILDKIT: builder === 'classic' ? '0' : '1' }, ignored };
}

export interface BuiltImage {
  /** The image ID in the local engine (`sha256:...`). */
  id: string;
  size: number;
  labels: Record<string, string>;
  seconds: number;
}

/** Builds the image, streaming the builder's output into the log, and reads back what the engine holds. */
export async function buildImage(
  docker: DockerRunner,
  builder: Builder,
  spec: BuildSpec,
  deps: { log: Logger; signal?: AbortSignal; now?: () => number }
): Promise<BuiltImage> {
  const now = deps.now ?? Date.now;
  const command = buildCommand(builder, spec);
  for (const input of command.ignored)
    deps.log.warning(`Ignoring ${input}: this build uses ${BUILDER_NAMES[builder]}.`);
  // Label and build-arg values may hold line breaks (Docker keeps them): quoted, the line stays one.
  deps.log.info(`Building with ${BUILDER_NAMES[builder]}: ${docker.binary} ${commandLine(command.args)}`);
  const started = now();
  const result = await docker.run({
    args: command.args,
    env: command.env,
    signal: deps.signal,
    // The builder's output is not ours (a RUN step prints what it likes): the logger makes any
    // line that would be a workflow command inert.
    onLine: (line) => deps.log.info(line)
  });
  if (deps.signal?.aborted) throw new UserError('The build was cancelled; no image was pushed.');
  if (result.code !== 0) {
    throw new UserError(
      `docker build failed (${lastLine(result)}): see the build log above; nothing was pushed.`
    );
  }
  const seconds = (now() - started) / 1000;
  const inspect = await docker.run({
    args: ['image', 'inspect', '--format', '{{json .}}', spec.tags[0]]
  });
  if (inspect.code !== 0)
    throw new Error(`The built image ${spec.tags[0]} is not in the engine: ${lastLine(inspect)}`);
  const image = JSON.parse(inspect.stdout) as {
    Id: string;
    Size: number;
    Config?: { Labels?: Record<string, string> };
  };
  return { id: image.Id, size: image.Size, labels: image.Config?.Labels ?? {}, seconds };
}
