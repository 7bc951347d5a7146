/**
 * dvc-push and dvc-pull bundles against an S3 server (s3rver) on loopback, through the real AWS SDK
 * with WHEN_REQUIRED checksums: push from a repo, pull into a fresh clone, round trips, partial
 * remotes, unsaved changes and force, per-output remotes, legacy DVC 2 entries, corrupt objects.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { runBundle } from '../helpers/bundle.js';
import { startS3, type RunningS3 } from '../helpers/s3.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { dvcAdd, initRepo, removeTempDirs, tempDir, tree, writeFiles } from '../helpers/dvc-repo.js';

afterAll(removeTempDirs);

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

  it('partial remote: pull fails naming the missing file and leaves the folder alone; allow-missing pulls the rest', async () => {
    const { root, data } = await makeRepo('partial');
    expect((await runBundle('dvc-push', {}, { workspace: root, env: env() })).exitCode).toBe(0);
    const gone = data.entries!.find((e) => e.relpath === 'sub/b.txt')!.md5;
    fs.rmSync(path.join(root, '.dvc/cache/files/md5', gone.slice(0, 2)), { recursive: true, force: true });
    await s3.client.send(
      new DeleteObjectCommand({
        Bucket: 'dvc',
        Key: `partial/files/md5/${gone.slice(0, 2)}/${gone.slice(2)}`
      })
    );

    const clone = cloneOf(root);
    const failed = await runBundle('dvc-pull', {}, { workspace: clone, env: env() });
    expect(failed.exitCode).toBe(1);
    expect(failed.errors).toEqual([
      '1 file is missing on the remote (data/sub/b.txt); push them from where they were created (dvc push), or set allow-missing: true to pull the rest.'
    ]);
    expect(failed.outputs.missing).toBe('1');
    expect(failed.summary).toContain('**Missing on the remote:**');
    expect(fs.existsSync(path.join(clone, 'data'))).toBe(false);
    expect(fs.existsSync(path.join(clone, 'model.pkl'))).toBe(true);

    const rest = await runBundle('dvc-pull', { 'allow-missing': 'true' }, { workspace: clone, env: env() });
    expect(rest.exitCode).toBe(0);
    expect(rest.outputs).toMatchObject({ files: '6', missing: '1' });
    expect(fs.existsSync(path.join(clone, 'data/sub/b.txt'))).toBe(false);
    expect(fs.readFileSync(path.join(clone, 'data/a.txt'), 'utf8')).toBe('a\n');

    // A .dir on the remote vouches for its folder, so push trusts it...
    expect((await runBundle('dvc-push', {}, { workspace: root, env: env() })).outputs.uploaded).toBe('0');
    // ...without it, push checks the entries: the cache lacks b.txt, the workspace has it, it goes up
    // from there, and the .dir after it.
    await s3.client.send(
      new DeleteObjectCommand({
        Bucket: 'dvc',
        Key: `partial/files/md5/${data.id.slice(0, 2)}/${data.id.slice(2)}`
      })
    );
    const push = await runBundle('dvc-push', {}, { workspace: root, env: env() });
    expect(push.errors).toEqual([]);
    expect(push.outputs).toMatchObject({ uploaded: '2' });
    expect((await runBundle('dvc-pull', {}, { workspace: clone, env: env() })).errors).toEqual([]);
    expect(tree(path.join(clone, 'data'))).toEqual(tree(path.join(root, 'data')));
  });

  it('unsaved changes: refused and named without force, overwritten with force', async () => {
    const { root } = await makeRepo('force');
    await runBundle('dvc-push', {}, { workspace: root, env: env() });
    const clone = cloneOf(root);
    await runBundle('dvc-pull', {}, { workspace: clone, env: env() });
    fs.writeFileSync(path.join(clone, 'model.pkl'), 'retrained locally');
    const refused = await runBundle('dvc-pull', {}, { workspace: clone, env: env() });
    expect(refused.exitCode).toBe(1);
    expect(refused.errors).toEqual([
      '1 workspace path holds changes that are not in the DVC cache (model.pkl): save them (dvc add / dvc commit, then dvc push) or set force: true to overwrite them.'
    ]);
    expect(fs.readFileSync(path.join(clone, 'model.pkl'), 'utf8')).toBe('retrained locally');
    const forced = await runBundle('dvc-pull', { force: 'true' }, { workspace: clone, env: env() });
    expect(forced.exitCode).toBe(0);
    expect(fs.readFileSync(path.join(clone, 'model.pkl'))).toEqual(DATA['model.pkl']);
  });

  it('per-output remotes: an output with remote: goes to its own bucket, push: false stays home', async () => {
    const root = tempDir('dvc-src');
    initRepo(root, {
      main: { url: 's3://dvc/main', endpointurl: s3.url },
      models: { url: 's3://other/models', endpointurl: s3.url }
    });
    writeFiles(root, { 'data/a.txt': 'a\n', 'model.pkl': 'weights', 'scratch.bin': 'local only' });
    await dvcAdd(root, 'data');
    const model = await dvcAdd(root, 'model.pkl', { fields: { remote: 'models' } });
    await dvcAdd(root, 'scratch.bin', { fields: { push: false } });
    const push = await runBundle('dvc-push', {}, { workspace: root, env: env() });
    expect(push.errors).toEqual([]);
    expect(await s3.keys('other', 'models/')).toEqual([
      `models/files/md5/${model.id.slice(0, 2)}/${model.id.slice(2)}`
    ]);
    expect((await s3.keys('dvc', 'main/')).length).toBe(2);
    expect(push.summary).toContain('| `model.pkl` | model.pkl.dvc | models |');

    const clone = tempDir('dvc-clone');
    for (const f of ['.dvc/config', 'data.dvc', 'model.pkl.dvc'])
      writeFiles(clone, { [f]: fs.readFileSync(path.join(root, f)) });
    const pull = await runBundle('dvc-pull', {}, { workspace: clone, env: env() });
    expect(pull.errors).toEqual([]);
    expect(fs.readFileSync(path.join(clone, 'model.pkl'), 'utf8')).toBe('weights');
  });

  it('legacy DVC 2 entries travel in the legacy layout, with CRLF text hashed the DVC 2 way', async () => {
    const root = tempDir('dvc-src');
    initRepo(root, { storage: { url: 's3://dvc/legacy', endpointurl: s3.url } });
    writeFiles(root, { 'old/a.csv': 'x,y\r\n1,2\r\n', 'old/b.bin': Buffer.from([0, 13, 10]) });
    const data = await dvcAdd(root, 'old', { legacy: true });
    expect((await runBundle('dvc-push', {}, { workspace: root, env: env() })).errors).toEqual([]);
    const keys = await s3.keys('dvc', 'legacy/');
    expect(keys).toContain(`legacy/${data.id.slice(0, 2)}/${data.id.slice(2)}`);
    expect(keys.every((k) => /^legacy\/[0-9a-f]{2}\//.test(k))).toBe(true);
    const clone = tempDir('dvc-clone');
    for (const f of ['.dvc/config', 'old.dvc'])
      writeFiles(clone, { [f]: fs.readFileSync(path.join(root, f)) });
    expect((await runBundle('dvc-pull', {}, { workspace: clone, env: env() })).errors).toEqual([]);
    expect(tree(path.join(clone, 'old'))).toEqual(tree(path.join(root, 'old')));
  });

  it('verify: false never lets a bad object into the cache: a later verified pull detects it, then fetches the good one', async () => {
    const { root, data } = await makeRepo('unverified');
    writeFiles(root, { 'big.bin': Buffer.alloc(3 * 1024 * 1024, 9) });
    const big = await dvcAdd(root, 'big.bin');
    expect((await runBundle('dvc-push', {}, { workspace: root, env: env() })).exitCode).toBe(0);
    const small = data.entries!.find((e) => e.relpath === 'a.txt')!.md5;
    const keyOf = (id: string) => `unverified/files/md5/${id.slice(0, 2)}/${id.slice(2)}`;
    const good = new Map<string, Buffer>();
    for (const [id, bad] of [
      [small, Buffer.from('tampered')],
      [big.id, Buffer.alloc(3 * 1024 * 1024, 8)]
    ] as const) {
      const got = await s3.client.send(new GetObjectCommand({ Bucket: 'dvc', Key: keyOf(id) }));
      good.set(id, Buffer.from(await got.Body!.transformToByteArray()));
      await s3.client.send(new PutObjectCommand({ Bucket: 'dvc', Key: keyOf(id), Body: bad }));
    }
    const clone = cloneOf(root);
    writeFiles(clone, { 'big.bin.dvc': fs.readFileSync(path.join(root, 'big.bin.dvc')) });
    const before = tree(clone);
    const cached = (id: string) =>
      fs.existsSync(path.join(clone, '.dvc/cache/files/md5', id.slice(0, 2), id.slice(2)));
    for (const verify of ['false', 'true']) {
      const pull = await runBundle(
        'dvc-pull',
        { verify, targets: 'data.dvc, big.bin.dvc' },
        { workspace: clone, env: env() }
      );
      expect(pull.exitCode).toBe(1);
      expect(pull.errors).toHaveLength(1);
      expect(pull.errors[0]).toMatch(
        /^(data\/a\.txt|big\.bin): the object files\/md5\/\w{2}\/\w{30} on s3:\/\/dvc\/unverified is corrupt \(its md5 is \w{32}, not \w{32}\) \(and 1 more failure, listed in the job summary\)\. Nothing of the affected outputs was changed in the workspace; the remote holds bad bytes under that name: delete that object there, then run dvc push where the data was added\.$/
      );
      expect(cached(small)).toBe(false);
      expect(cached(big.id)).toBe(false);
      // Only the good objects of other files came in; the workspace has no file and no temporary file.
      const now = tree(clone);
      expect(Object.keys(now).filter((f) => !f.startsWith('.dvc/cache/'))).toEqual(
        Object.keys(before).filter((f) => !f.startsWith('.dvc/cache/'))
      );
      expect(Object.keys(now).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    }
    for (const [id, bytes] of good) {
      await s3.client.send(new PutObjectCommand({ Bucket: 'dvc', Key: keyOf(id), Body: bytes }));
    }
    const fixed = await runBundle('dvc-pull', { verify: 'false' }, { workspace: clone, env: env() });
    expect(fixed.errors).toEqual([]);
    expect(tree(path.join(clone, 'data'))).toEqual(tree(path.join(root, 'data')));
    // Buffer.equals: jest's toEqual walks 3 MiB byte by byte for most of a minute.
    expect(
      fs.readFileSync(path.join(clone, 'big.bin')).equals(fs.readFileSync(path.join(root, 'big.bin')))
    ).toBe(true);
  });

  it('a corrupt object on the remote fails naming the file; nothing partial in the workspace or cache', async () => {
    const { root, data } = await makeRepo('corrupt');
    await runBundle('dvc-push', {}, { workspace: root, env: env() });
    const id = data.entries!.find((e) => e.relpath === 'a.txt')!.md5;
    const Key = `corrupt/files/md5/${id.slice(0, 2)}/${id.slice(2)}`;
    await s3.client.send(new PutObjectCommand({ Bucket: 'dvc', Key, Body: 'tampered' }));
    const clone = cloneOf(root);
    const pull = await runBundle('dvc-pull', {}, { workspace: clone, env: env() });
    expect(pull.exitCode).toBe(1);
    expect(pull.errors).toHaveLength(1);
    expect(pull.errors[0]).toMatch(
      new RegExp(
        `^data/a\\.txt: the object files/md5/${id.slice(0, 2)}/${id.slice(2)} on s3://dvc/corrupt is corrupt \\(its md5 is [0-9a-f]{32}, not ${id}\\)\\.`
      )
    );
    expect(fs.existsSync(path.join(clone, 'data'))).toBe(false);
    expect(fs.existsSync(path.join(clone, '.dvc/cache/files/md5', id.slice(0, 2), id.slice(2)))).toBe(false);
    const leftovers = Object.keys(tree(path.join(clone, '.dvc/cache'))).filter((f) => f.endsWith('.tmp'));
    expect(leftovers).toEqual([]);
    const body = await s3.client.send(new GetObjectCommand({ Bucket: 'dvc', Key }));
    expect(await body.Body!.transformToString()).toBe('tampered');
  });

  it('many objects: listing past 1,000 keys (continuation tokens) and a multipart upload', async () => {
    const root = tempDir('dvc-src');
    initRepo(root, { storage: { url: 's3://dvc/many', endpointurl: s3.url } });
    const files: Record<string, string> = {};
    for (let i = 0; i < 1100; i++) files[`many/f${i}.txt`] = `file ${i}\n`;
    writeFiles(root, files);
    await dvcAdd(root, 'many');
    // 40 MiB of varied bytes: 5 parts of 8 MiB.
    const big = Buffer.alloc(40 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
    writeFiles(root, { 'big.bin': big });
    const bigOut = await dvcAdd(root, 'big.bin');
    // Through a proxy that only watches, to see the multipart requests.
    const proxy = await startFaultProxy(s3.url, { rate: 0 });
    writeFiles(root, { '.dvc/config.local': `['remote "storage"']\n    endpointurl = ${proxy.url}\n` });
    const first = await runBundle('dvc-push', {}, { workspace: root, env: env() });
    await proxy.stop();
    fs.rmSync(path.join(root, '.dvc/config.local'));
    expect(first.errors).toEqual([]);
    expect(first.outputs.uploaded).toBe('1102');
    expect(proxy.lines.filter((l) => /^PUT .*partNumber=\d+/.test(l))).toHaveLength(5);
    expect(proxy.lines.filter((l) => /^POST .*uploadId=/.test(l))).toHaveLength(1);
    const keys = await s3.keys('dvc', 'many/');
    expect(keys).toHaveLength(1102);
    const head = await s3.client.send(
      new GetObjectCommand({
        Bucket: 'dvc',
        Key: `many/files/md5/${bigOut.id.slice(0, 2)}/${bigOut.id.slice(2)}`
      })
    );
    expect(head.ContentLength).toBe(big.length);
    await head.Body!.transformToByteArray();

    // Drop a few objects: the next push checks 1,101 entries with one listing and re-sends the 3.
    for (const k of keys.filter((k) => !k.endsWith('.dir')).slice(0, 3))
      await s3.client.send(new DeleteObjectCommand({ Bucket: 'dvc', Key: k }));
    const dirKey = keys.find((k) => k.endsWith('.dir'))!;
    await s3.client.send(new DeleteObjectCommand({ Bucket: 'dvc', Key: dirKey }));
    const second = await runBundle('dvc-push', {}, { workspace: root, env: { ...env(), RUNNER_DEBUG: '1' } });
    expect(second.errors).toEqual([]);
    expect(second.log).toMatch(/one listing of about \d+ objects instead of 1101 HEAD requests/);
    expect(Number(second.outputs.uploaded)).toBeGreaterThanOrEqual(4);
    expect(await s3.keys('dvc', 'many/')).toEqual(keys);

    const clone = tempDir('dvc-clone');
    for (const f of ['.dvc/config', 'many.dvc', 'big.bin.dvc'])
      writeFiles(clone, { [f]: fs.readFileSync(path.join(root, f)) });
    const pull = await runBundle('dvc-pull', {}, { workspace: clone, env: env() });
    expect(pull.errors).toEqual([]);
    expect(pull.outputs.files).toBe('1101');
    expect(fs.readFileSync(path.join(clone, 'big.bin')).equals(big)).toBe(true);
  });
});

describe('dvc-push and dvc-pull with a local remote', () => {
  it('round trip through a folder given relative to .dvc/, objects read-only', async () => {
    const base = tempDir('dvc-local');
    const root = path.join(base, 'repo');
    initRepo(root, { disk: '../../storage' });
    writeFiles(root, DATA);
    const data = await dvcAdd(root, 'data');
    const push = await runBundle('dvc-push', {}, { workspace: root });
    expect(push.errors).toEqual([]);
    const stored = path.join(base, 'storage/files/md5', data.id.slice(0, 2), data.id.slice(2));
    expect(fs.statSync(stored).mode & 0o777).toBe(0o444);
    expect(Object.keys(tree(path.join(base, 'storage'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const clone = path.join(base, 'clone');
    for (const f of ['.dvc/config', 'data.dvc'])
      writeFiles(clone, { [f]: fs.readFileSync(path.join(root, f)) });
    const pull = await runBundle('dvc-pull', { targets: 'data.dvc' }, { workspace: clone });
    expect(pull.errors).toEqual([]);
    expect(tree(path.join(clone, 'data'))).toEqual(tree(path.join(root, 'data')));
  });
});

describe('engine: dvc, with a stand-in dvc command on PATH', () => {
  // dvc cannot be installed here (no PyPI): a script named dvc records its arguments and answers
  // like dvc 3 does.
  function fakeDvc(): { dir: string; argsFile: string } {
    const dir = tempDir('fake-dvc');
    const argsFile = path.join(dir, 'args');
    fs.writeFileSync(
      path.join(dir, 'dvc'),
      `#!/bin/sh
echo "$PWD $*" >> "${argsFile}"
echo "A       data/"
echo "3 files fetched and 2 files added"
`,
      { mode: 0o755 }
    );
    return { dir, argsFile };
  }

  it('engine: dvc runs dvc pull with the inputs; engine: auto hands over a gs:// remote', async () => {
    const fake = fakeDvc();
    const root = tempDir('dvc-src');
    initRepo(root, { storage: 'gs://bucket/data' });
    writeFiles(root, { 'a.txt': 'a' });
    await dvcAdd(root, 'a.txt');
    const PATH = `${fake.dir}:${process.env.PATH}`;
    const viaDvc = await runBundle(
      'dvc-pull',
      { engine: 'dvc', jobs: '4', force: 'true' },
      { workspace: root, env: { PATH } }
    );
    expect(viaDvc.errors).toEqual([]);
    expect(viaDvc.outputs).toMatchObject({ downloaded: '3', files: '2' });
    expect(viaDvc.summary).toContain('dvc (delegated to the dvc command)');
    const auto = await runBundle('dvc-push', { targets: 'a.txt.dvc' }, { workspace: root, env: { PATH } });
    expect(auto.errors).toEqual([]);
    expect(auto.log).toContain('Handing over to');
    expect(fs.readFileSync(fake.argsFile, 'utf8')).toBe(
      `${root} pull --jobs 4 --force\n${root} push a.txt.dvc\n`
    );
  });
});
