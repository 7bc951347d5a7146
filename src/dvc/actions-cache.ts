/**
 * The DVC cache objects a pull needs, kept in the GitHub Actions cache across runs (@actions/cache).
 *
 * Key: `dvc-<os>-<targets>-<objects>`, where <targets> hashes the `targets` input and <objects> hashes
 * the sorted object ids the .dvc files and dvc.lock name (a folder's `.dir` id stands for every file
 * in it). Restore-keys: `dvc-<os>-<targets>-`, then `dvc-<os>-`, so a partial hit (the previous commit's
 * entry, or the base branch's for a pull request) still helps. A restored entry is unpacked into
 * `.dvc/tmp/actions-cache` and nothing in it is trusted: each object the pull needs is md5-checked on
 * its way into the DVC cache (`LocalCache.put`); a bad or odd one is dropped and downloaded instead.
 * After the pull, unless the hit was exact, the objects it needs (only those) are saved under the key.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as cache from '@actions/cache';
import { errorMessage } from '../errors.js';
import type { Logger } from '../report.js';
import { LocalCache, parseManifest } from './cache.js';
import { entryRefs, moveIn } from './actions-cache-objects.js';
import { runPool } from './pool.js';
import { objectKey, type ObjectRef } from './remote.js';
import { openRepo, type Repo } from './repo.js';
import type { TransferReport } from './report.js';

/** What @actions/cache offers (injectable for tests of this module alone). */
export interface CacheClient {
  restore(paths: string[], key: string, restoreKeys: string[]): Promise<string | undefined>;
  save(paths: string[], key: string): Promise<number>;
}

const toolkit: CacheClient = {
  restore: (paths, key, restoreKeys) => cache.restoreCache(paths, key, restoreKeys),
  save: (paths, key) => cache.saveCache(paths, key)
};

/** Why the Actions cache cannot be used here, or undefined when it can. */
export function unavailableReason(env: NodeJS.ProcessEnv): string | undefined {
  if (env.GITHUB_ACTIONS !== 'true') return 'this is not a GitHub Actions runner';
  if (!env.ACTIONS_RUNTIME_TOKEN || !(env.ACTIONS_RESULTS_URL || env.ACTIONS_CACHE_URL)) {
    return 'the runner gives this step no cache service (ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL)';
  }
  return undefined;
}

export interface CacheOutcome {
  key: string;
  /** The key restored (equal to `key` on an exact hit). */
  matched?: string;
  /** Objects taken from the entry (md5 checked). */
  restored: number;
  /** Objects in the entry that were bad (wrong md5, not a plain file): downloaded instead. */
  dropped: string[];
  /** Objects the pull needs that were already in the DVC cache. */
  present: number;
  /** Saved under `key` after the pull; or why not. */
  saved?: boolean;
  notSaved?: string;
}

export interface ActionsCacheOptions {
  /** The DVC repository (working-directory). */
  root: string;
  /** GITHUB_WORKSPACE: @actions/cache archives paths relative to it. */
  workspace: string;
  targets: string[];
  remote?: string;
  log: Logger;
  env: NodeJS.ProcessEnv;
  jobs?: number;
  signal?: AbortSignal;
  client?: CacheClient;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const refKey = (ref: ObjectRef) => objectKey(ref);

export class DvcActionsCache {
  readonly repo: Repo;
  readonly key: string;
  readonly restoreKeys: string[];
  readonly outcome: CacheOutcome;
  private readonly staging: string;
  private readonly client: CacheClient;
  private readonly jobs: number;
  private readonly madeDirs = new Set<string>();

  constructor(private readonly options: ActionsCacheOptions) {
    this.repo = openRepo({
      root: options.root,
      targets: options.targets,
      remote: options.remote,
      forPush: false
    });
    this.client = options.client ?? toolkit;
    this.jobs = options.jobs ?? 16;
    const os = options.env.RUNNER_OS || process.platform;
    const targets = sha256(JSON.stringify([...options.targets].sort())).slice(0, 8);
    const ids = [...new Set(this.topRefs().map(refKey))].sort();
    this.key = `dvc-${os}-${targets}-${sha256(ids.join('\n'))}`;
    this.restoreKeys = [`dvc-${os}-${targets}-`, `dvc-${os}-`];
    this.staging = path.join(options.root, '.dvc', 'tmp', 'actions-cache');
    this.outcome = { key: this.key, restored: 0, dropped: [], present: 0 };
  }

