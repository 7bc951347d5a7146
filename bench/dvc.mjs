#!/usr/bin/env node
// dvc-pull / dvc-push (the built bundles) beside `aws s3 sync` (Debian's awscli, /usr/bin/aws), against
// one S3 server (s3rver on 127.0.0.1) and the same data, and our md5 beside `md5sum`. Prints a table.
//
//   node bench/dvc.mjs            # all three data sets
//   BENCH_SETS=small BENCH_RUNS=5 node bench/dvc.mjs
//
// Data sets (generated once under bench/.data/, gitignored): 2,000 files of 4 KB, 20 files of 5 MB,
// one file of 500 MB. Each tool writes into its own prefix and its own empty folder.
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compile } from '../scripts/bundle.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = path.join(root, 'bench', '.data');
const AWS = process.env.BENCH_AWS ?? '/usr/bin/aws';
const SETS = {
  small: { files: 2000, size: 4 * 1024, label: '2,000 x 4 KB' },
  medium: { files: 20, size: 5 * 1024 * 1024, label: '20 x 5 MB' },
  large: { files: 1, size: 500 * 1024 * 1024, label: '1 x 500 MB' },
  // Many files (issue 14): time per file and peak RSS at 2,000 and at 20,000.
  many2k: { files: 2000, size: 1024, label: '2,000 x 1 KB', perFile: true },
  many20k: { files: 20000, size: 1024, label: '20,000 x 1 KB', perFile: true }
};
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const chosen = (process.env.BENCH_SETS ?? 'small,medium,large').split(',').filter((s) => SETS[s]);

fs.mkdirSync(work, { recursive: true });
const lib = path.join(work, 'lib');
compile(lib);
const { hashFile, serializeManifest, manifestId } = await import(
  pathToFileURL(path.join(lib, 'dvc/hash.js')).href
);
const { runPool } = await import(pathToFileURL(path.join(lib, 'dvc/pool.js')).href);
// Workspace hashing as pull, push and commit do it (large files on the worker pool), without the state.
const { WorkspaceHashes } = await import(pathToFileURL(path.join(lib, 'dvc/state.js')).href);

function generate(name) {
  const { files, size } = SETS[name];
  const dir = path.join(work, 'source', name);
  const marker = path.join(work, 'source', `${name}.done`);
  if (fs.existsSync(marker)) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < files; i++) {
    const file =
      files === 1 ? path.join(dir, 'big.bin') : path.join(dir, `part-${String(i).padStart(5, '0')}.bin`);
    const fd = fs.openSync(file, 'w');
    for (let left = size; left > 0; left -= 64 * 1024 * 1024)
      fs.writeSync(fd, crypto.randomBytes(Math.min(left, 64 * 1024 * 1024)));
    fs.closeSync(fd);
  }
  fs.writeFileSync(marker, '');
  return dir;
}

const listFiles = (dir) =>
  fs
    .readdirSync(dir)
    .sort()
    .map((f) => path.join(dir, f));

/** A DVC repo whose tracked folder (or file, for one file) is `name`, its cache filled as dvc add does. */
async function makeRepo(name, source, remoteUrl, endpoint) {
  const repo = path.join(work, 'repos', name, 'src');
  fs.rmSync(path.join(work, 'repos', name), { recursive: true, force: true });
  fs.mkdirSync(path.join(repo, '.dvc'), { recursive: true });
  fs.writeFileSync(
    path.join(repo, '.dvc/config'),
    `[core]\n    remote = bench\n['remote "bench"']\n    url = ${remoteUrl}\n    endpointurl = ${endpoint}\n`
  );
  const files = listFiles(source);
  const single = files.length === 1;
  const target = path.join(repo, single ? 'big.bin' : 'data');
  const put = (id, from, bytes) => {
    const file = path.join(repo, '.dvc/cache/files/md5', id.slice(0, 2), id.slice(2));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (bytes) fs.writeFileSync(file, bytes);
    else fs.copyFileSync(from, file, fs.constants.COPYFILE_FICLONE);
    fs.chmodSync(file, 0o444);
  };
  if (single) {
    execFileSync('cp', ['--reflink=auto', files[0], target]);
    const { md5, size } = await hashFile(target);
    put(md5, target);
    fs.writeFileSync(
      path.join(repo, 'big.bin.dvc'),
      `outs:\n- md5: ${md5}\n  size: ${size}\n  hash: md5\n  path: big.bin\n`
    );
    return { repo, dvcFile: 'big.bin.dvc' };
  }
  fs.mkdirSync(target, { recursive: true });
  const entries = [];
  let size = 0;
  for (const f of files) {
    const dest = path.join(target, path.basename(f));
    fs.copyFileSync(f, dest, fs.constants.COPYFILE_FICLONE);
    const h = await hashFile(dest);
    size += h.size;
    put(h.md5, dest);
    entries.push({ md5: h.md5, relpath: path.basename(f) });
  }
  const manifest = serializeManifest(entries);
  const id = manifestId(manifest);
  put(id, '', manifest);
  fs.writeFileSync(
    path.join(repo, 'data.dvc'),
    `outs:\n- md5: ${id}\n  size: ${size}\n  nfiles: ${entries.length}\n  hash: md5\n  path: data\n`
  );
  return { repo, dvcFile: 'data.dvc' };
}

