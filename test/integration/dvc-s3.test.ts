/**
 * dvc-push and dvc-pull bundles against an S3 server (s3rver) on loopback, through the real AWS SDK
 * with WHEN_REQUIRED checksums: push from a repo, pull into a fresh clone, round trips, partial
 * remotes, unsaved changes and force, per-output remotes, legacy DVC 2 entries, corrupt objects.
 */
import fs from 'node:fs';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { runBundle } from '../helpers/bundle.js';
import { startS3, type RunningS3 } from '../helpers/s3.js';
import { dvcAdd, initRepo, tempDir, tree, writeFiles } from '../helpers/dvc-repo.js';

let s3: RunningS3;
beforeAll(async () => {
  s3 = await startS3(['dvc', 'other']);
});
afterAll(() => s3?.stop());

const DATA = {
  'data/a.txt': 'a\n',
  'data/sub/b.txt': 'b\n',
  'data/sub/deeper/with space.csv': 'x,y\n1,2\n',
  'data/ünïcödé/日本語.txt': 'konnichiwa\n',
  'data/emoji-😀.bin': Buffer.from([0, 1, 2, 3, 255]),
  'data/empty': '',
  'model.pkl': Buffer.alloc(70_000, 7)
};

/** A repo with data/ and model.pkl added, remote s3://dvc/<prefix>. */
async function makeRepo(prefix: string) {
  const root = tempDir('dvc-src');
  initRepo(root, { storage: { url: `s3://dvc/${prefix}`, endpointurl: s3.url } });
  writeFiles(root, DATA);
  const data = await dvcAdd(root, 'data');
  const model = await dvcAdd(root, 'model.pkl', { fields: { isexec: true } });
  return { root, data, model };
}

/** A fresh clone: the .dvc files and config, no data, no cache. */
function cloneOf(root: string): string {
  const clone = tempDir('dvc-clone');
  for (const f of ['.dvc/config', 'data.dvc', 'model.pkl.dvc'])
    writeFiles(clone, { [f]: fs.readFileSync(path.join(root, f)) });
  return clone;
}

const env = () => s3.env;

describe('dvc-push and dvc-pull against S3', () => {
  it('push uploads every object under files/md5, entries and .dir; a second push uploads nothing', async () => {
    const { root, data, model } = await makeRepo('roundtrip');
    const first = await runBundle('dvc-push', {}, { workspace: root, env: env() });
    expect(first.errors).toEqual([]);
    expect(first.exitCode).toBe(0);
    const expected = [
      ...new Set(
        [...data.entries!.map((e) => e.md5), data.id, model.id].map(
          (id) => `roundtrip/files/md5/${id.slice(0, 2)}/${id.slice(2)}`
        )
      )
    ].sort();
    expect(await s3.keys('dvc', 'roundtrip/')).toEqual(expected);
    expect(first.outputs).toMatchObject({ uploaded: String(expected.length), skipped: '0' });
    expect(first.summary).toContain('## DVC push');
    expect(first.summary).toContain('| `data/` | data.dvc | storage | 6 | 7 | 0 |');

    const second = await runBundle('dvc-push', {}, { workspace: root, env: env() });
    expect(second.outputs).toMatchObject({ uploaded: '0', bytes: '0' });
    expect(Number(second.outputs.skipped)).toBeGreaterThan(0);

    const clone = cloneOf(root);
    const pulled = await runBundle('dvc-pull', {}, { workspace: clone, env: env() });
    expect(pulled.errors).toEqual([]);
    expect(pulled.outputs).toMatchObject({ files: '7', downloaded: String(expected.length), missing: '0' });
    expect(tree(path.join(clone, 'data'))).toEqual(tree(path.join(root, 'data')));
    expect(fs.readFileSync(path.join(clone, 'model.pkl'))).toEqual(DATA['model.pkl']);
    expect(fs.statSync(path.join(clone, 'model.pkl')).mode & 0o111).not.toBe(0);
    expect(fs.statSync(path.join(clone, 'data/a.txt')).mode & 0o777).toBe(0o644);
    const cached = path.join(clone, '.dvc/cache/files/md5', data.id.slice(0, 2), data.id.slice(2));
    expect(fs.statSync(cached).mode & 0o777).toBe(0o444);

    const again = await runBundle('dvc-pull', {}, { workspace: clone, env: env() });
    expect(again.outputs).toMatchObject({ files: '7', downloaded: '0', bytes: '0' });
  });
});
