/**
 * How checkout puts a cached object in the workspace: DVC's `cache.type`, a comma-separated list of
 * reflink, hardlink, symlink and copy in order of preference (default `reflink,copy`). Each file gets
 * the first type that works there, as in dvc: a hardlink across devices or past the link limit, or a
 * reflink where the file system cannot clone, falls to the next type. A link shares the cached object
 * (read-only, as dvc protects it): one write per object instead of two, and no second copy on disk.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError, errorMessage } from '../errors.js';
import { ConfigError, type DvcConfig } from './config.js';
import { installCopy, workspaceTemp } from './workspace.js';

export type LinkType = 'reflink' | 'hardlink' | 'symlink' | 'copy';
const TYPES: readonly LinkType[] = ['reflink', 'hardlink', 'symlink', 'copy'];
const DEFAULT_LINK_TYPES: readonly LinkType[] = ['reflink', 'copy'];

/** `cache.type` from the config, checked; the default when unset. */
export function linkTypes(config: DvcConfig): LinkType[] {
  const raw = config.sections.cache?.type ?? '';
  const types = raw
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
  const bad = types.find((t) => !TYPES.includes(t as LinkType));
  if (bad !== undefined) {
    throw new ConfigError(
      `cache.type in ${config.files.join(' or ')} is ${JSON.stringify(raw)}, but ${JSON.stringify(bad)} is not a link type; use reflink, hardlink, symlink or copy, comma-separated in order of preference.`
    );
  }
  return types.length ? [...new Set(types as LinkType[])] : [...DEFAULT_LINK_TYPES];
}

/** What a probe (one per pair of devices) found each type can do between two folders. */
const probes = new Map<string, boolean>();

function probe(type: 'reflink' | 'hardlink' | 'symlink', fromDir: string, toDir: string): boolean {
  const key = `${type}:${fs.statSync(fromDir).dev}:${fs.statSync(toDir).dev}`;
  let ok = probes.get(key);
  if (ok === undefined) {
    const from = workspaceTemp(path.join(fromDir, 'probe'));
    const to = workspaceTemp(path.join(toDir, 'probe'));
    try {
      fs.writeFileSync(from, 'x', { flag: 'wx' });
      if (type === 'reflink') fs.copyFileSync(from, to, fs.constants.COPYFILE_FICLONE_FORCE);
      else if (type === 'hardlink') fs.linkSync(from, to);
      else fs.symlinkSync(from, to);
      ok = true;
    } catch {
      ok = false;
    } finally {
      fs.rmSync(from, { force: true });
      fs.rmSync(to, { force: true });
    }
    probes.set(key, ok);
  }
  return ok;
}

export interface Install {
  /** The cached object. */
  source: string;
  target: string;
  /** The mode of a copy (0666 & ~umask, + x when isexec). */
  mode: number;
  isexec: boolean;
  size: number;
  /** The object's bytes, when the caller has them (a copy then reads nothing). */
  data?: Buffer;
}

export class Linker {
  /** Files installed by each type, for the report. */
  readonly used: Partial<Record<LinkType, number>> = {};

  constructor(
    readonly cacheDir: string,
    readonly types: readonly LinkType[]
  ) {}

  /** Counts a file put in the workspace by `type` (a copy written while streaming, by the caller). */
  record(type: LinkType): void {
    this.used[type] = (this.used[type] ?? 0) + 1;
  }

  /** "cache.type hardlink,copy: 3 hardlink, 1 copy", or undefined for dvc's default types with no link made. */
  describe(): string | undefined {
    const used = TYPES.filter((t) => this.used[t]).map((t) => `${this.used[t]} ${t}`);
    const plain = this.types.join(',') === DEFAULT_LINK_TYPES.join(',') && !this.used.reflink;
    if (plain || !used.length) return undefined;
    return `cache.type ${this.types.join(',')}: ${used.join(', ')}`;
  }

  /**
   * The type a file in `dir` (an existing folder) will get, probed once per device: a caller that
   * gets `copy` may write the copy itself while the object streams in, instead of a second pass.
   */
  typeFor(dir: string): LinkType {
    let chosen = this.chosen.get(dir);
    if (!chosen) {
      // The probes write in the cache folder, which a fresh clone has yet to make.
      fs.mkdirSync(this.cacheDir, { recursive: true });
      // None works (say, hardlink alone across devices): the last one, whose install then says why.
      chosen = this.types.find((t) => t === 'copy' || probe(t, this.cacheDir, dir)) ?? this.types.at(-1)!;
      this.chosen.set(dir, chosen);
    }
    return chosen;
  }

  private readonly chosen = new Map<string, LinkType>();

  /**
   * Puts the cached object at `target` (a temporary name, then a rename) with the type `typeFor` its
   * folder, falling to the next on failure (the last failure is thrown). Returns the type used.
   */
  async install(file: Install): Promise<LinkType> {
    let failure: unknown;
    // Types the probe found unworkable in that folder are not tried again for every file.
    const first = this.types.indexOf(this.typeFor(path.dirname(file.target)));
    for (const type of this.types.slice(first)) {
      try {
        await this.installAs(type, file);
        this.record(type);
        return type;
      } catch (e) {
        failure = e;
      }
    }
    throw new UserError(
      `${file.target} could not be placed in the workspace with cache.type ${this.types.join(',')} (${errorMessage(failure)}); add copy to cache.type, or put the cache on the workspace's device for hardlinks.`
    );
  }

  private async installAs(type: LinkType, file: Install): Promise<void> {
    const { source, target, mode, size, data } = file;
    if (type === 'copy') return installCopy(source, target, mode, size, data);
    const temp = workspaceTemp(target);
    try {
      if (type === 'reflink') {
        await fs.promises.copyFile(source, temp, fs.constants.COPYFILE_FICLONE_FORCE);
        await fs.promises.chmod(temp, mode);
      } else if (type === 'hardlink' && size === 0) {
        // As dvc: empty files all share one object, and ext4 allows 65,000 links to one file.
        fs.writeFileSync(temp, '', { mode, flag: 'wx' });
      } else {
        if (type === 'hardlink') await fs.promises.link(source, temp);
        else await fs.promises.symlink(source, temp);
        // The link shares the cached object: it stays read-only, only its x bits follow isexec.
        if (file.isexec) await fs.promises.chmod(source, 0o555);
      }
      await fs.promises.rename(temp, target);
    } catch (e) {
      await fs.promises.rm(temp, { force: true });
      throw e;
    }
  }
}
