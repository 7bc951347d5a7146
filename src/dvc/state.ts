/**
 * What workspace files hashed to, so a second run need not read them again: DVC's state database,
 * kept as a small text file in the repository's `.dvc/tmp` (which dvc's own .gitignore leaves out of
 * git). A file is trusted when its device and inode, size and modification time (in nanoseconds) are
 * those recorded right after it was hashed; any change to one of them hashes it again. A file changed
 * in the second before it was hashed is not recorded (it may still be being written). The file is
 * written atomically (a temporary file, then a rename), holds at most MAX_ENTRIES files (the least
 * recently used go first) and is ignored when it cannot be read or parsed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { hashFile, MD5_PATTERN } from './hash.js';
import { hashPool, type HashPool } from './hash-pool.js';

/** Relative to the repository root. */
export const STATE_FILE = '.dvc/tmp/mlops-hashes';
export const MAX_ENTRIES = 500_000;
const HEADER = 'mlops-actions hash state 1';
/** Files modified this recently before hashing are not recorded. */
const SETTLE_NS = 1_000_000_000n;
/** Files above this are hashed on a worker thread; smaller ones cost less on the main thread. */
const POOL_THRESHOLD = 64 * 1024;

/** Every field set from the start (one object shape); a size is a safe integer (files are < 8 PiB). */
interface Entry {
  size: number;
  mtimeNs: bigint;
  md5: string | undefined;
  /** DVC 2's md5-dos2unix. */
  legacyMd5: string | undefined;
}

/**
 * A file's key: its inode number when it is on the repository's device (the first one met), else
 * `dev:ino`. A number costs no string per file (at 20,000 files the keys were half of the state).
 */
type Key = number | string;

/** The recorded hashes of one repository. */
export class HashState {
  private readonly entries = new Map<Key, Entry>();
  private dirty = false;
  /** The device whose files are keyed by inode number alone. */
  private device?: bigint;

  private keyOf(dev: bigint, ino: bigint): Key {
    this.device ??= dev;
    return dev === this.device && ino <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(ino) : `${dev}:${ino}`;
  }

  constructor(
    readonly file: string,
    readonly limit = MAX_ENTRIES
  ) {}

  /** The state of the repository at `root`; empty when there is none or it cannot be read. */
  static load(root: string, limit = MAX_ENTRIES): HashState {
    const state = new HashState(path.join(root, ...STATE_FILE.split('/')), limit);
    let text: string;
    try {
      text = fs.readFileSync(state.file, 'utf8');
    } catch {
      return state;
    }
    const lines = text.split('\n');
    if (lines[0] !== HEADER) return state;
    for (const line of lines.slice(1)) {
      const [key, size, mtime, md5, legacyMd5] = line.split(' ');
      const file = /^(\d+):(\d+)$/.exec(key ?? '');
      if (!file || !/^\d{1,15}$/.test(size ?? '') || !/^\d+$/.test(mtime ?? '')) continue;
      const hash = (v: string | undefined) => (v && MD5_PATTERN.test(v) ? v : undefined);
      const entry: Entry = {
        size: Number(size),
        mtimeNs: BigInt(mtime),
        md5: hash(md5),
        legacyMd5: hash(legacyMd5)
      };
      if (entry.md5 || entry.legacyMd5)
        state.entries.set(state.keyOf(BigInt(file[1]), BigInt(file[2])), entry);
    }
    return state;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The recorded md5 of the file `stat` describes, when nothing about it changed since. */
  lookup(stat: fs.BigIntStats, legacy: boolean): string | undefined {
    const key = this.keyOf(stat.dev, stat.ino);
    const entry = this.entries.get(key);
    if (!entry || BigInt(entry.size) !== stat.size || entry.mtimeNs !== stat.mtimeNs) return undefined;
    const md5 = legacy ? entry.legacyMd5 : entry.md5;
    if (md5) {
      // Most recently used last: the first entries are the ones dropped when the state is full.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return md5;
  }

  /** Records that the file `stat` describes (as it was before hashing) hashes to `md5`. */
  record(stat: fs.BigIntStats, legacy: boolean, md5: string): void {
    const key = this.keyOf(stat.dev, stat.ino);
    const old = this.entries.get(key);
    const same = old && BigInt(old.size) === stat.size && old.mtimeNs === stat.mtimeNs;
    const entry: Entry = same
      ? old
      : { size: Number(stat.size), mtimeNs: stat.mtimeNs, md5: undefined, legacyMd5: undefined };
    if (legacy) entry.legacyMd5 = md5;
    else entry.md5 = md5;
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.dirty = true;
  }

  /** Writes the state (when it changed) through a temporary file and a rename; never throws. */
  save(): void {
    if (!this.dirty) return;
    const drop = this.entries.size - this.limit;
    if (drop > 0) {
      let n = 0;
      for (const key of this.entries.keys()) {
        if (n++ >= drop) break;
        this.entries.delete(key);
      }
    }
    const lines = [HEADER];
    for (const [key, e] of this.entries)
      lines.push(
        `${typeof key === 'number' ? `${this.device}:${key}` : key} ${e.size} ${e.mtimeNs} ${e.md5 ?? '-'} ${e.legacyMd5 ?? '-'}`
      );
    const temp = `${this.file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.writeFileSync(temp, lines.join('\n') + '\n');
      fs.renameSync(temp, this.file);
      this.dirty = false;
    } catch {
      // Only a speed-up: a read-only checkout simply hashes again next time.
      try {
        fs.rmSync(temp, { force: true });
      } catch {
        // Nothing was made.
      }
    }
  }
}

/**
 * Hashes workspace files for pull, push and commit: a file the state vouches for is not read; any
 * other is hashed (large ones on the worker pool) and recorded. Counts what it did, for the report.
 */
export class WorkspaceHashes {
  /** Files read and hashed. */
  hashed = 0;
  /** Files whose recorded hash was used. */
  trusted = 0;

  constructor(
    readonly state: HashState | undefined,
    private readonly pool: HashPool = hashPool(),
    /** Files above this many bytes are hashed on the pool. */
    private readonly poolAbove = POOL_THRESHOLD
  ) {}

  static open(root: string): WorkspaceHashes {
    return new WorkspaceHashes(HashState.load(root));
  }

  /** md5 (DVC 2's when `legacy`) and size of the workspace file `file`. */
  async hash(file: string, legacy: boolean): Promise<{ md5: string; size: number }> {
    const stat = fs.statSync(file, { bigint: true });
    const known = this.state?.lookup(stat, legacy);
    if (known) {
      this.trusted++;
      return { md5: known, size: Number(stat.size) };
    }
    const started = BigInt(Date.now()) * 1_000_000n;
    const h = stat.size > this.poolAbove ? await this.pool.hash(file, legacy) : await hashFile(file, legacy);
    this.hashed++;
    if (BigInt(h.size) === stat.size && stat.mtimeNs < started - SETTLE_NS)
      this.state?.record(stat, legacy, h.md5);
    return h;
  }

  /** Records a file this run just wrote whole (renamed into place) with the content `md5`. */
  wrote(file: string, legacy: boolean, md5: string): void {
    if (!this.state) return;
    try {
      this.state.record(fs.statSync(file, { bigint: true }), legacy, md5);
    } catch {
      // Gone already: nothing to record.
    }
  }

  save(): void {
    this.state?.save();
  }

  /** "hashed 3, trusted 2 unchanged (.dvc/tmp/mlops-hashes)", for logs. */
  describe(): string {
    return `hashed ${this.hashed} workspace file(s), trusted ${this.trusted} unchanged one(s) recorded in ${STATE_FILE}`;
  }
}
