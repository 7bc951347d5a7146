/**
 * The Docker CLI as a collaborator: engines call `docker.run({ args })` and never spawn processes
 * themselves, so tests give them a fake that records command lines. `dockerCli(binary, env)` is the
 * real one: the binary and the environment it runs with are chosen by the glue.
 */
import { spawn } from 'node:child_process';

export interface DockerCall {
  args: string[];
  /** Extra variables for this call (DOCKER_BUILDKIT, DOCKER_CONFIG). */
  env?: Record<string, string>;
  /** Written to stdin (a password for `login --password-stdin`); stdin is closed otherwise. */
  input?: string;
  /** Each line of output as it arrives (live progress); the result still holds all of it. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Aborting sends SIGTERM to the client. */
  signal?: AbortSignal;
}

export interface DockerResult {
  /** The client's exit code; -1 when it could not be started. */
  code: number;
  stdout: string;
  stderr: string;
}

export interface DockerRunner {
  /** What the runner calls (for messages): `docker`, `/usr/bin/docker`. */
  readonly binary: string;
  run(call: DockerCall): Promise<DockerResult>;
}

/** Output kept per stream; a build log can be long, and only its end matters for an error. */
const KEEP = 1 << 20;

export function dockerCli(binary = 'docker', env: NodeJS.ProcessEnv = process.env): DockerRunner {
  return {
    binary,
    run(call) {
      return new Promise((resolve) => {
        const child = spawn(binary, call.args, {
          env: { ...env, ...call.env },
          stdio: [call.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']
        });
        const out = { stdout: '', stderr: '' };
        for (const stream of ['stdout', 'stderr'] as const) {
          let partial = '';
          child[stream]!.setEncoding('utf8');
          child[stream]!.on('data', (chunk: string) => {
            out[stream] = (out[stream] + chunk).slice(-KEEP);
            if (!call.onLine) return;
            const lines = (partial + chunk).split(/\r?\n/);
            partial = lines.pop() ?? '';
            for (const line of lines) call.onLine(line, stream);
          });
          child[stream]!.on('end', () => {
            if (partial && call.onLine) call.onLine(partial, stream);
          });
        }
        if (call.input !== undefined) child.stdin!.end(call.input);
        const onAbort = () => child.kill('SIGTERM');
        call.signal?.addEventListener('abort', onAbort, { once: true });
        let settled = false;
        const finish = (result: DockerResult) => {
          if (settled) return;
          settled = true;
          call.signal?.removeEventListener('abort', onAbort);
          resolve(result);
        };
        child.on('error', (e) => finish({ code: -1, stdout: '', stderr: `${binary}: ${e.message}` }));
        child.on('close', (code, signal) => finish({ code: code ?? (signal ? 128 : -1), ...out }));
      });
    }
  };
}

/** The same runner with extra variables on every call (a private DOCKER_CONFIG). */
export function withEnv(docker: DockerRunner, env: Record<string, string>): DockerRunner {
  return {
    binary: docker.binary,
    run: (call) => docker.run({ ...call, env: { ...env, ...call.env } })
  };
}

/**
 * A command line as it is logged: arguments with spaces, quotes, `$` or control characters (a line
 * break in a label value) are JSON-quoted, so the line stays one line and reads as it was run.
 */
export function commandLine(args: string[]): string {
  // eslint-disable-next-line no-control-regex
  return args.map((a) => (/[\s'"$\\\x00-\x1f\x7f]/.test(a) || a === '' ? JSON.stringify(a) : a)).join(' ');
}

/** The last meaningful line of a failed call's output (stderr first), for one-sentence errors. */
export function lastLine(result: DockerResult): string {
  const split = (text: string) =>
    text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean);
  const lines = split(result.stderr).length ? split(result.stderr) : split(result.stdout);
  const error = lines
    .filter((l) => /error|denied|unauthorized|invalid|not found|failed|cannot/i.test(l))
    .pop();
  return (error ?? lines.pop() ?? `exit code ${result.code}`).replace(/\.$/, '');
}
