/** The state of workspace hashes: trusted only while inode, size and mtime_ns match; bounded; robust. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HashState, STATE_FILE, WorkspaceHashes } from '../../../src/dvc/state.js';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'hash-state-'));
  fs.mkdirSync(path.join(root, '.dvc'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

/** A file last modified a minute ago (settled: it gets recorded). */
function settled(name: string, data: string): string {
  const file = path.join(root, name);
  fs.writeFileSync(file, data);
  const past = new Date(Date.now() - 60_000);
  fs.utimesSync(file, past, past);
  return file;
}

describe('WorkspaceHashes and HashState', () => {
  it('a second run trusts unchanged files and reads none of them', async () => {
    const a = settled('a.txt', 'hello\n');
    const b = settled('b.txt', 'hello\r\n');
    const first = WorkspaceHashes.open(root);
    expect((await first.hash(a, false)).md5).toBe('b1946ac92492d2347c6235b4d2611184');
    expect((await first.hash(b, true)).md5).toBe('b1946ac92492d2347c6235b4d2611184');
    first.save();
    expect([first.hashed, first.trusted]).toEqual([2, 0]);
    expect(fs.existsSync(path.join(root, STATE_FILE))).toBe(true);

    const second = WorkspaceHashes.open(root);
    expect(await second.hash(a, false)).toEqual({ md5: 'b1946ac92492d2347c6235b4d2611184', size: 6 });
    expect((await second.hash(b, true)).md5).toBe('b1946ac92492d2347c6235b4d2611184');
    // The DVC 3 hash of b was never recorded: it is read.
    expect((await second.hash(b, false)).md5).toBe('af5597c29467a96523a70787c319f4db');
    expect([second.hashed, second.trusted]).toEqual([1, 2]);
  });

  it('a changed mtime, size or inode hashes again', async () => {
    const a = settled('a.txt', 'one\n');
    const first = WorkspaceHashes.open(root);
    await first.hash(a, false);
    first.save();
    // Same size, new bytes, new mtime.
    fs.writeFileSync(a, 'two\n');
    const later = new Date(Date.now() - 30_000);
    fs.utimesSync(a, later, later);
    const second = WorkspaceHashes.open(root);
    expect((await second.hash(a, false)).md5).toBe(crypto.createHash('md5').update('two\n').digest('hex'));
    expect(second.hashed).toBe(1);
    second.save();
    // Same mtime as recorded, but a new file (new inode) of the same size.
    const st = fs.statSync(a);
    fs.rmSync(a);
    fs.writeFileSync(path.join(root, 'other'), 'x'); // keeps the old inode from being reused at once
    fs.writeFileSync(a, 'six\n');
    fs.utimesSync(a, st.atime, st.mtime);
    const third = WorkspaceHashes.open(root);
    await third.hash(a, false);
    expect([third.hashed, third.trusted]).toEqual([1, 0]);
  });

  it('a file modified in the second before hashing is not recorded', async () => {
    const fresh = path.join(root, 'fresh.txt');
    fs.writeFileSync(fresh, 'new\n');
    const first = WorkspaceHashes.open(root);
    await first.hash(fresh, false);
    first.save();
    const second = WorkspaceHashes.open(root);
    await second.hash(fresh, false);
    expect([second.hashed, second.trusted]).toEqual([1, 0]);
  });

  it('an unreadable or foreign state file is ignored', async () => {
    const a = settled('a.txt', 'hello\n');
    fs.mkdirSync(path.join(root, '.dvc/tmp'));
    for (const junk of ['garbage\n1 2 3', 'mlops-actions hash state 1\nnot a line\n1:2 x y z w']) {
      fs.writeFileSync(path.join(root, STATE_FILE), junk);
      const h = WorkspaceHashes.open(root);
      expect((await h.hash(a, false)).md5).toBe('b1946ac92492d2347c6235b4d2611184');
      expect(h.hashed).toBe(1);
    }
  });

  it('holds at most its limit, dropping the least recently used', async () => {
    const files = ['a', 'b', 'c'].map((n) => settled(n, n));
    const state = new HashState(path.join(root, STATE_FILE), 2);
    const h = new WorkspaceHashes(state);
    for (const f of files) await h.hash(f, false);
    await h.hash(files[0], false); // a used again: b is now the oldest
    state.save();
    const again = HashState.load(root);
    expect(again.size).toBe(2);
    const h2 = new WorkspaceHashes(again);
    for (const f of files) await h2.hash(f, false);
    expect([h2.hashed, h2.trusted]).toEqual([1, 2]);
  });

  it('keeps files of another device, and inode numbers past 2^53, apart and through a save', async () => {
    const a = settled('a.txt', 'hello\n');
    const stat = fs.statSync(a, { bigint: true });
    const md5 = 'b1946ac92492d2347c6235b4d2611184';
    const line = (dev: bigint, ino: bigint) => `${dev}:${ino} ${stat.size} ${stat.mtimeNs} ${md5} -`;
    // The same inode number on another device, and a huge one on this device: neither is `a.txt`.
    const other = 'f'.repeat(32);
    fs.mkdirSync(path.join(root, '.dvc/tmp'));
    fs.writeFileSync(
      path.join(root, STATE_FILE),
      [
        'mlops-actions hash state 1',
        line(stat.dev, stat.ino),
        line(stat.dev + 1n, stat.ino).replace(md5, other),
        line(stat.dev, 2n ** 60n).replace(md5, other),
        ''
      ].join('\n')
    );
    const state = HashState.load(root);
    expect(state.size).toBe(3);
    expect(state.lookup(stat, false)).toBe(md5);
    expect(state.lookup({ ...stat, dev: stat.dev + 1n }, false)).toBe(other);
    expect(state.lookup({ ...stat, ino: 2n ** 60n }, false)).toBe(other);
    expect(state.lookup({ ...stat, ino: 2n ** 60n + 1n }, false)).toBeUndefined();
    state.record({ ...stat, ino: 7n } as fs.BigIntStats, false, md5);
    state.save();
    const text = fs.readFileSync(path.join(root, STATE_FILE), 'utf8');
    expect(text).toContain(`${stat.dev + 1n}:${stat.ino} `);
    expect(text).toContain(`${stat.dev}:${2n ** 60n} `);
    expect(text).toContain(`${stat.dev}:7 `);
    expect(HashState.load(root).size).toBe(4);
  });

  it('a state that cannot be written is skipped without an error', async () => {
    fs.writeFileSync(path.join(root, '.dvc/tmp'), 'a file where the folder goes');
    const h = WorkspaceHashes.open(root);
    await h.hash(settled('a.txt', 'x'), false);
    expect(() => h.save()).not.toThrow();
  });
});
