/** `command` mode: the user's own training command (`make train`, `dvc repro`) in a shell. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { flattenMetrics } from './metrics.js';

export interface CommandOptions {
  command: string;
  /** Absolute working directory. */
  cwd: string;
  env?: NodeJS.ProcessEnv;
  onLine?: (line: string) => void;
  signal?: AbortSignal;
  now?: () => number;
}

export interface CommandResult {
  exitCode: number;
  signal?: NodeJS.Signals;
  seconds: number;
  cancelled: boolean;
}

/** Runs `bash -e -o pipefail -c <command>` in its own process group, streaming its output lines. */
export async function runCommand(options: CommandOptions): Promise<CommandResult> {
  const now = options.now ?? Date.now;
  const started = now();
  const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', options.command], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true
  });
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (rest + chunk).split(/\r?\n/);
      rest = parts.pop() ?? '';
      parts.forEach((l) => options.onLine?.(l));
    });
    stream.on('end', () => rest && options.onLine?.(rest));
  }
  let cancelled = false;
  const onAbort = () => {
    cancelled = true;
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const [exitCode, signal] = await new Promise<[number, NodeJS.Signals | undefined]>((resolve, reject) => {
    child.on('error', (e) => reject(new UserError(`Could not run the command: ${e.message}.`)));
    child.on('close', (code, sig) => resolve([code ?? 128, sig ?? undefined]));
  }).finally(() => options.signal?.removeEventListener('abort', onAbort));
  return { exitCode, signal, seconds: (now() - started) / 1000, cancelled };
}

/** The metrics JSON file a command wrote: numeric values, nested keys joined with dots. */
export function readMetricsFile(file: string, input = 'metrics-file'): Record<string, number> {
  if (!fs.existsSync(file)) {
    throw new UserError(
      `The ${input} ${file} was not written by the command: write it or leave ${input} empty.`
    );
  }
  try {
    return flattenMetrics(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch {
    throw new UserError(
      `The ${input} ${path.basename(file)} is not valid JSON: write a JSON object such as {"accuracy": 0.93}.`
    );
  }
}
