/**
 * One Lambda execution environment: a container of a version's image on the local Docker engine
 * (sagemaker/containers.ts: `--network host`, the emulator's label, pulled from the loopback registry
 * only) with its own Runtime API server (runtime-api.ts) as `AWS_LAMBDA_RUNTIME_API`, and Lambda's
 * variables. Init lasts from the container's start to its first `/next`; an init error or an exit
 * before it fails the environment (Runtime.InitError / Runtime.ExitError). It runs one invocation at
 * a time, within the version's Timeout in real time; a timeout or an exit ends the environment, as
 * Lambda replaces it. Its output and Lambda's START/END/REPORT lines go to its log stream.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Emulator } from '../../server.js';
import { LogStore } from '../logs.js';
import { removeContainers, startContainer, type ServingContainer } from '../sagemaker/containers.js';
import type { VersionRecord } from './state.js';
import { RuntimeApi, type InitFailure, type RuntimeOutcome } from './runtime-api.js';
import { containerId, peakMemoryMb, prepareImage } from './docker.js';
import { endLine, logGroupOf, logStreamOf, logTail, reportLine, startLine } from './log-lines.js';

/** How long init may take (Lambda's 10 s for on-demand init), in real time. */
export const INIT_LIMIT_MS = 10_000;
/**
 * The container's output travels through Docker and may land just after the runtime's answer: END
 * waits until it has been quiet for SETTLE_MS since its last line, or QUIET_MS when it printed
 * nothing during the invocation (at most 50 ms).
 */
const SETTLE_MS = 8;
const QUIET_MS = 2;

export interface EnvironmentSpec {
  fn: string;
  /** A snapshot of the version the environment runs. */
  version: VersionRecord;
  /** `<fn>:<qualifier>` of the provisioned concurrency config it belongs to, if any. */
  provisioned?: string;
  region: string;
  /** Container-name prefix and the emulator's label value. */
  tag: string;
}

export interface InvocationResult {
  requestId: string;
  payload: Buffer;
  /** Set when the function failed (handler error, timeout, runtime exit, init failure). */
  errorType?: string;
  durationMs: number;
  initMs?: number;
  /** The invocation's log lines (START to REPORT). */
  tail: string;
}

type State = 'starting' | 'idle' | 'busy' | 'dead';

export class Environment {
  readonly id = randomBytes(16).toString('hex');
  state: State = 'starting';
  lastUsed = Date.now();
  initMs?: number;
  initFailure?: InitFailure;
  readonly ready: Promise<boolean>;
  readonly stream: string;
  private api = new RuntimeApi();
  private container?: ServingContainer;
  private containerId?: string;
  private invocations = 0;
  private lines?: string[];
  /** When the container last printed (performance.now()), and whether during this invocation. */
  private lastLineAt = 0;
  private printed = false;
  private readonly logs: LogStore;

  constructor(
    private readonly emulator: Emulator,
    readonly spec: EnvironmentSpec
  ) {
    this.logs = new LogStore(emulator);
    this.stream = logStreamOf(new Date(emulator.now()), spec.version.Version, this.id);
    this.ready = this.start();
  }

  /** Stopped (a method, so TypeScript does not narrow the state across awaits). */
  dead(): boolean {
    return this.state === 'dead';
  }

  get fn(): string {
    return this.spec.fn;
  }
  get version(): VersionRecord {
    return this.spec.version;
  }

  private log(line: string): void {
    this.logs.append(logGroupOf(this.spec.fn), this.stream, [line]);
    this.lines?.push(line);
  }

  private output(line: string): void {
    this.log(line);
    this.lastLineAt = performance.now();
    this.printed = true;
  }

