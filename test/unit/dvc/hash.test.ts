/** The spec's test vectors (shared/specs/dvc.md) and the corners of DVC's hashing and manifests. */
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CHUNK_SIZE,
  compareCodePoints,
  hashFile,
  isText,
  manifestId,
  md5Bytes,
  ObjectHasher,
  pythonJsonString,
  serializeManifest
} from '../../../src/dvc/hash.js';
import { objectKey } from '../../../src/dvc/remote.js';
import { S3Remote } from '../../../src/dvc/s3.js';
import type { S3Client } from '@aws-sdk/client-s3';

const md5 = (b: Buffer | string) => crypto.createHash('md5').update(b).digest('hex');

describe('file hashes (spec vectors)', () => {
  it('DVC 3: md5 of the raw bytes', () => {
    expect(md5Bytes(Buffer.from('hello\n'))).toBe('b1946ac92492d2347c6235b4d2611184');
    expect(md5Bytes(Buffer.alloc(0))).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(md5Bytes(Buffer.from('hello\r\n'))).toBe('af5597c29467a96523a70787c319f4db');
  });

  it('DVC 2 (legacy): CRLF becomes LF in text files', () => {
    expect(md5Bytes(Buffer.from('hello\r\n'), true)).toBe('b1946ac92492d2347c6235b4d2611184');
    expect(md5Bytes(Buffer.alloc(0), true)).toBe('d41d8cd98f00b204e9800998ecf8427e');
  });

  it('DVC 2: a NUL in the first 512 bytes, or more than 30% non-text bytes, makes it binary', () => {
    const withNul = Buffer.from('a\r\n\0b\r\n');
    expect(md5Bytes(withNul, true)).toBe(md5(withNul));
    // 10 bytes, 3 non-text: 30% is still text; 4 is binary.
    expect(isText(Buffer.from([0x80, 0x81, 0x82, 65, 66, 67, 68, 69, 70, 71]))).toBe(true);
    expect(isText(Buffer.from([0x80, 0x81, 0x82, 0x83, 66, 67, 68, 69, 70, 71]))).toBe(false);
    expect(isText(Buffer.from('\n\r\t\f\b text'))).toBe(true);
    // Only the first 512 bytes count.
    const lateNul = Buffer.concat([Buffer.from('x\r\n'.repeat(200)), Buffer.from([0])]);
    expect(md5Bytes(lateNul, true)).toBe(
      md5(Buffer.concat([Buffer.from('x\n'.repeat(200)), Buffer.from([0])]))
    );
  });

  it('DVC 2: CRLF is replaced within each 1 MiB chunk, so a pair split by a chunk boundary stays', () => {
    const data = Buffer.alloc(CHUNK_SIZE + 6, 'a');
    data.write('\r', CHUNK_SIZE - 1, 'latin1');
    data.write('\n', CHUNK_SIZE, 'latin1');
    data.write('\r\n', CHUNK_SIZE + 2, 'latin1');
    // Independently: each chunk as text with CRLF -> LF.
    const chunk = (b: Buffer) => Buffer.from(b.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    const expected = md5(
      Buffer.concat([chunk(data.subarray(0, CHUNK_SIZE)), chunk(data.subarray(CHUNK_SIZE))])
    );
    expect(md5Bytes(data, true)).toBe(expected);
    // Fed in odd pieces, the same.
    const h = new ObjectHasher(true);
    for (let i = 0; i < data.length; i += 77_777) h.update(data.subarray(i, i + 77_777));
    expect(h.digest()).toBe(expected);
  });

  it('hashFile agrees with md5Bytes for small and large files, both kinds', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dvc-hash-'));
    const big = Buffer.from('line\r\n'.repeat(1_500_000));
    for (const [name, data] of [
      ['small', Buffer.from('a\r\nb\r\n')],
      ['big', big],
      ['empty', Buffer.alloc(0)]
    ] as const) {
      fs.writeFileSync(path.join(dir, name), data);
      for (const legacy of [false, true]) {
        expect(await hashFile(path.join(dir, name), legacy)).toEqual({
          md5: md5Bytes(data, legacy),
          size: data.length
        });
      }
    }
    expect((await hashFile(path.join(dir, 'big'))).md5).toBe(md5(big));
    fs.rmSync(dir, { recursive: true });
  });
});

