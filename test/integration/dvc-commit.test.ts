/**
 * The dvc-push bundle with `commit: true`, run as the runner runs it, against s3rver, the project's
 * emulator (through the real AWS SDK) and a local remote: a newly trained model is recorded in
 * dvc.lock and pushed, a clone pulls it back, and a second push with nothing changed changes nothing.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { awsClient } from '../../src/aws.js';
import { manifestId, serializeManifest } from '../../src/dvc/hash.js';
import { runBundle } from '../helpers/bundle.js';
import { startS3, type RunningS3 } from '../helpers/s3.js';
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';
import { dvcAdd, initRepo, removeTempDirs, tempDir, tree, writeFiles } from '../helpers/dvc-repo.js';

afterAll(removeTempDirs);

let s3: RunningS3;
let emulator: RunningEmulator;
beforeAll(async () => {
  s3 = await startS3(['dvc']);
  emulator = await startEmulator();
});
afterAll(async () => {
  await s3?.stop();
  await emulator?.stop();
});

const md5 = (s: string) => crypto.createHash('md5').update(s).digest('hex');
const dirId = (files: Record<string, string>) =>
  manifestId(serializeManifest(Object.entries(files).map(([relpath, c]) => ({ relpath, md5: md5(c) }))));
const key = (prefix: string, id: string) => `${prefix}/files/md5/${id.slice(0, 2)}/${id.slice(2)}`;

const PROJECT = {
  'dvc.yaml':
    'stages:\n  train:\n    cmd: python train.py\n    deps:\n    - data\n    - train.py\n    params:\n    - lr\n' +
    '    outs:\n    - model\n    metrics:\n    - metrics.json:\n        cache: false\n',
  'params.yaml': 'lr: 0.1\n',
  'train.py': 'print("train")\n',
  'data/a.csv': '1,2\n',
  'model/model.json': '{"lr": 0.1}\n',
  'metrics.json': '{"accuracy": 0.9}\n'
};

/** A workspace holding the DVC project in `project/` (working-directory), data added, model trained. */
async function workspaceWith(remote: string | Record<string, string>): Promise<string> {
  const workspace = tempDir('dvc-commit-ws');
  const root = path.join(workspace, 'project');
  initRepo(root, { storage: remote });
  writeFiles(root, PROJECT);
  return workspace;
}

