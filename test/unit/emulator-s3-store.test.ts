/**
 * The emulator's S3 store writes atomically: a crash at any step of a write (every file-system call
 * from the k-th on fails, as if the process died there) leaves the old object or the new one, whole,
 * with matching metadata, never a mix, as a restarted emulator reads it.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { S3Store } from '../../src/emulator/services/s3/index.js';

const MUTATING = [
  'writeFileSync',
  'renameSync',
  'rmSync',
  'copyFileSync',
  'openSync',
  'writeSync',
  'mkdirSync'
] as const;
const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');

/** Runs `write` with every mutating fs call from the k-th on throwing; true if it completed. */
function crashingAt(k: number, write: () => void): boolean {
  const originals = new Map(MUTATING.map((name) => [name, fs[name]]));
  let calls = 0;
  for (const name of MUTATING) {
    const original = originals.get(name) as (...args: unknown[]) => unknown;
    (fs as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      if (++calls >= k) throw new Error(`crash at fs call ${k} (${name})`);
      return original(...args);
    };
  }
  try {
    write();
    return true;
  } catch (e) {
    if (!String((e as Error).message).startsWith('crash at')) throw e;
    return false;
  } finally {
    for (const [name, original] of originals) (fs as unknown as Record<string, unknown>)[name] = original;
  }
}

/** What a restarted emulator reads: undefined (no object) or the bytes, checked against the metadata. */
function readBack(root: string, key: string): string | undefined {
  const store = new S3Store(root);
  const meta = store.head('bkt', key);
  if (!meta) return undefined;
  const data = store.read('bkt', key);
  expect(data.length).toBe(meta.size);
  if (!meta.etag.includes('-')) expect(md5(data)).toBe(meta.etag);
  return data.toString('utf8');
}

function fresh(): { root: string; store: S3Store } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 's3-store-'));
  const store = new S3Store(root);
  store.createBucket('bkt');
  return { root, store };
}

/** Crashes `write` at each step in turn; after each, the object is `before` or `after`. */
function everyCrash(
  setup: (store: S3Store) => void,
  write: (store: S3Store) => void,
  key: string,
  before: string | undefined,
  after: string | undefined
) {
  const seen = new Set<string | undefined>();
  for (let k = 1; ; k++) {
    const { root, store } = fresh();
    setup(store);
    const done = crashingAt(k, () => write(store));
    const now = readBack(root, key);
    expect([before, after]).toContain(now);
    seen.add(now);
    if (done) {
      expect(now).toBe(after);
      break;
    }
    expect(k).toBeLessThan(100);
  }
  expect(seen).toEqual(new Set([before, after]));
}

describe('S3Store writes are atomic', () => {
  it('overwriting an object with a buffer', () => {
    everyCrash(
      (s) => s.put('bkt', 'k', Buffer.from('old bytes'), 'text/plain', { v: '1' }),
      (s) => s.put('bkt', 'k', Buffer.from('the NEW, longer bytes'), 'text/plain', { v: '2' }),
      'k',
      'old bytes',
      'the NEW, longer bytes'
    );
  });

  it('creating an object', () => {
    everyCrash(
      () => undefined,
      (s) => s.put('bkt', 'new', Buffer.from('first')),
      'new',
      undefined,
      'first'
    );
  });

  it('overwriting with a copy (CopyObject) and with parts (CompleteMultipartUpload)', () => {
    everyCrash(
      (s) => {
        s.put('bkt', 'src', Buffer.from('copied bytes'));
        s.put('bkt', 'dst', Buffer.from('old'));
      },
      (s) => s.put('bkt', 'dst', (file) => fs.copyFileSync(s.objectFile('bkt', 'src'), file)),
      'dst',
      'old',
      'copied bytes'
    );
    everyCrash(
      (s) => s.put('bkt', 'mp', Buffer.from('old')),
      (s) =>
        s.put(
          'bkt',
          'mp',
          (file) => {
            const fd = fs.openSync(file, 'w');
            fs.writeSync(fd, Buffer.from('part one|'));
            fs.writeSync(fd, Buffer.from('part two'));
            fs.closeSync(fd);
          },
          'binary/octet-stream',
          {},
          'abc-2'
        ),
      'mp',
      'old',
      'part one|part two'
    );
  });

  it('deleting an object', () => {
    everyCrash(
      (s) => s.put('bkt', 'gone', Buffer.from('bytes')),
      (s) => s.delete('bkt', 'gone'),
      'gone',
      'bytes',
      undefined
    );
  });

  it('leaves no stray data file after a completed overwrite', () => {
    const { root, store } = fresh();
    store.put('bkt', 'k', Buffer.from('one'));
    store.put('bkt', 'k', Buffer.from('two'));
    expect(fs.readdirSync(path.join(root, 'bkt', 'objects'))).toHaveLength(2);
    expect(fs.readFileSync(store.objectFile('bkt', 'k'), 'utf8')).toBe('two');
  });

  it('reads objects in the earlier layout (data beside metadata) and replaces them cleanly', () => {
    const { root, store } = fresh();
    const base =
      Buffer.from('old/key').toString('hex') + '-' + createHash('sha1').update('old/key').digest('hex');
    const dir = path.join(root, 'bkt', 'objects');
    fs.writeFileSync(path.join(dir, base), 'legacy');
    fs.writeFileSync(
      path.join(dir, `${base}.json`),
      JSON.stringify({
        key: 'old/key',
        size: 6,
        etag: md5('legacy'),
        contentType: 'text/plain',
        lastModified: new Date().toISOString(),
        metadata: {}
      })
    );
    expect(store.read('bkt', 'old/key').toString()).toBe('legacy');
    expect(store.list('bkt').map((o) => o.key)).toEqual(['old/key']);
    store.put('bkt', 'old/key', Buffer.from('new'));
    expect(fs.existsSync(path.join(dir, base))).toBe(false);
    expect(readBack(root, 'old/key')).toBe('new');
  });
});
