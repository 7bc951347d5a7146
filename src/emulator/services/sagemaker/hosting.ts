/**
 * Container hosting: keeps the local Docker engine running exactly the fleets the SageMaker state
 * records (fleets.ts), like a controller. A timer brings the endpoints up to now and then, for each
 * fleet an endpoint needs, starts its container (model data extracted, image run with `serve`),
 * pings `GET /ping` until it answers 200 within the health-check window and records when it passed
 * or why it failed; a fleet no endpoint needs any more (retired by an update or a rollback, or its
 * endpoint deleted) has its container removed. A container that exits after it passed is replaced,
 * as SageMaker replaces an instance; requests meanwhile fail. One container stands for all of a
 * variant's instances. Output goes to CloudWatch Logs, group `/aws/sagemaker/Endpoints/<endpoint>`,
 * a stream per variant and instance (`<variant>/<instance id>`). A new emulator on the same state
 * removes what a killed one left running and starts the fleets of live endpoints again.
 *
 * Durations: the health-check window is the variant's ContainerStartupHealthCheckTimeoutInSeconds
 * (default 600 s) on the scaled clock, but never less than 10 s of real time, since a container
 * starts in real time whatever the time scale.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Emulator } from '../../server.js';
import { LogStore } from '../logs.js';
import { ACCOUNT_ID } from '../sts.js';
import { healthCheckReason } from './timeline.js';
import { hostingState, type Fleet } from './state.js';
import { wantedFleets } from './fleets.js';
import {
  containersOf,
  ping,
  removeAllContainers,
  removeContainers,
  startContainer,
  type ServingContainer
} from './containers.js';
import { extractModelData, ModelDataError, modelDir } from './model-data.js';

const DEFAULT_STARTUP_SECONDS = 600;
const MIN_STARTUP_MS = 10_000;
const TICK_MS = 200;
const PING_EVERY_MS = 100;
const RESTART_AFTER_MS = 1000;

export interface Instance {
  fleet: string;
  endpoint: string;
  variant: string;
  stream: string;
  container?: ServingContainer;
  /** Passed its ping since it (last) started: it takes requests. */
  ready: boolean;
  stopped: boolean;
}

const HOSTINGS = new WeakMap<Emulator, Hosting>();

/** The container hosting of an emulator in docker mode (made once, shared by SageMaker and its runtime). */
export function hostingOf(emulator: Emulator, advance?: () => void): Hosting | undefined {
  if (emulator.options.hosting !== 'docker') return undefined;
  let hosting = HOSTINGS.get(emulator);
  if (!hosting && advance) {
    hosting = new Hosting(emulator, advance);
    HOSTINGS.set(emulator, hosting);
  }
  return hosting;
}

export function logGroupOf(endpoint: string): string {
  return `/aws/sagemaker/Endpoints/${endpoint}`;
}

export function logStreamArn(instance: Pick<Instance, 'endpoint' | 'stream'>): string {
  return `arn:aws:logs:us-east-1:${ACCOUNT_ID}:log-group:${logGroupOf(instance.endpoint)}:log-stream:${instance.stream}`;
}

export class Hosting {
  private readonly instances = new Map<string, Instance>();
  /** Fleets whose container exited after passing: not before this time (ms) again. */
  private readonly restartAt = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private readonly logs: LogStore;
  private readonly ready: Promise<void>;
  private closed = false;
  readonly tag: string;

  constructor(
    private readonly emulator: Emulator,
    private readonly advance: () => void
  ) {
    this.logs = new LogStore(emulator);
    this.tag = createHash('sha1').update(path.resolve(emulator.dataDir)).digest('hex').slice(0, 12);
    // What a killed emulator on the same data left running goes first.
    this.ready = containersOf(this.tag).then(removeContainers);
    this.timer = setInterval(() => void this.ready.then(() => this.tick()), TICK_MS);
    this.timer.unref();
  }

  /** The instance serving a fleet, if its container runs. */
  instance(fleet: string): Instance | undefined {
    return this.instances.get(fleet);
  }

  /** Names of the containers running now (for tests and the admin API). */
  containerNames(): string[] {
    return [...this.instances.values()].flatMap((i) => (i.container ? [i.container.name] : []));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.ready;
    const instances = [...this.instances.values()];
    this.instances.clear();
    for (const i of instances) i.stopped = true;
    await removeContainers(instances.flatMap((i) => (i.container ? [i.container.name] : [])));
    await removeAllContainers(this.tag);
  }

