/**
 * Native `dvc push`: only objects the remote lacks go up (one listing or HEAD requests, whichever
 * costs fewer round trips for the count), a folder's entries before its `.dir`, and the `.dir` only
 * when every entry arrived, so "`.dir` on the remote => folder complete" stays true. An object missing
 * from the cache is taken from the workspace when the file there has the right hash.
 */
import fs from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../errors.js';
import { silentLogger, systemClock, type Logger } from '../report.js';
import { parseManifest } from './cache.js';
import { manifestId, serializeManifest, type DirEntry } from './hash.js';
import { WorkspaceHashes } from './state.js';
import { retry, runPool } from './pool.js';
import { TransferProgress } from './progress.js';
import {
  layoutPrefix,
  objectId,
  objectKey,
  type ObjectRef,
  type ObjectSource,
  type RemoteStore
} from './remote.js';
import type { Repo, RepoOutput } from './repo.js';
import { listSome, Span, type OutputReport, type TransferReport } from './report.js';
import type { TransferOptions } from './pull.js';
import { narrowEntries } from './granular.js';
import { ParentGuard } from './paths.js';
import { lstatOrUndefined, walk } from './workspace.js';

/**
 * An object that may go up. It names the object itself (an ObjectRef) and keeps no string or array
 * of its own that it can do without: its remote key and source path are made when needed (at 20,000
 * files these were most of the memory kept per file).
 */
interface Item extends ObjectRef {
  /** Workspace path of the file this object holds (for messages and the fallback). */
  rel: string;
  /** Known from the workspace build of a folder's manifest. */
  workspaceMd5: string | undefined;
  /** The first output that holds it, and any others. */
  state: OutputState;
  more: OutputState[] | undefined;
  /** Where its bytes are (the cache, or the workspace file at `rel`) and how many; unset: nowhere. */
  source: 'cache' | 'workspace' | undefined;
  size: number;
  done: boolean;
}

const statesOf = (item: Item) => (item.more ? [item.state, ...item.more] : [item.state]);

interface OutputState {
  output: RepoOutput;
  store: RemoteStore;
  entries?: DirEntry[];
  manifest?: ObjectSource;
  items: Item[];
  report: OutputReport;
  span: Span;
}

/**
 * Which of `keys` the remote has. Few keys: HEAD each. Many: estimate the remote's size from one
 * shard's listing (objects spread evenly over 256 two-hex-digit shards), then take whichever costs
 * fewer round trips: HEAD requests `jobs` at a time, one paginated listing, or 256 shard listings
 * `jobs` at a time.
 */
export async function remoteHas(
  store: RemoteStore,
  keys: string[],
  legacy: boolean,
  jobs: number,
  log: Logger = silentLogger,
  signal?: AbortSignal
): Promise<Set<string>> {
  const found = new Set<string>();
  const headRounds = Math.ceil(keys.length / jobs);
  const head = async () => {
    await runPool(
      keys,
      jobs,
      async (k) => {
        if (await retry(() => store.exists(k, signal), { signal })) found.add(k);
      },
      signal
    );
    return found;
  };
  if (headRounds <= 2) return head();
  const prefix = layoutPrefix(legacy);
  let sample = 0;
  let truncated = false;
  for await (const page of store.list(`${prefix}00/`, signal)) {
    sample += page.length;
    if (sample >= 1000) {
      truncated = true;
      break;
    }
  }
  const estimate = Math.max(sample, 1) * 256 * (truncated ? 4 : 1);
  const wholeRounds = Math.ceil(estimate / 1000);
  const shardRounds = Math.ceil(256 / jobs) * Math.ceil(estimate / 256 / 1000);
  const wanted = new Set(keys);
  const take = (page: string[]) => {
    for (const k of page) if (wanted.has(k)) found.add(k);
  };
  if (headRounds <= Math.min(wholeRounds, shardRounds)) {
    log.debug(`${store.url}: ${keys.length} HEAD requests (the remote holds about ${estimate} objects).`);
    return head();
  }
  if (wholeRounds <= shardRounds) {
    log.debug(
      `${store.url}: one listing of about ${estimate} objects instead of ${keys.length} HEAD requests.`
    );
    for await (const page of store.list(prefix, signal)) take(page);
    return found;
  }
  log.debug(
    `${store.url}: 256 shard listings of about ${estimate} objects instead of ${keys.length} HEAD requests.`
  );
  const shards = Array.from({ length: 256 }, (_, i) => `${prefix}${i.toString(16).padStart(2, '0')}/`);
  await runPool(
    shards,
    jobs,
    async (shard) => {
      for await (const page of store.list(shard, signal)) take(page);
    },
    signal
  );
  return found;
}

