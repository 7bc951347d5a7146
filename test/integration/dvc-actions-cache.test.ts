/**
 * dvc-pull's `actions-cache` through the bundle, as the runner runs it: the real @actions/cache
 * against a loopback stand-in of the cache service (twirp v2 + blob URLs, and v1), s3rver as the
 * remote. First run downloads and saves; a fresh workspace restores and downloads nothing; a corrupt
 * cached object is dropped and downloaded; a partial hit helps; a pull without credentials (a fork's
 * pull request) takes objects from the trusted workflow's entry and names what it could not get; the
 * service being down is a warning.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { runBundle, type BundleRun } from '../helpers/bundle.js';
import { startS3, type RunningS3 } from '../helpers/s3.js';
import { startActionsCache, type ActionsCacheStandIn } from '../helpers/actions-cache-stand-in.js';
import { dvcAdd, initRepo, removeTempDirs, tempDir, tree, writeFiles } from '../helpers/dvc-repo.js';

afterAll(removeTempDirs);

let s3: RunningS3;
let service: ActionsCacheStandIn;
beforeAll(async () => {
  [s3, service] = await Promise.all([startS3(['dvc']), startActionsCache()]);
});
afterAll(async () => {
  await service?.stop();
  await s3?.stop();
});

const DATA = {
  'data/a.txt': 'a\n',
  'data/sub/b.txt': 'b\n',
  'data/sub/c.csv': 'x,y\n1,2\n',
  'model.pkl': Buffer.alloc(70_000, 7)
};

/** Copies every object of the repo's cache to s3://dvc/<prefix> (what dvc push does). */
async function pushCache(root: string, prefix: string): Promise<void> {
  const cache = path.join(root, '.dvc/cache');
  const files = fs.readdirSync(cache, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  for (const f of files) {
    const rel = path.relative(cache, path.join(f.parentPath, f.name)).split(path.sep).join('/');
    const Body = fs.readFileSync(path.join(cache, rel));
    await s3.client.send(new PutObjectCommand({ Bucket: 'dvc', Key: `${prefix}/${rel}`, Body }));
  }
}

/** A repo with data/ and model.pkl, pushed to s3://dvc/<prefix>. */
async function makeRepo(prefix: string) {
  const root = tempDir('src');
  initRepo(root, { storage: { url: `s3://dvc/${prefix}`, endpointurl: s3.url } });
  writeFiles(root, DATA);
  await dvcAdd(root, 'data');
  await dvcAdd(root, 'model.pkl');
  await pushCache(root, prefix);
  return root;
}

/** A fresh checkout: .dvc files and config, no data, no cache. */
function checkout(root: string): string {
  const clone = tempDir('checkout');
  for (const f of ['.dvc/config', 'data.dvc', 'model.pkl.dvc'])
    writeFiles(clone, { [f]: fs.readFileSync(path.join(root, f)) });
  return clone;
}

const runnerEnv = (extra: Record<string, string | undefined> = {}) => ({
  ...s3.env,
  ...service.env(),
  ...extra
});
const pull = (
  workspace: string,
  inputs: Record<string, string> = {},
  env = runnerEnv()
): Promise<BundleRun> => runBundle('dvc-pull', inputs, { workspace, env });
const newRequests = (before: number) => service.requests.slice(before);

/** Rewrites one object inside a stored entry (zstd tar) so its bytes no longer match its md5. */
function corruptInEntry(file: string, objectPath: string): void {
  const dir = tempDir('entry');
  execFileSync('tar', ['--zstd', '-xf', file, '-C', dir]);
  const target = path.join(dir, objectPath);
  fs.chmodSync(target, 0o644);
  fs.writeFileSync(target, 'not the data\n');
  execFileSync('tar', ['--zstd', '-cf', file, '-C', dir, '.']);
}

describe('dvc-pull with the Actions cache', () => {
  let root: string;
  beforeAll(async () => {
    root = await makeRepo('cache');
  });

  it('the first run downloads and saves; a re-run in a fresh workspace restores and downloads nothing', async () => {
    const first = await pull(checkout(root));
    expect(first.errors).toEqual([]);
    expect(first.exitCode).toBe(0);
    expect(first.outputs).toMatchObject({ files: '4', downloaded: '5', missing: '0' });
    expect(first.log).toContain('actions-cache: no entry for dvc-Linux-');
    expect(first.log).toMatch(/actions-cache: saved 5 objects under dvc-Linux-[0-9a-f]{8}-[0-9a-f]{64}\./);
    expect(service.entries()).toHaveLength(1);
    expect(first.summary).toContain('### Actions cache');
    expect(first.summary).toContain('| Saved | yes |');

    const before = service.requests.length;
    const clone = checkout(root);
    const second = await pull(clone);
    expect(second.errors).toEqual([]);
    expect(second.outputs).toMatchObject({ files: '4', downloaded: '0', bytes: '0', missing: '0' });
    expect(tree(path.join(clone, 'data'))).toEqual(tree(path.join(root, 'data')));
    expect(fs.readFileSync(path.join(clone, 'model.pkl'))).toEqual(DATA['model.pkl']);
    expect(second.log).toContain('actions-cache: exact hit: 5 objects restored, 0 already in the DVC cache.');
    expect(second.summary).toContain('| Restored | exact hit |');
    expect(second.summary).toContain('| Saved | no: the entry was an exact hit |');
    // Nothing saved again, and the staging folder is gone.
    expect(newRequests(before).some((r) => r.includes('CreateCacheEntry'))).toBe(false);
    expect(service.entries()).toHaveLength(1);
    expect(fs.existsSync(path.join(clone, '.dvc/tmp/actions-cache'))).toBe(false);
  });

  it('a corrupt object in the entry is dropped and downloaded, never trusted', async () => {
    const [entry] = service.entries();
    const modelId = /md5: ([0-9a-f]{32})/.exec(fs.readFileSync(path.join(root, 'model.pkl.dvc'), 'utf8'))![1];
    const key = `files/md5/${modelId.slice(0, 2)}/${modelId.slice(2)}`;
    const saved = fs.readFileSync(entry.file);
    corruptInEntry(entry.file, `.dvc/tmp/actions-cache/${key}`);
    try {
      const clone = checkout(root);
      const run = await pull(clone);
      expect(run.errors).toEqual([]);
      expect(run.exitCode).toBe(0);
      expect(run.outputs).toMatchObject({ files: '4', downloaded: '1', bytes: String(70_000) });
      expect(run.log).toContain(
        `::warning::actions-cache: ${key} in the Actions cache entry is not what its name says`
      );
      expect(fs.readFileSync(path.join(clone, 'model.pkl'))).toEqual(DATA['model.pkl']);
      expect(run.summary).toContain(`| Bad objects dropped (downloaded instead) | ${key} |`);
    } finally {
      fs.writeFileSync(entry.file, saved);
    }
  });

  it('a partial hit (the entry of older data) leaves only the new objects to download, then saves the new key', async () => {
    const changed = await makeRepo('cache-changed');
    writeFiles(changed, { 'data/new.txt': 'new\n' });
    await dvcAdd(changed, 'data');
    await pushCache(changed, 'cache-changed');
    const before = service.entries().length;
    const run = await pull(checkout(changed));
    expect(run.errors).toEqual([]);
    // The new file and the new .dir manifest; the rest came from the previous entry.
    expect(run.outputs).toMatchObject({ files: '5', downloaded: '2', missing: '0' });
    // The four unchanged objects, and the old manifest (the new one is unknown before the pull).
    expect(run.log).toMatch(/actions-cache: partial hit \(dvc-Linux-[^)]+\): 5 objects restored/);
    expect(service.entries()).toHaveLength(before + 1);
  });

  it('the cache service being down is a warning: the pull downloads everything and succeeds', async () => {
    const down = await startActionsCache();
    const env = runnerEnv(down.env());
    await down.stop();
    const run = await pull(checkout(root), {}, env);
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ files: '4', downloaded: '5' });
    expect(run.log).toMatch(/::warning::Failed to restore: .*ECONNREFUSED/);
    expect(run.summary).toContain('| Restored | miss |');
  });

  it('speaks the legacy v1 service too', async () => {
    const v1 = await startActionsCache();
    try {
      const env = { ...s3.env, ...v1.env({ v1: true }) };
      const first = await pull(checkout(root), {}, env);
      expect(first.outputs).toMatchObject({ downloaded: '5' });
      expect(v1.entries()).toHaveLength(1);
      const second = await pull(checkout(root), {}, env);
      expect(second.errors).toEqual([]);
      expect(second.outputs).toMatchObject({ files: '4', downloaded: '0' });
      expect(v1.requests.some((r) => r.startsWith('GET /_apis/artifactcache/cache'))).toBe(true);
    } finally {
      await v1.stop();
    }
  });

  it('actions-cache: false never calls the service; off the runner, true is ignored with one info line', async () => {
    const before = service.requests.length;
    const off = await pull(checkout(root), { 'actions-cache': 'false' });
    expect(off.outputs).toMatchObject({ downloaded: '5' });
    const elsewhere = await pull(
      checkout(root),
      { 'actions-cache': 'true' },
      runnerEnv({ GITHUB_ACTIONS: undefined })
    );
    expect(elsewhere.exitCode).toBe(0);
    expect(elsewhere.log.match(/^actions-cache: .*$/gm)).toEqual([
      'actions-cache: ignored, this is not a GitHub Actions runner.'
    ]);
    expect(newRequests(before)).toEqual([]);
  });

  it('a bad actions-cache value is one sentence naming the input, exit 1, no call and nothing written', async () => {
    const before = service.requests.length;
    const clone = checkout(root);
    const run = await pull(clone, { 'actions-cache': 'maybe' });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual(['Input "actions-cache" must be true or false, but got "maybe".']);
    expect(newRequests(before)).toEqual([]);
    expect(fs.existsSync(path.join(clone, 'data'))).toBe(false);
    expect(fs.existsSync(path.join(clone, '.dvc/cache'))).toBe(false);
  });
});
