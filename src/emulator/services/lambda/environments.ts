/**
 * The execution environments of an emulator in docker mode (environment.ts is one of them), kept like
 * a controller on a timer:
 * - Invocations take an idle environment of the same version and code (provisioned ones first: a
 *   version's serve every call that runs it, an alias's the calls through that alias), else
 *   start one, up to `maxPerFunction` on-demand environments of a function (beyond: throttled).
 * - An on-demand environment idle for `idleMs` (5 minutes of real time) is removed, and so is an idle
 *   one whose version changed code or configuration, or is gone.
 * - Provisioned concurrency: for each config of the Lambda state (IN_PROGRESS or READY), the version
 *   it names (an alias: its FunctionVersion) runs min(Requested, `provisionedCap`) environments
 *   (4 here: this is a laptop); the config turns READY (Allocated = Available = Requested) once all of
 *   them called `/next`, FAILED with a StatusReason when one fails its init. A deleted config's
 *   environments are removed; one that exits is replaced.
 * Every container carries the emulator's label with the tag `lambda-<data dir hash>`, so the next
 * emulator on the same data removes what a killed one left; `close` removes them all.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Emulator } from '../../server.js';
import { containersOf, removeAllContainers, removeContainers } from '../sagemaker/containers.js';
import { lambdaState, versionOf, type FunctionRecord, type VersionRecord } from './state.js';
import { Environment } from './environment.js';

const TICK_MS = 200;
export const REGION = 'us-east-1';

/** What makes two environments interchangeable: the function, version, code and configuration. */
function keyOf(fn: string, v: VersionRecord): string {
  return `${fn}\n${v.Version}\n${v.codeChangedAt}\n${v.LastModified}\n${v.ResolvedImageUri}`;
}

const ENVIRONMENTS = new WeakMap<Emulator, Environments>();

/** The environments of an emulator in docker mode (made on first use), else undefined. */
export function environmentsOf(emulator: Emulator): Environments | undefined {
  if (emulator.options.hosting !== 'docker') return undefined;
  let environments = ENVIRONMENTS.get(emulator);
  if (!environments) {
    environments = new Environments(emulator);
    ENVIRONMENTS.set(emulator, environments);
  }
  return environments;
}

/** The environments if they were made already (closing must not start them). */
export function existingEnvironments(emulator: Emulator): Environments | undefined {
  return ENVIRONMENTS.get(emulator);
}

export class Environments {
  maxPerFunction = 10;
  provisionedCap = 4;
  idleMs = 5 * 60_000;
  readonly tag: string;
  private readonly all = new Set<Environment>();
  private readonly timer: NodeJS.Timeout;
  private readonly cleared: Promise<void>;
  private closed = false;

  constructor(private readonly emulator: Emulator) {
    const hash = createHash('sha1').update(path.resolve(emulator.dataDir)).digest('hex').slice(0, 12);
    this.tag = `lambda-${hash}`;
    this.cleared = containersOf(this.tag).then(removeContainers);
    this.timer = setInterval(() => void this.cleared.then(() => this.tick()), TICK_MS);
    this.timer.unref();
  }

  /** The environments alive now (for tests and metrics). */
  list(): Environment[] {
    return [...this.all].filter((e) => e.state !== 'dead');
  }

  /** Busy environments of a function (ConcurrentExecutions). */
  busy(fn: string): number {
    return this.list().filter((e) => e.fn === fn && e.state === 'busy').length;
  }

  /**
   * Reserves an environment for one invocation of a version: an idle one (provisioned first), else a
   * new one (cold), or undefined when the function is at its cap (throttle).
   */
  acquire(fn: string, version: VersionRecord, qualifier?: string): Environment | undefined {
    const key = keyOf(fn, version);
    // A provisioned environment of a version's config serves every call that runs that version (the
    // version itself or an alias routing to it); one of an alias's config, calls through that alias.
    const provisioned = qualifier ? `${fn}:${qualifier}` : undefined;
    const serves = (config: string) => /:\d+$/.test(config) || config === provisioned;
    const idle = this.list()
      .filter((e) => e.state === 'idle' && keyOf(e.fn, e.version) === key)
      .filter((e) => !e.spec.provisioned || serves(e.spec.provisioned))
      .sort((a, b) => Number(!!b.spec.provisioned) - Number(!!a.spec.provisioned));
    if (idle[0]) {
      idle[0].state = 'busy';
      return idle[0];
    }
    const onDemand = this.list().filter((e) => e.fn === fn && !e.spec.provisioned);
    if (this.closed || onDemand.length >= this.maxPerFunction) return undefined;
    const env = this.create(fn, version);
    env.state = 'busy';
    return env;
  }

