/**
 * Native `dvc commit` (dvc-push's `commit` input) on real folders: which entries change and how they
 * are written (dvc's own order and form), what enters the cache, what is left alone, what is refused.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { commit } from '../../../src/dvc/commit.js';
import { transfer, type RunOptions } from '../../../src/dvc/engine.js';
import { manifestId, md5Bytes, serializeManifest } from '../../../src/dvc/hash.js';
import { objectKey } from '../../../src/dvc/remote.js';
import { MemoryLogger } from '../../../src/report.js';
import { dvcAdd, initRepo, removeTempDirs, tempDir, tree, writeFiles } from '../../helpers/dvc-repo.js';
import { MemoryRemote } from '../../helpers/memory-remote.js';

afterAll(removeTempDirs);

const md5 = (s: string) => crypto.createHash('md5').update(s).digest('hex');
const read = (root: string, rel: string) => fs.readFileSync(path.join(root, rel), 'utf8');
const cached = (root: string, id: string, legacy = false) =>
  path.join(root, '.dvc/cache', objectKey({ id, legacy }));
const dirId = (files: Record<string, string>) =>
  manifestId(serializeManifest(Object.entries(files).map(([relpath, c]) => ({ relpath, md5: md5(c) }))));

function repo(files: Record<string, string>): string {
  const root = tempDir('dvc-commit');
  initRepo(root, { storage: '/unused' });
  writeFiles(root, files);
  return root;
}

const PIPELINE = {
  'dvc.yaml': [
    'stages:',
    '  train:',
    '    cmd: python train.py',
    '    deps:',
    '    - train.py',
    '    - data',
    '    params:',
    '    - train.lr',
    '    outs:',
    '    - model',
    '    metrics:',
    '    - metrics.json:',
    '        cache: false',
    ''
  ].join('\n'),
  'params.yaml': 'train:\n  lr: 0.1\n  epochs: 3\n',
  'train.py': 'print("train")\n',
  'data/a.csv': '1,2\n',
  'model/weights.json': '{"w": [1]}\n',
  'metrics.json': '{"accuracy": 0.9}\n'
};

describe('commit: .dvc files', () => {
  it('records a changed file and folder in place, caches them read-only, keeps the rest of the file', async () => {
    const root = repo({ 'data/a.txt': 'a\n', 'model.bin': 'old', 'notes.txt': 'n\n' });
    await dvcAdd(root, 'data');
    const old = await dvcAdd(root, 'model.bin');
    await dvcAdd(root, 'notes.txt');
    fs.appendFileSync(path.join(root, 'model.bin.dvc'), '# trained weekly\n');
    writeFiles(root, { 'model.bin': 'new weights', 'data/b.txt': 'b\n' });
    const notes = read(root, 'notes.txt.dvc');

    const report = await commit({ root, targets: [] });
    expect(report.files).toEqual(['data.dvc', 'model.bin.dvc']);
    expect(read(root, 'model.bin.dvc')).toBe(
      `outs:\n- md5: ${md5('new weights')}\n  size: 11\n  hash: md5\n  path: model.bin\n\n# trained weekly\n`
    );
    const folder = dirId({ 'a.txt': 'a\n', 'b.txt': 'b\n' });
    expect(read(root, 'data.dvc')).toBe(
      `outs:\n- md5: ${folder}\n  size: 4\n  nfiles: 2\n  hash: md5\n  path: data\n`
    );
    expect(read(root, 'notes.txt.dvc')).toBe(notes);
    expect(report.outputs).toEqual([
      expect.objectContaining({ path: 'data', source: 'data.dvc', new: folder, cached: true }),
      { path: 'model.bin', source: 'model.bin.dvc', old: old.id, new: md5('new weights'), cached: true }
    ]);
    for (const id of [md5('new weights'), md5('b\n'), folder]) {
      expect(fs.statSync(cached(root, id)).mode & 0o777).toBe(0o444);
    }
    expect(fs.readFileSync(cached(root, folder), 'utf8')).toContain('"relpath": "b.txt"');
  });

  it('a second commit with nothing changed writes no file', async () => {
    const root = repo({ 'model.bin': 'w' });
    await dvcAdd(root, 'model.bin');
    writeFiles(root, { 'model.bin': 'w2' });
    await commit({ root, targets: [] });
    const before = tree(root);
    const mtime = fs.statSync(path.join(root, 'model.bin.dvc')).mtimeMs;
    const again = await commit({ root, targets: [] });
    expect(again).toMatchObject({ files: [], outputs: [], cachedObjects: 0 });
    expect(tree(root)).toEqual(before);
    expect(fs.statSync(path.join(root, 'model.bin.dvc')).mtimeMs).toBe(mtime);
  });

  it('a legacy DVC 2 entry that changed is rewritten in DVC 3 form; an unchanged one stays legacy', async () => {
    const root = repo({ 'data/a.txt': 'a\r\n', 'model.bin': 'old\r\n' });
    await dvcAdd(root, 'data', { legacy: true });
    await dvcAdd(root, 'model.bin', { legacy: true });
    const data = read(root, 'data.dvc');
    writeFiles(root, { 'model.bin': 'new\r\n' });
    await commit({ root, targets: [] });
    expect(read(root, 'data.dvc')).toBe(data);
    // DVC 3 hashes the raw bytes (no CRLF folding) and says so with hash: md5.
    expect(read(root, 'model.bin.dvc')).toBe(
      `outs:\n- md5: ${md5('new\r\n')}\n  size: 5\n  hash: md5\n  path: model.bin\n`
    );
    expect(fs.existsSync(cached(root, md5('new\r\n')))).toBe(true);
  });

  it('cache: false outputs are recorded but not cached', async () => {
    const root = repo({ 'raw.csv': 'a\n' });
    writeFiles(root, {
      'raw.csv.dvc': `outs:\n- md5: ${md5('x')}\n  size: 1\n  hash: md5\n  path: raw.csv\n  cache: false\n`
    });
    const report = await commit({ root, targets: ['raw.csv'] });
    expect(read(root, 'raw.csv.dvc')).toContain(
      `md5: ${md5('a\n')}\n  size: 2\n  hash: md5\n  path: raw.csv\n  cache: false\n`
    );
    expect(report.outputs[0].cached).toBe(false);
    expect(fs.existsSync(path.join(root, '.dvc/cache'))).toBe(false);
  });
});

describe('commit: dvc.yaml stages and dvc.lock', () => {
  it('a stage with no lock entry gets one as dvc writes it: deps and outs sorted, params, metrics not cached', async () => {
    const root = repo(PIPELINE);
    const report = await commit({ root, targets: ['dvc.yaml:train'] });
    const model = dirId({ 'weights.json': '{"w": [1]}\n' });
    const data = dirId({ 'a.csv': '1,2\n' });
    expect(read(root, 'dvc.lock')).toBe(
      [
        "schema: '2.0'",
        'stages:',
        '  train:',
        '    cmd: python train.py',
        '    deps:',
        '    - path: data',
        '      hash: md5',
        `      md5: ${data}`,
        '      size: 4',
        '      nfiles: 1',
        '    - path: train.py',
        '      hash: md5',
        `      md5: ${md5(PIPELINE['train.py'])}`,
        '      size: 15',
        '    params:',
        '      params.yaml:',
        '        train.lr: 0.1',
        '    outs:',
        '    - path: metrics.json',
        '      hash: md5',
        `      md5: ${md5(PIPELINE['metrics.json'])}`,
        '      size: 18',
        '    - path: model',
        '      hash: md5',
        `      md5: ${model}`,
        '      size: 11',
        '      nfiles: 1',
        ''
      ].join('\n')
    );
    expect(report.files).toEqual(['dvc.lock']);
    expect(report.outputs.map((o) => [o.path, o.old, o.cached])).toEqual([
      ['metrics.json', undefined, false],
      ['model', undefined, true]
    ]);
    expect(fs.existsSync(cached(root, model))).toBe(true);
    expect(fs.existsSync(cached(root, md5(PIPELINE['metrics.json'])))).toBe(false);
    // Nothing changed since: nothing written.
    const lock = fs.statSync(path.join(root, 'dvc.lock')).mtimeMs;
    expect((await commit({ root, targets: [] })).files).toEqual([]);
    expect(fs.statSync(path.join(root, 'dvc.lock')).mtimeMs).toBe(lock);
  });

  it('a retrained model updates its out, the deps and params; other stages keep their text and order', async () => {
    const root = repo({
      ...PIPELINE,
      'dvc.yaml':
        PIPELINE['dvc.yaml'] + '  report:\n    cmd: echo hi > report.txt\n    outs:\n    - report.txt\n',
      'report.txt': 'hi\n'
    });
    await commit({ root, targets: [] });
    const lock = read(root, 'dvc.lock');
    const reportStage = lock.slice(lock.indexOf('  report:'));
    writeFiles(root, { 'params.yaml': 'train:\n  lr: 0.5\n', 'model/weights.json': '{"w": [2]}\n' });
    const report = await commit({ root, targets: [] });
    const after = read(root, 'dvc.lock');
    expect(after.indexOf('  train:')).toBeLessThan(after.indexOf('  report:'));
    expect(after.slice(after.indexOf('  report:'))).toBe(reportStage);
    expect(after).toContain('train.lr: 0.5');
    expect(report.outputs).toEqual([
      {
        path: 'model',
        source: 'dvc.lock:train',
        old: dirId({ 'weights.json': '{"w": [1]}\n' }),
        new: dirId({ 'weights.json': '{"w": [2]}\n' }),
        cached: true
      }
    ]);
  });

  it('a DVC 2 lock: the changed out becomes DVC 3, an unchanged legacy dep stays as it was', async () => {
    const root = repo({ 'train.py': 'x\r\n', 'model.bin': 'v1' });
    const dep = `    - path: train.py\n      md5: ${md5Bytes(Buffer.from('x\r\n'), true)}\n      size: 3\n`;
    writeFiles(root, {
      'dvc.yaml':
        'stages:\n  train:\n    cmd: make train\n    deps:\n    - train.py\n    outs:\n    - model.bin\n',
      'dvc.lock': `schema: '2.0'\nstages:\n  train:\n    cmd: make train\n    deps:\n${dep}    outs:\n    - path: model.bin\n      md5: ${md5('v1')}\n      size: 2\n`
    });
    writeFiles(root, { 'model.bin': 'v2' });
    await commit({ root, targets: ['model.bin'] });
    expect(read(root, 'dvc.lock')).toBe(
      `schema: '2.0'\nstages:\n  train:\n    cmd: make train\n    deps:\n${dep}    outs:\n    - path: model.bin\n      hash: md5\n      md5: ${md5('v2')}\n      size: 2\n`
    );
  });

  it('an output missing from the workspace: kept as recorded (warning); with nothing recorded, refused', async () => {
    const root = repo(PIPELINE);
    await commit({ root, targets: [] });
    const lock = read(root, 'dvc.lock');
    fs.rmSync(path.join(root, 'model'), { recursive: true });
    const report = await commit({ root, targets: [] });
    expect(report.files).toEqual([]);
    expect(report.warnings).toEqual([
      'dvc.yaml:train (output model): model does not exist in the workspace: stage "train" of dvc.lock kept as recorded.'
    ]);
    expect(read(root, 'dvc.lock')).toBe(lock);
    fs.rmSync(path.join(root, 'dvc.lock'));
    await expect(commit({ root, targets: [] })).rejects.toThrow(
      'dvc.yaml:train (output model): model does not exist in the workspace, so there is nothing to record.'
    );
    expect(fs.existsSync(path.join(root, 'dvc.lock'))).toBe(false);
  });
});

describe('commit: outputs checked out as links (cache.type symlink)', () => {
  it('a link to its cached object is read as that object: unchanged, nothing written', async () => {
    const root = repo(PIPELINE);
    await commit({ root, targets: [] });
    const lock = read(root, 'dvc.lock');
    const weights = path.join(root, 'model/weights.json');
    const object = cached(root, md5('{"w": [1]}\n'));
    fs.rmSync(weights);
    fs.symlinkSync(object, weights);
    const report = await commit({ root, targets: [] });
    expect(report.files).toEqual([]);
    expect(read(root, 'dvc.lock')).toBe(lock);
  });

  it('a link into the cache that is not an object file stays refused', async () => {
    const root = repo(PIPELINE);
    await commit({ root, targets: [] });
    fs.writeFileSync(path.join(root, '.dvc/cache/notes.txt'), 'n');
    fs.symlinkSync(path.join(root, '.dvc/cache/notes.txt'), path.join(root, 'model/notes.txt'));
    await expect(commit({ root, targets: [] })).rejects.toThrow(
      'dvc.yaml:train (output model): "model/notes.txt" is a symbolic link, which could lead outside the working directory; replace it with the file or folder itself.'
    );
  });
});

describe('commit: refusals write nothing', () => {
  it.each([
    [
      'an output behind a symbolic link',
      (root: string, outside: string) => {
        fs.renameSync(path.join(root, 'model'), path.join(outside, 'model'));
        fs.symlinkSync(path.join(outside, 'model'), path.join(root, 'model'));
      },
      'dvc.yaml:train (output model): "model" is a symbolic link, which could lead outside the working directory; replace it with the file or folder itself.'
    ],
    [
      'a symbolic link inside a tracked folder',
      (root: string, outside: string) => {
        fs.writeFileSync(path.join(outside, 'secret'), 's');
        fs.symlinkSync(path.join(outside, 'secret'), path.join(root, 'model/secret'));
      },
      'dvc.yaml:train (output model): "model/secret" is a symbolic link, which could lead outside the working directory; replace it with the file or folder itself.'
    ],
    [
      'an output path that leaves the workspace',
      (root: string) =>
        fs.writeFileSync(
          path.join(root, 'dvc.yaml'),
          'stages:\n  train:\n    cmd: x\n    outs:\n    - ../../etc/x\n'
        ),
      'dvc.yaml:train (output ../../etc/x) names the path "../../etc/x", which leaves the working directory; nothing was written.'
    ],
    [
      'a parameter missing from params.yaml',
      (root: string) => fs.writeFileSync(path.join(root, 'params.yaml'), 'train:\n  epochs: 3\n'),
      'dvc.yaml:train: the parameter train.lr is not in params.yaml; add it there.'
    ]
  ])('%s', async (_, breakIt, message) => {
    const root = repo(PIPELINE);
    breakIt(root, tempDir('dvc-outside'));
    const before = tree(root);
    await expect(commit({ root, targets: [] })).rejects.toThrow(message);
    expect(tree(root)).toEqual(before);
  });

  it('an unknown target', async () => {
    const root = repo(PIPELINE);
    await expect(commit({ root, targets: ['dvc.yaml:test'] })).rejects.toThrow(
      'Input "targets" names the stage "test", which dvc.yaml does not define.'
    );
    await expect(commit({ root, targets: ['nothing'] })).rejects.toThrow(
      'Input "targets" names "nothing", which is not a .dvc file, a dvc.yaml stage or a path tracked by DVC.'
    );
  });
});

describe('push with commit', () => {
  const options = (root: string, remote: MemoryRemote, extra: Partial<RunOptions> = {}): RunOptions => ({
    engine: 'native',
    root,
    targets: [],
    jobs: 4,
    openRemote: () => remote,
    attempts: 1,
    log: new MemoryLogger(),
    commit: true,
    ...extra
  });

  it('records the new stage, then pushes the model but not the cache: false metrics', async () => {
    const root = repo(PIPELINE);
    const remote = new MemoryRemote();
    const report = await transfer('push', options(root, remote));
    expect(report.failure).toBeUndefined();
    expect(report.committed?.files).toEqual(['dvc.lock']);
    const model = dirId({ 'weights.json': '{"w": [1]}\n' });
    expect([...remote.objects.keys()].sort()).toEqual(
      [objectKey({ id: model, legacy: false }), objectKey({ id: md5('{"w": [1]}\n'), legacy: false })].sort()
    );
    const again = await transfer('push', options(root, remote));
    expect(again.committed?.files).toEqual([]);
    expect(again.transferred).toBe(0);
  });
});
