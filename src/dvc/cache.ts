/**
 * The local cache (`.dvc/cache`, DVC's layout): objects enter it whole (temporary file, md5 checked
 * while writing, then renamed) and read-only (0444), so a later `dvc` command trusts them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { hashFile, MD5_PATTERN, ObjectHasher, type DirEntry } from './hash.js';
import { checkManifestPath } from './paths.js';
import { WorkerHasher } from './hash-worker.js';

/** Objects from this size are hashed on a worker thread; MLOPS_DVC_HASH_WORKER=0 keeps them on the main one. */
const WORKER_HASH_SIZE = 32 * 1024 * 1024;
const useWorker = () => process.env.MLOPS_DVC_HASH_WORKER !== '0';
import { objectKey, tempName, type ObjectRef } from './remote.js';

/** Bytes that do not hash to the object's id. Retried (a transfer can corrupt), then reported. */
export class CorruptObjectError extends Error {
  override name = 'CorruptObjectError';
  constructor(
    readonly ref: ObjectRef,
    readonly actual: string
  ) {
    super(`the object ${ref.id} hashes to ${actual}`);
  }
}

/** A body that ended before the announced length (a cut connection). Retried. */
export class TruncatedError extends Error {
  override name = 'TruncatedError';
}

export class ManifestError extends UserError {
  override name = 'ManifestError';
}

const isReadOnly = (mode: number) => (mode & 0o222) === 0;

/** Objects up to this size are handled in one buffer. */
export const SMALL_OBJECT = 1024 * 1024;

/** Said by every refusal of a manifest's paths: the folder's manifest must be made again. */
const REMAKE = 'nothing was written: add the folder again with dvc add and push it';

/**
 * Parses and checks a `.dir` manifest: a list of {md5, relpath} with safe relpaths that fit in one
 * folder tree (no path twice, no file listed below another file). Runs before anything is written.
 */
export function parseManifest(bytes: Buffer, origin: string): DirEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ManifestError(`${origin} is not valid JSON; the object is damaged.`);
  }
  if (!Array.isArray(doc)) throw new ManifestError(`${origin} is not a list of {md5, relpath} entries.`);
  const seen = new Set<string>();
  const entries = doc.map((entry: unknown) => {
    const e = entry as { md5?: unknown; relpath?: unknown };
    if (
      typeof e !== 'object' ||
      e === null ||
      typeof e.md5 !== 'string' ||
      !MD5_PATTERN.test(e.md5.toLowerCase())
    ) {
      throw new ManifestError(
        `${origin} has an entry without a valid md5 (${JSON.stringify(entry).slice(0, 80)}).`
      );
    }
    const relpath = checkManifestPath(e.relpath, origin);
    if (seen.has(relpath)) {
      throw new ManifestError(`${origin} lists the path ${JSON.stringify(relpath)} twice; ${REMAKE}.`);
    }
    seen.add(relpath);
    return { md5: e.md5.toLowerCase(), relpath };
  });
  // A file and a path below it (`a` and `a/b`, in either order) cannot both be checked out.
  for (const { relpath } of entries) {
    for (let at = relpath.indexOf('/'); at > 0; at = relpath.indexOf('/', at + 1)) {
      const parent = relpath.slice(0, at);
      if (seen.has(parent)) {
        throw new ManifestError(
          `${origin} lists both ${JSON.stringify(parent)} and ${JSON.stringify(relpath)}, so ${JSON.stringify(parent)} would be a file and a folder at once; ${REMAKE}.`
        );
      }
    }
  }
  return entries;
}

export class LocalCache {
  constructor(readonly dir: string) {}

  path(ref: ObjectRef): string {
    return path.join(this.dir, ...objectKey(ref).split('/'));
  }

  /**
   * True when the cache holds a good copy. Read-only objects are trusted, as DVC trusts them; any other
   * is hashed: a good one is made read-only, a bad one is removed.
   */
  async has(ref: ObjectRef): Promise<boolean> {
    return (await this.size(ref)) !== undefined;
  }

  /** The size of a good copy in the cache (see `has`), or undefined. */
  async size(ref: ObjectRef): Promise<number | undefined> {
    const file = this.path(ref);
    let stat: fs.Stats | undefined;
    try {
      // One syscall: cheaper synchronously than a round trip through the thread pool.
      stat = fs.statSync(file, { throwIfNoEntry: false });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw e;
    }
    if (!stat?.isFile()) return undefined;
    if (isReadOnly(stat.mode)) return stat.size;
    const { md5 } = await hashFile(file, ref.legacy);
    if (`${md5}${ref.id.endsWith('.dir') ? '.dir' : ''}` === ref.id) {
      await fs.promises.chmod(file, 0o444);
      return stat.size;
    }
    await fs.promises.rm(file, { force: true });
    return undefined;
  }

  private readonly madeDirs = new Set<string>();
  private tmpReady = false;

  /** Temporary files live in one folder inside the cache (same filesystem); a new run clears it. */
  get tmpDir(): string {
    return path.join(this.dir, '.mlops-tmp');
  }

