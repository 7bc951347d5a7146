/** Objects unpacked from an Actions cache entry: finding them by name, and moving a verified one in. */
import fs from 'node:fs';
import path from 'node:path';
import { CorruptObjectError, type LocalCache } from './cache.js';
import { hashFile } from './hash.js';
import { isObjectKey, type ObjectRef } from './remote.js';

/**
 * Hashes a restored file object and, when its md5 is its name, renames it into the cache (read-only,
 * as DVC keeps objects): no second copy. A mismatch is a CorruptObjectError. False when the cache is
 * on another file system (the caller then copies it in). `madeDirs` remembers folders made.
 */
export async function moveIn(
  cache: LocalCache,
  ref: ObjectRef,
  file: string,
  madeDirs: Set<string>
): Promise<boolean> {
  const { md5 } = await hashFile(file, ref.legacy);
  if (md5 !== ref.id) throw new CorruptObjectError(ref, md5);
  const target = cache.path(ref);
  const dir = path.dirname(target);
  if (!madeDirs.has(dir)) {
    await fs.promises.mkdir(dir, { recursive: true });
    madeDirs.add(dir);
  }
  await fs.promises.chmod(file, 0o444);
  try {
    await fs.promises.rename(file, target);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EXDEV') return false;
    throw e;
  }
}

/** Every object file in the unpacked entry `dir`, by name (contents are checked when taken). */
export async function entryRefs(dir: string): Promise<ObjectRef[]> {
  const names = await fs.promises.readdir(dir, { recursive: true });
  return names
    .map((n) => n.split(path.sep).join('/'))
    .filter(isObjectKey)
    .map((key) => ({
      id: key.replace(/^files\/md5\//, '').replace('/', ''),
      legacy: !key.startsWith('files/md5/')
    }));
}
