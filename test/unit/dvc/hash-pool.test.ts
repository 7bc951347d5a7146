/** The worker threads hash exactly as hash.ts does, DVC 2's dos2unix rule included, on every core. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHUNK_SIZE, hashFile } from '../../../src/dvc/hash.js';
import { HashPool } from '../../../src/dvc/hash-pool.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hash-pool-'));
const pool = new HashPool(2);
afterAll(async () => {
  await pool.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const text = (n: number) => Buffer.from('line of text\r\n'.repeat(Math.ceil(n / 14)).slice(0, n));
const CASES: Record<string, Buffer> = {
  empty: Buffer.alloc(0),
  'crlf text': Buffer.from('hello\r\nworld\r\n'),
  // A CRLF split by the 1 MiB chunk boundary stays as it is, as in DVC.
  'crlf across the chunk boundary': Buffer.concat([text(CHUNK_SIZE - 1), Buffer.from('\r\n'), text(5000)]),
  'exactly one chunk': text(CHUNK_SIZE),
  'three chunks of text': text(3 * CHUNK_SIZE + 17),
  'binary (a NUL early)': Buffer.concat([Buffer.from('a\r\n\0'), text(2 * CHUNK_SIZE)]),
  'random 5 MB': crypto.randomBytes(5 * 1024 * 1024 + 3)
};

describe('HashPool', () => {
  it.each(Object.entries(CASES))(
    '%s: the same md5 and size as hashFile, DVC 3 and DVC 2',
    async (name, data) => {
      const file = path.join(dir, name.replace(/\W+/g, '-'));
      fs.writeFileSync(file, data);
      for (const legacy of [false, true]) {
        expect(await pool.hash(file, legacy)).toEqual(await hashFile(file, legacy));
      }
    }
  );

  it('hashes many files at once, each answer going to its own file', async () => {
    const files = Array.from({ length: 40 }, (_, i) => {
      const file = path.join(dir, `many-${i}`);
      fs.writeFileSync(file, crypto.randomBytes(100_000 + i));
      return file;
    });
    const got = await Promise.all(files.map((f) => pool.hash(f, false)));
    const want = await Promise.all(files.map((f) => hashFile(f)));
    expect(got).toEqual(want);
  });

  it('a missing file fails that hash with ENOENT; the pool keeps working', async () => {
    await expect(pool.hash(path.join(dir, 'nope'), false)).rejects.toMatchObject({ code: 'ENOENT' });
    const file = path.join(dir, 'after');
    fs.writeFileSync(file, 'hello\n');
    expect((await pool.hash(file, false)).md5).toBe('b1946ac92492d2347c6235b4d2611184');
  });
});
