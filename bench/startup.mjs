#!/usr/bin/env node
// Cold start of every bundle in dist/: the median over 10 runs of `node dist/<action>/index.js` until
// it exits on a missing required input (the CLI: `--version`), beside `node -e ''`. Prints a table.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.BENCH_RUNS ?? 10);
const env = { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_ACTIONS: 'true' };

function median(args) {
  const times = [];
  let status;
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { env, cwd: root, stdio: 'pipe' });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    status = result.status;
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], status };
}

const rows = [["node -e ''", median(['-e', '']), '-']];
for (const name of fs.readdirSync(path.join(root, 'dist')).sort()) {
  const bundle = path.join(root, 'dist', name, 'index.js');
  const size = `${(fs.statSync(bundle).size / 1024).toFixed(0)} KiB`;
  rows.push([name, median(name === 'cli' ? [bundle, '--version'] : [bundle]), size]);
}
const base = rows[0][1].ms;
console.log(`Cold start, median of ${runs} runs, ${process.version}\n`);
console.log('| bundle | median ms | over node -e | exit code | size |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [name, { ms, status }, size] of rows) {
  console.log(
    `| ${name} | ${ms.toFixed(0)} | ${name.startsWith('node') ? '-' : `+${(ms - base).toFixed(0)}`} | ${status} | ${size} |`
  );
}
