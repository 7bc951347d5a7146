/**
 * Serving containers on the local Docker engine, as SageMaker runs them: `docker run IMAGE serve`
 * with the model's environment, `--network host` and `SAGEMAKER_BIND_TO_PORT` set to a free loopback
 * port (SageMaker's contract where several containers share a host: a container must listen on that
 * port, not on 8080), and the model data mounted read-only at /opt/ml/model. Every container carries
 * the label `mlops-actions.emulator=<tag>` of the emulator that started it, so one that outlived a
 * killed emulator is found and removed by the next. Images come from the emulator's registry (pulled
 * over loopback) or the local engine (`--pull never`): nothing is pulled from anywhere else.
 * Lambda's execution environments (lambda/environments.ts) run through the same helpers, with the
 * image's own ENTRYPOINT and CMD and no port.
 */
import { spawn, execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const LABEL = 'mlops-actions.emulator';

export interface ServingContainer {
  name: string;
  port: number;
  /** Resolves with the exit code when the container stops. */
  exited: Promise<number>;
  exitCode?: number;
}

export interface StartOptions {
  name: string;
  tag: string;
  image: string;
  environment: Record<string, string>;
  modelDir?: string;
  /** Whether Docker may pull the image (from the emulator's loopback registry only). */
  pull: boolean;
  onLine: (line: string) => void;
  /** What follows the image on `docker run` (default SageMaker's `serve`; [] runs the image's CMD). */
  command?: string[];
  /** Set SAGEMAKER_BIND_TO_PORT to a free port (default true; Lambda's containers listen on nothing). */
  bindPort?: boolean;
  /** More `docker run` options (Lambda's `--memory`). */
  runOptions?: string[];
}

/** A TCP port on 127.0.0.1 that nothing listens on now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export async function startContainer(options: StartOptions): Promise<ServingContainer> {
  const bind = options.bindPort ?? true;
  const port = bind ? await freePort() : 0;
  const env = bind ? { ...options.environment, SAGEMAKER_BIND_TO_PORT: String(port) } : options.environment;
  const args = [
    'run',
    '--rm',
    '--name',
    options.name,
    '--label',
    `${LABEL}=${options.tag}`,
    '--network',
    'host',
    '--pull',
    options.pull ? 'missing' : 'never',
    ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
    ...(options.modelDir ? ['--volume', `${options.modelDir}:/opt/ml/model:ro`] : []),
    ...(options.runOptions ?? []),
    options.image,
    ...(options.command ?? ['serve'])
  ];
  const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = (stream: NodeJS.ReadableStream) => {
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString('utf8')).split(/\r?\n/);
      rest = parts.pop() ?? '';
      for (const line of parts) options.onLine(line);
    });
    stream.on('end', () => rest && options.onLine(rest));
  };
  lines(child.stdout);
  lines(child.stderr);
  const container: ServingContainer = {
    name: options.name,
    port,
    exited: new Promise((resolve) => {
      child.on('error', (e) => {
        options.onLine(`docker could not start: ${e.message}`);
        resolve(-1);
      });
      child.on('close', (code) => resolve(code ?? -1));
    })
  };
  void container.exited.then((code) => (container.exitCode = code));
  return container;
}

export async function removeContainers(names: string[]): Promise<void> {
  if (!names.length) return;
  await run('docker', ['rm', '--force', ...names]).catch(() => undefined);
}

/** Names of the containers (running or not) an emulator with this tag started. */
export async function containersOf(tag: string): Promise<string[]> {
  try {
    const { stdout } = await run('docker', [
      'ps',
      '--all',
      '--filter',
      `label=${LABEL}=${tag}`,
      '--format',
      '{{.Names}}'
    ]);
    return stdout.split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * Removes every container an emulator with this tag started. `docker run --rm` removes a killed
 * container too: the engine may still list it while it does ("removal in progress"), so ask again
 * until none is left (a few seconds at most, `timeoutMs` at the very most).
 */
export async function removeAllContainers(tag: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let left = await containersOf(tag); left.length; left = await containersOf(tag)) {
    if (Date.now() > deadline) break;
    await removeContainers(left);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `GET /ping` within SageMaker's 2 s: whether it answered 200. */
export async function ping(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/ping`, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}
