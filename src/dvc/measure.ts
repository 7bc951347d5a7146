/**
 * What a workspace file or folder hashes to, the way `dvc commit` records it (md5, size, nfiles),
 * and putting those bytes into the local cache. Reads only below the root: a symbolic link on the
 * way to the path, at the path, or inside a tracked folder is refused, unless it points at an object
 * in the repository's own cache (DVC's symlink cache type).
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { LocalCache } from './cache.js';
import { manifestId, serializeManifest, type DirEntry } from './hash.js';
import { ParentGuard, PathEscapeError } from './paths.js';
import { runPool } from './pool.js';
import { WorkspaceHashes } from './state.js';
import { lstatOrUndefined, walk } from './workspace.js';

export interface Measured {
  /** POSIX path relative to the root. */
  path: string;
  /** md5, or md5 + `.dir` for a folder. */
  id: string;
  legacy: boolean;
  isDir: boolean;
  /** Bytes of the file, or of every file in the folder. */
  size: number;
  nfiles?: number;
  /** Folder only: its files (relpath inside the folder, md5) and the manifest bytes. */
  entries?: DirEntry[];
  manifest?: Buffer;
}

export class MissingPathError extends UserError {
  override name = 'MissingPathError';
}

/** Where an object lives in the cache: files/md5/ab/cdef... (DVC 3) or ab/cdef... (DVC 2). */
const OBJECT_KEY = /^(files\/md5\/)?[0-9a-f]{2}\/[0-9a-f]{30}$/;

/**
 * The cached object a symbolic link stands for (DVC's symlink cache type): its real path when that is
 * an object file in the repository's cache, else undefined (any other link stays refused).
 */
async function cachedObject(link: string, cacheDir: string | undefined): Promise<string | undefined> {
  if (!cacheDir) return undefined;
  try {
    const [target, cache] = await Promise.all([fs.promises.realpath(link), fs.promises.realpath(cacheDir)]);
    // Only a path shaped like an object, never any other file that a cache.dir pointing high up
    // would put "inside the cache".
    if (!OBJECT_KEY.test(path.relative(cache, target).split(path.sep).join('/'))) return undefined;
    return (await fs.promises.stat(target)).isFile() ? target : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Hashes `rel` (a file or folder below `root`); `where` names the entry that tracks it. Files go
 * through `hashes` (the state in .dvc/tmp, then the worker pool); without it nothing is recorded.
 * A link into `cacheDir` (a pull with cache.type symlink made it) is read as the object it points at.
 */
export async function measure(
  root: string,
  guard: ParentGuard,
  rel: string,
  legacy: boolean,
  where: string,
  jobs = 8,
  hashes = new WorkspaceHashes(undefined),
  cacheDir?: string
): Promise<Measured> {
  await guard.check(rel, where);
  const abs = path.join(root, rel);
  const stat = await lstatOrUndefined(abs);
  if (!stat) {
    throw new MissingPathError(
      `${where}: ${rel} does not exist in the workspace, so there is nothing to record.`
    );
  }
  const link = (p: string) =>
    new PathEscapeError(
      `${where}: ${JSON.stringify(p)} is a symbolic link, which could lead outside the working directory; replace it with the file or folder itself.`
    );
  const object = stat.isSymbolicLink() ? await cachedObject(abs, cacheDir) : undefined;
  if (stat.isSymbolicLink() && !object) throw link(rel);
  if (object || stat.isFile()) {
    const h = await hashes.hash(object ?? abs, legacy);
    return { path: rel, id: h.md5, legacy, isDir: false, size: h.size };
  }
  if (!stat.isDirectory()) {
    throw new UserError(`${where}: ${rel} is neither a file nor a folder, so DVC cannot track it.`);
  }
  const { files } = await walk(abs);
  const entries: DirEntry[] = [];
  let size = 0;
  await runPool(files, jobs, async (f) => {
    const file = path.join(abs, f);
    const s = await fs.promises.lstat(file);
    const target = s.isSymbolicLink() ? await cachedObject(file, cacheDir) : undefined;
    if (s.isSymbolicLink() && !target) throw link(`${rel}/${f}`);
    if (!target && !s.isFile()) return;
    const h = await hashes.hash(target ?? file, legacy);
    size += h.size;
    entries.push({ md5: h.md5, relpath: f });
  });
  const manifest = serializeManifest(entries);
  return {
    path: rel,
    id: manifestId(manifest),
    legacy,
    isDir: true,
    size,
    nfiles: entries.length,
    entries,
    manifest
  };
}

async function* once(data: Buffer): AsyncIterable<Uint8Array> {
  yield data;
}

/** Puts what `measure` saw into the cache (read-only objects; present ones are left alone). */
export async function storeInCache(root: string, cache: LocalCache, m: Measured, jobs = 8): Promise<number> {
  let added = 0;
  const put = async (id: string, file: string, size: number) => {
    const ref = { id, legacy: m.legacy };
    if (await cache.has(ref)) return;
    await cache.put(ref, fs.createReadStream(file), { expectedSize: size });
    added++;
  };
  const abs = path.join(root, m.path);
  if (!m.isDir) {
    await put(m.id, abs, m.size);
    return added;
  }
  await runPool(m.entries!, jobs, async (e) => {
    const file = path.join(abs, e.relpath);
    await put(e.md5, file, (await fs.promises.stat(file)).size);
  });
  const ref = { id: m.id, legacy: m.legacy };
  if (!(await cache.has(ref))) {
    await cache.put(ref, once(m.manifest!), { expectedSize: m.manifest!.length });
    added++;
  }
  return added;
}
