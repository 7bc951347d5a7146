/**
 * The local workflow runner through the built CLI (`node dist/cli/index.js workflow ...`), running
 * this toolkit's own action bundles by their published `uses:` names (dvc-push, dvc-pull against a
 * local DVC remote, smoke-test with a bad input), job outputs, and artifacts between jobs.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { dvcAdd, initRepo, removeTempDirs, tempDir, writeFiles } from '../helpers/dvc-repo.js';
import { gitRepo, oneJob } from '../helpers/workflow-repo.js';
import { ROOT } from '../helpers/bundle.js';
import type { WorkflowResult } from '../../src/workflow/types.js';

afterAll(removeTempDirs);

const CLI = path.join(ROOT, 'dist', 'cli', 'index.js');

const PIPELINE = `
name: data pipeline
on: push
jobs:
  publish:
    runs-on: ubuntu-latest
    outputs:
      uploaded: \${{ steps.push.outputs.uploaded }}
    steps:
      - uses: actions/checkout@v4
      - id: push
        uses: mlops-actions/mlops-actions/actions/dvc-push@v1
  fetch:
    needs: publish
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: rm -rf .dvc/cache && test ! -e model.bin
      - id: pull
        uses: someone/mlops-actions/actions/dvc-pull@v2
      - run: echo "pulled \${{ steps.pull.outputs.files }} file(s) after \${{ needs.publish.outputs.uploaded }} uploaded"
      - uses: actions/upload-artifact@v4
        with:
          name: model
          path: model.bin
  use:
    needs: fetch
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@v4
        with:
          name: model
          path: got
      - run: echo "model says $(cat got/model.bin)"
`;

const SMOKE = `
on: workflow_dispatch
jobs:
  smoke:
    runs-on: ubuntu-latest
    steps:
      - uses: mlops-actions/mlops-actions/actions/smoke-test@v1
        with:
          endpoint-name: my-endpoint
          requests: not-a-number
  umbrella:
    runs-on: ubuntu-latest
    steps:
      - uses: mlops-actions/mlops-actions@v1
        with:
          action: smoke-test
          endpoint-name: my-endpoint
          requests: also-not-there
  after:
    needs: smoke
    runs-on: ubuntu-latest
    steps:
      - run: echo "never"
`;

function cli(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [CLI, 'workflow', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GITHUB_TOKEN: '', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' },
    timeout: 120000
  });
  return { code: result.status, out: result.stdout + result.stderr };
}

describe('mlops-actions workflow (built CLI)', () => {
  it("runs the toolkit's own bundles by their published names, with outputs and artifacts between jobs", async () => {
    const repo = tempDir('wf-dvc');
    const remote = tempDir('wf-remote');
    initRepo(repo, { storage: remote });
    writeFiles(repo, { 'model.bin': 'weights v1' });
    await dvcAdd(repo, 'model.bin');
    fs.rmSync(path.join(repo, '.dvc/.gitignore'));
    writeFiles(repo, { '.gitignore': '/model.bin\n', '.github/workflows/data.yml': PIPELINE });
    gitRepo({}, repo);
    const work = tempDir('wf-work');
    const resultFile = path.join(work, 'result.json');
    const { code, out } = cli(
      ['.github/workflows/data.yml', '--work-dir', work, '--result-file', resultFile],
      repo
    );
    expect(out).toContain('model says weights v1');
    expect(code).toBe(0);
    expect(out).toMatch(/pulled 1 file\(s\) after 1 uploaded/);
    expect(out).toMatch(/data pipeline +use +success/);
    const result = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as WorkflowResult;
    expect(result.ok).toBe(true);
    expect(result.jobs.map((j) => [j.id, j.result])).toEqual([
      ['publish', 'success'],
      ['fetch', 'success'],
      ['use', 'success']
    ]);
    expect(result.jobs[0].outputs).toEqual({ uploaded: '1' });
    expect(fs.readdirSync(remote).length).toBeGreaterThan(0);
    const summary = fs.readFileSync(path.join(work, 'summary.md'), 'utf8');
    expect(summary).toContain('## publish');
    expect(summary).toContain('## fetch');
    expect(out).toContain(`Job summaries: ${path.join(work, 'summary.md')}`);
  });

  it("fails the job of a toolkit action's bad input with its one sentence, skips what needs it, and exits 1", () => {
    const repo = gitRepo({ 'smoke.yml': SMOKE });
    const { code, out } = cli(['smoke.yml', '--event', 'workflow_dispatch'], repo);
    expect(code).toBe(1);
    expect(out).toMatch(/error: Input "requests": "not-a-number"/);
    expect(out).toMatch(/error: Input "requests": "also-not-there"/);
    expect(out).toMatch(/umbrella +failure/);
    expect(out).toMatch(/- job after \(skipped: a job it needs failed\)/);
    expect(out).not.toContain('never');
  });

  it("ends the steps' process groups when the run is interrupted", async () => {
    const repo = gitRepo({
      'long.yml': oneJob(`
      - run: |
          (sleep 120) &
          echo $! > "${'$'}RUNNER_TEMP/../../../child.pid"
          sleep 120
`)
    });
    const work = tempDir('wf-int');
    const child = spawn(process.execPath, [CLI, 'workflow', 'long.yml', '--work-dir', work], {
      cwd: repo,
      stdio: 'ignore'
    });
    const pidFile = path.join(work, 'child.pid');
    for (let i = 0; i < 100 && !fs.existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 100));
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    await new Promise((r) => setTimeout(r, 200));
    const stat = fs.existsSync(`/proc/${pid}/stat`) ? fs.readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
    expect(stat.split(') ')[1]?.[0] ?? 'gone').toMatch(/gone|Z|X/);
  });

  it('exits 2 on a usage error and 1 on a refusal', () => {
    const repo = gitRepo({ 'smoke.yml': SMOKE });
    expect(cli(['smoke.yml', '--event', 'release'], repo)).toMatchObject({ code: 2 });
    const refused = cli(['smoke.yml', '--input', 'x=1'], repo);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain(
      'mlops-actions workflow: The workflow smoke.yml: there is no input "x" (it declares no inputs).'
    );
  });
});
