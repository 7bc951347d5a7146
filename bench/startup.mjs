#!/usr/bin/env node
// Cold start of every bundle in dist/: the median over 10 runs of `node dist/<action>/index.js` until
// it exits on a missing required input (actions without one: on a bad input, so no work starts; the
// CLI: `--version`), beside `node -e ''`. Prints a table; a bundle that exits otherwise fails the run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.BENCH_RUNS ?? 10);
const env = { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_ACTIONS: 'true' };

// Actions whose inputs are all optional: one bad input ends them before any work.
const BAD_INPUT = {
  'dvc-pull': { INPUT_JOBS: '0' },
  'dvc-push': { INPUT_JOBS: '0' },
  train: { INPUT_MODE: 'bogus' }
};

function median(args, extra = {}) {
  const times = [];
  let status;
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { env: { ...env, ...extra }, cwd: root, stdio: 'pipe' });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    status = result.status;
  }
  times.sort((a, b) => a - b);
  const mid = times.length / 2;
  const ms = times.length % 2 ? times[Math.floor(mid)] : (times[mid - 1] + times[mid]) / 2;
  return { ms, status };
}

const rows = [["node -e ''", median(['-e', '']), '-']];
for (const name of fs.readdirSync(path.join(root, 'dist')).sort()) {
  const bundle = path.join(root, 'dist', name, 'index.js');
  const size = `${(fs.statSync(bundle).size / 1024).toFixed(0)} KiB`;
  rows.push([name, median(name === 'cli' ? [bundle, '--version'] : [bundle], BAD_INPUT[name]), size]);
}
const wrong = rows.filter(
  ([name, { status }]) => !name.startsWith('node') && status !== (name === 'cli' ? 0 : 1)
);
const base = rows[0][1].ms;
console.log(`Cold start, median of ${runs} runs, ${process.version}\n`);
console.log('| bundle | median ms | over node -e | exit code | size |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [name, { ms, status }, size] of rows) {
  console.log(
    `| ${name} | ${ms.toFixed(0)} | ${name.startsWith('node') ? '-' : `+${(ms - base).toFixed(0)}`} | ${status} | ${size} |`
  );
}
if (wrong.length) {
  console.error(`\n${wrong.map(([n]) => n).join(', ')} did not exit as expected (1, or 0 for the CLI).`);
  process.exit(1);
}