  private tempFor(target: string): string {
    if (!this.tmpReady) {
      fs.rmSync(this.tmpDir, { recursive: true, force: true });
      fs.mkdirSync(this.tmpDir, { recursive: true });
      this.tmpReady = true;
    }
    return tempName(path.join(this.tmpDir, path.basename(target)));
  }

  /** Removes the temporary folder (call when done). */
  finish(): void {
    if (this.tmpReady) fs.rmSync(this.tmpDir, { recursive: true, force: true });
    this.tmpReady = false;
  }

  private ensureDir(dir: string): void {
    if (this.madeDirs.has(dir)) return;
    fs.mkdirSync(dir, { recursive: true });
    this.madeDirs.add(dir);
  }

  /**
   * Streams an object into the cache. The md5 is always computed while writing (it costs far less
   * than the transfer) and a mismatch is a CorruptObjectError that leaves nothing behind: an object
   * in the cache is trusted by every later pull and by dvc itself, so it must be what its name says.
   * A body shorter than `expectedSize` is a TruncatedError. Returns the bytes.
   */
  async put(
    ref: ObjectRef,
    body: AsyncIterable<Uint8Array>,
    options: {
      expectedSize?: number;
      /** Large objects: also write the bytes to this (new) file, created with `mode`. */
      tee?: { path: string; mode: number };
      /** Reads the whole verified object before it enters the cache; throwing keeps it out. */
      accept?: (data: Buffer) => void;
    }
  ): Promise<{ bytes: number; data?: Buffer; teed?: boolean }> {
    const target = this.path(ref);
    this.ensureDir(path.dirname(target));
    const temp = this.tempFor(target);
    const hasher = new ObjectHasher(ref.legacy);
    const check = (bytes: number, md5 = hasher.digest()) => {
      if (options.expectedSize !== undefined && bytes !== options.expectedSize) {
        throw new TruncatedError(
          `the object ${ref.id} arrived with ${bytes} of ${options.expectedSize} bytes`
        );
      }
      const actual = md5 + (ref.id.endsWith('.dir') ? '.dir' : '');
      if (actual !== ref.id) throw new CorruptObjectError(ref, actual);
    };
    if (options.accept || (options.expectedSize !== undefined && options.expectedSize <= SMALL_OBJECT)) {
      // Small objects: one buffer and one synchronous write; the many-small-files case is bound by
      // per-file overhead, not bytes.
      const chunks: Uint8Array[] = [];
      let bytes = 0;
      for await (const chunk of body) {
        chunks.push(chunk);
        bytes += chunk.length;
      }
      const data = Buffer.concat(chunks, bytes);
      hasher.update(data);
      check(bytes);
      options.accept?.(data);
      try {
        fs.writeFileSync(temp, data, { mode: 0o444, flag: 'wx' });
        fs.renameSync(temp, target);
      } catch (e) {
        fs.rmSync(temp, { force: true });
        throw e;
      }
      return { bytes, data };
    }
    const handle = await fs.promises.open(temp, 'wx', 0o444);
    const tee = options.tee ? await fs.promises.open(options.tee.path, 'wx', options.tee.mode) : undefined;
    // Large DVC 3 objects are hashed on a worker thread (measured: see hash-worker.ts).
    const worker = !ref.legacy && (options.expectedSize ?? 0) >= WORKER_HASH_SIZE && useWorker();
    const offMain = worker ? new WorkerHasher() : undefined;
    let bytes = 0;
    let ok = false;
    let writing: Promise<unknown> | undefined;
    try {
      // Batches small network chunks into fewer writes, and receives the next batch while the last
      // one is written (one batch in flight: memory stays bounded, the disk and the socket overlap).
      let batch: Uint8Array[] = [];
      let batched = 0;
      const flush = async () => {
        if (!batched) return;
        const chunks = batch;
        batch = [];
        batched = 0;
        await writing;
        // The worker takes the chunks once written (moving their memory, so only then).
        writing = Promise.all([handle.writev(chunks), tee?.writev(chunks)]).then(() =>
          offMain?.update(chunks)
        );
        // Awaited at the next flush or at the end; marked handled so a failure waits for that await.
        writing.catch(() => undefined);
      };
      for await (const chunk of body) {
        if (!offMain) hasher.update(chunk);
        bytes += chunk.length;
        batch.push(chunk);
        batched += chunk.length;
        if (batched >= 1024 * 1024) await flush();
      }
      await flush();
      await writing;
      check(bytes, offMain ? await offMain.digest() : undefined);
      ok = true;
    } finally {
      await writing?.catch(() => undefined);
      await handle.close();
      await tee?.close();
      if (!ok) {
        await fs.promises.rm(temp, { force: true });
        if (tee) await fs.promises.rm(options.tee!.path, { force: true });
      }
    }
    await fs.promises.rename(temp, target);
    return { bytes, teed: !!tee };
  }

  /** The entries of a `.dir` object in the cache; undefined when it is not there. */
  async readManifest(ref: ObjectRef, origin: string): Promise<DirEntry[] | undefined> {
    if (!(await this.has(ref))) return undefined;
    return parseManifest(await fs.promises.readFile(this.path(ref)), origin);
  }
}