function startS3() {
  const dir = path.join(work, 's3');
  fs.rmSync(dir, { recursive: true, force: true });
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', path.join(root, 'test/helpers/s3rver-process.mjs'), dir, 'bench'],
    {
      stdio: ['ignore', 'pipe', 'inherit']
    }
  );
  return new Promise((resolve) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /\{"port":(\d+)\}/.exec(out);
      if (m) resolve({ url: `http://127.0.0.1:${m[1]}`, child });
    });
  });
}

function run(cmd, args, env, cwd) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out.slice(-3000)}`));
      else resolve({ seconds, out });
    });
  });
}

const baseEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true'
};

function actionEnv(action, workspace, inputs) {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-runner-'));
  for (const f of ['output', 'summary']) fs.writeFileSync(path.join(temp, f), '');
  const env = {
    ...baseEnv,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: path.join(temp, 'output'),
    GITHUB_STEP_SUMMARY: path.join(temp, 'summary'),
    RUNNER_TEMP: temp
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  return env;
}

/** The inputs of dvc-push and dvc-pull as a workflow with defaults passes them. */
const ACTION_INPUTS = {
  jobs: '',
  engine: 'native',
  'working-directory': '.',
  verify: 'true',
  force: 'false',
  'allow-missing': 'false',
  targets: '',
  remote: '',
  region: ''
};

// Under /usr/bin/time: its last line gives the peak RSS (KB), kept in `rss` by action (and for aws).
const rss = { 'dvc-push': [], 'dvc-pull': [], 'aws-up': [], 'aws-down': [] };
/** `aws s3 sync` under /usr/bin/time, its peak RSS kept under `which`. */
const awsSync = (which, args) =>
  run('/usr/bin/time', ['-f', 'MAXRSS %M', AWS, ...args], baseEnv).then((r) => {
    rss[which].push(Number(/MAXRSS (\d+)/.exec(r.out)?.[1] ?? 0) / 1024);
    return r;
  });
const ours = (action, workspace) =>
  run(
    '/usr/bin/time',
    ['-f', 'MAXRSS %M', process.execPath, path.join(root, 'dist', action, 'index.js')],
    actionEnv(action, workspace, ACTION_INPUTS),
    workspace
  ).then((r) => {
    rss[action].push(Number(/MAXRSS (\d+)/.exec(r.out)?.[1] ?? 0) / 1024);
    return r;
  });

/** Same files with the same bytes (md5 of every file, by relative path). */
async function sameTree(a, b) {
  const sums = async (dir) => {
    const files = fs.statSync(dir).isFile()
      ? ['']
      : fs.readdirSync(dir, { recursive: true }).filter((f) => fs.statSync(path.join(dir, f)).isFile());
    const out = {};
    for (const f of files.sort()) out[f] = (await hashFile(path.join(dir, f))).md5;
    return JSON.stringify(out);
  };
  return (await sums(a)) === (await sums(b));
}

async function hashOurs(files) {
  const started = process.hrtime.bigint();
  const hashes = new WorkspaceHashes(undefined);
  await runPool(files, 16, async (f) => {
    await hashes.hash(f, false);
  });
  return Number(process.hrtime.bigint() - started) / 1e9;
}

// md5sum gets the same parallelism as ours: one md5sum per core, each on its share of the files.
const CORES = os.cpus().length;
async function hashMd5sum(files) {
  const listFile = path.join(work, 'md5sum-list');
  fs.writeFileSync(listFile, files.join('\0'));
  const batch = Math.max(1, Math.ceil(files.length / CORES));
  return (
    await run('sh', ['-c', `xargs -0 -P ${CORES} -n ${batch} md5sum < "${listFile}" > /dev/null`], baseEnv)
  ).seconds;
}

/** The server's own pace: the same GETs and as many PUTs, unsigned, 16 at a time on keep-alive sockets. */
async function serverFloor(url, prefix) {
  const http = await import('node:http');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const request = (method, key, body) =>
    new Promise((resolve, reject) => {
      const req = http.request(
        `${url}/bench/${key}`,
        { method, agent, headers: body ? { 'content-length': body.length } : {} },
        (res) => {
          let data = '';
          res.setEncoding('latin1');
          res.on('data', (d) => (data += d));
          res.on('end', () => resolve(data));
        }
      );
      req.on('error', reject);
      req.end(body);
    });
  const keys = [];
  let token = '';
  do {
    const page = await request(
      'GET',
      `?list-type=2&prefix=${prefix}${token ? `&continuation-token=${encodeURIComponent(token)}` : ''}`
    );
    keys.push(...[...page.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]));
    token = /<NextContinuationToken>([^<]+)</.exec(page)?.[1] ?? '';
  } while (token);
  const time = async (fn) => {
    const started = process.hrtime.bigint();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < keys.length) await fn(keys[next++], next);
      })
    );
    return Number(process.hrtime.bigint() - started) / 1e9;
  };
  const get = await time((k) => request('GET', k));
  const body = Buffer.alloc(4096, 1);
  const put = await time((_, i) => request('PUT', `floor/${i}`, body));
  agent.destroy();
  return { get, put, count: keys.length };
}

const fmt = (s) => `${s.toFixed(2)} s`;
const ratio = (a, b) => `${(a / b).toFixed(2)}x`;
const rows = [];
let mismatch = false;
const s3 = await startS3();
try {
  for (const name of chosen) {
    const source = generate(name);
    const { repo, dvcFile } = await makeRepo(name, source, `s3://bench/ours-${name}`, s3.url);
    const bytes = listFiles(source).reduce((n, f) => n + fs.statSync(f).size, 0);

    // Interleaved runs, each into a fresh prefix and a fresh folder; the median is reported.
    const times = {
      push: [],
      awsUp: [],
      pull: [],
      awsDown: [],
      hashUs: [],
      hashThem: [],
      again: [],
      awsAgain: []
    };
    const timed = async (key, fn) => times[key].push((await fn()).seconds);
    const configFile = path.join(repo, '.dvc/config');
    const config = fs.readFileSync(configFile, 'utf8');
    let okPull = true;
    const files = listFiles(source);
    for (let r = 0; r < RUNS; r++) {
      fs.writeFileSync(configFile, config.replace(`ours-${name}`, `ours-${name}-${r}`));
      await timed('push', () => ours('dvc-push', repo));
      await timed('awsUp', () =>
        awsSync('aws-up', [
          's3',
          'sync',
          '--only-show-errors',
          '--endpoint-url',
          s3.url,
          source,
          `s3://bench/aws-${name}-${r}/`
        ])
      );
      const clone = path.join(work, 'repos', name, `clone-${r}`);
      fs.mkdirSync(path.join(clone, '.dvc'), { recursive: true });
      fs.copyFileSync(configFile, path.join(clone, '.dvc/config'));
      fs.copyFileSync(path.join(repo, dvcFile), path.join(clone, dvcFile));
      await timed('pull', () => ours('dvc-pull', clone));
      const awsDir = path.join(work, 'repos', name, `aws-down-${r}`);
      await timed('awsDown', () =>
        awsSync('aws-down', [
          's3',
          'sync',
          '--only-show-errors',
          '--endpoint-url',
          s3.url,
          `s3://bench/aws-${name}-${r}/`,
          awsDir
        ])
      );
      if (SETS[name].perFile) {
        // Everything up to date: our status check (state of hashes) against aws s3 sync's listing.
        await timed('again', () => ours('dvc-pull', clone));
        rss['dvc-pull'].pop();
        const awsArgs = ['s3', 'sync', '--only-show-errors', '--endpoint-url', s3.url];
        await timed('awsAgain', () =>
          run(AWS, [...awsArgs, `s3://bench/aws-${name}-${r}/`, awsDir], baseEnv)
        );
      }
      okPull &&=
        dvcFile === 'data.dvc'
          ? (await sameTree(path.join(clone, 'data'), source)) && (await sameTree(awsDir, source))
          : (await sameTree(path.join(clone, 'big.bin'), path.join(source, 'big.bin'))) &&
            (await sameTree(path.join(awsDir, 'big.bin'), path.join(source, 'big.bin')));
      fs.rmSync(clone, { recursive: true, force: true });
      fs.rmSync(awsDir, { recursive: true, force: true });
      await hashOurs(files); // the page cache warm for both
      times.hashUs.push(await hashOurs(files));
      times.hashThem.push(await hashMd5sum(files));
    }
    mismatch ||= !okPull;
    const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
    const push = { seconds: median(times.push) };
    const awsUp = { seconds: median(times.awsUp) };
    const pull = { seconds: median(times.pull) };
    const awsDown = { seconds: median(times.awsDown) };

    if (SETS[name].perFile) {
      // Time per file and peak RSS (MB), ours beside aws s3 sync's, each way.
      const count = SETS[name].files;
      const perFile = (sec) => `${((sec / count) * 1e6).toFixed(0)} us/file`;
      const peak = (which) => `${median(rss[which].slice(-RUNS)).toFixed(0)} MB`;
      for (const [way, us, them, ourRss, theirRss] of [
        ['push', push, awsUp, 'dvc-push', 'aws-up'],
        ['pull', pull, awsDown, 'dvc-pull', 'aws-down']
      ]) {
        rows.push([
          SETS[name].label,
          `${way}: time per file, peak RSS`,
          `${perFile(us.seconds)}, ${peak(ourRss)}`,
          `${perFile(them.seconds)}, ${peak(theirRss)}`,
          '-',
          '-'
        ]);
      }
      rows.push([
        SETS[name].label,
        'pull again, all up to date vs aws s3 sync again',
        fmt(median(times.again)),
        fmt(median(times.awsAgain)),
        ratio(median(times.again), median(times.awsAgain)),
        '-'
      ]);
    }
    const hashUs = median(times.hashUs);
    const hashThem = median(times.hashThem);

    rows.push([
      SETS[name].label,
      'push vs aws s3 sync (up)',
      fmt(push.seconds),
      fmt(awsUp.seconds),
      ratio(push.seconds, awsUp.seconds),
      `${(bytes / push.seconds / 1048576).toFixed(0)} MB/s`
    ]);
    rows.push([
      SETS[name].label,
      `pull vs aws s3 sync (down)${okPull ? '' : ' MISMATCH'}`,
      fmt(pull.seconds),
      fmt(awsDown.seconds),
      ratio(pull.seconds, awsDown.seconds),
      `${(bytes / pull.seconds / 1048576).toFixed(0)} MB/s`
    ]);
    for (const r of rows.slice(-2)) console.error(`| ${r.join(' | ')} |`);
    if (name === 'small') {
      // What the server alone allows: the same number of bare PUTs and GETs, no client work at all.
      const floor = await serverFloor(s3.url, `aws-${name}-0/`);
      rows.push([
        SETS[name].label,
        `s3rver alone: ${floor.count} bare PUTs / GETs`,
        fmt(floor.put),
        fmt(floor.get),
        '-',
        '-'
      ]);
    }
    rows.push([
      SETS[name].label,
      `md5 vs md5sum (xargs -P ${CORES})`,
      fmt(hashUs),
      fmt(hashThem),
      ratio(hashUs, hashThem),
      `${(bytes / hashUs / 1048576).toFixed(0)} MB/s`
    ]);
  }
} finally {
  s3.child.kill('SIGTERM');
}

