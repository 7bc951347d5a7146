/**
 * Bad input, run through the bundles: each case fails with exit code 1 and exactly one sentence that
 * names the input or the file, and writes nothing: the workspace (cache included) is unchanged and
 * the S3 bucket holds no new key.
 */
import fs from 'node:fs';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import path from 'node:path';
import { runBundle } from '../helpers/bundle.js';
import { startS3, type RunningS3 } from '../helpers/s3.js';
import { dvcAdd, initRepo, removeTempDirs, tempDir, tree, writeFiles } from '../helpers/dvc-repo.js';
import { serializeManifest, manifestId } from '../../src/dvc/hash.js';

afterAll(removeTempDirs);

let s3: RunningS3;
beforeAll(async () => {
  s3 = await startS3(['dvc']);
});
afterAll(() => s3?.stop());

const H = '60b725f10c9c85c70d97880dfe8191b3';
const cacheKey = (id: string) => `.dvc/cache/files/md5/${id.slice(0, 2)}/${id.slice(2)}`;
const MANIFEST_ORIGIN =
  'The manifest of clash \\(clash\\.dvc, files\\/md5\\/[0-9a-f]{2}\\/[0-9a-f]{30}\\.dir\\)';
const REMAKE = 'nothing was written: add the folder again with dvc add and push it\\.';

/** A manifest exactly as given (not sorted, not deduplicated), like a hostile or broken tool wrote it. */
function rawManifest(relpaths: string[]): Buffer {
  return Buffer.from(`[${relpaths.map((r) => `{"md5": "${H}", "relpath": "${r}"}`).join(', ')}]`);
}

/** Puts `manifest` in the cache or on the remote, and a clash.dvc naming it. */
async function clashingFolder(root: string, manifest: Buffer, where: 'cache' | 'remote'): Promise<void> {
  const id = manifestId(manifest);
  if (where === 'cache') {
    writeFiles(root, { [cacheKey(id)]: manifest });
    fs.chmodSync(path.join(root, cacheKey(id)), 0o444);
  } else {
    const Key = `bad/files/md5/${id.slice(0, 2)}/${id.slice(2)}`;
    await s3.client.send(new PutObjectCommand({ Bucket: 'dvc', Key, Body: manifest }));
  }
  writeFiles(root, { 'clash.dvc': `outs:\n- md5: ${id}\n  hash: md5\n  path: clash\n` });
}

/** The md5 of model.bin, read from its .dvc file. */
const modelId = (root: string) =>
  /md5: ([0-9a-f]{32})/.exec(fs.readFileSync(path.join(root, 'model.bin.dvc'), 'utf8'))![1];

/** A good repo (data/ and model.bin added, cache filled) that a case then breaks. */
async function goodRepo(): Promise<string> {
  const root = tempDir('dvc-bad');
  initRepo(
    root,
    { storage: { url: 's3://dvc/bad', endpointurl: s3.url }, gcs: 'gs://bucket/x' },
    { core: 'storage' }
  );
  writeFiles(root, { 'data/a.txt': 'a\n', 'model.bin': 'weights' });
  await dvcAdd(root, 'data');
  await dvcAdd(root, 'model.bin');
  return root;
}

interface Case {
  name: string;
  action: 'dvc-pull' | 'dvc-push';
  inputs?: Record<string, string>;
  env?: Record<string, string>;
  /** Breaks the repo (or the remote); returns the workspace to run in (default: the repo). */
  setup?: (root: string) => string | void | Promise<void>;
  error: string | RegExp;
  /** Paths (relative to the repo) that must not exist afterwards, beyond "nothing changed". */
  absent?: (root: string) => string[];
}

