/**
 * Faults between the actions and S3: a proxy that answers 500, resets connections and cuts bodies
 * short for a share of requests. Push and pull still produce exactly the right keys and files, or fail
 * naming what is missing; a pull killed mid-transfer (SIGKILL) and run again ends where an
 * uninterrupted one does.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { runBundle } from '../helpers/bundle.js';
import { startS3, type RunningS3 } from '../helpers/s3.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { dvcAdd, initRepo, removeTempDirs, tempDir, tree, writeFiles } from '../helpers/dvc-repo.js';
import { hashFile } from '../../src/dvc/hash.js';

afterAll(removeTempDirs);

let s3: RunningS3;
beforeAll(async () => {
  s3 = await startS3(['dvc']);
});
afterAll(() => s3?.stop());

/** 300 small files in nested folders and one 20 MiB file (3 multipart parts). */
async function makeRepo(endpoint: string, prefix: string) {
  const root = tempDir('dvc-faults');
  initRepo(root, { storage: { url: `s3://dvc/${prefix}`, endpointurl: endpoint } });
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 300; i++) files[`data/d${i % 7}/f${i}.bin`] = crypto.randomBytes(1000 + i * 37);
  files['big.bin'] = crypto.randomBytes(20 * 1024 * 1024);
  writeFiles(root, files);
  const data = await dvcAdd(root, 'data');
  const big = await dvcAdd(root, 'big.bin');
  const keys = [...new Set([...data.entries!.map((e) => e.md5), data.id, big.id])]
    .map((id) => `${prefix}/files/md5/${id.slice(0, 2)}/${id.slice(2)}`)
    .sort();
  return { root, keys };
}

function clone(root: string, endpoint: string): string {
  const dir = tempDir('dvc-faults-clone');
  for (const f of ['.dvc/config', 'data.dvc', 'big.bin.dvc'])
    writeFiles(dir, { [f]: fs.readFileSync(path.join(root, f)) });
  const config = path.join(dir, '.dvc/config');
  fs.writeFileSync(
    config,
    fs.readFileSync(config, 'utf8').replace(/endpointurl = .*/, `endpointurl = ${endpoint}`)
  );
  return dir;
}

