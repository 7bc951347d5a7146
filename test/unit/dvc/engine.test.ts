/**
 * Pull and push end to end on real folders with an in-memory remote: what moves, in which order,
 * what is refused, what is left untouched; and the engine choice (native, dvc, auto).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { transfer, type DvcCommand, type RunOptions } from '../../../src/dvc/engine.js';
import { objectKey } from '../../../src/dvc/remote.js';
import { remoteHas } from '../../../src/dvc/push.js';
import { MemoryLogger } from '../../../src/report.js';
import { dvcAdd, initRepo, removeTempDirs, tempDir, tree, writeFiles } from '../../helpers/dvc-repo.js';
import { MemoryRemote } from '../../helpers/memory-remote.js';

afterAll(removeTempDirs);

function options(root: string, remote: MemoryRemote, extra: Partial<RunOptions> = {}): RunOptions {
  return {
    engine: 'native',
    root,
    targets: [],
    jobs: 4,
    openRemote: () => remote,
    attempts: 1,
    log: new MemoryLogger(),
    ...extra
  };
}

async function source(
  files: Record<string, string | Buffer> = { 'data/a.txt': 'a\n', 'data/sub/b.txt': 'b\n', 'data/empty': '' }
) {
  const root = tempDir('dvc-engine');
  initRepo(root, { storage: '/unused' });
  writeFiles(root, files);
  const data = await dvcAdd(root, 'data');
  return { root, data };
}

function clone(root: string, files = ['.dvc/config', 'data.dvc']): string {
  const dir = tempDir('dvc-engine-clone');
  for (const f of files) writeFiles(dir, { [f]: fs.readFileSync(path.join(root, f)) });
  return dir;
}

const md5 = (s: string) => crypto.createHash('md5').update(s).digest('hex');
const dirKey = (id: string) => objectKey({ id, legacy: false });

describe('push', () => {
  it('uploads entries first and the .dir last; a second push finds everything there', async () => {
    const { root, data } = await source();
    const remote = new MemoryRemote();
    const first = await transfer('push', options(root, remote));
    expect(first.failure).toBeUndefined();
    const puts = remote.calls.filter((c) => c.startsWith('put '));
    expect(puts).toHaveLength(4);
    expect(puts[puts.length - 1]).toBe(`put ${dirKey(data.id)}`);
    expect(first).toMatchObject({ transferred: 4, skipped: 0, files: 3 });

    remote.calls.length = 0;
    const second = await transfer('push', options(root, remote));
    expect(second).toMatchObject({ transferred: 0, skipped: 4 });
    // The .dir is there, so its entries are not even checked.
    expect(remote.calls).toEqual([`exists ${dirKey(data.id)}`]);
  });

  it('keeps the .dir back when an entry fails, and names the file; a re-run completes', async () => {
    const { root, data } = await source();
    const remote = new MemoryRemote();
    const bad = dirKey(data.entries!.find((e) => e.relpath === 'sub/b.txt')!.md5);
    remote.failPut.add(bad);
    const report = await transfer('push', options(root, remote));
    expect(report.failure).toMatch(
      /^data\/sub\/b\.txt: files\/md5\/3b\/.* could not be uploaded to mem:\/\/remote \(injected failure\)\. Run the push again: what arrived is kept\.$/
    );
    expect(remote.objects.has(dirKey(data.id))).toBe(false);
    remote.failPut.clear();
    const again = await transfer('push', options(root, remote));
    expect(again.failure).toBeUndefined();
    expect(again).toMatchObject({ transferred: 2, skipped: 2 });
    expect(remote.objects.has(dirKey(data.id))).toBe(true);
  });

  it('pushes from the workspace when the cache lacks an object; fails naming files found nowhere', async () => {
    const root = tempDir('dvc-engine');
    initRepo(root, { storage: '/unused' });
    writeFiles(root, { 'data/a.txt': 'a\n', 'data/b.txt': 'b\n', 'model.bin': 'weights' });
    const data = await dvcAdd(root, 'data', { noCache: true });
    await dvcAdd(root, 'model.bin', { noCache: true });
    const remote = new MemoryRemote();
    const ok = await transfer('push', options(root, remote));
    expect(ok.failure).toBeUndefined();
    expect(ok.transferred).toBe(4);
    expect(remote.objects.get(dirKey(data.id))?.toString()).toContain('"relpath": "a.txt"');

    const other = new MemoryRemote();
    fs.writeFileSync(path.join(root, 'data/b.txt'), 'changed\n');
    const failed = await transfer('push', options(root, other));
    expect(failed.failure).toBe(
      '1 file is neither in the DVC cache nor in the workspace with the tracked content (data/ (its .dir manifest files/md5/' +
        `${data.id.slice(0, 2)}/${data.id.slice(2)})), so it was not pushed; run dvc pull or dvc repro where the data exists, then push again.`
    );
    // model.bin still went up; nothing of the folder did.
    expect([...other.objects.keys()]).toEqual([objectKey({ id: md5('weights'), legacy: false })]);
  });

  it('never reads the workspace through a symbolic link: a folder inside a tracked one, or the tracked one', async () => {
    const root = tempDir('dvc-engine');
    initRepo(root, { storage: '/unused' });
    writeFiles(root, { 'data/sub/a.txt': 'a\n', 'data/b.txt': 'b\n', 'model/weights.bin': 'w' });
    await dvcAdd(root, 'data', { noCache: true });
    writeFiles(root, {
      'model.dvc': `outs:\n- md5: ${md5('w')}\n  size: 1\n  hash: md5\n  path: model/weights.bin\n`
    });
    const outside = tempDir('dvc-outside');
    fs.renameSync(path.join(root, 'data/sub'), path.join(outside, 'sub'));
    fs.symlinkSync(path.join(outside, 'sub'), path.join(root, 'data/sub'));
    const remote = new MemoryRemote();
    // The walk does not follow the link: the folder no longer matches its manifest, so nothing goes up.
    const nested = await transfer('push', options(root, remote, { targets: ['data.dvc'] }));
    expect(nested.failure).toMatch(/^1 file is neither in the DVC cache nor in the workspace/);
    fs.renameSync(path.join(root, 'model'), path.join(outside, 'model'));
    fs.symlinkSync(path.join(outside, 'model'), path.join(root, 'model'));
    await expect(transfer('push', options(root, remote, { targets: ['model.dvc'] }))).rejects.toThrow(
      'model.dvc: the path "model/weights.bin" goes through "model", a symbolic link, which could lead outside the working directory; replace the link with a real folder.'
    );
    expect(remote.objects.size).toBe(0);
  });

  it('cache: false and push: false outputs are left out of push and pull', async () => {
    const root = tempDir('dvc-engine');
    initRepo(root, { storage: '/unused' });
    writeFiles(root, { 'model.bin': 'weights', 'raw.csv': 'a,b\n', 'local.bin': 'local' });
    await dvcAdd(root, 'model.bin');
    writeFiles(root, {
      'raw.csv.dvc': `outs:\n- md5: ${md5('a,b\n')}\n  size: 4\n  hash: md5\n  path: raw.csv\n  cache: false\n`,
      'local.bin.dvc': `outs:\n- md5: ${md5('local')}\n  size: 5\n  hash: md5\n  path: local.bin\n  push: false\n`
    });
    const remote = new MemoryRemote();
    const pushed = await transfer('push', options(root, remote));
    expect(pushed.failure).toBeUndefined();
    expect([...remote.objects.keys()]).toEqual([objectKey({ id: md5('weights'), legacy: false })]);

    const dir = clone(root, ['.dvc/config', 'model.bin.dvc', 'raw.csv.dvc']);
    remote.calls.length = 0;
    const pulled = await transfer('pull', options(dir, remote));
    expect(pulled.failure).toBeUndefined();
    expect(pulled).toMatchObject({ missing: 0, files: 1 });
    expect(fs.existsSync(path.join(dir, 'raw.csv'))).toBe(false);
    expect(remote.calls.filter((c) => c.includes(md5('a,b\n')))).toEqual([]);
  });

  it('checks few objects with HEAD, many against a small remote with one listing, a huge remote by shards', async () => {
    const keys = (n: number, prefix = 'files/md5/') =>
      Array.from(
        { length: n },
        (_, i) => `${prefix}${(i % 256).toString(16).padStart(2, '0')}/${String(i).padStart(30, '0')}`
      );
    const small = new MemoryRemote();
    for (const k of keys(40)) small.objects.set(k, Buffer.from('x'));
    expect((await remoteHas(small, keys(10), false, 16)).size).toBe(10);
    expect([small.count('exists'), small.count('list')]).toEqual([10, 0]);

    small.calls.length = 0;
    expect((await remoteHas(small, keys(500), false, 16)).size).toBe(40);
    expect([small.count('exists'), small.calls]).toEqual([0, ['list files/md5/00/', 'list files/md5/']]);

    const huge = new MemoryRemote();
    for (const k of keys(30_000)) huge.objects.set(k, Buffer.from('x'));
    huge.calls.length = 0;
    // About 30,000 objects: 30 listing pages one after another, or 256 shard listings 16 at a time.
    expect((await remoteHas(huge, keys(5_000), false, 16)).size).toBe(5_000);
    expect(huge.count('exists')).toBe(0);
    expect(huge.count('list')).toBe(257);
  });
});

describe('pull', () => {
  async function pushed() {
    const src = await source({
      'data/a.txt': 'a\n',
      'data/sub/b.txt': 'b\n',
      'data/empty': '',
      'data/ü ñ/😀.txt': 'smile\n'
    });
    const remote = new MemoryRemote();
    expect((await transfer('push', options(src.root, remote))).failure).toBeUndefined();
    return { ...src, remote };
  }

  it('writes the folder and fills the cache read-only; a second pull moves nothing', async () => {
    const { root, remote } = await pushed();
    const dir = clone(root);
    const report = await transfer('pull', options(dir, remote));
    expect(report).toMatchObject({ files: 4, transferred: 5, missing: 0 });
    expect(tree(path.join(dir, 'data'))).toEqual(tree(path.join(root, 'data')));
    const again = await transfer('pull', options(dir, remote));
    expect(again).toMatchObject({ files: 4, transferred: 0, bytes: 0 });
  });

  it('refuses to destroy unsaved work, names it, changes nothing; force overwrites; cached content is replaced freely', async () => {
    const { root, remote } = await pushed();
    const dir = clone(root);
    await transfer('pull', options(dir, remote));
    fs.writeFileSync(path.join(dir, 'data/a.txt'), 'my edit\n');
    fs.writeFileSync(path.join(dir, 'data/notes.txt'), 'mine\n');
    const before = tree(path.join(dir, 'data'));
    await expect(transfer('pull', options(dir, remote))).rejects.toThrow(
      '2 workspace paths hold changes that are not in the DVC cache (data/a.txt, data/notes.txt): save them (dvc add / dvc commit, then dvc push) or set force: true to overwrite them.'
    );
    expect(tree(path.join(dir, 'data'))).toEqual(before);

    const forced = await transfer('pull', options(dir, remote, { force: true }));
    expect(forced.failure).toBeUndefined();
    expect(tree(path.join(dir, 'data'))).toEqual(tree(path.join(root, 'data')));

    // A file whose content is in the cache (an older pull) is not unsaved work.
    fs.writeFileSync(path.join(dir, 'data/a.txt'), 'b\n');
    expect((await transfer('pull', options(dir, remote))).failure).toBeUndefined();
    expect(fs.readFileSync(path.join(dir, 'data/a.txt'), 'utf8')).toBe('a\n');
  });

  it('removes files the manifest does not list when the cache holds them, and leftovers of a killed run', async () => {
    const { root, remote } = await pushed();
    const dir = clone(root);
    await transfer('pull', options(dir, remote));
    fs.copyFileSync(path.join(dir, 'data/a.txt'), path.join(dir, 'data/sub/old-copy.txt'));
    fs.mkdirSync(path.join(dir, 'data/gone/deeper'), { recursive: true });
    fs.copyFileSync(path.join(dir, 'data/a.txt'), path.join(dir, 'data/gone/deeper/x'));
    fs.writeFileSync(path.join(dir, 'data/.mlops-0123456789ab.tmp'), 'half a file');
    await transfer('pull', options(dir, remote));
    expect(tree(path.join(dir, 'data'))).toEqual(tree(path.join(root, 'data')));
    expect(fs.existsSync(path.join(dir, 'data/gone'))).toBe(false);
  });

  it('a corrupt object fails naming the file, leaves the output untouched and nothing in the cache', async () => {
    const { root, remote, data } = await pushed();
    const dir = clone(root);
    const key = dirKey(data.entries!.find((e) => e.relpath === 'sub/b.txt')!.md5);
    remote.corrupt.add(key);
    const report = await transfer('pull', options(dir, remote));
    expect(report.failure).toMatch(
      /^data\/sub\/b\.txt: the object files\/md5\/3b\/\w+ on mem:\/\/remote is corrupt \(its md5 is \w+, not 3b5d5c3712955042212316173ccf37be\)\./
    );
    expect(fs.existsSync(path.join(dir, 'data'))).toBe(false);
    const cached = path.join(dir, '.dvc/cache', key);
    expect(fs.existsSync(cached)).toBe(false);
    expect(fs.readdirSync(path.dirname(cached))).toEqual([]);
  });

  it('missing objects: fails naming them and leaves the output alone; allow-missing pulls the rest', async () => {
    const { root, remote, data } = await pushed();
    const key = dirKey(data.entries!.find((e) => e.relpath === 'a.txt')!.md5);
    remote.objects.delete(key);
    const dir = clone(root);
    const report = await transfer('pull', options(dir, remote));
    expect(report.failure).toBe(
      '1 file is missing on the remote (data/a.txt); push them from where they were created (dvc push), or set allow-missing: true to pull the rest.'
    );
    expect(report.missing).toBe(1);
    expect(fs.existsSync(path.join(dir, 'data'))).toBe(false);
    const partial = await transfer('pull', options(dir, remote, { allowMissing: true }));
    expect(partial.failure).toBeUndefined();
    expect(partial).toMatchObject({ files: 3, missing: 1 });
    expect(fs.existsSync(path.join(dir, 'data/a.txt'))).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'data/sub/b.txt'), 'utf8')).toBe('b\n');
  });

  it('isexec sets +x; a folder where a file goes and a file where a folder goes are replaced when empty or cached', async () => {
    const root = tempDir('dvc-engine');
    initRepo(root, { storage: '/unused' });
    writeFiles(root, { 'run.sh': '#!/bin/sh\necho hi\n', 'data/x': 'x\n' });
    await dvcAdd(root, 'run.sh', { fields: { isexec: true } });
    await dvcAdd(root, 'data');
    const remote = new MemoryRemote();
    await transfer('push', options(root, remote));
    const dir = clone(root, ['.dvc/config', 'run.sh.dvc', 'data.dvc']);
    fs.mkdirSync(path.join(dir, 'run.sh'));
    writeFiles(dir, { data: '' });
    const report = await transfer('pull', options(dir, remote, { umask: 0o022 }));
    expect(report.failure).toBeUndefined();
    expect(fs.statSync(path.join(dir, 'run.sh')).mode & 0o777).toBe(0o755);
    expect(fs.statSync(path.join(dir, 'data/x')).mode & 0o777).toBe(0o644);
  });

  it('legacy DVC 2 entries: legacy layout both ends, dos2unix hashes verified', async () => {
    const root = tempDir('dvc-engine');
    initRepo(root, { storage: '/unused' });
    writeFiles(root, { 'old/win.txt': 'line one\r\nline two\r\n', 'old/bin': Buffer.from([0, 13, 10, 255]) });
    const data = await dvcAdd(root, 'old', { legacy: true });
    const remote = new MemoryRemote();
    expect((await transfer('push', options(root, remote))).failure).toBeUndefined();
    expect([...remote.objects.keys()].every((k) => /^[0-9a-f]{2}\//.test(k))).toBe(true);
    expect(remote.objects.has(objectKey({ id: data.id, legacy: true }))).toBe(true);
    const dir = clone(root, ['.dvc/config', 'old.dvc']);
    const report = await transfer('pull', options(dir, remote));
    expect(report.failure).toBeUndefined();
    expect(tree(path.join(dir, 'old'))).toEqual(tree(path.join(root, 'old')));
    expect(fs.existsSync(path.join(dir, '.dvc/cache', objectKey({ id: data.id, legacy: true })))).toBe(true);
  });

  it('refuses a tracked folder that is a symbolic link, writing nothing', async () => {
    const { root, remote } = await pushed();
    const dir = clone(root);
    const outside = tempDir('dvc-outside');
    fs.symlinkSync(outside, path.join(dir, 'data'));
    await expect(transfer('pull', options(dir, remote))).rejects.toThrow(
      'data.dvc: the path "data/x" goes through "data", a symbolic link, which could lead outside the working directory; replace the link with a real folder.'
    );
    expect(fs.readdirSync(outside)).toEqual([]);
  });
});

describe('engine', () => {
  function fakeDvc(exitCode = 0, output = '2 files fetched\n1 file added and 1 file modified\n') {
    const runs: Array<{ args: string[]; cwd: string; env: Record<string, string> }> = [];
    const dvc: DvcCommand = {
      path: '/usr/local/bin/dvc',
      run: async (args, o) => {
        runs.push({ args, ...o });
        return { exitCode, output };
      }
    };
    return { dvc, runs };
  }

  it('dvc: hands the command to dvc with the inputs as flags and counts what it reports', async () => {
    const root = tempDir('dvc-engine');
    initRepo(root, { storage: 'gs://bucket/x' });
    const { dvc, runs } = fakeDvc();
    const report = await transfer('pull', {
      ...options(root, new MemoryRemote()),
      engine: 'dvc',
      dvc,
      targets: ['data.dvc'],
      remote: 'storage',
      jobs: 8,
      force: true,
      allowMissing: true,
      region: 'eu-west-1'
    });
    expect(runs).toEqual([
      {
        args: ['pull', 'data.dvc', '--remote', 'storage', '--jobs', '8', '--force', '--allow-missing'],
        cwd: root,
        env: { AWS_DEFAULT_REGION: 'eu-west-1', AWS_REGION: 'eu-west-1' }
      }
    ]);
    expect(report).toMatchObject({ engine: 'dvc', transferred: 2, files: 2, failure: undefined });
  });

  it('auto: native for S3 and local remotes, dvc for another type when installed, else an error naming the type', async () => {
    const root = tempDir('dvc-engine');
    initRepo(root, { storage: 'gs://bucket/x' });
    writeFiles(root, { 'a.txt': 'a' });
    await dvcAdd(root, 'a.txt');
    const { dvc, runs } = fakeDvc(1, 'ERROR: unexpected error\n');
    const delegated = await transfer('push', { ...options(root, new MemoryRemote()), engine: 'auto', dvc });
    expect(runs[0].args).toEqual(['push', '--jobs', '4']);
    expect(delegated.failure).toBe('dvc push failed with exit code 1: ERROR: unexpected error');
    await expect(transfer('push', { ...options(root, new MemoryRemote()), engine: 'auto' })).rejects.toThrow(
      'Remote "storage" is a gs remote (gs://bucket/x); the native engine reads S3 and local remotes: install the dvc command (pip install "dvc[...]" for that remote type) so engine: auto can hand it over.'
    );
    await expect(
      transfer('push', { ...options(root, new MemoryRemote()), engine: 'native', dvc })
    ).rejects.toThrow('use engine: auto with the dvc command installed.');
    await expect(transfer('push', { ...options(root, new MemoryRemote()), engine: 'dvc' })).rejects.toThrow(
      'Input "engine" is dvc, but no dvc command is on PATH'
    );
  });
});
