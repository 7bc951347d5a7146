/**
 * Many files through the dvc-push and dvc-pull bundles against s3rver: a round trip of 2,000 files,
 * the state of hashes (a second run reads no unchanged file; a changed mtime or content is read
 * again), granular targets (a path inside a tracked folder pulls or pushes only what is below it),
 * and targets that would leave the workspace, refused in one sentence.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runBundle } from '../helpers/bundle.js';
import { startS3, type RunningS3 } from '../helpers/s3.js';
import { dvcAdd, initRepo, removeTempDirs, tempDir, tree, writeFiles } from '../helpers/dvc-repo.js';

afterAll(removeTempDirs);

let s3: RunningS3;
let source: string;
beforeAll(async () => {
  s3 = await startS3(['dvc']);
  source = tempDir('dvc-many');
  initRepo(source, { storage: { url: 's3://dvc/many', endpointurl: s3.url } });
  writeFiles(source, DATA);
  await dvcAdd(source, 'data');
  const pushed = await runBundle('dvc-push', {}, { workspace: source, env: s3.env });
  expect(pushed.errors).toEqual([]);
  expect(pushed.outputs.uploaded).toBe('2001');
}, 300_000);
afterAll(() => s3?.stop());

const DATA: Record<string, string> = {};
for (let i = 0; i < 300; i++) DATA[`data/images/cats/c${i}.txt`] = `cat ${i}\n`;
for (let i = 0; i < 300; i++) DATA[`data/images/dogs/d${i}.txt`] = `dog ${i}\n`;
for (let i = 0; i < 1400; i++) DATA[`data/labels/${Math.floor(i / 100)}/l${i}.txt`] = `label ${i}\n`;

function cloneOf(root: string): string {
  const clone = tempDir('dvc-many-clone');
  for (const f of ['.dvc/config', 'data.dvc'])
    writeFiles(clone, { [f]: fs.readFileSync(path.join(root, f)) });
  return clone;
}

/** Sets a file's times a while back: the state records only files that settled before hashing. */
function age(file: string, secondsAgo: number): void {
  const then = new Date(Date.now() - secondsAgo * 1000);
  fs.utimesSync(file, then, then);
}

const hashingRow = (hashed: number, trusted: number) =>
  `| Workspace files hashed / trusted unchanged | ${hashed} / ${trusted} |`;

