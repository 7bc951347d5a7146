/**
 * Picks the engine and runs pull or push. `native` reads and writes DVC's formats itself (S3 and
 * local remotes); `dvc` hands the whole command to the `dvc` executable; `auto` is native, and hands
 * over only when a remote is of a kind the native engine does not serve and `dvc` is installed.
 */
import { setMaxListeners } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { silentLogger, systemClock } from '../report.js';
import { loadConfig } from './config.js';
import { openRepo, type Repo } from './repo.js';
import { pull, type PullOptions } from './pull.js';
import { push } from './push.js';
import type { TransferReport } from './report.js';
import { commit } from './commit.js';
import { WorkspaceHashes } from './state.js';

export type Engine = 'auto' | 'native' | 'dvc';
export const ENGINES: readonly Engine[] = ['auto', 'native', 'dvc'];
export const DEFAULT_JOBS = 16;

/** The `dvc` executable, run in a folder with extra environment. */
export interface DvcCommand {
  path: string;
  run(
    args: string[],
    options: { cwd: string; env: Record<string, string> }
  ): Promise<{ exitCode: number; output: string }>;
}

/** The first executable `name` on a PATH-style list. */
export function findExecutable(name: string, pathList: string | undefined): string | undefined {
  for (const dir of (pathList ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface RunOptions extends Omit<PullOptions, 'jobs' | 'force' | 'allowMissing'> {
  engine: Engine;
  root: string;
  targets: string[];
  remote?: string;
  /** The `jobs` input; undefined: the remote's `jobs`, else 16. */
  jobs?: number;
  force?: boolean;
  allowMissing?: boolean;
  /** The `region` input, handed to dvc as AWS_DEFAULT_REGION. */
  region?: string;
  /** Undefined when dvc is not installed. */
  dvc?: DvcCommand;
  /** push: record changed outputs first (native `dvc commit`), whatever the engine. */
  commit?: boolean;
}

function jobsFor(repo: Repo, input: number | undefined): number {
  if (input) return input;
  for (const out of repo.outputs) {
    const n = Number(out.remoteSpec.options.jobs);
    if (Number.isSafeInteger(n) && n > 0) return n;
  }
  return DEFAULT_JOBS;
}

/** Runs `command` with the chosen engine; the report says what moved. */
export async function transfer(command: 'pull' | 'push', options: RunOptions): Promise<TransferReport> {
  // One state of workspace hashes for the commit and the transfer, saved once at the end.
  const hashes = options.hashes ?? WorkspaceHashes.open(options.root);
  const run = { ...options, hashes };
  try {
    const committed =
      command === 'push' && options.commit
        ? await commit({
            root: options.root,
            targets: options.targets,
            jobs: options.jobs,
            log: options.log,
            hashes
          })
        : undefined;
    const report = await move(command, run);
    if (hashes.hashed || hashes.trusted) (options.log ?? silentLogger).info(`Hashing: ${hashes.describe()}.`);
    return committed ? { ...report, committed } : report;
  } finally {
    hashes.save();
  }
}

async function move(command: 'pull' | 'push', options: RunOptions): Promise<TransferReport> {
  const log = options.log ?? silentLogger;
  if (options.engine === 'dvc') {
    if (!options.dvc) {
      throw new UserError(
        'Input "engine" is dvc, but no dvc command is on PATH: install it first (pip install "dvc[s3]") or use engine: auto.'
      );
    }
    loadConfig(options.root);
    return delegate(command, options, options.dvc);
  }
  const repo = openRepo({
    root: options.root,
    targets: options.targets,
    remote: options.remote,
    forPush: command === 'push'
  });
  if (repo.unsupported.length) {
    if (options.engine === 'auto' && options.dvc) {
      log.info(`Handing over to ${options.dvc.path}: ${repo.unsupported[0]}.`);
      return delegate(command, options, options.dvc);
    }
    const fix =
      options.engine === 'native'
        ? 'use engine: auto with the dvc command installed'
        : 'install the dvc command (pip install "dvc[...]" for that remote type) so engine: auto can hand it over';
    throw new UserError(`${capitalize(repo.unsupported[0])}: ${fix}.`);
  }
  const jobs = jobsFor(repo, options.jobs);
  // Every request in flight listens to the cancellation signal.
  if (options.signal) setMaxListeners(Math.max(100, jobs * 8), options.signal);
  log.info(
    `${command === 'pull' ? 'Pulling' : 'Pushing'} ${repo.outputs.length} output(s) with ${jobs} parallel transfers (native engine).`
  );
  try {
    if (command === 'pull') {
      // No `verify` here: the native pull checks the md5 of every download (see LocalCache.put).
      return await pull(repo, {
        ...options,
        jobs,
        force: options.force ?? false,
        allowMissing: options.allowMissing ?? false
      });
    }
    return await push(repo, { ...options, jobs });
  } finally {
    repo.cache.finish();
  }
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

async function delegate(
  command: 'pull' | 'push',
  options: RunOptions,
  dvc: DvcCommand
): Promise<TransferReport> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const args = [command, ...options.targets];
  if (options.remote) args.push('--remote', options.remote);
  if (options.jobs) args.push('--jobs', String(options.jobs));
  if (command === 'pull' && options.force) args.push('--force');
  if (command === 'pull' && options.allowMissing) args.push('--allow-missing');
  const env: Record<string, string> = {};
  if (options.region) env.AWS_DEFAULT_REGION = env.AWS_REGION = options.region;
  (options.log ?? silentLogger).info(`Running dvc ${args.join(' ')}`);
  const { exitCode, output } = await dvc.run(args, { cwd: options.root, env });
  const count = (verbs: string[]) =>
    [...output.matchAll(/(\d+) files? (\w+)/g)]
      .filter((m) => verbs.includes(m[2]))
      .reduce((n, m) => n + Number(m[1]), 0);
  const transferred = count([command === 'pull' ? 'fetched' : 'pushed']);
  const lines = output.trim().split('\n');
  return {
    command,
    engine: 'dvc',
    outputs: [],
    files: command === 'pull' ? count(['added', 'modified']) : 0,
    transferred,
    skipped: 0,
    bytes: 0,
    missing: 0,
    seconds: (clock.now() - started) / 1000,
    warnings: [],
    dvcOutput: lines.slice(-30).join('\n'),
    failure: exitCode
      ? `dvc ${command} failed with exit code ${exitCode}: ${lines.filter(Boolean).slice(-1)[0] ?? 'no output'}`
      : undefined
  };
}
