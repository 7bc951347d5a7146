/**
 * Native `dvc pull`: manifests, a plan of the workspace (what is up to date, what holds unsaved work),
 * then only the objects missing from the cache are fetched (md5 checked while streaming), and the
 * workspace is written through temporary files and renames. An output whose objects are missing or
 * broken is left untouched (unless allow-missing), so no folder is ever half updated.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError, errorMessage } from '../errors.js';
import { Progress, silentLogger, systemClock, type Clock, type Logger } from '../report.js';
import { CorruptObjectError, parseManifest, SMALL_OBJECT } from './cache.js';
import type { DirEntry } from './hash.js';
import { WorkspaceHashes } from './state.js';
import { isWithin, narrowEntries } from './granular.js';
import { ParentGuard } from './paths.js';
import { retry, runPool } from './pool.js';
import { TransferProgress } from './progress.js';
import { objectId, objectKey, type ObjectRef, type RemoteStore } from './remote.js';
import type { RepoOutput, Repo } from './repo.js';
import { listSome, Span, type OutputReport, type TransferReport } from './report.js';
import { Linker } from './link.js';
import { lstatOrUndefined, removeLeftovers, walk, workspaceTemp, WORKSPACE_TEMP } from './workspace.js';
import type { RemoteSpec } from './config.js';

export interface TransferOptions {
  jobs: number;
  log?: Logger;
  clock?: Clock;
  signal?: AbortSignal;
  /** Opens the store for a remote (S3 client, folder); one store per remote. */
  openRemote: (spec: RemoteSpec, jobs: number) => RemoteStore;
  /** Retry attempts per object above the SDK's own (default 5). */
  attempts?: number;
  /** A request that moves no byte for this long is aborted and retried (the stall-timeout input). */
  stallMs?: number;
  /** Hashes of workspace files (the state in .dvc/tmp); default, the repository's own, saved at the end. */
  hashes?: WorkspaceHashes;
}

export interface PullOptions extends TransferOptions {
  force: boolean;
  allowMissing: boolean;
  /** The process umask: workspace files get 0666 & ~umask (+x for isexec). */
  umask?: number;
}

/** One workspace file to check out; it names its object itself (as an ObjectRef: no object more). */
interface FileJob extends ObjectRef {
  out: OutputState;
  /** Workspace path, relative to the root. */
  rel: string;
  /** The next file filled from the same object (most objects fill one: no array per object). */
  same: FileJob | undefined;
  isexec: boolean;
  state: 'uptodate' | 'write';
  /** A folder stands where the file goes. */
  replaceDir: boolean;
  /** The mode needs fixing (uptodate files). */
  fixMode: boolean;
  /** A finished copy written while the object streamed in, waiting to be renamed into place. */
  teed: string | undefined;
}

interface OutputState {
  output: RepoOutput;
  store: RemoteStore;
  entries?: DirEntry[];
  jobs: FileJob[];
  /** Workspace paths to remove (stale files in a tracked folder, leftovers). */
  stale: string[];
  /** Folders below the output that may go once empty. */
  spareDirs: string[];
  conflicts: string[];
  report: OutputReport;
  span: Span;
}

const keyOf = (ref: ObjectRef) => objectKey(ref);
/** A job with every field set from the start (one object shape, no property added later). */
const newJob = (out: OutputState, rel: string, ref: ObjectRef, isexec: boolean): FileJob => ({
  id: ref.id,
  legacy: ref.legacy,
  out,
  rel,
  same: undefined,
  isexec,
  state: 'write',
  replaceDir: false,
  fixMode: false,
  teed: undefined
});
/** Small objects just downloaded stay in memory up to this total, so checkout need not read them back. */
const KEEP_IN_MEMORY = 64 * 1024 * 1024;