  private create(fn: string, version: VersionRecord, provisioned?: string): Environment {
    const env = new Environment(this.emulator, {
      fn,
      version: structuredClone(version),
      provisioned,
      region: REGION,
      tag: this.tag
    });
    this.all.add(env);
    return env;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.cleared;
    const envs = [...this.all];
    this.all.clear();
    await Promise.all(envs.map((e) => e.stop()));
    await removeAllContainers(this.tag);
  }

  tick(): void {
    if (this.closed) return;
    const functions = lambdaState(this.emulator).functions;
    this.reap(functions);
    this.provision(functions);
    for (const env of this.all) if (env.state === 'dead') this.all.delete(env);
  }

  /** Removes idle on-demand environments past their time, and idle ones of changed or gone versions. */
  private reap(functions: Record<string, FunctionRecord>): void {
    for (const env of this.list()) {
      if (env.state !== 'idle' || env.spec.provisioned) continue;
      const fn = functions[env.fn];
      const current = fn && versionOf(fn, env.version.Version);
      const stale = !current || keyOf(env.fn, current) !== keyOf(env.fn, env.version);
      if (stale || Date.now() - env.lastUsed > this.idleMs) void env.stop();
    }
  }

  private provision(functions: Record<string, FunctionRecord>): void {
    const wanted = new Map<string, { fn: string; version: VersionRecord }>();
    let changed = false;
    for (const fn of Object.values(functions)) {
      for (const [qualifier, record] of Object.entries(fn.provisioned ?? {})) {
        const id = `${fn.FunctionName}:${qualifier}`;
        const version = versionOf(fn, qualifier);
        // A FAILED config is left alone (its environments removed) until a Put replaces it with a new
        // IN_PROGRESS record, whatever its LastModified (a manual clock gives the same one).
        if (!version || record.Status === 'FAILED') continue;
        wanted.set(id, { fn: fn.FunctionName, version });
        const target = Math.min(record.Requested, this.provisionedCap);
        // Dead ones too: an environment that failed its init has stopped already.
        const envs = [...this.all].filter((e) => e.spec.provisioned === id);
        for (const env of envs) {
          // The alias moved to another version, or the version's code changed: replace.
          if (keyOf(env.fn, env.version) !== keyOf(fn.FunctionName, version)) void env.stop();
          else if (env.initFailure) {
            record.Status = 'FAILED';
            record.StatusReason = `An execution environment failed its init: ${env.initFailure.errorType}: ${env.initFailure.errorMessage}`;
            record.Allocated = 0;
            record.Available = 0;
            changed = true;
          }
        }
        if (record.Status === 'FAILED') {
          for (const env of envs) void env.stop();
          continue;
        }
        const alive = this.list().filter((e) => e.spec.provisioned === id);
        for (let n = alive.length; n < target; n++) this.create(fn.FunctionName, version, id);
        // A Put asking for fewer than before: the surplus goes, busy ones last.
        const surplus = alive.length - target;
        if (surplus > 0) {
          const order = [...alive].sort((a, b) => Number(a.state === 'busy') - Number(b.state === 'busy'));
          for (const env of order.slice(0, surplus)) void env.stop();
        }
        const ready = alive.filter((e) => e.state === 'idle' || e.state === 'busy').length;
        if (record.Status === 'IN_PROGRESS' && ready >= target) {
          record.Status = 'READY';
          record.Allocated = record.Requested;
          record.Available = record.Requested;
          delete record.StatusReason;
          changed = true;
        }
      }
    }
    for (const env of this.list())
      if (env.spec.provisioned && !wanted.has(env.spec.provisioned)) void env.stop();
    if (changed) this.emulator.save();
  }
}
