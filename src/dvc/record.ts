/**
 * One entry of a `.dvc` file or `dvc.lock` (an out or a dep), refreshed from the workspace as
 * `dvc commit` refreshes it: unchanged content keeps the entry as it is (a legacy DVC 2 entry stays
 * legacy); changed content is hashed again and written in DVC 3 form (`hash: md5`), in dvc's order.
 */
import type { ParentGuard } from './paths.js';
import { measure, type Measured } from './measure.js';
import type { WorkspaceHashes } from './state.js';

export type Dict = Record<string, unknown>;
export const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `.dvc` files: md5, size, nfiles, isexec, hash, path. dvc.lock: path, hash, md5, size, nfiles, isexec. */
export type EntryForm = 'dvcfile' | 'lock';

const HASH_KEYS = ['path', 'hash', 'md5', 'size', 'nfiles', 'isexec'];

export interface Recorded {
  entry: Dict;
  /** What the workspace holds now (DVC 3 form when the entry changed). */
  measured: Measured;
  /** Set when the entry changed: the md5 it recorded before (undefined: none). */
  changed?: { old?: string };
}

export interface RecordContext {
  root: string;
  guard: ParentGuard;
  jobs: number;
  /** The state of workspace hashes (see state.ts). */
  hashes?: WorkspaceHashes;
  /** The repository's cache: links into it are read as the objects they point at. */
  cacheDir?: string;
}

/** The md5 an entry records (lower case), or undefined. */
export function recordedId(entry: Dict | undefined): string | undefined {
  const md5 = entry?.md5;
  return typeof md5 === 'string' && md5 ? md5.toLowerCase() : undefined;
}

/**
 * Refreshes `old` (undefined: a new entry) for the workspace path `rel` (relative to the root),
 * written in the file as `defPath`. Throws MissingPathError when the path is not in the workspace.
 */
export async function record(
  ctx: RecordContext,
  rel: string,
  defPath: string,
  old: Dict | undefined,
  form: EntryForm,
  where: string
): Promise<Recorded> {
  const oldId = recordedId(old);
  const legacy = !!old && oldId !== undefined && old.hash === undefined;
  const seen = await measure(ctx.root, ctx.guard, rel, legacy, where, ctx.jobs, ctx.hashes, ctx.cacheDir);
  if (old && seen.id === oldId) return { entry: old, measured: seen };
  const now = legacy
    ? await measure(ctx.root, ctx.guard, rel, false, where, ctx.jobs, ctx.hashes, ctx.cacheDir)
    : seen;
  const hash: Dict = { md5: now.id, size: now.size };
  if (now.isDir) hash.nfiles = now.nfiles;
  if (old?.isexec === true && !now.isDir) hash.isexec = true;
  const rest = Object.fromEntries(Object.entries(old ?? {}).filter(([k]) => !HASH_KEYS.includes(k)));
  const entry =
    form === 'dvcfile'
      ? { ...hash, hash: 'md5', path: defPath, ...rest }
      : { path: defPath, hash: 'md5', ...hash, ...rest };
  return { entry, measured: now, changed: { old: oldId } };
}