  /** Brings the containers in line with the fleets the endpoints need. */
  tick(): void {
    if (this.closed) return;
    this.advance();
    const wanted = wantedFleets(this.emulator);
    const fleets = hostingState(this.emulator).fleets ?? {};
    for (const id of wanted) {
      const fleet = fleets[id];
      if (!fleet || fleet.failed || this.instances.has(id)) continue;
      if ((this.restartAt.get(id) ?? 0) > Date.now()) continue;
      void this.start(fleet);
    }
    for (const [id, instance] of this.instances) if (!wanted.has(id)) void this.stop(instance);
  }

  private log(instance: Instance, lines: string[]): void {
    this.logs.append(logGroupOf(instance.endpoint), instance.stream, lines);
  }

  private async stop(instance: Instance): Promise<void> {
    instance.stopped = true;
    this.instances.delete(instance.fleet);
    this.restartAt.delete(instance.fleet);
    if (instance.container) await removeContainers([instance.container.name]);
    fs.rmSync(path.dirname(modelDir(this.emulator.dataDir, instance.fleet)), {
      recursive: true,
      force: true
    });
  }

  private fail(fleet: Fleet, instance: Instance, reason: string): void {
    if (instance.stopped || fleet.healthy !== undefined) return;
    fleet.failed = { at: this.emulator.now(), reason };
    this.log(instance, [`The fleet failed: ${reason}`]);
    this.emulator.save();
    void this.stop(instance);
  }

  private async start(fleet: Fleet): Promise<void> {
    const instanceId = `i-${createHash('sha1').update(fleet.id).digest('hex').slice(0, 17)}`;
    const instance: Instance = {
      fleet: fleet.id,
      endpoint: fleet.endpoint,
      variant: fleet.variant,
      stream: `${fleet.variant}/${instanceId}`,
      ready: false,
      stopped: false
    };
    this.instances.set(fleet.id, instance);
    const startupMs = Math.max(
      this.emulator.scaled(fleet.healthCheckTimeout ?? DEFAULT_STARTUP_SECONDS),
      MIN_STARTUP_MS
    );
    const deadline = Date.now() + startupMs;
    let dir: string | undefined;
    if (fleet.modelDataUrl) {
      dir = modelDir(this.emulator.dataDir, fleet.id);
      try {
        await extractModelData(path.join(this.emulator.dataDir, 's3'), fleet.modelDataUrl, dir);
      } catch (e) {
        if (!(e instanceof ModelDataError)) throw e;
        return this.fail(fleet, instance, e.message);
      }
    }
    if (instance.stopped) return;
    const registry = (this.emulator.options.registry ?? '127.0.0.1:5000').replace(/^https?:\/\//, '');
    this.log(instance, [`Starting ${fleet.image} for variant ${fleet.variant} (config ${fleet.config}).`]);
    const container = await startContainer({
      name: `mlops-emulator-${this.tag}-${fleet.id}`.slice(0, 120),
      tag: this.tag,
      image: fleet.image,
      environment: fleet.environment,
      modelDir: dir,
      pull: fleet.image.startsWith(`${registry.replace(/\/$/, '')}/`),
      onLine: (line) => this.log(instance, [line])
    });
    instance.container = container;
    if (instance.stopped) return void removeContainers([container.name]);

    while (!instance.stopped && container.exitCode === undefined && Date.now() < deadline) {
      if (await ping(container.port)) break;
      await new Promise((resolve) => setTimeout(resolve, PING_EVERY_MS));
    }
    if (instance.stopped) return;
    const reason = healthCheckReason(fleet.variant);
    if (container.exitCode !== undefined) {
      this.log(instance, [
        `The container exited with code ${container.exitCode} before it passed the ping health check.`
      ]);
      if (fleet.healthy === undefined) return this.fail(fleet, instance, reason);
      return this.replaceLater(instance);
    }
    if (!(await ping(container.port))) {
      this.log(instance, [
        `The container did not answer GET /ping with 200 within ${Math.round(startupMs / 1000)} s.`
      ]);
      if (fleet.healthy === undefined) return this.fail(fleet, instance, reason);
      return this.replaceLater(instance);
    }
    instance.ready = true;
    this.log(instance, ['The container passed the ping health check.']);
    if (fleet.healthy === undefined) {
      fleet.healthy = this.emulator.now();
      this.emulator.save();
    }
    void container.exited.then((code) => {
      if (instance.stopped) return;
      instance.ready = false;
      this.log(instance, [`The container exited with code ${code}: the instance is replaced.`]);
      this.replaceLater(instance);
    });
  }

  private replaceLater(instance: Instance): void {
    this.instances.delete(instance.fleet);
    this.restartAt.set(instance.fleet, Date.now() + RESTART_AFTER_MS);
    if (instance.container) void removeContainers([instance.container.name]);
  }
}
