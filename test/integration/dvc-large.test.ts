/**
 * One large object through the bundles against s3rver, behind a proxy that misbehaves on chosen
 * requests: by default one stream that resumes where it was cut; with the knobs MLOPS_DVC_RANGE_PART
 * and MLOPS_DVC_RANGE_CONCURRENCY, parallel ranged GETs (8 MiB parts, 8 at a time here): a range cut mid-body is fetched again from where it stopped and the file is
 * byte-identical; a corrupt range fails the pull with nothing in the cache; a stalled request is
 * named in the log and retried; progress lines appear while the one object is still moving.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { runBundle } from '../helpers/bundle.js';
import { startS3, type RunningS3 } from '../helpers/s3.js';
import { startRangeProxy, type Behaviour, type ProxiedRequest } from '../helpers/range-proxy.js';
import { dvcAdd, initRepo, removeTempDirs, tempDir, writeFiles } from '../helpers/dvc-repo.js';
import { hashFile } from '../../src/dvc/hash.js';

afterAll(removeTempDirs);

const MiB = 1024 * 1024;
const PART = 8 * MiB;
let s3: RunningS3;
let source: { root: string; id: string; big: Buffer; modelId: string };

/** A repo with big.bin (40 MiB: five 8 MiB ranges) and model.bin (100 KB), pushed to s3://dvc/large. */
beforeAll(async () => {
  s3 = await startS3(['dvc']);
  const root = tempDir('dvc-large');
  initRepo(root, { storage: { url: 's3://dvc/large', endpointurl: s3.url } });
  const big = crypto.randomBytes(40 * MiB);
  writeFiles(root, { 'big.bin': big, 'model.bin': crypto.randomBytes(100_000) });
  const { id } = await dvcAdd(root, 'big.bin');
  const model = await dvcAdd(root, 'model.bin');
  const push = await runBundle('dvc-push', {}, { workspace: root, env: s3.env });
  expect(push.errors).toEqual([]);
  source = { root, id, big, modelId: model.id };
}, 120_000);
afterAll(() => s3?.stop());

/** A fresh clone of the repo (no data) whose remote is `endpoint`. */
function clone(endpoint: string): string {
  const dir = tempDir('dvc-large-clone');
  initRepo(dir, { storage: { url: 's3://dvc/large', endpointurl: endpoint } });
  for (const f of ['big.bin.dvc', 'model.bin.dvc'])
    fs.copyFileSync(path.join(source.root, f), path.join(dir, f));
  return dir;
}

/** Parallel ranges: 8 MiB parts, 8 at a time (the default is one resumable stream). */
const env = (extra: Record<string, string> = {}) => ({
  ...s3.env,
  MLOPS_DVC_RANGE_PART: String(PART),
  MLOPS_DVC_RANGE_CONCURRENCY: '8',
  ...extra
});
const isBig = (r: ProxiedRequest) => r.method === 'GET' && r.url.includes(source.id.slice(2));
const cacheFile = (dir: string, id: string) =>
  path.join(dir, '.dvc/cache/files/md5', id.slice(0, 2), id.slice(2));

/** A proxy that does `behaviour` to the ranged GETs of big.bin starting at `start` (all, or the first). */
function onRange(start: number, behaviour: Behaviour, times = Infinity) {
  let left = times;
  return (r: ProxiedRequest): Behaviour => {
    if (!isBig(r) || !r.range?.startsWith(`bytes=${start}-`) || left <= 0) return 'pass';
    left--;
    return behaviour;
  };
}