describe('many files through the bundles', () => {
  it('2,000 files round trip; a second pull reads none of them, a touched file is read again', async () => {
    const clone = cloneOf(source);
    const first = await runBundle('dvc-pull', {}, { workspace: clone, env: s3.env });
    expect(first.errors).toEqual([]);
    expect(first.outputs).toMatchObject({ files: '2000', downloaded: '2001', missing: '0' });
    expect(tree(path.join(clone, 'data'))).toEqual(tree(path.join(source, 'data')));
    expect(fs.existsSync(path.join(clone, '.dvc/tmp/mlops-hashes'))).toBe(true);

    // Every file the pull wrote was recorded: the status check before the next pull reads none.
    const second = await runBundle('dvc-pull', {}, { workspace: clone, env: s3.env });
    expect(second.outputs).toMatchObject({ files: '2000', downloaded: '0' });
    expect(second.log).toContain(
      'Hashing: hashed 0 workspace file(s), trusted 2000 unchanged one(s) recorded in .dvc/tmp/mlops-hashes.'
    );
    expect(second.summary).toContain(hashingRow(0, 2000));

    // Only the mtime changes: that file is read again (and still matches).
    age(path.join(clone, 'data/labels/3/l345.txt'), 5);
    const third = await runBundle('dvc-pull', {}, { workspace: clone, env: s3.env });
    expect(third.errors).toEqual([]);
    expect(third.summary).toContain(hashingRow(1, 1999));
  });

  it('push with commit: a second run trusts every unchanged file; a changed one is hashed and pushed', async () => {
    const root = tempDir('dvc-many-commit');
    initRepo(root, { storage: { url: 's3://dvc/commit', endpointurl: s3.url } });
    const files: Record<string, string | Buffer> = {};
    for (let i = 0; i < 200; i++) files[`set/f${i}.txt`] = `row ${i}\r\n`;
    // Mid-size files: hashed on the worker threads.
    for (let i = 0; i < 4; i++) files[`set/big${i}.bin`] = Buffer.alloc(300_000 + i, i + 1);
    writeFiles(root, files);
    await dvcAdd(root, 'set');
    for (const f of Object.keys(files)) age(path.join(root, f), 60);

    const first = await runBundle('dvc-push', { commit: 'true' }, { workspace: root, env: s3.env });
    expect(first.errors).toEqual([]);
    expect(first.summary).toContain(hashingRow(204, 0));
    expect(first.outputs.committed).toBe('');

    const second = await runBundle('dvc-push', { commit: 'true' }, { workspace: root, env: s3.env });
    expect(second.summary).toContain(hashingRow(0, 204));
    expect(second.outputs).toMatchObject({ uploaded: '0', committed: '' });

    // Same size, new bytes, an mtime of its own: read again, recorded and pushed.
    fs.writeFileSync(path.join(root, 'set/big2.bin'), Buffer.alloc(300_002, 9));
    age(path.join(root, 'set/big2.bin'), 30);
    const third = await runBundle('dvc-push', { commit: 'true' }, { workspace: root, env: s3.env });
    expect(third.errors).toEqual([]);
    expect(third.summary).toContain(hashingRow(1, 203));
    expect(third.outputs).toMatchObject({ uploaded: '2', committed: 'set.dvc' });
  });

  it('a granular target pulls only the files below it and leaves the rest of the folder alone', async () => {
    const clone = cloneOf(source);
    // Unsaved work elsewhere in the folder: not the target's business, so no conflict.
    writeFiles(clone, { 'data/images/dogs/d1.txt': 'my own dog\n', 'data/notes.txt': 'mine\n' });
    const pulled = await runBundle(
      'dvc-pull',
      { targets: 'data/images/cats' },
      { workspace: clone, env: s3.env }
    );
    expect(pulled.errors).toEqual([]);
    // The 300 cats and the folder's .dir manifest.
    expect(pulled.outputs).toMatchObject({ files: '300', downloaded: '301', missing: '0' });
    const got = tree(path.join(clone, 'data'));
    expect(Object.keys(got).filter((f) => f.startsWith('images/cats/'))).toHaveLength(300);
    expect(got['images/cats/c7.txt']).toBe('cat 7\n');
    expect(got['images/dogs/d1.txt']).toBe('my own dog\n');
    expect(got['notes.txt']).toBe('mine\n');
    expect(Object.keys(got)).toHaveLength(302);

    // Two files, one of them given twice through different spellings.
    const two = await runBundle(
      'dvc-pull',
      { targets: 'data/labels/0/l5.txt, ./data/labels/0/l5.txt, data/images/dogs/d2.txt' },
      { workspace: clone, env: s3.env }
    );
    expect(two.errors).toEqual([]);
    expect(two.outputs).toMatchObject({ files: '2' });
    expect(fs.readFileSync(path.join(clone, 'data/labels/0/l5.txt'), 'utf8')).toBe('label 5\n');
    expect(fs.existsSync(path.join(clone, 'data/labels/0/l6.txt'))).toBe(false);
  });

  it('a granular push sends only the files below the target, and no .dir (the folder is not complete)', async () => {
    const root = tempDir('dvc-many-gpush');
    initRepo(root, { storage: { url: 's3://dvc/granular', endpointurl: s3.url } });
    writeFiles(root, { 'data/a/1.txt': 'one\n', 'data/a/2.txt': 'two\n', 'data/b/3.txt': 'three\n' });
    const added = await dvcAdd(root, 'data');
    const pushed = await runBundle('dvc-push', { targets: 'data/a' }, { workspace: root, env: s3.env });
    expect(pushed.errors).toEqual([]);
    expect(pushed.outputs.uploaded).toBe('2');
    const keys = await s3.keys('dvc', 'granular/');
    const md5s = added.entries!.filter((e) => e.relpath.startsWith('a/')).map((e) => e.md5);
    expect(keys).toEqual(md5s.map((m) => `granular/files/md5/${m.slice(0, 2)}/${m.slice(2)}`).sort());
  });

  it.each([
    ['../outside', 'Input "targets" names "../outside", which is outside the working directory.'],
    [
      'data/images/../../../etc',
      'Input "targets" names "data/images/../../../etc", which is outside the working directory.'
    ],
    [
      'data/images/birds',
      'Input "targets" names data/images/birds, which the folder data (data.dvc) does not hold.'
    ]
  ])('target %s: refused in one sentence, nothing written', async (target, error) => {
    const clone = cloneOf(source);
    const before = tree(clone);
    const result = await runBundle('dvc-pull', { targets: target }, { workspace: clone, env: s3.env });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([error]);
    expect(fs.existsSync(path.join(clone, 'data'))).toBe(false);
    expect(Object.keys(tree(clone)).filter((f) => !f.startsWith('.dvc/'))).toEqual(
      Object.keys(before).filter((f) => !f.startsWith('.dvc/'))
    );
  });

  it('a target through a symbolic link that leads outside the workspace is refused, nothing written there', async () => {
    const clone = cloneOf(source);
    const elsewhere = tempDir('dvc-many-elsewhere');
    fs.mkdirSync(path.join(clone, 'data'));
    fs.symlinkSync(elsewhere, path.join(clone, 'data/images'));
    const result = await runBundle(
      'dvc-pull',
      { targets: 'data/images/cats' },
      { workspace: clone, env: s3.env }
    );
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toContain('goes through "data/images", a symbolic link');
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });
});