describe('faults between the actions and S3', () => {
  it('with 15% of requests failing (500, reset, cut body) push and pull still give exactly the right keys and files', async () => {
    const proxy = await startFaultProxy(s3.url, { rate: 0.15, seed: 7 });
    try {
      const { root, keys } = await makeRepo(proxy.url, 'flaky');
      const push = await runBundle('dvc-push', {}, { workspace: root, env: s3.env });
      expect(push.errors).toEqual([]);
      expect(await s3.keys('dvc', 'flaky/')).toEqual(keys);
      // Every stored object has the bytes its key names.
      for (const key of keys.filter((k) => !k.endsWith('.dir'))) {
        const body = await (
          await s3.client.send(new GetObjectCommand({ Bucket: 'dvc', Key: key }))
        ).Body!.transformToByteArray();
        expect(crypto.createHash('md5').update(body).digest('hex')).toBe(key.split('/').slice(-2).join(''));
      }

      const dir = clone(root, proxy.url);
      const pull = await runBundle('dvc-pull', {}, { workspace: dir, env: s3.env });
      expect(pull.errors).toEqual([]);
      expect(pull.outputs).toMatchObject({ files: '301', missing: '0' });
      expect(tree(path.join(dir, 'data'))).toEqual(tree(path.join(root, 'data')));
      expect(
        fs.readFileSync(path.join(dir, 'big.bin')).equals(fs.readFileSync(path.join(root, 'big.bin')))
      ).toBe(true);
      expect(proxy.injected['500']).toBeGreaterThan(0);
      expect(proxy.injected.reset).toBeGreaterThan(0);
      expect(proxy.injected.truncate).toBeGreaterThan(0);
    } finally {
      await proxy.stop();
    }
  });

  it('an object that never arrives fails the pull naming its file, and leaves that output untouched', async () => {
    const { root } = await makeRepo(s3.url, 'stuck');
    expect((await runBundle('dvc-push', {}, { workspace: root, env: s3.env })).errors).toEqual([]);
    const big = (await hashFile(path.join(root, 'big.bin'))).md5;
    const proxy = await startFaultProxy(s3.url, {
      rate: 0,
      alwaysFail: [`/${big.slice(0, 2)}/${big.slice(2)}`]
    });
    try {
      const dir = clone(root, proxy.url);
      const pull = await runBundle(
        'dvc-pull',
        {},
        { workspace: dir, env: { ...s3.env, AWS_MAX_ATTEMPTS: '2' } }
      );
      expect(pull.exitCode).toBe(1);
      expect(pull.errors).toHaveLength(1);
      expect(pull.errors[0]).toMatch(
        new RegExp(
          `^big\\.bin: files/md5/${big.slice(0, 2)}/${big.slice(2)} could not be downloaded from s3://dvc/stuck \\(.+\\)\\. Nothing of the affected outputs was changed in the workspace; run the pull again\\.$`
        )
      );
      expect(fs.existsSync(path.join(dir, 'big.bin'))).toBe(false);
      expect(tree(path.join(dir, 'data'))).toEqual(tree(path.join(root, 'data')));
    } finally {
      await proxy.stop();
    }
  });

  it('a pull killed mid-transfer (SIGKILL) and run again ends exactly like an uninterrupted pull', async () => {
    const { root } = await makeRepo(s3.url, 'killed');
    expect((await runBundle('dvc-push', {}, { workspace: root, env: s3.env })).errors).toEqual([]);
    const proxy = await startFaultProxy(s3.url, { rate: 0, delayMs: 25 });
    const dir = clone(root, proxy.url);
    const cache = path.join(dir, '.dvc/cache/files/md5');
    try {
      const killed = await runBundle(
        'dvc-pull',
        { jobs: '4' },
        {
          workspace: dir,
          env: s3.env,
          onStart: (child) => {
            // Kill once a good part of the objects are in the cache.
            const timer = setInterval(() => {
              const count = fs.existsSync(cache) ? fs.readdirSync(cache).length : 0;
              if (count >= 100) {
                clearInterval(timer);
                child.kill('SIGKILL');
              }
            }, 20);
            child.on('exit', () => clearInterval(timer));
          }
        }
      );
      expect(killed.signal).toBe('SIGKILL');
    } finally {
      await proxy.stop();
    }
    expect(fs.existsSync(path.join(dir, 'big.bin'))).toBe(false);
    // Everything that entered the cache is whole (a read-only object has the bytes its name says).
    const config = path.join(dir, '.dvc/config');
    fs.writeFileSync(
      config,
      fs.readFileSync(config, 'utf8').replace(/endpointurl = .*/, `endpointurl = ${s3.url}`)
    );
    const again = await runBundle('dvc-pull', {}, { workspace: dir, env: s3.env });
    expect(again.errors).toEqual([]);
    expect(Number(again.outputs.downloaded)).toBeLessThan(302);
    expect(tree(path.join(dir, 'data'))).toEqual(tree(path.join(root, 'data')));
    expect(
      fs.readFileSync(path.join(dir, 'big.bin')).equals(fs.readFileSync(path.join(root, 'big.bin')))
    ).toBe(true);
    for (const [rel] of Object.entries(tree(path.join(dir, '.dvc/cache/files/md5')))) {
      expect(rel).toMatch(/^[0-9a-f]{2}\/[0-9a-f]{30}(\.dir)?$/);
      const file = path.join(dir, '.dvc/cache/files/md5', rel);
      if (!rel.endsWith('.dir')) expect((await hashFile(file)).md5).toBe(rel.replace('/', ''));
      expect(fs.statSync(file).mode & 0o777).toBe(0o444);
    }
    expect(fs.readdirSync(path.join(dir, '.dvc/cache'))).toEqual(['files']);
    const rerun = await runBundle('dvc-pull', {}, { workspace: dir, env: s3.env });
    expect(rerun.outputs).toMatchObject({ files: '301', downloaded: '0' });
  });
});