describe('dvc-push with commit', () => {
  it('against S3 (s3rver): records the trained model in a new dvc.lock, pushes it, and nothing the second time', async () => {
    const workspace = await workspaceWith({ url: 's3://dvc/commit', endpointurl: s3.url });
    const root = path.join(workspace, 'project');
    const inputs = { commit: 'true', 'working-directory': 'project' };
    const first = await runBundle('dvc-push', inputs, { workspace, env: s3.env });
    expect(first.errors).toEqual([]);
    expect(first.exitCode).toBe(0);
    expect(first.outputs.committed).toBe('project/dvc.lock');
    const model = dirId({ 'model.json': PROJECT['model/model.json'] });
    const lock = fs.readFileSync(path.join(root, 'dvc.lock'), 'utf8');
    expect(lock).toContain(
      `  - path: model\n      hash: md5\n      md5: ${model}\n      size: 12\n      nfiles: 1\n`
    );
    expect(lock).toContain(`md5: ${md5(PROJECT['metrics.json'])}`);
    // The model went up; metrics.json (cache: false) did not.
    expect(await s3.keys('dvc', 'commit/')).toEqual(
      [key('commit', model), key('commit', md5(PROJECT['model/model.json']))].sort()
    );
    expect(first.outputs).toMatchObject({ uploaded: '2', skipped: '0' });
    expect(first.summary).toContain('### Recorded before the push (commit)');
    expect(first.summary).toContain(`| \`model\` | dvc.lock:train | none | \`${model}\` | yes |`);
    expect(first.summary).toContain(`| \`metrics.json\` | dvc.lock:train | none |`);
    expect(first.summary).toContain('no (cache: false)');

    const before = tree(workspace);
    const second = await runBundle('dvc-push', inputs, { workspace, env: s3.env });
    expect(second.exitCode).toBe(0);
    expect(second.outputs).toMatchObject({ committed: '', uploaded: '0' });
    expect(second.summary).toContain('no file changed');
    expect(tree(workspace)).toEqual(before);

    // Retrained: the lock records old -> new, the new model goes up.
    writeFiles(root, { 'params.yaml': 'lr: 0.5\n', 'model/model.json': '{"lr": 0.5}\n' });
    const third = await runBundle('dvc-push', inputs, { workspace, env: s3.env });
    const newer = dirId({ 'model.json': '{"lr": 0.5}\n' });
    expect(third.outputs).toMatchObject({ committed: 'project/dvc.lock', uploaded: '2' });
    expect(third.summary).toContain(`| \`model\` | dvc.lock:train | \`${model}\` | \`${newer}\` | yes |`);
    expect(fs.readFileSync(path.join(root, 'dvc.lock'), 'utf8')).toContain('lr: 0.5');
  });

  it('against the emulator S3: a DVC 2 .dvc file is recorded in DVC 3 form, and a clone pulls the new model', async () => {
    const client = awsClient(S3Client, 'S3', {
      action: 'test',
      region: 'us-east-1',
      endpoint: emulator.url,
      credentials: { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator-secret' }
    });
    await client.send(new CreateBucketCommand({ Bucket: 'dvc-commit' }));
    const root = tempDir('dvc-commit-emu');
    initRepo(root, { storage: 's3://dvc-commit/store' });
    writeFiles(root, { 'model.pkl': 'weights v1\r\n' });
    await dvcAdd(root, 'model.pkl', { legacy: true });
    expect(fs.readFileSync(path.join(root, 'model.pkl.dvc'), 'utf8')).not.toContain('hash:');
    writeFiles(root, { 'model.pkl': 'weights v2\r\n' });
    const pushed = await runBundle('dvc-push', { commit: 'true' }, { workspace: root, env: emulator.env });
    expect(pushed.errors).toEqual([]);
    expect(pushed.outputs.committed).toBe('model.pkl.dvc');
    expect(fs.readFileSync(path.join(root, 'model.pkl.dvc'), 'utf8')).toBe(
      `outs:\n- md5: ${md5('weights v2\r\n')}\n  size: 12\n  hash: md5\n  path: model.pkl\n`
    );
    const listed = await client.send(new ListObjectsV2Command({ Bucket: 'dvc-commit' }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual([key('store', md5('weights v2\r\n'))]);

    const clone = tempDir('dvc-commit-clone');
    for (const f of ['.dvc/config', 'model.pkl.dvc'])
      writeFiles(clone, { [f]: fs.readFileSync(path.join(root, f)) });
    const pulled = await runBundle('dvc-pull', {}, { workspace: clone, env: emulator.env });
    expect(pulled.errors).toEqual([]);
    expect(fs.readFileSync(path.join(clone, 'model.pkl'), 'utf8')).toBe('weights v2\r\n');
  });

  it('against a local remote: read-only objects there, the targets limit what is recorded', async () => {
    const workspace = await workspaceWith('../../remote');
    const root = path.join(workspace, 'project');
    writeFiles(root, { 'notes.txt': 'v1\n' });
    await dvcAdd(root, 'notes.txt');
    writeFiles(root, { 'notes.txt': 'v2\n' });
    const notes = fs.readFileSync(path.join(root, 'notes.txt.dvc'), 'utf8');
    const run = await runBundle(
      'dvc-push',
      { commit: 'true', 'working-directory': 'project', targets: 'dvc.yaml:train' },
      { workspace }
    );
    expect(run.errors).toEqual([]);
    expect(run.outputs.committed).toBe('project/dvc.lock');
    expect(fs.readFileSync(path.join(root, 'notes.txt.dvc'), 'utf8')).toBe(notes);
    const model = dirId({ 'model.json': PROJECT['model/model.json'] });
    const object = path.join(workspace, 'remote/files/md5', model.slice(0, 2), model.slice(2));
    expect(fs.statSync(object).mode & 0o777).toBe(0o444);
  });
});
