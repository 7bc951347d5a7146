/**
 * What a workspace file or folder hashes to, the way `dvc commit` records it (md5, size, nfiles),
 * and putting those bytes into the local cache. Reads only below the root: a symbolic link on the
 * way to the path, at the path, or inside a tracked folder is refused.
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

/**
 * Hashes `rel` (a file or folder below `root`); `where` names the entry that tracks it. Files go
 * through `hashes` (the state in .dvc/tmp, then the worker pool); without it nothing is recorded.
 */
export async function measure(
  root: string,
  guard: ParentGuard,
  rel: string,
  legacy: boolean,
  where: string,
  jobs = 8,
  hashes = new WorkspaceHashes(undefined)
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
  if (stat.isSymbolicLink()) throw link(rel);
  if (stat.isFile()) {
    const h = await hashes.hash(abs, legacy);
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
    if (s.isSymbolicLink()) throw link(`${rel}/${f}`);
    if (!s.isFile()) return;
    const h = await hashes.hash(file, legacy);
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