export async function push(repo: Repo, options: TransferOptions): Promise<TransferReport> {
  const log = options.log ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const { root, cache } = repo;
  // The workspace is read only below the root: never through a symbolic link to elsewhere.
  const guard = new ParentGuard(root);
  const hashes = options.hashes ?? WorkspaceHashes.open(root);
  const stores = new Map<string, RemoteStore>();
  const attempt = <T>(fn: () => Promise<T>, what: string) =>
    retry(fn, {
      attempts: options.attempts,
      signal: options.signal,
      onRetry: (e, n) => log.debug(`${what}: try ${n} failed (${errorMessage(e)}), trying again.`)
    });

  const states: OutputState[] = repo.outputs.map((output) => {
    let store = stores.get(output.remoteSpec.name);
    if (!store)
      stores.set(output.remoteSpec.name, (store = options.openRemote(output.remoteSpec, options.jobs)));
    return {
      output,
      store,
      items: [],
      span: new Span(),
      report: {
        path: output.path,
        source: output.source,
        kind: output.isDir ? 'folder' : 'file',
        remote: output.remoteSpec.name,
        files: output.isDir ? 0 : 1,
        transferred: 0,
        skipped: 0,
        bytes: 0,
        seconds: 0,
        missing: [],
        failed: []
      }
    };
  });

  // 1. Folder manifests: from the cache, else rebuilt from the workspace folder when it matches.
  const workspaceMd5 = new Map<string, string>();
  for (const s of states.filter((st) => st.output.isDir)) {
    const ref = { id: s.output.id, legacy: s.output.legacy };
    const origin = `The manifest of ${s.output.path} (${s.output.source}, ${objectKey(ref)})`;
    s.span.mark(clock.now());
    const cached = await cache.readManifest(ref, origin);
    if (cached) {
      s.entries = cached;
      s.manifest = { file: cache.path(ref), size: (await fs.promises.stat(cache.path(ref))).size };
    } else {
      const dir = path.join(root, s.output.path);
      await guard.check(`${s.output.path}/x`, s.output.source);
      const stat = await lstatOrUndefined(dir);
      if (stat?.isDirectory()) {
        const { files } = await walk(dir);
        const entries: DirEntry[] = [];
        await runPool(
          files,
          options.jobs,
          async (f) => {
            const abs = path.join(dir, f);
            if (!(await fs.promises.lstat(abs)).isFile()) return;
            entries.push({ md5: (await hashes.hash(abs, s.output.legacy)).md5, relpath: f });
          },
          options.signal
        );
        const bytes = serializeManifest(entries);
        if (manifestId(bytes) === s.output.id) {
          s.entries = parseManifest(bytes, origin);
          s.manifest = { data: bytes, size: bytes.length };
          for (const e of entries) workspaceMd5.set(`${s.output.path}/${e.relpath}`, e.md5);
        }
      }
      if (!s.entries) s.report.missing.push(`${s.output.path}/ (its .dir manifest ${objectKey(ref)})`);
    }
    if (s.entries) s.entries = narrowEntries(s.output, s.entries);
    s.report.files = s.entries?.length ?? 0;
  }

  // 2. Folders whose .dir the remote already has are complete there.
  const withEntries = states.filter((s) => s.entries);
  const dirPresent = new Set<OutputState>();
  await runPool(
    withEntries,
    options.jobs,
    async (s) => {
      const key = objectKey({ id: s.output.id, legacy: s.output.legacy });
      if (await attempt(() => s.store.exists(key, options.signal), key)) dirPresent.add(s);
    },
    options.signal
  );
  for (const s of dirPresent) {
    s.report.skipped += s.entries!.length + 1;
    s.span.mark(clock.now());
  }

  // 3. The objects that might need to go up, once per remote.
  const items = new Map<string, Map<string, Item>>();
  const add = (s: OutputState, ref: ObjectRef, rel: string) => {
    const remote = s.output.remoteSpec.name;
    let ofRemote = items.get(remote);
    if (!ofRemote) items.set(remote, (ofRemote = new Map()));
    const id = objectId(ref);
    let item = ofRemote.get(id);
    if (!item) {
      item = {
        id: ref.id,
        legacy: ref.legacy,
        rel,
        workspaceMd5: workspaceMd5.get(rel),
        state: s,
        more: undefined,
        source: undefined,
        size: 0,
        done: false
      };
      ofRemote.set(id, item);
    } else if (item.state !== s && !item.more?.includes(s)) (item.more ??= []).push(s);
    s.items.push(item);
  };
  for (const s of states) {
    if (!s.output.isDir) add(s, { id: s.output.id, legacy: s.output.legacy }, s.output.path);
    else if (s.entries && !dirPresent.has(s)) {
      for (const e of s.entries)
        add(s, { id: e.md5, legacy: s.output.legacy }, `${s.output.path}/${e.relpath}`);
    }
  }

  // 4. What the remote already has: per remote and layout, HEAD or listing.
  const groups = new Map<string, { store: RemoteStore; legacy: boolean; items: Item[] }>();
  for (const item of [...items.values()].flatMap((m) => [...m.values()])) {
    const store = item.state.store;
    const id = `${item.state.output.remoteSpec.name}\n${item.legacy}`;
    const group = groups.get(id) ?? { store, legacy: item.legacy, items: [] };
    group.items.push(item);
    groups.set(id, group);
  }
  const upload: Item[] = [];
  for (const group of groups.values()) {
    const present = await remoteHas(
      group.store,
      group.items.map((i) => objectKey(i)),
      group.legacy,
      options.jobs,
      log,
      options.signal
    );
    for (const item of group.items) {
      if (present.has(objectKey(item))) {
        item.done = true;
        item.state.report.skipped++;
      } else upload.push(item);
    }
  }

  // 5. A source for each: the cache, else the workspace file when its hash matches.
  await runPool(
    upload,
    options.jobs,
    async (item) => {
      const size = await cache.size(item);
      if (size !== undefined) {
        item.source = 'cache';
        item.size = size;
        return;
      }
      await guard.check(item.rel, item.state.output.source);
      const abs = path.join(root, item.rel);
      const stat = await lstatOrUndefined(abs);
      if (stat?.isFile()) {
        const md5 = item.workspaceMd5 ?? (await hashes.hash(abs, item.legacy)).md5;
        if (md5 === item.id) {
          item.source = 'workspace';
          item.size = stat.size;
        }
      }
      if (!item.source) for (const s of statesOf(item)) s.report.missing.push(item.rel);
    },
    options.signal
  );

  // 6. Upload entries and files, then the .dir of every folder whose entries all arrived.
  const ready = upload.filter((i) => i.source);
  // A granular target sends only its files: the .dir would claim the whole folder is there.
  const manifests = withEntries.filter((s) => !dirPresent.has(s) && !s.output.within);
  const progress = new TransferProgress(
    'Uploaded',
    {
      items: ready.length + manifests.length,
      bytes: [...ready.map((i) => i.size), ...manifests.map((s) => s.manifest!.size)].reduce(
        (a, b) => a + b,
        0
      )
    },
    log,
    clock
  );
  /** Uploads one object; returns the failure sentence, if any. */
  const send = async (
    s: OutputState,
    key: string,
    source: ObjectSource,
    rel: string
  ): Promise<string | undefined> => {
    s.span.mark(clock.now());
    let sent = 0;
    const onBytes = (n: number) => {
      sent += n;
      progress.count(n);
    };
    const watch = { stallMs: options.stallMs, log, onBytes };
    try {
      await attempt(() => {
        // A new try sends every byte again.
        progress.count(-sent);
        sent = 0;
        return s.store.put(key, source, options.signal, watch);
      }, `${s.store.url}/${key}`);
    } catch (e) {
      progress.count(-sent);
      if (options.signal?.aborted) throw e;
      return `${rel}: ${key} could not be uploaded to ${s.store.url} (${errorMessage(e)}).`;
    }
    s.span.mark(clock.now());
    s.report.transferred++;
    s.report.bytes += source.size;
    progress.count(source.size - sent);
    progress.item();
    return undefined;
  };
  await runPool(
    ready,
    options.jobs,
    async (item) => {
      const file = item.source === 'cache' ? cache.path(item) : path.join(root, item.rel);
      const failure = await send(item.state, objectKey(item), { file, size: item.size }, item.rel);
      item.done = !failure;
      if (failure) for (const s of statesOf(item)) s.report.failed.push(failure);
    },
    options.signal
  );
  await runPool(
    manifests,
    options.jobs,
    async (s) => {
      const complete = s.items.every((i) => i.done);
      if (!complete) {
        s.report.failed.push(
          `${s.output.path}/: its .dir manifest was not uploaded because ${s.items.filter((i) => !i.done).length} of its files did not reach ${s.store.url}.`
        );
        return;
      }
      const key = objectKey({ id: s.output.id, legacy: s.output.legacy });
      const failure = await send(s, key, s.manifest!, `${s.output.path}/`);
      if (failure) s.report.failed.push(failure);
    },
    options.signal
  );
  if (ready.length + manifests.length) progress.done();

  if (!options.hashes) hashes.save();
  for (const s of states) s.report.seconds = s.span.seconds;
  const outputs = states.map((s) => s.report);
  const sum = (f: (o: OutputReport) => number) => outputs.reduce((n, o) => n + f(o), 0);
  const missing = [...new Set(outputs.flatMap((o) => o.missing))];
  const failed = outputs
    .flatMap((o) => o.failed)
    .filter((f) => !f.includes('its .dir manifest was not uploaded'));
  const report: TransferReport = {
    command: 'push',
    engine: 'native',
    outputs,
    files: sum((o) => o.files),
    transferred: sum((o) => o.transferred),
    skipped: sum((o) => o.skipped),
    bytes: sum((o) => o.bytes),
    missing: missing.length,
    seconds: (clock.now() - started) / 1000,
    warnings: repo.warnings,
    hashed: hashes.hashed,
    trusted: hashes.trusted
  };
  if (missing.length) {
    report.failure = `${missing.length} ${missing.length === 1 ? 'file is' : 'files are'} neither in the DVC cache nor in the workspace with the tracked content (${listSome(missing)}), so ${missing.length === 1 ? 'it was' : 'they were'} not pushed; run dvc pull or dvc repro where the data exists, then push again.`;
  } else if (failed.length) {
    report.failure = `${failed[0]}${failed.length > 1 ? ` (and ${failed.length - 1} more failures)` : ''} Run the push again: what arrived is kept.`;
  } else if (outputs.some((o) => o.failed.length)) {
    report.failure = outputs.flatMap((o) => o.failed)[0];
  }
  for (const w of repo.warnings) log.warning(w);
  return report;
}
