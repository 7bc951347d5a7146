/**
 * Paths from inputs and files that must stay inside the workspace, symbolic links included: shared by
 * every action that reads or mounts a path a user names, and by the local workflow runner.
 */
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from './errors.js';
import { singleLine } from './limits.js';

/** Whether `target` is `base` or below it. */
export function within(base: string, target: string): boolean {
  const relative = path.relative(base, target);
  return (
    relative === '' ||
    (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative))
  );
}

/**
 * `value` resolved against `root`: its absolute path and its real path (the path itself, or its nearest
 * existing parent when it does not exist yet, through realpath), or which way it escapes `root`: by
 * its text (`../x`) or through a symbolic link (or a linked parent) that leads outside.
 */
export function resolveInside(
  root: string,
  value: string
): { absolute: string; real: string; escapes?: 'path' | 'link' } {
  const base = path.resolve(root);
  const absolute = path.resolve(base, value);
  if (!within(base, absolute)) return { absolute, real: absolute, escapes: 'path' };
  const realRoot = fs.realpathSync(base);
  // The longest part of the path that resolves (a dangling link resolves no further than its parent).
  let existing = absolute;
  const rest: string[] = [];
  let real: string | undefined;
  while (real === undefined) {
    try {
      real = path.join(fs.realpathSync(existing), ...rest);
    } catch {
      if (existing === base) real = path.join(realRoot, ...rest);
      else {
        rest.unshift(path.basename(existing));
        existing = path.dirname(existing);
      }
    }
  }
  return within(realRoot, real) ? { absolute, real } : { absolute, real, escapes: 'link' };
}

/**
 * `value` (relative to the workspace) as an absolute path that stays inside the workspace, symbolic
 * links included: the path itself, or its nearest existing parent when it does not exist yet, is
 * resolved with realpath, so a link (or a linked parent) that leads outside is refused like `../x`.
 * The resolved path is returned, so Docker reads what was checked.
 */
export function insideWorkspace(input: string, value: string, workspace: string): string {
  singleLine(input, value);
  const resolved = resolveInside(workspace, value);
  if (resolved.escapes === 'path') {
    throw new InputError(
      input,
      `Input "${input}" must be a path inside the workspace, but "${value}" is outside it.`
    );
  }
  if (resolved.escapes === 'link') {
    throw new InputError(
      input,
      `Input "${input}" must be a path inside the workspace, but "${value}" leads outside it through a symbolic link.`
    );
  }
  return resolved.real;
}
