#!/usr/bin/env node
// The local workflow runner's own time per job: runs a workflow of typical jobs (checkout, run steps
// with outputs and env, a toolkit bundle with a bad input that ends at once, artifacts, a reusable
// workflow call) through the built CLI, BENCH_RUNS times (default 5), and prints per job the median
// wall time, the median time inside step processes and the runner's own time (the difference).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.env.BENCH_RUNS ?? 5);
const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-workflow-'));
const write = (file, text) => {
  fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
  fs.writeFileSync(path.join(repo, file), text);
};
write('data/model.txt', 'weights\n');
write(
  '.github/workflows/called.yml',
  `on:
  workflow_call:
    inputs:
      size: { type: number, required: true }
    outputs:
      doubled: { value: '\${{ jobs.work.outputs.doubled }}' }
jobs:
  work:
    runs-on: ubuntu-latest
    outputs:
      doubled: \${{ steps.d.outputs.doubled }}
    steps:
      - id: d
        run: echo "doubled=\${{ inputs.size }}\${{ inputs.size }}" >> "$GITHUB_OUTPUT"
`
);
write(
  '.github/workflows/bench.yml',
  `name: bench
on: push
env:
  STAGE: bench
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      version: \${{ steps.v.outputs.version }}
    steps:
      - uses: actions/checkout@v4
      - id: v
        run: echo "version=1.\${{ github.run_number }}" >> "$GITHUB_OUTPUT"
      - run: echo "building $STAGE"; ls data
      - uses: actions/upload-artifact@v4
        with: { name: model, path: data }
  check:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@v4
        with: { name: model, path: got }
      - uses: mlops-actions/mlops-actions/actions/smoke-test@v1
        continue-on-error: true
        with: { endpoint-name: e, requests: missing.jsonl }
      - if: always()
        run: cat got/model.txt
  call:
    needs: check
    uses: ./.github/workflows/called.yml
    with:
      size: 3
`
);
const git = (...args) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' });
git('init', '--quiet', '--initial-branch=main');
git('add', '-A');
git('-c', 'user.name=bench', '-c', 'user.email=bench@example.com', 'commit', '--quiet', '-m', 'bench');

const samples = {};
for (let i = 0; i < runs; i++) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-work-'));
  const resultFile = path.join(work, 'result.json');
  const cli = path.join(root, 'dist', 'cli', 'index.js');
  const r = spawnSync(
    process.execPath,
    [
      cli,
      'workflow',
      '.github/workflows/bench.yml',
      '--work-dir',
      work,
      '--result-file',
      resultFile,
      '--quiet'
    ],
    {
      cwd: repo,
      encoding: 'utf8'
    }
  );
  if (r.status !== 0) {
    console.error(r.stdout, r.stderr);
    process.exit(1);
  }
  const result = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
  for (const job of result.jobs) {
    (samples[job.id] ??= []).push([job.seconds, job.seconds - job.overheadSeconds, job.overheadSeconds]);
  }
  fs.rmSync(work, { recursive: true, force: true });
}
fs.rmSync(repo, { recursive: true, force: true });

const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (s) => `${Math.round(s * 1000)} ms`;
const rows = Object.entries(samples).map(([id, list]) => [
  id,
  ...[0, 1, 2].map((k) => ms(median(list.map((x) => x[k]))))
]);
const header = ['job', 'wall', 'in step processes', "runner's own"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
console.log(
  `Local workflow runner, median of ${runs} runs (node ${process.version}, ${os.cpus().length} cores)`
);
console.log(line(header));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const row of rows) console.log(line(row));
