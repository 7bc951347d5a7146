/**
 * Where objects live, and the one small interface every remote implements. Keys are relative to the
 * remote's root: `files/md5/XX/REST` for DVC 3 objects, `XX/REST` for legacy ones, in the local cache
 * and on the remote alike.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Watch } from './stall.js';

export interface ObjectRef {
  /** md5, or md5 + `.dir`. */
  id: string;
  /** DVC 2 entry: legacy layout. */
  legacy: boolean;
}

export function objectKey(ref: ObjectRef): string {
  const rest = `${ref.id.slice(0, 2)}/${ref.id.slice(2)}`;
  return ref.legacy ? rest : `files/md5/${rest}`;
}

/**
 * An object's name in a run's maps: for DVC 3 objects the md5 string itself (the one the manifest
 * already holds: no new string per file, where objectKey makes one), `legacy <md5>` for DVC 2's.
 */
export function objectId(ref: ObjectRef): string {
  return ref.legacy ? `legacy ${ref.id}` : ref.id;
}

/** The layout prefix a listing of `legacy` or DVC 3 objects starts from. */
export function layoutPrefix(legacy: boolean): string {
  return legacy ? '' : 'files/md5/';
}

const KEY_PATTERN = /^(?:files\/md5\/)?[0-9a-f]{2}\/[0-9a-f]{30}(?:\.dir)?$/;
/** True for keys that look like DVC objects (listings of the legacy layout see everything else too). */
export const isObjectKey = (key: string) => KEY_PATTERN.test(key);

export interface ObjectSource {
  /** A file to upload, or the bytes themselves. */
  file?: string;
  data?: Buffer;
  size: number;
}

export interface RemoteObject {
  body: AsyncIterable<Uint8Array>;
  /** The length the remote announced, when it did. */
  size?: number;
}

export interface RemoteStore {
  /** Where it is, for messages (`s3://bucket/prefix`, `/mnt/dvc`). */
  readonly url: string;
  /** Reads an object; undefined when the remote does not have it. */
  get(key: string, signal?: AbortSignal, watch?: Watch): Promise<RemoteObject | undefined>;
  exists(key: string, signal?: AbortSignal): Promise<boolean>;
  /** The keys under `prefix` (relative to the root), one page at a time. */
  list(prefix: string, signal?: AbortSignal): AsyncIterable<string[]>;
  /** Stores an object whole (readers never see a part of it). */
  put(key: string, source: ObjectSource, signal?: AbortSignal, watch?: Watch): Promise<void>;
}

export function tempName(target: string): string {
  return `${target}.${randomBytes(6).toString('hex')}.tmp`;
}

/** A remote that is a folder (a mounted share, a second disk). Objects are made read-only, like DVC. */
export class LocalRemote implements RemoteStore {
  constructor(readonly root: string) {}

  get url(): string {
    return this.root;
  }

  private file(key: string): string {
    return path.join(this.root, ...key.split('/'));
  }

  async get(key: string): Promise<RemoteObject | undefined> {
    const file = this.file(key);
    let size: number;
    try {
      const stat = await fs.promises.stat(file);
      if (!stat.isFile()) return undefined;
      size = stat.size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    return { body: fs.createReadStream(file, { highWaterMark: 1024 * 1024 }), size };
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await fs.promises.stat(this.file(key))).isFile();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
  }

  async *list(prefix: string): AsyncIterable<string[]> {
    const walk = async (rel: string): Promise<string[]> => {
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(this.file(rel), { withFileTypes: true });
      } catch {
        return [];
      }
      const keys: string[] = [];
      for (const e of entries) {
        const child = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) keys.push(...(await walk(child)));
        else if (e.isFile()) keys.push(child);
      }
      return keys;
    };
    yield await walk(prefix.replace(/\/+$/, ''));
  }

  async put(key: string, source: ObjectSource): Promise<void> {
    const target = this.file(key);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    const temp = tempName(target);
    try {
      if (source.data) await fs.promises.writeFile(temp, source.data, { mode: 0o444 });
      else await fs.promises.copyFile(source.file!, temp, fs.constants.COPYFILE_FICLONE);
      await fs.promises.chmod(temp, 0o444);
      await fs.promises.rename(temp, target);
    } catch (e) {
      await fs.promises.rm(temp, { force: true });
      throw e;
    }
  }
}
