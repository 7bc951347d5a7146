/**
 * Runs one step's process in a process group of its own, hands its output over line by line, and on
 * a timeout kills the whole group: TERM, then KILL a few seconds later. What a step leaves running
 * in the background lives on until its job ends, as on GitHub.
 */
import { spawn } from 'node:child_process';

export interface ProcessResult {
  exitCode: number;
  timedOut: boolean;
  /** Wall-clock seconds spent inside the process. */
  seconds: number;
}

export interface ProcessOptions {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Milliseconds; undefined = no limit. */
  timeoutMs?: number;
  onLine: (line: string) => void;
  /** Gets the process group id, so the job can end what the step left running when the job ends. */
  onGroup?: (pgid: number) => void;
}

/** The process groups of steps started and not yet ended by their job (for an interrupted run). */
const liveGroups = new Set<number>();

/** Ends a process group (a step's leftovers), if it is still there. */
export function killGroup(pgid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  liveGroups.delete(pgid);
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/** Ends every step process group still running (the CLI calls it on SIGINT/SIGTERM). */
export function killAllGroups(): void {
  for (const pgid of [...liveGroups]) killGroup(pgid);
}

export function runProcess(options: ProcessOptions): Promise<ProcessResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe']
    });
    let timedOut = false;
    if (child.pid) {
      liveGroups.add(child.pid);
      options.onGroup?.(child.pid);
    }
    const end = (signal: NodeJS.Signals) => child.pid && killGroup(child.pid, signal);
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            end('SIGTERM');
            setTimeout(() => end('SIGKILL'), 5000).unref();
          }, options.timeoutMs);
    const pending: Record<'out' | 'err', string> = { out: '', err: '' };
    const feed = (which: 'out' | 'err', chunk: Buffer) => {
      const lines = (pending[which] + chunk.toString('utf8')).split('\n');
      pending[which] = lines.pop() ?? '';
      for (const line of lines) options.onLine(line.replace(/\r$/, ''));
    };
    child.stdout.on('data', (c: Buffer) => feed('out', c));
    child.stderr.on('data', (c: Buffer) => feed('err', c));
    let done = false;
    const finish = (exitCode: number) => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      for (const which of ['out', 'err'] as const) if (pending[which]) options.onLine(pending[which]);
      resolve({ exitCode, timedOut, seconds: (Date.now() - started) / 1000 });
    };
    child.on('error', (e) => {
      options.onLine(`cannot start ${options.command}: ${e.message}`);
      finish(127);
    });
    const code = (c: number | null, signal: NodeJS.Signals | null) => c ?? (signal ? 128 : 1);
    child.on('close', (c, signal) => finish(code(c, signal)));
    // A background process the step started may hold its output open: do not wait for it.
    child.on('exit', (c, signal) => setTimeout(() => finish(code(c, signal)), 500));
  });
}