  private async start(): Promise<boolean> {
    const v = this.spec.version;
    let started = performance.now();
    try {
      await this.api.listen();
      const image = await prepareImage(this.emulator, v.ResolvedImageUri || v.ImageUri);
      if (this.dead()) return false;
      const environment: Record<string, string> = {
        ...v.Environment,
        AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${this.api.port}`,
        AWS_LAMBDA_FUNCTION_NAME: this.spec.fn,
        AWS_LAMBDA_FUNCTION_VERSION: v.Version,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(v.MemorySize),
        AWS_LAMBDA_LOG_GROUP_NAME: logGroupOf(this.spec.fn),
        AWS_LAMBDA_LOG_STREAM_NAME: this.stream,
        AWS_LAMBDA_INITIALIZATION_TYPE: this.spec.provisioned ? 'provisioned-concurrency' : 'on-demand',
        AWS_REGION: this.spec.region,
        AWS_DEFAULT_REGION: this.spec.region,
        AWS_EXECUTION_ENV: 'AWS_Lambda_Image',
        _HANDLER: image.handler,
        TZ: ':UTC'
      };
      started = performance.now();
      this.container = await startContainer({
        name: `mlops-emulator-${this.spec.tag}-${this.spec.fn}-${this.id.slice(0, 12)}`.slice(0, 120),
        tag: this.spec.tag,
        image: image.ref,
        environment,
        pull: false,
        command: [],
        bindPort: false,
        runOptions: ['--memory', `${Math.max(v.MemorySize, 128)}m`],
        onLine: (line) => this.output(line)
      });
    } catch (e) {
      return this.failInit({ errorType: 'Runtime.InitError', errorMessage: (e as Error).message }, started);
    }
    if (this.dead()) return (void removeContainers([this.container.name]), false);
    const container = this.container;
    const outcome = await Promise.race([
      this.api.initialised.then(() => 'ok' as const),
      this.api.initFailed,
      container.exited.then((code) => ({
        errorType: 'Runtime.ExitError',
        errorMessage: `Runtime exited with error: exit status ${code}`
      })),
      new Promise<InitFailure>((resolve) =>
        setTimeout(
          () =>
            resolve({
              errorType: 'Runtime.InitError',
              errorMessage: `INIT timed out after ${INIT_LIMIT_MS / 1000} seconds`
            }),
          INIT_LIMIT_MS
        ).unref()
      )
    ]);
    if (outcome !== 'ok') {
      const failure =
        outcome.errorType === 'Runtime.ExitError'
          ? outcome
          : {
              errorType: 'Runtime.InitError',
              errorMessage:
                outcome.errorType === 'Runtime.InitError'
                  ? outcome.errorMessage
                  : `${outcome.errorType}: ${outcome.errorMessage}`
            };
      return this.failInit(failure, started);
    }
    this.initMs = performance.now() - started;
    if (this.state === 'starting') this.state = 'idle';
    // A runtime that exits between invocations takes its environment with it (a busy one ends the
    // invocation with Runtime.ExitError first).
    void container.exited.then(() => {
      if (this.state === 'idle') void this.stop();
    });
    void containerId(container.name).then((id) => (this.containerId = id));
    return !this.dead();
  }

  private failInit(failure: InitFailure, started: number): false {
    this.initFailure = failure;
    this.initMs = performance.now() - started;
    this.log(
      `INIT_REPORT Init Duration: ${this.initMs.toFixed(2)} ms\tPhase: init\tStatus: error\tError Type: ${failure.errorType}`
    );
    if (failure.errorType === 'Runtime.InitError') this.log(`Error: ${failure.errorMessage}`);
    void this.stop();
    return false;
  }

  /** Runs one invocation (the environment must be ready and reserved for it: state `busy`). */
  async invoke(payload: Buffer, functionArn: string): Promise<InvocationResult> {
    const v = this.spec.version;
    const requestId = randomUUID();
    this.lines = [];
    this.printed = false;
    this.log(startLine(requestId, v.Version));
    const initMs = this.invocations++ === 0 && !this.spec.provisioned ? this.initMs : undefined;
    const timeoutMs = v.Timeout * 1000;
    const started = performance.now();
    const container = this.container;
    if (this.initFailure || !container || this.dead()) {
      const failure = this.initFailure ?? {
        errorType: 'Runtime.ExitError',
        errorMessage: 'The execution environment stopped before the invocation.'
      };
      return this.finish(requestId, started, initMs, { init: failure });
    }
    const outcome = await Promise.race<RuntimeOutcome | { exit: number } | { timeout: true }>([
      this.api.deliver({
        requestId,
        payload,
        deadlineMs: Date.now() + timeoutMs,
        functionArn,
        traceId: `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};Sampled=0`
      }),
      container.exited.then((exit) => ({ exit })),
      new Promise<{ timeout: true }>((resolve) =>
        setTimeout(() => resolve({ timeout: true }), timeoutMs).unref()
      )
    ]);
    if (!('kind' in outcome)) this.api.forget(requestId);
    return this.finish(requestId, started, initMs, outcome);
  }

  private async finish(
    requestId: string,
    started: number,
    initMs: number | undefined,
    outcome: RuntimeOutcome | { exit: number } | { timeout: true } | { init: InitFailure }
  ): Promise<InvocationResult> {
    const durationMs = performance.now() - started;
    const v = this.spec.version;
    let payload: Buffer;
    let errorType: string | undefined;
    let status: 'timeout' | 'error' | undefined;
    const error = (type: string, message: string) =>
      Buffer.from(JSON.stringify({ errorMessage: message, errorType: type, stackTrace: [] }));
    if ('kind' in outcome) {
      payload = outcome.body;
      if (outcome.kind === 'error') errorType = 'Unhandled';
    } else if ('timeout' in outcome) {
      const message = `Task timed out after ${v.Timeout.toFixed(2)} seconds`;
      this.log(`${new Date(this.emulator.now()).toISOString()} ${requestId} ${message}`);
      payload = error('Sandbox.Timedout', `RequestId: ${requestId} Error: ${message}`);
      errorType = 'Unhandled';
      status = 'timeout';
    } else {
      const failure =
        'init' in outcome
          ? outcome.init
          : {
              errorType: 'Runtime.ExitError',
              errorMessage: `Runtime exited with error: exit status ${outcome.exit}`
            };
      const message = `RequestId: ${requestId} Error: ${failure.errorMessage}`;
      if (!('init' in outcome)) this.log(message);
      payload = error(failure.errorType, message);
      errorType = 'Unhandled';
      status = 'error';
    }
    const answered = performance.now();
    const quiet = () =>
      performance.now() - Math.max(this.lastLineAt, answered) >= (this.printed ? SETTLE_MS : QUIET_MS);
    while (performance.now() < answered + 50 && !quiet())
      await new Promise((resolve) => setTimeout(resolve, 1));
    this.log(endLine(requestId));
    this.log(
      reportLine({
        requestId,
        durationMs,
        memorySize: v.MemorySize,
        maxMemoryUsed: await peakMemoryMb(this.containerId),
        initMs,
        status,
        errorType: status === 'error' ? JSON.parse(payload.toString('utf8')).errorType : undefined
      })
    );
    const tail = logTail(this.lines ?? []);
    this.lines = undefined;
    this.lastUsed = Date.now();
    if (status) void this.stop();
    else if (this.state === 'busy') this.state = 'idle';
    return { requestId, payload, errorType, durationMs, initMs, tail };
  }

  async stop(): Promise<void> {
    if (this.dead()) return;
    this.state = 'dead';
    await this.api.close();
    if (this.container) await removeContainers([this.container.name]);
  }
}
