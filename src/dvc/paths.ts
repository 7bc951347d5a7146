/**
 * Paths read from `.dvc` files, `dvc.lock` and manifests never leave the working directory: absolute
 * paths, `..` and symlinked parents are refused with the offending path, before anything is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';

export class PathEscapeError extends UserError {
  override name = 'PathEscapeError';
}

function isAbsoluteAnywhere(p: string): boolean {
  return p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:/.test(p);
}

/**
 * Joins `rel` (POSIX, from a DVC file) to `base` (a POSIX path relative to the root, '' for the
 * root) and normalizes it. The result must stay inside the root and not be the root itself, and
 * must not point into `.git` or `.dvc`. `origin` names where the path came from, for the error.
 */
export function resolveInRoot(base: string, rel: string, origin: string): string {
  if (typeof rel !== 'string' || !rel.trim()) {
    throw new PathEscapeError(`${origin} has an empty path: give the path of the tracked file or folder.`);
  }
  if (rel.includes('\0') || isAbsoluteAnywhere(rel)) {
    throw new PathEscapeError(
      `${origin} names the path ${JSON.stringify(rel)}, which is absolute; DVC paths must be relative to the working directory.`
    );
  }
  const parts: string[] = base ? base.split('/') : [];
  for (const part of rel.split(/[\\/]/)) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (!parts.length) {
        throw new PathEscapeError(
          `${origin} names the path ${JSON.stringify(rel)}, which leaves the working directory; nothing was written.`
        );
      }
      parts.pop();
    } else parts.push(part);
  }
  if (!parts.length) {
    throw new PathEscapeError(
      `${origin} names the path ${JSON.stringify(rel)}, which is the working directory itself; track a file or folder inside it.`
    );
  }
  if (parts[0] === '.git' || parts[0] === '.dvc') {
    throw new PathEscapeError(
      `${origin} names the path ${JSON.stringify(rel)}, inside ${parts[0]}/, which DVC data may not overwrite.`
    );
  }
  return parts.join('/');
}

/** A relpath from a `.dir` manifest: relative, no `..`, no empty or `.` segments. */
export function checkManifestPath(relpath: unknown, origin: string): string {
  if (typeof relpath !== 'string' || !relpath) {
    throw new PathEscapeError(`${origin} has an entry without a relpath.`);
  }
  const parts = relpath.split('/');
  if (
    relpath.includes('\0') ||
    isAbsoluteAnywhere(relpath) ||
    relpath.split(/[\\/]/).some((p) => p === '..') ||
    parts.some((p) => p === '' || p === '.')
  ) {
    throw new PathEscapeError(
      `${origin} lists the path ${JSON.stringify(relpath)}, which is absolute or leaves its folder; nothing was written.`
    );
  }
  return relpath;
}

/**
 * Refuses a path whose existing parents (below the root) include a symbolic link: writing through it
 * would land outside the working directory. Results are cached per directory for speed.
 */
export class ParentGuard {
  private readonly safe = new Set<string>();

  constructor(private readonly root: string) {}

  /** Throws when a parent folder of `rel` (POSIX, relative to the root) is a symlink or a file... */
  async check(rel: string, origin: string): Promise<void> {
    const parts = rel.split('/');
    let dir = '';
    for (let i = 0; i < parts.length - 1; i++) {
      dir = dir ? `${dir}/${parts[i]}` : parts[i];
      if (this.safe.has(dir)) continue;
      let stat: fs.Stats;
      try {
        stat = await fs.promises.lstat(path.join(this.root, dir));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw e;
      }
      if (stat.isSymbolicLink()) {
        throw new PathEscapeError(
          `${origin}: the path ${JSON.stringify(rel)} goes through ${JSON.stringify(dir)}, a symbolic link, which could lead outside the working directory; replace the link with a real folder.`
        );
      }
      if (stat.isDirectory()) this.safe.add(dir);
      else return;
    }
  }

  /** Forgets cached answers (after folders were removed). */
  reset(): void {
    this.safe.clear();
  }
}