  /** The objects the .dvc files and dvc.lock name (files, and folders' `.dir` manifests), once each. */
  private topRefs(): ObjectRef[] {
    const refs = this.repo.outputs.map((o) => ({ id: o.id, legacy: o.legacy }));
    return [...new Map(refs.map((r) => [refKey(r), r])).values()];
  }

  /**
   * The path handed to @actions/cache. Its text is part of the entry's version, so it is relative to
   * the workspace (as the runner's working directory is), making entries match across checkouts.
   */
  private cachePaths(): string[] {
    const rel = path.relative(this.options.workspace, this.staging);
    const cwdIsWorkspace = path.resolve(process.cwd()) === path.resolve(this.options.workspace);
    return [cwdIsWorkspace && !rel.startsWith('..') ? rel.split(path.sep).join('/') : this.staging];
  }

  /** A fresh, empty staging folder; false when `.dvc` or `.dvc/tmp` is not a plain folder. */
  private freshStaging(): boolean {
    for (const dir of [path.dirname(path.dirname(this.staging)), path.dirname(this.staging)]) {
      const stat = fs.lstatSync(dir, { throwIfNoEntry: false });
      if (stat && !stat.isDirectory()) return false;
      if (!stat) fs.mkdirSync(dir);
    }
    fs.rmSync(this.staging, { recursive: true, force: true });
    fs.mkdirSync(this.staging);
    return true;
  }

  private cleanStaging(): void {
    fs.rmSync(this.staging, { recursive: true, force: true });
  }

  /** Restores the entry (exact or partial) and takes from it, md5-checked, what the pull needs. */
  async restore(): Promise<CacheOutcome> {
    const { log } = this.options;
    const out = this.outcome;
    if (!this.repo.outputs.length) return out;
    if (!this.freshStaging()) {
      log.warning(`actions-cache: .dvc/tmp is not a plain folder; the Actions cache is not used.`);
      out.notSaved = '.dvc/tmp is not a plain folder';
      return out;
    }
    try {
      out.matched = await this.client.restore(this.cachePaths(), this.key, this.restoreKeys);
    } catch (e) {
      log.warning(
        `actions-cache: the Actions cache could not be read (${errorMessage(e)}); pulling from the remote.`
      );
    }
    try {
      if (!out.matched) {
        log.info(`actions-cache: no entry for ${this.key} or its prefixes.`);
        return out;
      }
      const cacheDir = new LocalCache(this.repo.cache.dir);
      const realStaging = fs.realpathSync(this.staging);
      const adopt = async (ref: ObjectRef) => {
        if ((await cacheDir.size(ref)) !== undefined) return void out.present++;
        const key = refKey(ref);
        // A manifest is parsed (its paths checked) before it enters the cache, as one from the remote.
        const origin = ref.id.endsWith('.dir') ? `The manifest ${key} from the Actions cache` : undefined;
        const file = path.join(realStaging, ...key.split('/'));
        const real = await fs.promises.realpath(file).catch(() => undefined);
        if (!real) return;
        const stat = real === file ? await fs.promises.lstat(real) : undefined;
        if (!stat?.isFile()) {
          out.dropped.push(key);
          log.warning(
            `actions-cache: ${key} in the Actions cache entry is not a plain file; it is downloaded instead.`
          );
          return;
        }
        try {
          if (origin || !(await moveIn(cacheDir, ref, real, this.madeDirs))) {
            const accept = origin ? (data: Buffer) => void parseManifest(data, origin) : undefined;
            await cacheDir.put(ref, fs.createReadStream(real), { expectedSize: stat.size, accept });
          }
          out.restored++;
        } catch (e) {
          out.dropped.push(key);
          log.warning(
            `actions-cache: ${key} in the Actions cache entry is not what its name says (${errorMessage(e)}); it is downloaded instead.`
          );
        }
      };
      // Manifests first: they say which file objects a folder needs.
      await runPool(this.topRefs(), this.jobs, adopt, this.options.signal);
      const { refs, unknown } = await this.fileRefs(cacheDir);
      // A folder whose manifest the entry lacks (its data changed since): its files are unknown until
      // the pull fetches the manifest, so every other object of the entry is taken (md5 checked).
      const more = unknown ? await entryRefs(realStaging) : [];
      const seen = new Set([...this.topRefs(), ...refs].map(refKey));
      const rest = [...refs, ...more.filter((r) => !seen.has(refKey(r)))];
      await runPool(rest, this.jobs, adopt, this.options.signal);
      cacheDir.finish();
      const kind = out.matched === this.key ? 'exact hit' : `partial hit (${out.matched})`;
      log.info(
        `actions-cache: ${kind}: ${out.restored} objects restored, ${out.present} already in the DVC cache${out.dropped.length ? `, ${out.dropped.length} bad ones dropped` : ''}.`
      );
      return out;
    } finally {
      this.cleanStaging();
    }
  }

