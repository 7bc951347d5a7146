/**
 * Running a command inside an image, as a test: the output streams live, the container has no
 * network unless asked (`host` is the only other choice), the workspace is mounted read-only, a
 * timeout kills it and says so, a cancelled workflow kills it, and it is removed whatever happens.
 * A JUnit report the command writes inside the container is copied out before the removal.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError } from '../errors.js';
import { formatDuration } from '../duration.js';
import type { Logger } from '../report.js';
import { shortName } from './reference.js';
import { commandLine, lastLine, type DockerRunner } from './runner.js';

export const WORKSPACE_MOUNT = '/workspace';

export interface TestContainer {
  image: string;
  command: string;
  /** Working directory inside the container; default: the workspace mount, else the image's. */
  workdir?: string;
  /** Host directory mounted read-only at /workspace, if any. */
  workspace?: string;
  env: Record<string, string>;
  network: 'none' | 'host';
  user?: string;
  timeoutSeconds: number;
  /** A path inside the container (relative to the working directory) where the tests write JUnit XML. */
  report?: string;
}

export interface TestContainerResult {
  exitCode: number;
  seconds: number;
  timedOut: boolean;
  cancelled: boolean;
  container: string;
  /** The working directory the command ran in. */
  workdir: string;
  /** The report's text, when the command wrote one. */
  report?: string;
  /** Where the report was looked for inside the container. */
  reportPath?: string;
  /** The report is a symbolic link: not followed, since it would read a file of the runner's. */
  reportIsLink?: boolean;
}

export function containerName(image: string, random = randomBytes(4).toString('hex')): string {
  return `${shortName(image).slice(0, 60)}-test-${random}`;
}

/** `docker run` arguments; env values are given, but the logged form shows only their names. */
export function runArgs(spec: TestContainer, name: string, workdir: string | undefined): string[] {
  const args = ['run', '--name', name, '--network', spec.network, '--init'];
  if (spec.workspace) args.push('--volume', `${spec.workspace}:${WORKSPACE_MOUNT}:ro`);
  if (workdir) args.push('--workdir', workdir);
  if (spec.user) args.push('--user', spec.user);
  for (const [k, v] of Object.entries(spec.env)) args.push('--env', `${k}=${v}`);
  args.push('--entrypoint', '/bin/sh', spec.image, '-c', spec.command);
  return args;
}

/** The command line as logged: environment values are left out. */
export function shownArgs(args: string[]): string {
  return commandLine(args.map((a, i) => (args[i - 1] === '--env' ? a.replace(/=.*/s, '=***') : a)));
}

export async function runTestContainer(
  docker: DockerRunner,
  spec: TestContainer,
  deps: {
    log: Logger;
    /** Each line the container prints, as it prints it. */
    onLine: (line: string) => void;
    signal?: AbortSignal;
    now?: () => number;
    name?: string;
    tempDir?: string;
  }
): Promise<TestContainerResult> {
  const now = deps.now ?? Date.now;
  const name = deps.name ?? containerName(spec.image);
  const workdir = spec.workdir ?? (spec.workspace ? WORKSPACE_MOUNT : undefined);
  const args = runArgs(spec, name, workdir);
  deps.log.info(`Running in ${spec.image} (network ${spec.network}): ${docker.binary} ${shownArgs(args)}`);

  let timedOut = false;
  let cancelled = false;
  let finished = false;
  // Until the container exists `docker kill` fails: try again until it works or the run is over.
  const kill = async () => {
    while (!finished) {
      const killed = await docker.run({ args: ['kill', name] });
      if (killed.code === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    deps.log.warning(
      `The tests ran past the timeout of ${formatDuration(spec.timeoutSeconds)}: killing ${name}.`
    );
    kill();
  }, spec.timeoutSeconds * 1000);
  const onAbort = () => {
    cancelled = true;
    deps.log.warning(`Cancelled: killing ${name}.`);
    void kill();
  };
  deps.signal?.addEventListener('abort', onAbort, { once: true });
  if (deps.signal?.aborted) onAbort();

  const started = now();
  try {
    const result = await docker.run({ args, onLine: (line) => deps.onLine(line) });
    finished = true;
    const seconds = (now() - started) / 1000;
    clearTimeout(timer);
    deps.signal?.removeEventListener('abort', onAbort);
    // 125: docker itself failed (no such image, bad option), before the command ran.
    const created = await docker.run({
      args: ['container', 'inspect', '--format', '{{.State.Status}}', name]
    });
    if (result.code === 125 && created.code !== 0 && !timedOut && !cancelled) {
      throw new UserError(
        `The container could not be started from ${spec.image} (${lastLine(result)}): check "image".`
      );
    }
    let copied: CopiedFile = {};
    let reportPath: string | undefined;
    if (spec.report) {
      const base = workdir ?? (await imageWorkdir(docker, spec.image));
      reportPath = path.posix.resolve(base || '/', spec.report);
      copied = await copyOut(docker, name, reportPath, deps.tempDir);
    }
    return {
      exitCode: result.code,
      seconds,
      timedOut,
      cancelled,
      container: name,
      workdir: workdir ?? '',
      report: copied.text,
      reportPath,
      reportIsLink: copied.link
    };
  } finally {
    finished = true;
    clearTimeout(timer);
    deps.signal?.removeEventListener('abort', onAbort);
    const removed = await docker.run({ args: ['rm', '--force', '--volumes', name] });
    if (removed.code !== 0 && !/no such container/i.test(removed.stderr)) {
      deps.log.warning(`Could not remove the container ${name}: ${lastLine(removed)}`);
    }
  }
}

async function imageWorkdir(docker: DockerRunner, image: string): Promise<string> {
  const result = await docker.run({
    args: ['image', 'inspect', '--format', '{{.Config.WorkingDir}}', image]
  });
  return result.code === 0 ? result.stdout.trim() : '/';
}

interface CopiedFile {
  text?: string;
  link?: boolean;
}

/**
 * The file at `containerPath` of a stopped container: its text, or nothing when there is none. `docker
 * cp` copies a symbolic link as a link, and reading that would read whatever the container pointed
 * it at on the runner (a credentials file): a link is reported, never followed.
 */
async function copyOut(
  docker: DockerRunner,
  container: string,
  containerPath: string,
  tempDir = os.tmpdir()
): Promise<CopiedFile> {
  const dir = fs.mkdtempSync(path.join(tempDir, 'mlops-report-'));
  try {
    const target = path.join(dir, 'report.xml');
    const result = await docker.run({ args: ['cp', `${container}:${containerPath}`, target] });
    const stat = result.code === 0 ? fs.lstatSync(target, { throwIfNoEntry: false }) : undefined;
    if (stat?.isSymbolicLink()) return { link: true };
    if (!stat?.isFile()) return {};
    return { text: fs.readFileSync(target, 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