export async function pull(repo: Repo, options: PullOptions): Promise<TransferReport> {
  const log = options.log ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const { root, cache } = repo;
  const linker = new Linker(cache.dir, repo.linkTypes);
  const umask = options.umask ?? 0o022;
  const guard = new ParentGuard(root);
  const hashes = options.hashes ?? WorkspaceHashes.open(root);
  const fileMode = (isexec: boolean) => (0o666 & ~umask) | (isexec ? 0o111 & ~umask : 0);
  const stores = new Map<string, RemoteStore>();
  const storeFor = (spec: RemoteSpec) => {
    let store = stores.get(spec.name);
    if (!store) stores.set(spec.name, (store = options.openRemote(spec, options.jobs)));
    return store;
  };
  const watch = { stallMs: options.stallMs, log };
  const attempt = <T>(fn: () => Promise<T>, what: string) =>
    retry(fn, {
      attempts: options.attempts,
      signal: options.signal,
      onRetry: (e, n) => log.debug(`${what}: try ${n} failed (${errorMessage(e)}), trying again.`)
    });

  const states: OutputState[] = repo.outputs.map((output) => ({
    output,
    store: storeFor(output.remoteSpec),
    jobs: [],
    stale: [],
    spareDirs: [],
    conflicts: [],
    span: new Span(),
    report: {
      path: output.path,
      source: output.source,
      kind: output.isDir ? 'folder' : 'file',
      remote: output.remoteSpec.name,
      files: 0,
      transferred: 0,
      skipped: 0,
      bytes: 0,
      seconds: 0,
      missing: [],
      failed: []
    }
  }));

  const phase = (name: string) =>
    log.debug(`pull: ${name} at ${((clock.now() - started) / 1000).toFixed(2)}s`);
  // 1. Manifests of folders: from the cache, else from the remote (into the cache).
  await runPool(
    states.filter((s) => s.output.isDir),
    options.jobs,
    async (s) => {
      const ref: ObjectRef = { id: s.output.id, legacy: s.output.legacy };
      const origin = `The manifest of ${s.output.path} (${s.output.source}, ${keyOf(ref)})`;
      s.span.mark(clock.now());
      let entries = await cache.readManifest(ref, origin);
      if (!entries) {
        const got = await attempt(
          async () => {
            const obj = await s.store.get(keyOf(ref), options.signal, watch);
            if (!obj) return undefined;
            // A manifest is parsed (its paths checked) before it enters the cache: a bad one leaves nothing.
            const accept = (data: Buffer) => void (entries = parseManifest(data, origin));
            return (await cache.put(ref, obj.body, { expectedSize: obj.size, accept })).bytes;
          },
          `${s.store.url}/${keyOf(ref)}`
        ).catch((e) => {
          if (e instanceof CorruptObjectError) {
            s.report.failed.push(`${origin} on ${s.store.url} is corrupt (its md5 is ${e.actual}).`);
            return -1;
          }
          throw e;
        });
        if (got === undefined) s.report.missing.push(`${s.output.path}/ (its .dir manifest ${keyOf(ref)})`);
        else if (got >= 0) {
          s.report.transferred++;
          s.report.bytes += got;
        }
      } else s.report.skipped++;
      s.entries = entries && narrowEntries(s.output, entries);
    },
    options.signal
  );

  phase('planning');
  // 2. Plan the workspace: up to date, to write, stale, or holding unsaved work.
  /** True when losing the file loses nothing: it is empty, or its content is in the cache. */
  const inCache = async (rel: string, legacy: boolean): Promise<boolean> => {
    const { md5, size } = await hashes.hash(path.join(root, rel), legacy);
    return size === 0 || cache.has({ id: md5, legacy });
  };
  const planFile = async (s: OutputState, rel: string, ref: ObjectRef, isexec: boolean) => {
    await guard.check(rel, s.output.source);
    const job = newJob(s, rel, ref, isexec);
    s.jobs.push(job);
    const abs = path.join(root, rel);
    const stat = await lstatOrUndefined(abs);
    if (!stat) return;
    if (stat.isDirectory()) {
      job.replaceDir = true;
      const inside = await walk(abs);
      if (inside.files.length && !options.force) s.conflicts.push(`${rel}/ (a folder where a file goes)`);
      return;
    }
    if (stat.isSymbolicLink()) {
      // DVC's symlink cache type: a link to the cached object is up to date while symlink is a chosen
      // type; any other link is replaced (it holds no work of its own).
      if (
        linker.types.includes('symlink') &&
        path.resolve(path.dirname(abs), await fs.promises.readlink(abs)) === cache.path(ref) &&
        (await cache.has(ref))
      )
        job.state = 'uptodate';
      return;
    }
    if (!stat.isFile()) {
      s.conflicts.push(rel);
      return;
    }
    const { md5 } = await hashes.hash(abs, ref.legacy);
    if (md5 === ref.id) {
      job.state = 'uptodate';
      const want = isexec ? 0o111 & ~umask : 0;
      job.fixMode = (stat.mode & 0o111) !== want;
    } else if (!options.force && stat.size > 0 && !(await cache.has({ id: md5, legacy: ref.legacy }))) {
      s.conflicts.push(rel);
    }
  };

  for (const s of states) {
    if (!s.output.isDir) {
      await removeLeftovers(path.dirname(path.join(root, s.output.path)));
      await planFile(s, s.output.path, { id: s.output.id, legacy: s.output.legacy }, s.output.isexec);
      continue;
    }
    if (!s.entries) continue;
    const base = s.output.path;
    await guard.check(`${base}/x`, s.output.source);
    const stat = await lstatOrUndefined(path.join(root, base));
    let present = new Set<string>();
    if (stat?.isDirectory()) {
      const found = await walk(path.join(root, base));
      // A granular target leaves the rest of the folder alone.
      found.files = found.files.filter((f) => isWithin(f, s.output.within));
      found.dirs = found.dirs.filter((d) => isWithin(d, s.output.within));
      present = new Set(found.files);
      const listed = new Set(s.entries.map((e) => e.relpath));
      const needed = new Set<string>();
      for (const e of s.entries) {
        const parts = e.relpath.split('/');
        for (let i = 1; i < parts.length; i++) needed.add(parts.slice(0, i).join('/'));
      }
      s.spareDirs = found.dirs.filter((d) => !needed.has(d)).map((d) => `${base}/${d}`);
      const strays = found.files.filter((f) => !listed.has(f));
      await runPool(
        strays,
        options.jobs,
        async (f) => {
          const rel = `${base}/${f}`;
          s.stale.push(rel);
          if (WORKSPACE_TEMP.test(path.posix.basename(f)) || options.force) return;
          const st = await lstatOrUndefined(path.join(root, rel));
          if (st?.isFile() && !(await inCache(rel, s.output.legacy))) s.conflicts.push(rel);
        },
        options.signal
      );
    } else if (stat) {
      // A file (or link) stands where the folder goes.
      s.stale.push(base);
      if (!options.force && stat.isFile() && !(await inCache(base, s.output.legacy))) s.conflicts.push(base);
    }
    await runPool(
      s.entries,
      options.jobs,
      async (e) => {
        const rel = `${base}/${e.relpath}`;
        const ref = { id: e.md5, legacy: s.output.legacy };
        if (!present.has(e.relpath)) {
          await guard.check(
            rel,
            `${s.output.source} (manifest ${keyOf({ id: s.output.id, legacy: s.output.legacy })})`
          );
          s.jobs.push(newJob(s, rel, ref, false));
        } else await planFile(s, rel, ref, false);
      },
      options.signal
    );
  }

  const conflicts = states.flatMap((s) => s.conflicts).sort();
  if (conflicts.length) {
    throw new UserError(
      `${conflicts.length} workspace ${conflicts.length === 1 ? 'path holds' : 'paths hold'} changes that are not in the DVC cache (${listSome(conflicts)}): save them (dvc add / dvc commit, then dvc push) or set force: true to overwrite them.`
    );
  }

  phase('fetching');
  // 3. Fetch what the cache lacks, each object once.
  /** The first workspace file of each object to write; the others hang on it (`same`). */
  const wanted = new Map<string, FileJob>();
  for (const s of states) {
    for (const job of s.jobs) {
      if (job.state !== 'write') continue;
      const id = objectId(job);
      const first = wanted.get(id);
      if (first) {
        job.same = first.same;
        first.same = job;
      } else wanted.set(id, job);
    }
  }
  /** The files an object fills, the first first. */
  const filesOf = (first: FileJob) => {
    const jobs = [first];
    for (let j = first.same; j; j = j.same) jobs.push(j);
    return jobs;
  };
  /** An object's size when its .dvc file gives it (a single-file output). */
  const sizeOf = (first: FileJob) => (first.out.output.isDir ? undefined : first.out.output.size);
  const fetch: FileJob[] = [];
  /** Size of each object now in the cache, and the bytes of small ones just downloaded (for checkout). */
  const sizes = new Map<string, number>();
  const kept = new Map<string, Buffer>();
  let keptBytes = 0;
  await runPool(
    [...wanted.values()],
    options.jobs,
    async (first) => {
      const size = await cache.size(first);
      if (size === undefined) fetch.push(first);
      else {
        first.out.report.skipped++;
        sizes.set(objectId(first), size);
      }
    },
    options.signal
  );
  wanted.clear();
  const knownBytes = fetch.every((f) => sizeOf(f) !== undefined)
    ? fetch.reduce((n, f) => n + sizeOf(f)!, 0)
    : undefined;
  const progress = new TransferProgress('Downloaded', { items: fetch.length, bytes: knownBytes }, log, clock);
  const missingKeys = new Set<string>();
  /** A failure another run may not meet (not a bad object: those come back every time). */
  let transient = false;
  /** Folders known to exist, and those made during the fetch (removed again if their output fails). */
  const existing = new Set<string>();
  const createdDirs: Array<{ dir: string; out: OutputState }> = [];
  const dirOf = (job: FileJob) => path.dirname(path.join(root, job.rel));
  const makeParent = (job: FileJob): boolean => {
    const dir = dirOf(job);
    if (existing.has(dir)) return true;
    const missing: string[] = [];
    let d = dir;
    while (d !== root && !fs.existsSync(d)) {
      missing.push(d);
      d = path.dirname(d);
    }
    try {
      // A stale file where a folder goes is only removed at checkout: no early copy then.
      if (d !== root && !fs.statSync(d).isDirectory()) return false;
      for (const m of missing.reverse()) {
        fs.mkdirSync(m);
        createdDirs.push({ dir: m, out: job.out });
      }
    } catch {
      return false;
    }
    existing.add(dir);
    return true;
  };
  await runPool(
    fetch,
    options.jobs,
    async (first) => {
      const jobs = filesOf(first);
      const { out } = first;
      const ref: ObjectRef = first;
      const key = keyOf(ref);
      const id = objectId(ref);
      out.span.mark(clock.now());
      try {
        // The object's first workspace file is written while the object comes in (large ones as
        // they stream, small ones once verified): checkout then only renames it into place, and
        // removes it if the output is not checked out.
        const teeJob = jobs.find((j) => !j.replaceDir);
        const got = await attempt(async () => {
          const obj = await out.store.get(key, options.signal, watch);
          if (!obj) return undefined;
          const large = obj.size === undefined || obj.size > SMALL_OBJECT;
          // Only a copy is written while streaming (on ext4 that measured faster than a kernel copy
          // afterwards); a link or a clone is made from the cache at checkout, costing no bytes.
          const copying = !!teeJob && makeParent(teeJob) && linker.typeFor(dirOf(teeJob)) === 'copy';
          const tee =
            large && copying
              ? { path: workspaceTemp(path.join(root, teeJob.rel)), mode: fileMode(teeJob.isexec) }
              : undefined;
          const result = await cache.put(ref, progress.counted(obj.body), { expectedSize: obj.size, tee });
          if (result.teed) teeJob!.teed = tee!.path;
          else if (result.data && copying) {
            const temp = workspaceTemp(path.join(root, teeJob!.rel));
            try {
              fs.writeFileSync(temp, result.data, { mode: fileMode(teeJob!.isexec), flag: 'wx' });
              teeJob!.teed = temp;
            } catch {
              fs.rmSync(temp, { force: true });
            }
          }
          return result;
        }, `${out.store.url}/${key}`);
        out.span.mark(clock.now());
        if (got === undefined) {
          missingKeys.add(id);
          for (const j of jobs) j.out.report.missing.push(j.rel);
          return;
        }
        const { bytes, data } = got;
        // Bytes already written to their only workspace file need not stay in memory.
        const keep = data && keptBytes + bytes <= KEEP_IN_MEMORY && jobs.some((j) => !j.teed);
        if (keep) keptBytes += bytes;
        sizes.set(id, bytes);
        if (keep) kept.set(id, data);
        out.report.transferred++;
        out.report.bytes += bytes;
        progress.item();
      } catch (e) {
        if (options.signal?.aborted) throw e;
        if (!(e instanceof CorruptObjectError)) transient = true;
        const files = listSome(
          jobs.map((j) => j.rel),
          3
        );
        const sentence =
          e instanceof CorruptObjectError
            ? `${files}: the object ${key} on ${out.store.url} is corrupt (its md5 is ${e.actual.replace(/\.dir$/, '')}, not ${ref.id}).`
            : `${files}: ${key} could not be downloaded from ${out.store.url} (${errorMessage(e)}).`;
        for (const j of jobs) if (!j.out.report.failed.includes(sentence)) j.out.report.failed.push(sentence);
      }
    },
    options.signal
  ).finally(() => progress.stop());
  if (fetch.length) progress.done();

  phase('checking out');
  // 4. Check out every output that is complete (or as far as it goes, with allow-missing).
  const ready = states.filter(
    (s) =>
      !s.report.failed.length &&
      (!s.report.missing.length || options.allowMissing) &&
      (s.entries || !s.output.isDir)
  );
  for (const s of ready) {
    for (const rel of s.stale) await fs.promises.rm(path.join(root, rel), { recursive: true, force: true });
    for (const dir of s.spareDirs.sort((a, b) => b.length - a.length)) {
      await fs.promises.rmdir(path.join(root, dir)).catch(() => undefined);
    }
  }
  for (const s of states.filter((st) => !ready.includes(st))) {
    for (const job of s.jobs) if (job.teed) await fs.promises.rm(job.teed, { force: true });
    const made = createdDirs.filter((c) => c.out === s).map((c) => c.dir);
    for (const dir of made.sort((a, b) => b.length - a.length))
      await fs.promises.rmdir(dir).catch(() => undefined);
  }
  guard.reset();
  const writes = ready.flatMap((s) => s.jobs.filter((j) => !missingKeys.has(objectId(j))));
  const madeDirs = new Set<string>();
  const checkout = new Progress('Checked out', { items: writes.length }, log, clock);
  await runPool(
    writes,
    options.jobs,
    async (job) => {
      const target = path.join(root, job.rel);
      if (job.state === 'uptodate') {
        // Only the x bits: the file may be a hardlink to the (read-only) cached object.
        if (job.fixMode) {
          const { mode } = await fs.promises.stat(target);
          await fs.promises.chmod(target, (mode & 0o666) | (job.isexec ? 0o111 & ~umask : 0));
        }
      } else {
        await guard.check(job.rel, job.out.output.source);
        const dir = path.dirname(target);
        if (!madeDirs.has(dir)) {
          await fs.promises.mkdir(dir, { recursive: true });
          madeDirs.add(dir);
        }
        if (job.replaceDir) await fs.promises.rm(target, { recursive: true, force: true });
        if (job.teed) {
          await fs.promises.rename(job.teed, target);
          job.teed = undefined;
          linker.record('copy');
        } else {
          const id = objectId(job);
          await linker.install({
            source: cache.path(job),
            target,
            mode: fileMode(job.isexec),
            isexec: job.isexec,
            size: sizes.get(id)!,
            data: kept.get(id)
          });
        }
        hashes.wrote(target, job.legacy, job.id);
      }
      job.out.report.files++;
      job.out.span.mark(clock.now());
      checkout.tick(1);
    },
    options.signal
  );
  if (writes.length) checkout.done();
  const links = linker.describe();
  if (links) log.info(`Checked out with ${links}.`);

  phase('reporting');
  // 5. Report.
  if (!options.hashes) hashes.save();
  for (const s of states) s.report.seconds = s.span.seconds;
  const outputs = states.map((s) => s.report);
  const sum = (f: (o: OutputReport) => number) => outputs.reduce((n, o) => n + f(o), 0);
  const report: TransferReport = {
    command: 'pull',
    engine: 'native',
    outputs,
    files: sum((o) => o.files),
    transferred: sum((o) => o.transferred),
    skipped: sum((o) => o.skipped),
    bytes: sum((o) => o.bytes),
    missing:
      missingKeys.size + states.filter((s) => s.output.isDir && !s.entries && !s.report.failed.length).length,
    seconds: (clock.now() - started) / 1000,
    warnings: repo.warnings,
    hashed: hashes.hashed,
    trusted: hashes.trusted,
    links
  };
  const failed = outputs.flatMap((o) => o.failed);
  const missing = outputs.flatMap((o) => o.missing);
  if (failed.length) {
    const fix = transient
      ? 'run the pull again'
      : 'the remote holds bad bytes under that name: delete that object there, then run dvc push where the data was added';
    const more = failed.length - 1;
    const others = more
      ? ` (and ${more} more ${more === 1 ? 'failure' : 'failures'}, listed in the job summary)`
      : '';
    report.failure = `${failed[0].replace(/\.$/, '')}${others}. Nothing of the affected outputs was changed in the workspace; ${fix}.`;
  } else if (missing.length && !options.allowMissing) {
    report.failure = `${missing.length} ${missing.length === 1 ? 'file is' : 'files are'} missing on the remote (${listSome(missing)}); push them from where they were created (dvc push), or set allow-missing: true to pull the rest.`;
  }
  for (const w of repo.warnings) log.warning(w);
  if (missing.length && options.allowMissing) {
    log.warning(`${missing.length} files are missing on the remote and were skipped: ${listSome(missing)}.`);
  }
  return report;
}