console.log(
  `\nDVC bench: median of ${RUNS} interleaved runs, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}, ${process.version}, s3rver on 127.0.0.1, awscli ${execFileSync(AWS, ['--version']).toString().split(' ')[0].split('/')[1]}\n`
);
console.log('| data | operation | ours | theirs | ours / theirs | our throughput |');
console.log('| --- | --- | ---: | ---: | ---: | ---: |');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
if (mismatch) {
  console.error('\nA pulled tree differs from the source (MISMATCH above): the numbers do not count.');
  process.exit(1);
}

// ---- A re-run with the Actions cache (issue 14) --------------------------------------------------
// dvc-pull with `actions-cache` against the loopback stand-in of the cache service
// (test/helpers/actions-cache-stand-in.ts, transpiled here): a pull without the cache, the first pull
// with it (downloads, then saves the entry), and a re-run in a fresh checkout (restores, md5-checks,
// downloads nothing). BENCH_CACHE_SETS picks the data sets (default: those of BENCH_SETS).
{
  const ts = (await import('typescript')).default;
  const standInSource = fs.readFileSync(path.join(root, 'test/helpers/actions-cache-stand-in.ts'), 'utf8');
  const standInFile = path.join(work, 'actions-cache-stand-in.mjs');
  fs.writeFileSync(
    standInFile,
    ts.transpileModule(standInSource, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 }
    }).outputText
  );
  const { startActionsCache } = await import(pathToFileURL(standInFile).href);
  const cacheSets = (process.env.BENCH_CACHE_SETS ?? chosen.join(',')).split(',').filter((s) => SETS[s]);
  const cacheRows = [];
  const s3c = await startS3();
  const service = await startActionsCache();
  const pullWith = async (workspace, cacheEnv) => {
    const env = actionEnv('dvc-pull', workspace, {
      ...ACTION_INPUTS,
      'actions-cache': cacheEnv ? 'true' : 'false'
    });
    Object.assign(env, { RUNNER_OS: 'Linux' }, cacheEnv ?? {});
    const result = await run(
      process.execPath,
      [path.join(root, 'dist', 'dvc-pull', 'index.js')],
      env,
      workspace
    );
    return { ...result, output: fs.readFileSync(env.GITHUB_OUTPUT, 'utf8') };
  };
  try {
    for (const name of cacheSets) {
      const source = generate(name);
      const { repo, dvcFile } = await makeRepo(name, source, `s3://bench/cache-${name}`, s3c.url);
      await ours('dvc-push', repo);
      const times = { plain: [], first: [], rerun: [] };
      let downloaded = '';
      for (let r = 0; r < RUNS; r++) {
        const clone = (kind) => {
          const dir = path.join(work, 'repos', name, `cache-${kind}-${r}`);
          fs.rmSync(dir, { recursive: true, force: true });
          fs.mkdirSync(path.join(dir, '.dvc'), { recursive: true });
          fs.copyFileSync(path.join(repo, '.dvc/config'), path.join(dir, '.dvc/config'));
          fs.copyFileSync(path.join(repo, dvcFile), path.join(dir, dvcFile));
          return dir;
        };
        const env = service.env();
        const plainDir = clone('plain');
        times.plain.push((await pullWith(plainDir)).seconds);
        // Each round its own entries: the key starts with RUNNER_OS, so the first pull misses.
        env.RUNNER_OS = `Linux-${r}`;
        const firstDir = clone('first');
        times.first.push((await pullWith(firstDir, env)).seconds);
        const rerunDir = clone('rerun');
        const rerun = await pullWith(rerunDir, env);
        times.rerun.push(rerun.seconds);
        downloaded = /^downloaded(?:=|<<.*\n)(\d+)$/m.exec(rerun.output)?.[1] ?? '?';
        for (const d of [plainDir, firstDir, rerunDir]) fs.rmSync(d, { recursive: true, force: true });
      }
      const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
      const plain = median(times.plain);
      cacheRows.push([
        SETS[name].label,
        'first pull with actions-cache (download + save) vs without',
        fmt(median(times.first)),
        fmt(plain),
        ratio(median(times.first), plain)
      ]);
      cacheRows.push([
        SETS[name].label,
        `re-run with actions-cache (restore; downloaded=${downloaded}) vs without`,
        fmt(median(times.rerun)),
        fmt(plain),
        ratio(median(times.rerun), plain)
      ]);
      for (const row of cacheRows.slice(-2)) console.error(`| ${row.join(' | ')} |`);
    }
  } finally {
    await service.stop();
    s3c.child.kill('SIGTERM');
  }
  console.log(
    `\nActions cache (loopback stand-in of the cache service, @actions/cache, zstd), median of ${RUNS}\n`
  );
  console.log('| data | operation | with cache | without | ratio |');
  console.log('| --- | --- | ---: | ---: | ---: |');
  for (const row of cacheRows) console.log(`| ${row.join(' | ')} |`);
}

