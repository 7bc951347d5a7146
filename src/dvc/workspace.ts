/** Workspace files: atomic installs (temporary file in the same folder, then rename) and folder walks. */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/** Our temporary files in the workspace; one left by a killed run is removed by the next. */
export const WORKSPACE_TEMP = /^\.mlops-[0-9a-f]{12}\.tmp$/;

const SMALL_FILE = 1024 * 1024;

export function workspaceTemp(target: string): string {
  return path.join(path.dirname(target), `.mlops-${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Copies `source` to `target` through a temporary file and a rename, with `mode`. Small files (or
 * their bytes, when the caller has them) are written synchronously, created with their mode.
 */
export async function installCopy(
  source: string,
  target: string,
  mode: number,
  size: number,
  data?: Buffer
): Promise<void> {
  const temp = workspaceTemp(target);
  if (data || size <= SMALL_FILE) {
    try {
      // `mode` already has the umask applied; the kernel applying it again changes nothing.
      fs.writeFileSync(temp, data ?? fs.readFileSync(source), { mode, flag: 'wx' });
      fs.renameSync(temp, target);
    } catch (e) {
      fs.rmSync(temp, { force: true });
      throw e;
    }
    return;
  }
  try {
    await fs.promises.copyFile(source, temp, fs.constants.COPYFILE_FICLONE);
    await fs.promises.chmod(temp, mode);
    await fs.promises.rename(temp, target);
  } catch (e) {
    await fs.promises.rm(temp, { force: true });
    throw e;
  }
}

/** Removes temporary files a killed run left in `dir`. */
export async function removeLeftovers(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch {
    return;
  }
  await Promise.all(
    names.filter((n) => WORKSPACE_TEMP.test(n)).map((n) => fs.promises.rm(path.join(dir, n), { force: true }))
  );
}

export interface Walk {
  /** Files and symbolic links, POSIX paths relative to the walked folder. */
  files: string[];
  /** Folders, likewise (not the walked folder itself). */
  dirs: string[];
}

/** Lists a folder recursively without following symbolic links. */
export async function walk(dir: string): Promise<Walk> {
  const result: Walk = { files: [], dirs: [] };
  const visit = async (rel: string): Promise<void> => {
    const entries = await fs.promises.readdir(rel ? path.join(dir, rel) : dir, { withFileTypes: true });
    const subdirs: string[] = [];
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        result.dirs.push(child);
        subdirs.push(child);
      } else result.files.push(child);
    }
    await Promise.all(subdirs.map(visit));
  };
  await visit('');
  return result;
}

export async function lstatOrUndefined(file: string): Promise<fs.Stats | undefined> {
  try {
    return await fs.promises.lstat(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw e;
  }
}
