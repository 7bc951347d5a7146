/** DVC's config, .dvc files, dvc.yaml + dvc.lock, targets, and the path rules, as DVC reads them. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cacheDir, loadConfig, parseIni, resolveRemote } from '../../../src/dvc/config.js';
import { collectOutputs } from '../../../src/dvc/dvcfiles.js';
import { CorruptObjectError, LocalCache, parseManifest } from '../../../src/dvc/cache.js';
import { checkManifestPath, ParentGuard, resolveInRoot } from '../../../src/dvc/paths.js';
import { openRepo } from '../../../src/dvc/repo.js';
import { removeTempDirs, tempDir, writeFiles } from '../../helpers/dvc-repo.js';

afterAll(removeTempDirs);

const H1 = '60b725f10c9c85c70d97880dfe8191b3';
const H2 = '3b5d5c3712955042212316173ccf37be';
const D1 = '849835d274483dc683eb416d6e4f887d.dir';

describe('config', () => {
  it('reads configobj INI: quoted sections either way, case-insensitive keys and names, comments', () => {
    const ini = parseIni(
      [
        '[core]',
        '    Remote = Storage  # the default',
        '[\'remote "storage"\']',
        '    url = s3://mybucket/dvcstore',
        '[remote "Other"]',
        "    url = 's3://b/with # hash'",
        '; a comment',
        '# another'
      ].join('\n'),
      '.dvc/config'
    );
    expect(ini).toEqual({
      core: { remote: 'Storage' },
      'remote "storage"': { url: 's3://mybucket/dvcstore' },
      'remote "other"': { url: 's3://b/with # hash' }
    });
    expect(() => parseIni('[core]\nnot a key value\n', '.dvc/config')).toThrow(
      '.dvc/config line 2 ("not a key value") is not "key = value" inside a [section]; fix the file.'
    );
  });

  it('merges config.local over config; remote:// builds on another remote; local urls resolve against .dvc/', () => {
    const root = tempDir('dvc-config');
    writeFiles(root, {
      '.dvc/config':
        '[core]\n  remote = base\n[\'remote "base"\']\n  url = s3://bucket/root\n  region = eu-west-1\n' +
        '[\'remote "sub"\']\n  url = remote://base/models/v2\n[\'remote "disk"\']\n  url = ../../storage\n' +
        '[cache]\n  dir = ../../cache\n',
      '.dvc/config.local': '[\'remote "base"\']\n  access_key_id = AKID\n  secret_access_key = SECRET\n'
    });
    const config = loadConfig(root);
    expect(resolveRemote(config, 'SUB', 'test')).toEqual({
      name: 'sub',
      type: 's3',
      url: 's3://bucket/root/models/v2',
      bucket: 'bucket',
      prefix: 'root/models/v2',
      options: { region: 'eu-west-1', access_key_id: 'AKID', secret_access_key: 'SECRET' }
    });
    expect(resolveRemote(config, 'disk', 'test')).toMatchObject({
      type: 'local',
      path: path.resolve(root, '../storage')
    });
    expect(cacheDir(config)).toBe(path.resolve(root, '../cache'));
    expect(() => resolveRemote(config, 'nope', 'Input "remote"')).toThrow(
      'Input "remote" names the remote "nope", which .dvc/config and .dvc/config.local do not define (known remotes: base, sub, disk); add it with dvc remote add.'
    );
  });

  it('a remote:// loop and a bucket-less url are errors; other schemes are named as unsupported', () => {
    const root = tempDir('dvc-config');
    writeFiles(root, {
      '.dvc/config':
        '[\'remote "a"\']\n url = remote://b/x\n[\'remote "b"\']\n url = remote://a/y\n' +
        '[\'remote "gs"\']\n url = gs://bucket/p\n[\'remote "s3"\']\n url = s3://\n'
    });
    const config = loadConfig(root);
    expect(() => resolveRemote(config, 'a', 't')).toThrow(
      'Remote "a" refers to itself through remote:// urls (a -> b -> a).'
    );
    expect(() => resolveRemote(config, 's3', 't')).toThrow('names no bucket');
    expect(resolveRemote(config, 'gs', 't')).toMatchObject({ type: 'other', scheme: 'gs' });
  });
});

describe('.dvc files, dvc.yaml and dvc.lock', () => {
  function repo(files: Record<string, string>): string {
    const root = tempDir('dvc-files');
    writeFiles(root, { '.dvc/config': '[core]\n remote = s\n[\'remote "s"\']\n url = s3://b/p\n', ...files });
    return root;
  }

  it('reads .dvc outs relative to their file: DVC 3 or legacy, flags, isexec, size', () => {
    const root = repo({
      'data.dvc': `outs:\n- md5: ${D1}\n  size: 4\n  nfiles: 2\n  hash: md5\n  path: data\n`,
      'models/model.pkl.dvc': `outs:\n- md5: ${H1}\n  path: model.pkl\n  isexec: true\n  remote: Other\n  push: false\n`,
      'raw.dvc': `outs:\n- md5: ${H2}\n  path: raw.csv\n  cache: false\n`
    });
    const { outputs } = collectOutputs(root, []);
    expect(outputs).toEqual([
      {
        path: 'data',
        source: 'data.dvc',
        id: D1,
        legacy: false,
        isDir: true,
        size: 4,
        nfiles: 2,
        isexec: false,
        cache: true,
        push: true,
        remote: undefined
      },
      {
        path: 'models/model.pkl',
        source: 'models/model.pkl.dvc',
        id: H1,
        legacy: true,
        isDir: false,
        size: undefined,
        nfiles: undefined,
        isexec: true,
        cache: true,
        push: false,
        remote: 'other'
      },
      {
        path: 'raw.csv',
        source: 'raw.dvc',
        id: H2,
        legacy: true,
        isDir: false,
        size: undefined,
        nfiles: undefined,
        isexec: false,
        cache: false,
        push: true,
        remote: undefined
      }
    ]);
  });

  it('reads dvc.lock with flags from dvc.yaml: wdir, cache: false, push: false, remote, metrics, foreach', () => {
    const root = repo({
      'pipe/dvc.yaml': [
        'stages:',
        '  train:',
        '    cmd: python train.py',
        '    wdir: ..',
        '    outs:',
        '    - models/model.pkl:',
        '        push: false',
        '        remote: models',
        '    - logs:',
        '        cache: false',
        '    metrics:',
        '    - metrics.json',
        '  split:',
        '    foreach: [a, b]',
        '    do:',
        '      cmd: split ${item}',
        '      outs:',
        '      - parts/${item}:',
        '          cache: false'
      ].join('\n'),
      'pipe/dvc.lock': [
        "schema: '2.0'",
        'stages:',
        '  train:',
        '    cmd: python train.py',
        '    outs:',
        `    - path: models/model.pkl\n      hash: md5\n      md5: ${H1}\n      size: 2`,
        `    - path: logs\n      hash: md5\n      md5: ${D1}`,
        `    - path: metrics.json\n      md5: ${H2}`,
        '  split@a:',
        '    cmd: split a',
        '    outs:',
        `    - path: parts/a\n      hash: md5\n      md5: ${H2}`
      ].join('\n')
    });
    const { outputs } = collectOutputs(root, []);
    expect(outputs.map((o) => [o.path, o.source, o.cache, o.push, o.remote, o.legacy])).toEqual([
      ['logs', 'pipe/dvc.lock:train', false, true, undefined, false],
      ['metrics.json', 'pipe/dvc.lock:train', true, true, undefined, true],
      ['models/model.pkl', 'pipe/dvc.lock:train', true, false, 'models', false],
      ['pipe/parts/a', 'pipe/dvc.lock:split@a', false, true, undefined, false]
    ]);
    expect(collectOutputs(root, ['pipe/dvc.yaml:split@a']).outputs.map((o) => o.path)).toEqual([
      'pipe/parts/a'
    ]);
    expect(collectOutputs(root, ['models']).outputs.map((o) => o.path)).toEqual(['models/model.pkl']);
  });

  it('targets: a .dvc file, a tracked path, a folder holding outputs, a root stage name; errors name the input', () => {
    const root = repo({
      'a.dvc': `outs:\n- md5: ${H1}\n  hash: md5\n  path: a.txt\n`,
      'data/b.dvc': `outs:\n- md5: ${D1}\n  hash: md5\n  path: b\n`,
      'dvc.yaml': 'stages:\n  prep:\n    cmd: x\n    outs: [c.txt]\n',
      'dvc.lock': `schema: '2.0'\nstages:\n  prep:\n    cmd: x\n    outs:\n    - path: c.txt\n      hash: md5\n      md5: ${H2}\n`
    });
    const paths = (t: string[]) => collectOutputs(root, t).outputs.map((o) => o.path);
    expect(paths(['a.dvc'])).toEqual(['a.txt']);
    expect(paths(['a.txt', 'data'])).toEqual(['a.txt', 'data/b']);
    expect(paths(['prep'])).toEqual(['c.txt']);
    expect(paths(['dvc.yaml'])).toEqual(['c.txt']);
    // A path inside a tracked folder is a granular target: that folder, narrowed to the path.
    const within = (t: string[]) => collectOutputs(root, t).outputs.map((o) => [o.path, o.within]);
    expect(within(['data/b/inner.txt'])).toEqual([['data/b', ['inner.txt']]]);
    expect(within(['data/b/x', 'data/b/a/../y'])).toEqual([['data/b', ['x', 'y']]]);
    expect(within(['data/b/x', 'data/b'])).toEqual([['data/b', undefined]]);
    expect(() => paths(['a.txt/inner'])).toThrow(
      'Input "targets" names a.txt/inner, a path below a.txt, which is a tracked file (a.dvc), not a folder.'
    );
    expect(() => paths(['data/b/../../..'])).toThrow(
      'Input "targets" names "data/b/../../..", which is outside the working directory.'
    );
    expect(() => paths(['nothing'])).toThrow(
      'Input "targets" names "nothing", which is not a .dvc file, a dvc.yaml stage or a path tracked by DVC.'
    );
    expect(() => paths(['../elsewhere'])).toThrow(
      'Input "targets" names "../elsewhere", which is outside the working directory.'
    );
    expect(() => paths(['dvc.yaml:nope'])).toThrow(
      'Input "targets" names the stage "nope", which dvc.lock does not have.'
    );
  });

  it('refuses paths that leave the root, point into .git or .dvc, overlap, or contradict', () => {
    const bad = (content: string) => () => collectOutputs(repo({ 'x.dvc': content }), []);
    expect(bad(`outs:\n- md5: ${H1}\n  path: ../../etc/passwd\n`)).toThrow(
      'x.dvc (outs[0]) names the path "../../etc/passwd", which leaves the working directory; nothing was written.'
    );
    expect(bad(`outs:\n- md5: ${H1}\n  path: /etc/passwd\n`)).toThrow('which is absolute');
    expect(bad(`outs:\n- md5: ${H1}\n  path: .git/hooks/pre-commit\n`)).toThrow('inside .git/');
    expect(bad(`outs:\n- md5: ${D1}\n  path: data\n- md5: ${H1}\n  path: data/x\n`)).toThrow(
      'data/x (x.dvc) lies inside data (x.dvc), which is tracked too; DVC outputs may not overlap.'
    );
    expect(bad(`outs:\n- md5: nothex\n  path: a\n`)).toThrow(
      'x.dvc (outs[0]): md5 "nothex" is not an md5 hash'
    );
    expect(bad('outs:\n- md5: [\n')).toThrow(
      /^x\.dvc is not valid YAML \(line \d+: .*\); fix it or regenerate it with dvc\.$/
    );
  });

  it('openRepo: an output remote wins over the remote input, which wins over core.remote', () => {
    const root = tempDir('dvc-remotes');
    writeFiles(root, {
      '.dvc/config':
        '[core]\n remote = a\n[\'remote "a"\']\n url = s3://a\n[\'remote "b"\']\n url = s3://b\n[\'remote "c"\']\n url = /tmp/c\n',
      'one.dvc': `outs:\n- md5: ${H1}\n  path: one\n`,
      'two.dvc': `outs:\n- md5: ${H2}\n  path: two\n  remote: c\n`
    });
    const remotes = (input?: string) =>
      openRepo({ root, targets: [], remote: input, forPush: false }).outputs.map((o) => o.remoteSpec.name);
    expect(remotes()).toEqual(['a', 'c']);
    expect(remotes('B')).toEqual(['b', 'c']);
  });
});

describe('paths', () => {
  it('resolveInRoot normalizes and keeps paths inside the root', () => {
    expect(resolveInRoot('sub', './a//b/../c', 'f')).toBe('sub/a/c');
    expect(resolveInRoot('sub', '../top', 'f')).toBe('top');
    expect(() => resolveInRoot('', '..', 'f')).toThrow('leaves the working directory');
    expect(() => resolveInRoot('sub', '..', 'f')).toThrow('is the working directory itself');
    expect(() => resolveInRoot('', 'C:\\x', 'f')).toThrow('absolute');
    expect(() => resolveInRoot('', 'a\\..\\..\\b', 'f')).toThrow('leaves the working directory');
  });

  it('manifest relpaths: no absolute paths, no .., no empty segments', () => {
    expect(checkManifestPath('a/b c/ü.txt', 'm')).toBe('a/b c/ü.txt');
    for (const bad of ['/etc/x', '../x', 'a/../../x', 'a//b', './a', '', 'a\\..\\x']) {
      expect(() => checkManifestPath(bad, 'm')).toThrow();
    }
  });

  it('manifests that do not fit one folder tree are refused naming both paths', () => {
    const md5 = '60b725f10c9c85c70d97880dfe8191b3';
    const manifest = (...relpaths: string[]) =>
      Buffer.from(JSON.stringify(relpaths.map((relpath) => ({ md5, relpath }))));
    const fix = 'nothing was written: add the folder again with dvc add and push it.';
    const clash = (a: string, b: string) =>
      `M lists both "${a}" and "${b}", so "${a}" would be a file and a folder at once; ${fix}`;
    expect(() => parseManifest(manifest('a', 'a/b'), 'M')).toThrow(clash('a', 'a/b'));
    expect(() => parseManifest(manifest('a/b', 'a'), 'M')).toThrow(clash('a', 'a/b'));
    expect(() => parseManifest(manifest('x', 'a/b/c', 'a/b'), 'M')).toThrow(clash('a/b', 'a/b/c'));
    expect(() => parseManifest(manifest('a', 'b', 'a'), 'M')).toThrow(`M lists the path "a" twice; ${fix}`);
    // Siblings that share a prefix are fine, and so are folders implied by their files.
    expect(parseManifest(manifest('a-b', 'a/b', 'a.txt', 'ab/c', 'a/c/d'), 'M')).toHaveLength(5);
  });

  it('an object enters the cache only when its bytes hash to its name, large or small', async () => {
    const cache = new LocalCache(path.join(tempDir('dvc-cache'), 'cache'));
    const body = (data: Buffer) =>
      (async function* () {
        yield data;
      })();
    for (const size of [5, 3 * 1024 * 1024]) {
      const good = Buffer.alloc(size, 1);
      const id = crypto.createHash('md5').update(good).digest('hex');
      const ref = { id, legacy: false };
      const bad = Buffer.alloc(size, 2);
      await expect(cache.put(ref, body(bad), { expectedSize: size })).rejects.toBeInstanceOf(
        CorruptObjectError
      );
      expect(fs.existsSync(cache.path(ref))).toBe(false);
      await expect(cache.put(ref, body(good), { expectedSize: size })).resolves.toMatchObject({
        bytes: size
      });
      expect(fs.readFileSync(cache.path(ref)).equals(good)).toBe(true);
    }
    cache.finish();
    expect(fs.existsSync(cache.tmpDir)).toBe(false);
  });

  it('ParentGuard refuses a path through a symbolic link', async () => {
    const root = tempDir('dvc-guard');
    const outside = tempDir('dvc-outside');
    fs.mkdirSync(path.join(root, 'real'));
    fs.symlinkSync(outside, path.join(root, 'link'));
    const guard = new ParentGuard(root);
    await expect(guard.check('real/new/file', 'x.dvc')).resolves.toBeUndefined();
    await expect(guard.check('link/file', 'x.dvc')).rejects.toThrow(
      'x.dvc: the path "link/file" goes through "link", a symbolic link, which could lead outside the working directory; replace the link with a real folder.'
    );
  });
});