// ---------------------------------------------------------------------------------------------
// One large object, step by step (BENCH_SETS includes large): dvc-pull as a single stream (the
// default), as parallel ranged GETs and with cache.type hardlink, dvc-push (parallel multipart parts), each beside
// `aws s3 cp` of the same object on the same server; interleaved, median of RUNS.
if (chosen.includes('large')) {
  const source = path.join(generate('large'), 'big.bin');
  const bytes = fs.statSync(source).size;
  const server = await startS3();
  try {
    const { repo } = await makeRepo('large-steps', path.dirname(source), 's3://bench/steps', server.url);
    const configFile = path.join(repo, '.dvc/config');
    const config = fs.readFileSync(configFile, 'utf8');
    const inputs = { ...ACTION_INPUTS, 'stall-timeout': '60s' };
    const action = (name, workspace, extra = {}, bundle = path.join(root, 'dist', name, 'index.js')) =>
      run(process.execPath, [bundle], { ...actionEnv(name, workspace, inputs), ...extra }, workspace);
    const aws = (from, to) =>
      run(AWS, ['s3', 'cp', '--only-show-errors', '--endpoint-url', server.url, from, to], baseEnv);
    // BENCH_BEFORE: a dvc-pull bundle from before (e.g. built from an older commit) to time beside.
    const before = process.env.BENCH_BEFORE;
    const pulls = {
      ...(before ? { 'pull, before (BENCH_BEFORE bundle)': { bundle: before } } : {}),
      'pull, one stream, md5 on the main thread': { env: { MLOPS_DVC_HASH_WORKER: '0' } },
      'pull, one stream, md5 on a worker, socket buffers left to the GC': {
        env: { MLOPS_DVC_FREE_BUFFERS: '0' }
      },
      'pull, one stream, md5 on a worker (default)': { env: {} },
      'pull, ranged 16 MiB x 8, md5 on a worker': { env: { MLOPS_DVC_RANGE_CONCURRENCY: '8' } },
      // DVC's cache.type hardlink: the workspace file is the cached object (one write, not two).
      'pull, cache.type hardlink (one write)': { env: {}, cacheType: 'hardlink' }
    };
    const steps = {
      'push (parallel 8 MiB parts)': [],
      'aws s3 cp (up)': [],
      ...Object.fromEntries(Object.keys(pulls).map((label) => [label, []])),
      'aws s3 cp (down)': []
    };
    let same = true;
    for (let r = 0; r < RUNS; r++) {
      fs.writeFileSync(configFile, config.replace('steps', `steps-${r}`));
      steps['push (parallel 8 MiB parts)'].push((await action('dvc-push', repo)).seconds);
      steps['aws s3 cp (up)'].push((await aws(source, `s3://bench/steps-aws-${r}/big.bin`)).seconds);
      for (const [label, { env: extra, bundle, cacheType }] of Object.entries(pulls)) {
        const clone = path.join(work, 'repos', 'large-steps', `clone-${r}`);
        fs.mkdirSync(path.join(clone, '.dvc'), { recursive: true });
        fs.copyFileSync(configFile, path.join(clone, '.dvc/config'));
        if (cacheType)
          fs.appendFileSync(path.join(clone, '.dvc/config'), `[cache]\n    type = ${cacheType}\n`);
        fs.copyFileSync(path.join(repo, 'big.bin.dvc'), path.join(clone, 'big.bin.dvc'));
        steps[label].push((await action('dvc-pull', clone, extra, bundle)).seconds);
        same &&= await sameTree(path.join(clone, 'big.bin'), source);
        fs.rmSync(clone, { recursive: true, force: true });
      }
      const down = path.join(work, 'repos', 'large-steps', `aws-${r}.bin`);
      steps['aws s3 cp (down)'].push((await aws(`s3://bench/steps-aws-${r}/big.bin`, down)).seconds);
      fs.rmSync(down, { force: true });
    }
    const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
    console.log(
      `\nOne ${SETS.large.label} object, step by step (median of ${RUNS}, load ${os.loadavg()[0].toFixed(1)})\n`
    );
    console.log('| step | median | runs | throughput | vs aws s3 cp |');
    console.log('| --- | ---: | --- | ---: | ---: |');
    for (const [label, times] of Object.entries(steps)) {
      const anchor = median(
        steps[label.includes('push') || label.includes('up') ? 'aws s3 cp (up)' : 'aws s3 cp (down)']
      );
      console.log(
        `| ${label}${same || !label.startsWith('pull') ? '' : ' MISMATCH'} | ${fmt(median(times))} | ${times.map((t) => t.toFixed(2)).join(' ')} | ${(bytes / median(times) / 1048576).toFixed(0)} MB/s | ${ratio(median(times), anchor)} |`
      );
    }
    if (!same) process.exitCode = 1;
  } finally {
    server.child.kill('SIGTERM');
  }
}
