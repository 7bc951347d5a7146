/** Workspace files: atomic installs (temporary file in the same folder, then rename) and folder walks. */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/** Our temporary files in the workspace; one left by a killed run is removed by the next. */
export const WORKSPACE_TEMP = /^\.mlops-[0-9a-f]{12}\.tmp$/;

export function workspaceTemp(target: string): string {
  return path.join(path.dirname(target), `.mlops-${randomBytes(6).toString('hex')}.tmp`);
}

/** Copies `source` to `target` through a temporary file and a rename, with `mode`. */
export async function installCopy(source: string, target: string, mode: number): Promise<void> {
  const temp = workspaceTemp(target);
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
