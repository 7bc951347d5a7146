/**
 * Granular targets: `targets: data/images/cats` names a path inside the tracked folder `data`, and
 * pull (and push) then handle only the manifest entries at or below `images/cats`, as
 * `dvc pull data/images/cats` does. The rest of the folder is left as it is.
 */
import type { DirEntry } from './hash.js';
import type { Output } from './dvcfiles.js';
import { TargetError } from './dvcfiles.js';

/** True when `relpath` (inside the folder) is one of `within` or below one; everything when unset. */
export function isWithin(relpath: string, within: readonly string[] | undefined): boolean {
  return !within || within.some((w) => relpath === w || relpath.startsWith(`${w}/`));
}

/**
 * The entries of a folder output its targets ask for. A target naming nothing the manifest lists is
 * an error (it would silently pull nothing).
 */
export function narrowEntries(
  output: Pick<Output, 'path' | 'source' | 'within'>,
  entries: DirEntry[]
): DirEntry[] {
  const { within } = output;
  if (!within) return entries;
  const chosen = entries.filter((e) => isWithin(e.relpath, within));
  const empty = within.filter((w) => !chosen.some((e) => isWithin(e.relpath, [w])));
  if (empty.length) {
    throw new TargetError(
      `Input "targets" names ${empty.map((w) => `${output.path}/${w}`).join(', ')}, which the folder ${output.path} (${output.source}) does not hold.`
    );
  }
  return chosen;
}
