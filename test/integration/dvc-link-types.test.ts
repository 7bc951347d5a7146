/**
 * cache.type through the dvc-pull bundle against s3rver: with hardlink the workspace files are the
 * cached objects (a large one included: written once, not twice), with symlink they point at them;
 * a second pull finds them up to date and downloads nothing; dvc-push with commit reads the links as
 * their objects; the summary says how files were placed.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { runBundle } from '../helpers/bundle.js';
import { startS3, type RunningS3 } from '../helpers/s3.js';
import { dvcAdd, initRepo, removeTempDirs, tempDir, writeFiles } from '../helpers/dvc-repo.js';

afterAll(removeTempDirs);

let s3: RunningS3;
let source: string;
const big = crypto.randomBytes(40 * 1024 * 1024);
const files: Record<string, string | Buffer> = {
  'data/a.txt': 'a\n',
  'data/sub/b.txt': 'b\n',
  'data/empty.txt': '',
  'big.bin': big,
  'run.sh': '#!/bin/sh\necho hi\n'
};

beforeAll(async () => {
  s3 = await startS3(['dvc']);
  source = tempDir('links');
  initRepo(source, { storage: { url: 's3://dvc/links', endpointurl: s3.url } });
  writeFiles(source, files);
  await dvcAdd(source, 'data');
  await dvcAdd(source, 'big.bin');
  await dvcAdd(source, 'run.sh', { fields: { isexec: true } });
  const push = await runBundle('dvc-push', {}, { workspace: source, env: s3.env });
  expect(push.errors).toEqual([]);
}, 120_000);
afterAll(() => s3?.stop());

/** A clone with no data whose .dvc/config sets cache.type. */
function clone(type: string): string {
  const dir = tempDir('links-clone');
  initRepo(dir, { storage: { url: 's3://dvc/links', endpointurl: s3.url } });
  fs.appendFileSync(path.join(dir, '.dvc/config'), `[cache]\n    type = ${type}\n`);
  for (const f of ['data.dvc', 'big.bin.dvc', 'run.sh.dvc'])
    fs.copyFileSync(path.join(source, f), path.join(dir, f));
  return dir;
}

/** The cached object a workspace file's content names. */
const cached = (dir: string, rel: string) => {
  const md5 = crypto
    .createHash('md5')
    .update(fs.readFileSync(path.join(dir, rel)))
    .digest('hex');
  return path.join(dir, '.dvc/cache/files/md5', md5.slice(0, 2), md5.slice(2));
};
const pull = (dir: string) => runBundle('dvc-pull', {}, { workspace: dir, env: s3.env });

describe('cache.type', () => {
  it('hardlink: every non-empty file is its cached object (read-only); a second pull changes nothing', async () => {
    const dir = clone('hardlink,copy');
    const first = await pull(dir);
    expect(first.errors).toEqual([]);
    for (const [rel, content] of Object.entries(files)) {
      expect(fs.readFileSync(path.join(dir, rel)).equals(Buffer.from(content))).toBe(true);
      const ws = fs.lstatSync(path.join(dir, rel));
      if (content.length) {
        expect(ws.ino).toBe(fs.statSync(cached(dir, rel)).ino);
        expect(ws.mode & 0o222).toBe(0);
      } else expect(ws.nlink).toBe(1); // empty files get one of their own, as dvc
    }
    expect(fs.statSync(path.join(dir, 'run.sh')).mode & 0o111).toBe(0o111);
    expect(first.summary).toMatch(/Workspace files placed by \| cache\.type hardlink,copy: 5 hardlink \|/);
    expect(first.log).toContain('Checked out with cache.type hardlink,copy: 5 hardlink.');
    expect(Number(first.outputs.bytes)).toBeGreaterThan(big.length);

    const inodes = Object.keys(files).map((rel) => fs.lstatSync(path.join(dir, rel)).ino);
    const second = await pull(dir);
    expect(second.errors).toEqual([]);
    expect(second.outputs.bytes).toBe('0');
    expect(Object.keys(files).map((rel) => fs.lstatSync(path.join(dir, rel)).ino)).toEqual(inodes);
  }, 120_000);

  it('symlink: files point at the cached objects; a second pull keeps the links and downloads nothing', async () => {
    const dir = clone('symlink');
    const first = await pull(dir);
    expect(first.errors).toEqual([]);
    for (const [rel, content] of Object.entries(files)) {
      expect(fs.lstatSync(path.join(dir, rel)).isSymbolicLink()).toBe(true);
      expect(fs.readlinkSync(path.join(dir, rel))).toBe(cached(dir, rel));
      expect(fs.readFileSync(path.join(dir, rel)).equals(Buffer.from(content))).toBe(true);
    }
    const second = await pull(dir);
    expect(second.errors).toEqual([]);
    expect(second.outputs.bytes).toBe('0');
    expect(second.log).not.toContain('Checked out with');
    for (const rel of Object.keys(files))
      expect(fs.lstatSync(path.join(dir, rel)).isSymbolicLink()).toBe(true);

    // dvc-push with commit reads each link as the object it points at: nothing to record or upload.
    const dvcFiles = () =>
      ['data.dvc', 'big.bin.dvc', 'run.sh.dvc'].map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
    const before = dvcFiles();
    const push = await runBundle('dvc-push', { commit: 'true' }, { workspace: dir, env: s3.env });
    expect(push.errors).toEqual([]);
    expect(dvcFiles()).toEqual(before);
    expect(push.outputs.uploaded).toBe('0');
  }, 120_000);

  it('back to copies: a pull with the default types replaces symlinks with files of their own', async () => {
    const dir = clone('symlink');
    expect((await pull(dir)).errors).toEqual([]);
    fs.writeFileSync(
      path.join(dir, '.dvc/config'),
      fs.readFileSync(path.join(dir, '.dvc/config'), 'utf8').replace(/\[cache\][^[]*/, '')
    );
    const again = await pull(dir);
    expect(again.errors).toEqual([]);
    for (const [rel, content] of Object.entries(files)) {
      const ws = fs.lstatSync(path.join(dir, rel));
      expect(ws.isFile()).toBe(true);
      expect(ws.nlink).toBe(1);
      expect(fs.readFileSync(path.join(dir, rel)).equals(Buffer.from(content))).toBe(true);
    }
  }, 120_000);
});