const cases: Case[] = [
  {
    name: 'jobs not a number',
    action: 'dvc-pull',
    inputs: { jobs: 'many' },
    error: 'Input "jobs" must be an integer from 1 to 256, but got "many".'
  },
  {
    name: 'jobs zero',
    action: 'dvc-push',
    inputs: { jobs: '0' },
    error: 'Input "jobs" must be an integer from 1 to 256, but got "0".'
  },
  {
    name: 'stall-timeout not a duration',
    action: 'dvc-pull',
    inputs: { 'stall-timeout': 'soon' },
    error:
      'Input "stall-timeout" must be a duration such as 90s, 15m, 1h or 1h30m (bare numbers are seconds) from 1s to 3600s, but got "soon".'
  },
  {
    name: 'stall-timeout zero',
    action: 'dvc-push',
    inputs: { 'stall-timeout': '0s' },
    error:
      'Input "stall-timeout" must be a duration such as 90s, 15m, 1h or 1h30m (bare numbers are seconds) from 1s to 3600s, but got "0s".'
  },
  {
    name: 'stall-timeout above an hour',
    action: 'dvc-pull',
    inputs: { 'stall-timeout': '2h' },
    error:
      'Input "stall-timeout" must be a duration such as 90s, 15m, 1h or 1h30m (bare numbers are seconds) from 1s to 3600s, but got "2h".'
  },
  {
    name: 'engine unknown',
    action: 'dvc-pull',
    inputs: { engine: 'python' },
    error: 'Input "engine" must be one of auto, native, dvc, but got "python".'
  },
  {
    name: 'force not a boolean',
    action: 'dvc-pull',
    inputs: { force: 'yes' },
    error: 'Input "force" must be true or false, but got "yes".'
  },
  {
    name: 'verify not a boolean',
    action: 'dvc-pull',
    inputs: { verify: 'sometimes' },
    error: 'Input "verify" must be true or false, but got "sometimes".'
  },
  {
    name: 'region malformed',
    action: 'dvc-push',
    inputs: { region: 'moon-base' },
    error: 'Input "region" must be an AWS region such as us-east-1, but got "moon-base".'
  },
  {
    name: 'working-directory missing',
    action: 'dvc-pull',
    inputs: { 'working-directory': 'nope' },
    error: 'Input "working-directory" must be an existing folder, but "nope" is not one.'
  },
  {
    name: 'not a DVC repository',
    action: 'dvc-pull',
    setup: (root) => {
      fs.mkdirSync(path.join(root, 'plain'));
      return undefined;
    },
    inputs: { 'working-directory': 'plain' },
    error:
      /^Input "working-directory" must be the root of a DVC repository, but .*\/plain has no \.dvc\/ folder \(run dvc init there, or point working-directory at the folder that holds \.dvc\/\)\.$/
  },
  {
    name: 'missing config',
    action: 'dvc-push',
    setup: (root) => fs.rmSync(path.join(root, '.dvc/config')),
    error:
      /^.* has no \.dvc\/config: run dvc init and dvc remote add -d NAME URL, then commit \.dvc\/config\.$/
  },
  {
    name: 'malformed config',
    action: 'dvc-pull',
    setup: (root) => fs.appendFileSync(path.join(root, '.dvc/config'), 'this line is wrong\n'),
    error:
      /^\.dvc\/config line \d+ \("this line is wrong"\) is not "key = value" inside a \[section\]; fix the file\.$/
  },
  {
    name: 'cache.type not a link type',
    action: 'dvc-pull',
    setup: (root) => fs.appendFileSync(path.join(root, '.dvc/config'), '[cache]\n    type = hardlnk,copy\n'),
    error:
      'cache.type in .dvc/config is "hardlnk,copy", but "hardlnk" is not a link type; use reflink, hardlink, symlink or copy, comma-separated in order of preference.'
  },
  {
    name: 'malformed YAML in a .dvc file',
    action: 'dvc-pull',
    setup: (root) => fs.writeFileSync(path.join(root, 'data.dvc'), 'outs:\n- md5: [unclosed\n  path: data\n'),
    error: /^data\.dvc is not valid YAML \(line \d+: .+\); fix it or regenerate it with dvc\.$/
  },
  {
    name: 'malformed dvc.lock',
    action: 'dvc-push',
    setup: (root) =>
      writeFiles(root, { 'dvc.yaml': 'stages: {}\n', 'dvc.lock': "schema: '2.0'\nstages: [1, 2]\n" }),
    error: 'dvc.lock: "stages" must be a mapping.'
  },
  {
    name: 'unknown remote input',
    action: 'dvc-push',
    inputs: { remote: 'nope' },
    error:
      'Input "remote" names the remote "nope", which .dvc/config does not define (known remotes: storage, gcs); add it with dvc remote add.'
  },
  {
    name: 'unknown remote in a .dvc file',
    action: 'dvc-pull',
    setup: (root) => {
      const file = path.join(root, 'model.bin.dvc');
      fs.writeFileSync(
        file,
        fs.readFileSync(file, 'utf8').replace(/^(\s*)path: model.bin$/m, '$1path: model.bin\n$1remote: ghost')
      );
    },
    error:
      'model.bin.dvc (output model.bin) names the remote "ghost", which .dvc/config does not define (known remotes: storage, gcs); add it with dvc remote add.'
  },
  {
    name: 'no remote chosen',
    action: 'dvc-push',
    setup: (root) =>
      fs.writeFileSync(path.join(root, '.dvc/config'), `['remote "storage"']\n    url = s3://dvc/bad\n`),
    error:
      'No DVC remote is chosen: set one with dvc remote default NAME (core.remote in .dvc/config) or give the input "remote".'
  },
  {
    name: 'traversal path in a .dvc file',
    action: 'dvc-pull',
    setup: (root) =>
      fs.writeFileSync(
        path.join(root, 'evil.dvc'),
        `outs:\n- md5: ${H}\n  hash: md5\n  path: ../../outside.txt\n`
      ),
    error:
      'evil.dvc (outs[0]) names the path "../../outside.txt", which leaves the working directory; nothing was written.'
  },
  {
    name: 'absolute path in a .dvc file',
    action: 'dvc-push',
    setup: (root) =>
      fs.writeFileSync(
        path.join(root, 'evil.dvc'),
        `outs:\n- md5: ${H}\n  hash: md5\n  path: /etc/cron.d/x\n`
      ),
    error:
      'evil.dvc (outs[0]) names the path "/etc/cron.d/x", which is absolute; DVC paths must be relative to the working directory.'
  },
  {
    name: 'traversal path in a .dir manifest',
    action: 'dvc-pull',
    setup: (root) => {
      const manifest = serializeManifest([{ relpath: '../../escaped.txt', md5: H }]);
      const id = manifestId(manifest);
      writeFiles(root, {
        [`.dvc/cache/files/md5/${id.slice(0, 2)}/${id.slice(2)}`]: manifest,
        'evil.dvc': `outs:\n- md5: ${id}\n  hash: md5\n  path: evil\n`
      });
      fs.chmodSync(path.join(root, `.dvc/cache/files/md5/${id.slice(0, 2)}/${id.slice(2)}`), 0o444);
    },
    error:
      /^The manifest of evil \(evil\.dvc, files\/md5\/[0-9a-f]{2}\/[0-9a-f]{30}\.dir\) lists the path "\.\.\/\.\.\/escaped\.txt", which is absolute or leaves its folder; nothing was written\.$/
  },
  {
    name: 'traversal path in a .dir manifest on the remote (kept out of the cache too)',
    action: 'dvc-pull',
    setup: async (root) => {
      const manifest = serializeManifest([{ relpath: 'ok/../../escaped.txt', md5: H }]);
      const id = manifestId(manifest);
      const key = `bad/files/md5/${id.slice(0, 2)}/${id.slice(2)}`;
      await s3.client.send(new PutObjectCommand({ Bucket: 'dvc', Key: key, Body: manifest }));
      writeFiles(root, { 'evil.dvc': `outs:\n- md5: ${id}\n  hash: md5\n  path: evil\n` });
    },
    inputs: { targets: 'evil.dvc' },
    error:
      /^The manifest of evil \(evil\.dvc, files\/md5\/[0-9a-f]{2}\/[0-9a-f]{30}\.dir\) lists the path "ok\/\.\.\/\.\.\/escaped\.txt", which is absolute or leaves its folder; nothing was written\.$/
  },
  {
    name: 'a .dir manifest in the cache lists a file and a path below it',
    action: 'dvc-pull',
    setup: async (root) => {
      const manifest = serializeManifest([
        { relpath: 'a', md5: H },
        { relpath: 'a/b', md5: H }
      ]);
      await clashingFolder(root, manifest, 'cache');
    },
    inputs: { targets: 'clash.dvc' },
    error: new RegExp(
      `^${MANIFEST_ORIGIN} lists both "a" and "a/b", so "a" would be a file and a folder at once; ${REMAKE}$`
    ),
    absent: () => ['clash']
  },
  {
    name: 'a .dir manifest on the remote lists a path below a file listed after it (kept out of the cache)',
    action: 'dvc-pull',
    setup: async (root) => {
      await clashingFolder(root, rawManifest(['a/b', 'a']), 'remote');
    },
    inputs: { targets: 'clash.dvc' },
    error: new RegExp(
      `^${MANIFEST_ORIGIN} lists both "a" and "a/b", so "a" would be a file and a folder at once; ${REMAKE}$`
    ),
    absent: () => ['clash', cacheKey(manifestId(rawManifest(['a/b', 'a'])))]
  },
  {
    name: 'a .dir manifest on the remote lists a path twice (kept out of the cache)',
    action: 'dvc-pull',
    setup: async (root) => {
      await clashingFolder(root, rawManifest(['a', 'a']), 'remote');
    },
    inputs: { targets: 'clash.dvc' },
    error: new RegExp(`^${MANIFEST_ORIGIN} lists the path "a" twice; ${REMAKE}$`),
    absent: () => ['clash', cacheKey(manifestId(rawManifest(['a', 'a'])))]
  },
  {
    name: 'an object that does not match its md5, pulled with verify: false (kept out of the cache)',
    action: 'dvc-pull',
    setup: async (root) => {
      const id = modelId(root);
      fs.rmSync(path.join(root, cacheKey(id)));
      const Key = `bad/files/md5/${id.slice(0, 2)}/${id.slice(2)}`;
      await s3.client.send(new PutObjectCommand({ Bucket: 'dvc', Key, Body: 'not the weights' }));
    },
    inputs: { targets: 'model.bin.dvc', verify: 'false' },
    error:
      /^model\.bin: the object files\/md5\/([0-9a-f]{2})\/([0-9a-f]{30}) on s3:\/\/dvc\/bad is corrupt \(its md5 is [0-9a-f]{32}, not \1\2\)\. Nothing of the affected outputs was changed in the workspace; the remote holds bad bytes under that name: delete that object there, then run dvc push where the data was added\.$/,
    absent: (root) => ['model.bin', cacheKey(modelId(root))]
  },
  {
    name: 'a folder inside a tracked folder is a symbolic link',
    action: 'dvc-pull',
    setup: async (root) => {
      writeFiles(root, { 'nested/sub/inner.txt': 'inner\n', 'nested/top.txt': 'top\n' });
      await dvcAdd(root, 'nested');
      fs.rmSync(path.join(root, 'nested/sub'), { recursive: true });
      fs.symlinkSync(tempDir('dvc-outside'), path.join(root, 'nested/sub'));
    },
    inputs: { targets: 'nested.dvc' },
    error:
      /^nested\.dvc \(manifest files\/md5\/[0-9a-f]{2}\/[0-9a-f]{30}\.dir\): the path "nested\/sub\/inner\.txt" goes through "nested\/sub", a symbolic link, which could lead outside the working directory; replace the link with a real folder\.$/
  },
  {
    name: 'tracked folder behind a symbolic link',
    action: 'dvc-pull',
    setup: (root) => {
      fs.rmSync(path.join(root, 'data'), { recursive: true });
      fs.symlinkSync(tempDir('dvc-outside'), path.join(root, 'data'));
    },
    error:
      'data.dvc: the path "data/x" goes through "data", a symbolic link, which could lead outside the working directory; replace the link with a real folder.'
  },
  {
    name: 'commit not a boolean',
    action: 'dvc-push',
    inputs: { commit: 'please' },
    error: 'Input "commit" must be true or false, but got "please".'
  },
  {
    name: 'commit of an output that is a symbolic link',
    action: 'dvc-push',
    inputs: { commit: 'true' },
    setup: (root) => {
      const outside = tempDir('dvc-outside');
      fs.writeFileSync(path.join(outside, 'stolen'), 'secret');
      fs.rmSync(path.join(root, 'model.bin'));
      fs.symlinkSync(path.join(outside, 'stolen'), path.join(root, 'model.bin'));
    },
    error:
      'model.bin.dvc (outs[0]): "model.bin" is a symbolic link, which could lead outside the working directory; replace it with the file or folder itself.'
  },
  {
    name: 'commit of a stage whose dependency is missing',
    action: 'dvc-push',
    inputs: { commit: 'true', targets: 'dvc.yaml:train' },
    setup: (root) =>
      writeFiles(root, {
        'dvc.yaml':
          'stages:\n  train:\n    cmd: make train\n    deps:\n    - train.py\n    outs:\n    - model.bin\n'
      }),
    error:
      'dvc.yaml:train (dependency train.py): train.py does not exist in the workspace, so there is nothing to record.',
    absent: () => ['dvc.lock']
  },
  {
    name: 'unknown target',
    action: 'dvc-pull',
    inputs: { targets: 'data.dvc, nothing-here' },
    error:
      'Input "targets" names "nothing-here", which is not a .dvc file, a dvc.yaml stage or a path tracked by DVC.'
  },
  {
    name: 'unsupported remote with engine native',
    action: 'dvc-push',
    inputs: { remote: 'gcs', engine: 'native' },
    error:
      'Remote "gcs" is a gs remote (gs://bucket/x); the native engine reads S3 and local remotes: use engine: auto with the dvc command installed.'
  },
  {
    name: 'engine dvc without dvc installed',
    action: 'dvc-pull',
    inputs: { engine: 'dvc' },
    env: { PATH: path.dirname(process.execPath) },
    error:
      'Input "engine" is dvc, but no dvc command is on PATH: install it first (pip install "dvc[s3]") or use engine: auto.'
  }
];

describe('bad input: one sentence, exit code 1, nothing written', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const root = await goodRepo();
    if (c.action === 'dvc-pull') fs.rmSync(path.join(root, 'model.bin'));
    const workspace = (await c.setup?.(root)) ?? root;
    const before = tree(root);
    const keysBefore = await s3.keys('dvc');
    const result = await runBundle(c.action, c.inputs ?? {}, { workspace, env: { ...s3.env, ...c.env } });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    if (typeof c.error === 'string') expect(result.errors[0]).toBe(c.error);
    else expect(result.errors[0]).toMatch(c.error);
    expect(result.log).not.toMatch(/^\s+at /m);
    expect(tree(root)).toEqual(before);
    for (const rel of c.absent?.(root) ?? []) expect(fs.existsSync(path.join(root, rel))).toBe(false);
    expect(Object.keys(tree(root)).filter((f) => /\.mlops-|\.tmp$/.test(f))).toEqual([]);
    expect(await s3.keys('dvc')).toEqual(keysBefore);
  });
});