  /** The file objects of every folder output whose manifest is in the cache, once each. */
  private async fileRefs(cacheDir: LocalCache): Promise<{ refs: ObjectRef[]; unknown: number }> {
    const refs = new Map<string, ObjectRef>();
    let unknown = 0;
    for (const o of this.repo.outputs) {
      if (!o.isDir) continue;
      const ref = { id: o.id, legacy: o.legacy };
      const entries = await cacheDir.readManifest(ref, `${o.source} (${o.path})`).catch(() => undefined);
      if (!entries) unknown++;
      for (const e of entries ?? []) {
        const file = { id: e.md5, legacy: o.legacy };
        refs.set(refKey(file), file);
      }
    }
    return { refs: [...refs.values()], unknown };
  }

  /** After the pull: saves what it needs under the key, unless the hit was exact or the pull is incomplete. */
  async save(report: TransferReport): Promise<CacheOutcome> {
    const { log } = this.options;
    const out = this.outcome;
    const skip = (why: string) => {
      out.notSaved ??= why;
      log.info(`actions-cache: not saved: ${out.notSaved}.`);
      return out;
    };
    if (out.notSaved) return skip(out.notSaved);
    if (!this.repo.outputs.length) return skip('nothing to pull');
    if (out.matched === this.key) return skip('the entry was an exact hit');
    if (report.failure || report.missing)
      return skip('the pull is incomplete, and an entry is never saved partial');
    const cacheDir = new LocalCache(this.repo.cache.dir);
    const { refs: files, unknown } = await this.fileRefs(cacheDir);
    if (unknown) return skip(`${unknown} folder manifests are not in the DVC cache`);
    const refs = [...this.topRefs(), ...files];
    const unique = [...new Map(refs.map((r) => [refKey(r), r])).values()];
    let lacking = 0;
    if (!this.freshStaging()) return skip('.dvc/tmp is not a plain folder');
    try {
      await runPool(
        unique,
        this.jobs,
        async (ref) => {
          if ((await cacheDir.size(ref)) === undefined) return void lacking++;
          const target = path.join(this.staging, ...refKey(ref).split('/'));
          await fs.promises.mkdir(path.dirname(target), { recursive: true });
          await fs.promises
            .link(cacheDir.path(ref), target)
            .catch(() => fs.promises.copyFile(cacheDir.path(ref), target));
        },
        this.options.signal
      );
      if (lacking) {
        // An up-to-date workspace file needs no object in the cache, so the pull did not fetch it.
        return skip(
          `${lacking} ${lacking === 1 ? 'object is' : 'objects are'} not in the DVC cache (up to date in the workspace)`
        );
      }
      let id = -1;
      try {
        id = await this.client.save(this.cachePaths(), this.key);
      } catch (e) {
        log.warning(`actions-cache: the Actions cache could not be written (${errorMessage(e)}).`);
      }
      out.saved = id !== -1;
      if (out.saved) log.info(`actions-cache: saved ${unique.length} objects under ${this.key}.`);
      else out.notSaved = 'the cache service did not take it (see the line above)';
      return out;
    } finally {
      this.cleanStaging();
    }
  }
}