describe('.dir manifests (spec vectors)', () => {
  it('the 134-byte manifest of a.txt and sub/b.txt, and its id', () => {
    const manifest = serializeManifest([
      { relpath: 'sub/b.txt', md5: md5('b\n') },
      { relpath: 'a.txt', md5: md5('a\n') }
    ]);
    expect(manifest.toString()).toBe(
      '[{"md5": "60b725f10c9c85c70d97880dfe8191b3", "relpath": "a.txt"}, {"md5": "3b5d5c3712955042212316173ccf37be", "relpath": "sub/b.txt"}]'
    );
    expect(manifest.length).toBe(134);
    expect(manifestId(manifest)).toBe('849835d274483dc683eb416d6e4f887d.dir');
  });

  it('an empty folder is []', () => {
    expect(serializeManifest([]).toString()).toBe('[]');
    expect(manifestId(serializeManifest([]))).toBe('d751713988987e9331980363e24189ce.dir');
  });

  it('escapes like ensure_ascii: lowercase \\uXXXX, surrogate pairs above U+FFFF, short escapes', () => {
    expect(pythonJsonString('données/日本.txt')).toBe('"donn\\u00e9es/\\u65e5\\u672c.txt"');
    expect(pythonJsonString('emoji-😀')).toBe('"emoji-\\ud83d\\ude00"');
    expect(pythonJsonString('q"b\\s\n\r\t\b\f\u0001\u007f~ ')).toBe(
      '"q\\"b\\\\s\\n\\r\\t\\b\\f\\u0001\\u007f~ "'
    );
  });

  it('sorts by code point, not by UTF-16 unit', () => {
    // U+FB00 < U+1F600 by code point; JavaScript's default sort puts the surrogate pair first.
    const names = ['😀', 'ﬀ', 'a', 'Z', 'a b', 'a/b'];
    expect([...names].sort()).toEqual(['Z', 'a', 'a b', 'a/b', '😀', 'ﬀ']);
    expect([...names].sort(compareCodePoints)).toEqual(['Z', 'a', 'a b', 'a/b', 'ﬀ', '😀']);
    const manifest = serializeManifest(names.map((relpath) => ({ relpath, md5: md5(relpath) }))).toString();
    expect(manifest.indexOf('\\ufb00')).toBeLessThan(manifest.indexOf('\\ud83d'));
  });

  const python = spawnSync('python3', ['-c', 'print(1)']).status === 0;
  (python ? it : it.skip)('matches Python json.dumps(sorted(...), sort_keys=True) byte for byte', () => {
    const names = [
      'a.txt',
      'sub dir/with space.csv',
      'ünï/cödé.txt',
      '日本語/ファイル',
      'emoji/😀.png',
      'math/𝔸𝔹.txt',
      'ﬀ',
      'quote"and\\back',
      'tab\tnew\nline',
      'del\u007f',
      'Z',
      'z',
      '~tilde',
      ''.padEnd(3, '\u00a0')
    ];
    const entries = names.map((relpath) => ({ relpath, md5: md5(relpath) }));
    const script =
      'import json,sys\nentries=json.load(sys.stdin)\n' +
      'sys.stdout.write(json.dumps(sorted(entries, key=lambda e: e["relpath"]), sort_keys=True))';
    const out = spawnSync('python3', ['-c', script], { input: JSON.stringify(entries) });
    expect(out.status).toBe(0);
    expect(serializeManifest(entries).equals(out.stdout)).toBe(true);
  });
});

describe('object layouts (spec vectors)', () => {
  const dir = '849835d274483dc683eb416d6e4f887d.dir';
  it('cache and remote keys: files/md5/XX/REST for DVC 3, XX/REST for legacy', () => {
    expect(objectKey({ id: dir, legacy: false })).toBe('files/md5/84/9835d274483dc683eb416d6e4f887d.dir');
    expect(objectKey({ id: dir, legacy: true })).toBe('84/9835d274483dc683eb416d6e4f887d.dir');
    expect(objectKey({ id: 'b1946ac92492d2347c6235b4d2611184', legacy: true })).toBe(
      'b1/946ac92492d2347c6235b4d2611184'
    );
  });

  it('S3 keys: the url prefix, then the layout; a bare bucket has no prefix', async () => {
    const seen: Array<{ Bucket: string; Key: string }> = [];
    const client = {
      send: async (cmd: { input: { Bucket: string; Key: string } }) => (seen.push(cmd.input), {})
    };
    await new S3Remote(client as unknown as S3Client, 'mybucket', 'dvcstore', 4).exists(
      objectKey({ id: dir, legacy: false })
    );
    await new S3Remote(client as unknown as S3Client, 'mybucket', '', 4).exists(
      objectKey({ id: dir, legacy: false })
    );
    await new S3Remote(client as unknown as S3Client, 'mybucket', 'dvcstore', 4).exists(
      objectKey({ id: dir, legacy: true })
    );
    expect(seen).toEqual([
      { Bucket: 'mybucket', Key: 'dvcstore/files/md5/84/9835d274483dc683eb416d6e4f887d.dir' },
      { Bucket: 'mybucket', Key: 'files/md5/84/9835d274483dc683eb416d6e4f887d.dir' },
      { Bucket: 'mybucket', Key: 'dvcstore/84/9835d274483dc683eb416d6e4f887d.dir' }
    ]);
  });
});