describe('one large object: parallel ranges, retries, stalls and progress', () => {
  it('by default one stream; cut mid-body, it resumes from the byte where it stopped', async () => {
    let left = 1;
    const proxy = await startRangeProxy(s3.url, {
      decide: (r) => (isBig(r) && left-- > 0 ? 'cut' : 'pass')
    });
    try {
      const dir = clone(proxy.url);
      const pull = await runBundle('dvc-pull', {}, { workspace: dir, env: s3.env });
      expect(pull.errors).toEqual([]);
      expect(fs.readFileSync(path.join(dir, 'big.bin')).equals(source.big)).toBe(true);
      const ranges = proxy.requests.filter(isBig).map((r) => r.range ?? 'whole');
      expect(ranges).toHaveLength(2);
      expect(ranges[0]).toBe('whole');
      const [, from, to] = /^bytes=(\d+)-(\d+)$/.exec(ranges[1])!.map(Number);
      expect(from).toBeGreaterThan(MiB);
      expect(from).toBeLessThan(40 * MiB);
      expect(to).toBe(40 * MiB - 1);
    } finally {
      await proxy.stop();
    }
  });

  it('a range cut mid-body is fetched again from where it stopped, and the file is byte-identical', async () => {
    const proxy = await startRangeProxy(s3.url, { decide: onRange(2 * PART, 'cut', 1), paceMs: 2 });
    try {
      const dir = clone(proxy.url);
      const pull = await runBundle(
        'dvc-pull',
        {},
        { workspace: dir, env: env({ MLOPS_DVC_PROGRESS_SECONDS: '0.2' }) }
      );
      expect(pull.errors).toEqual([]);
      expect(pull.outputs).toMatchObject({ files: '2', downloaded: '2', missing: '0' });
      expect(fs.readFileSync(path.join(dir, 'big.bin')).equals(source.big)).toBe(true);
      expect((await hashFile(cacheFile(dir, source.id))).md5).toBe(source.id);
      expect(fs.statSync(cacheFile(dir, source.id)).mode & 0o777).toBe(0o444);

      const ranges = proxy.requests.filter(isBig).map((r) => r.range ?? 'whole');
      // The plain GET that found the size (its first 8 MiB kept), then parts 1-4 as ranges...
      expect(ranges[0]).toBe('whole');
      for (let i = 1; i < 5; i++)
        expect(ranges).toContain(`bytes=${i * PART}-${Math.min(40 * MiB, (i + 1) * PART) - 1}`);
      // ...in parallel, and the cut range asked again only for the bytes it had not received.
      expect(proxy.maxInFlight).toBeGreaterThan(1);
      expect(proxy.done.cut).toBe(1);
      const starts = ranges.map((r) => Number(/^bytes=(\d+)-/.exec(r)?.[1]));
      expect(starts.filter((start) => start > 2 * PART && start < 3 * PART)).toHaveLength(1);
      expect(ranges).toHaveLength(6);

      // Progress lines while the one 40 MiB object was still coming in, with bytes, rate and time left.
      const moving = pull.log
        .split('\n')
        .filter((l) => /^Downloaded: 0\/2 objects|^Downloaded: 1\/2 objects, .* left/.test(l));
      expect(moving.length).toBeGreaterThan(0);
      expect(moving.some((l) => /MB of 40\.1 MB, \d+%, [\d.]+ [KM]?B\/s, about .+ left, /.test(l))).toBe(
        true
      );
      expect(fs.readdirSync(path.join(dir, '.dvc/cache'))).toEqual(['files']);
    } finally {
      await proxy.stop();
    }
  });

  it('a range that always arrives corrupt fails the pull: nothing enters the cache or the workspace', async () => {
    const proxy = await startRangeProxy(s3.url, { decide: onRange(3 * PART, 'corrupt') });
    try {
      const dir = clone(proxy.url);
      const pull = await runBundle('dvc-pull', {}, { workspace: dir, env: env() });
      expect(pull.exitCode).toBe(1);
      expect(pull.errors).toHaveLength(1);
      const key = `files/md5/${source.id.slice(0, 2)}/${source.id.slice(2)}`;
      expect(pull.errors[0]).toMatch(
        new RegExp(
          `^big\\.bin: the object ${key} on s3://dvc/large is corrupt \\(its md5 is [0-9a-f]{32}, not ${source.id}\\)`
        )
      );
      expect(fs.existsSync(cacheFile(dir, source.id))).toBe(false);
      expect(fs.existsSync(path.join(dir, 'big.bin'))).toBe(false);
      expect(fs.readdirSync(dir).filter((f) => f.startsWith('.mlops-'))).toEqual([]);
      expect(fs.readdirSync(path.join(dir, '.dvc/cache'))).toEqual(['files']);
      expect(proxy.done.corrupt).toBeGreaterThan(1);
    } finally {
      await proxy.stop();
    }
  });

  it('a range that stops sending is named in the log after stall-timeout, aborted and fetched again', async () => {
    const proxy = await startRangeProxy(s3.url, { decide: onRange(PART, 'stall', 1) });
    try {
      const dir = clone(proxy.url);
      const started = Date.now();
      const pull = await runBundle('dvc-pull', { 'stall-timeout': '1s' }, { workspace: dir, env: env() });
      expect(pull.errors).toEqual([]);
      expect(fs.readFileSync(path.join(dir, 'big.bin')).equals(source.big)).toBe(true);
      const key = `files/md5/${source.id.slice(0, 2)}/${source.id.slice(2)}`;
      expect(pull.log).toContain(
        `::warning::Stalled: no byte moved for 1s on s3://dvc/large/${key} (bytes ${PART}-${2 * PART - 1}); aborting that request and trying again.`
      );
      expect(proxy.done.stall).toBe(1);
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      await proxy.stop();
    }
  });

  it('an object that stalls on every try fails the pull naming it, instead of hanging', async () => {
    const model = (r: ProxiedRequest): Behaviour =>
      r.method === 'GET' && r.url.includes(source.modelId.slice(2)) ? 'stall' : 'pass';
    const proxy = await startRangeProxy(s3.url, { decide: model });
    try {
      const dir = clone(proxy.url);
      const pull = await runBundle('dvc-pull', { 'stall-timeout': '1s' }, { workspace: dir, env: env() });
      expect(pull.exitCode).toBe(1);
      const key = `files/md5/${source.modelId.slice(0, 2)}/${source.modelId.slice(2)}`;
      expect(pull.errors).toEqual([
        `model.bin: ${key} could not be downloaded from s3://dvc/large (no byte moved for 1s on s3://dvc/large/${key}). Nothing of the affected outputs was changed in the workspace; run the pull again.`
      ]);
      expect(proxy.done.stall).toBe(5);
      expect(fs.existsSync(path.join(dir, 'model.bin'))).toBe(false);
      expect(fs.readFileSync(path.join(dir, 'big.bin')).equals(source.big)).toBe(true);
    } finally {
      await proxy.stop();
    }
  });

  it('push: parts go up in parallel, progress shows bytes before the object is done, a stalled part is retried', async () => {
    const stallOnce = (() => {
      let left = 1;
      return (r: ProxiedRequest): Behaviour =>
        r.method === 'PUT' && /partNumber=2&/.test(r.url) && left-- > 0 ? 'stall' : 'pass';
    })();
    const proxy = await startRangeProxy(s3.url, { decide: stallOnce, paceMs: 1 });
    try {
      const root = tempDir('dvc-large-push');
      initRepo(root, { storage: { url: 's3://dvc/large-up', endpointurl: proxy.url } });
      writeFiles(root, { 'big.bin': source.big });
      await dvcAdd(root, 'big.bin');
      const push = await runBundle(
        'dvc-push',
        { 'stall-timeout': '2s' },
        { workspace: root, env: env({ MLOPS_DVC_PROGRESS_SECONDS: '0.2' }) }
      );
      expect(push.errors).toEqual([]);
      expect(push.outputs.uploaded).toBe('1');
      expect(push.log).toMatch(
        /::warning::Stalled: no byte moved for 2s on s3:\/\/dvc\/large-up\/files\/md5\/.+ \(part 2 of 5, bytes 8388608-16777215\); aborting that request and trying again\./
      );
      expect(push.log).toMatch(/^Uploaded: 0\/1 objects, \d+(\.\d)? MB of 40\.0 MB, \d+%/m);
      const parts = proxy.requests.filter((r) => r.method === 'PUT' && /partNumber=/.test(r.url));
      expect(parts.length).toBe(6);
      expect(proxy.maxInFlight).toBeGreaterThan(1);
      const key = `large-up/files/md5/${source.id.slice(0, 2)}/${source.id.slice(2)}`;
      expect(await s3.keys('dvc', 'large-up/')).toEqual([key]);
    } finally {
      await proxy.stop();
    }
  });
});
