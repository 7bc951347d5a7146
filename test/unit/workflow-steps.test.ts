/** The local workflow runner: what a run step sees (env, defaults, shell, files, variables) and timeouts. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gitRepo, run, oneJob } from '../helpers/workflow-repo.js';

describe('run steps', () => {
  it('layers env (workflow < job < GITHUB_ENV < step) and honours defaults, shell and working-directory', async () => {
    const repo = gitRepo({
      'w.yml': `
on: push
env:
  LEVEL: workflow
  FROM_WORKFLOW: w
defaults:
  run:
    shell: bash
    working-directory: sub
jobs:
  j:
    runs-on: ubuntu-latest
    env:
      LEVEL: job
      FROM_JOB: j
    defaults:
      run:
        working-directory: sub/deeper
    steps:
      - run: mkdir -p sub/deeper other
        working-directory: .
      - run: echo "level=$LEVEL w=$FROM_WORKFLOW j=$FROM_JOB pwd=\${PWD##*/} ctx=\${{ env.LEVEL }}"
      - run: echo "LEVEL=from-github-env" >> "$GITHUB_ENV"
      - run: echo "after env file level=$LEVEL"
      - run: echo "step wins level=$LEVEL"
        env:
          LEVEL: step
      - run: print("python says", 6 * 7)
        shell: python
        working-directory: other
      - run: echo "sh in $(basename "$PWD")"
        shell: sh
`
    });
    const r = await run(repo, 'w.yml');
    r.assertOk();
    expect(r.log).toContain('level=job w=w j=j pwd=deeper ctx=job');
    expect(r.log).toContain('after env file level=from-github-env');
    expect(r.log).toContain('step wins level=step');
    expect(r.log).toContain('python says 42');
    expect(r.log).toContain('sh in deeper');
  });

  it('runs bash with -eo pipefail, as GitHub does', async () => {
    const repo = gitRepo({
      'w.yml': oneJob(`
      - run: |
          false | cat
          echo "pipefail did not stop me"
`)
    });
    const r = await run(repo, 'w.yml');
    expect(r.job('j').result).toBe('failure');
    expect(r.log).not.toContain('pipefail did not stop me');
  });

  it('reads GITHUB_OUTPUT (multi-line too), GITHUB_ENV heredocs, GITHUB_PATH and the step summary', async () => {
    const repo = gitRepo({
      'w.yml': `
on: push
jobs:
  j:
    runs-on: ubuntu-latest
    outputs:
      lines: \${{ steps.out.outputs.lines }}
    steps:
      - id: out
        run: |
          echo "single=one" >> "$GITHUB_OUTPUT"
          { echo "lines<<END"; echo "first"; echo "second"; echo "END"; } >> "$GITHUB_OUTPUT"
          { echo "NOTE<<EOF"; echo "a note"; echo "over lines"; echo "EOF"; } >> "$GITHUB_ENV"
          mkdir -p "$RUNNER_TEMP/bin"
          printf '#!/bin/sh\\necho tool ran\\n' > "$RUNNER_TEMP/bin/mytool"; chmod +x "$RUNNER_TEMP/bin/mytool"
          echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
          echo "### Hello summary" >> "$GITHUB_STEP_SUMMARY"
      - run: |
          cat <<EOF
          heredoc with \${{ steps.out.outputs.single }} and it's quoted 'twice'
          EOF
          mytool
          echo "note: $NOTE" | tr '\\n' ' '; echo
          echo "single: \${{ steps.out.outputs.single }}"
`
    });
    const r = await run(repo, 'w.yml');
    r.assertOk();
    expect(r.job('j').outputs.lines).toBe('first\nsecond');
    expect(r.job('j').steps[0].outputs).toEqual({ single: 'one', lines: 'first\nsecond' });
    expect(r.log).toContain('tool ran');
    expect(r.log).toContain("│ heredoc with one and it's quoted 'twice'");
    expect(r.log).toContain('note: a note over lines');
    expect(r.log).toContain('single: one');
    const summary = fs.readFileSync(r.result.summaryFile, 'utf8');
    expect(summary).toContain('## j');
    expect(summary).toContain('### Hello summary');
  });

  it('gives steps the variables GitHub gives them, and the event payload', async () => {
    const repo = gitRepo({
      'w.yml': `
name: vars
on: pull_request
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - id: show
        run: |
          for v in CI GITHUB_ACTIONS GITHUB_EVENT_NAME GITHUB_REPOSITORY GITHUB_REF GITHUB_REF_NAME GITHUB_HEAD_REF GITHUB_BASE_REF GITHUB_JOB GITHUB_ACTION GITHUB_WORKFLOW RUNNER_OS GITHUB_API_URL GITHUB_RUN_ATTEMPT; do
            echo "$v=\${!v}"
          done
          test -d "$GITHUB_WORKSPACE" && test -d "$RUNNER_TEMP" && test -n "$GITHUB_RUN_ID" && test -n "$GITHUB_SHA"
          echo "pr=$(python3 -c 'import json,os; e=json.load(open(os.environ["GITHUB_EVENT_PATH"])); print(e["pull_request"]["number"], e["pull_request"]["head"]["ref"], e["pull_request"]["base"]["ref"], e["repository"]["full_name"])')"
          echo "ctx=\${{ github.event.pull_request.head.repo.fork }} \${{ github.head_ref }} \${{ github.repository_owner }}"
`
    });
    const r = await run(repo, 'w.yml', {
      repository: 'acme/models',
      env: { GITHUB_API_URL: 'http://127.0.0.1:9/api' }
    });
    r.assertOk();
    for (const line of [
      'CI=true',
      'GITHUB_ACTIONS=true',
      'GITHUB_EVENT_NAME=pull_request',
      'GITHUB_REPOSITORY=acme/models',
      'GITHUB_REF=refs/pull/1/merge',
      'GITHUB_REF_NAME=1/merge',
      'GITHUB_HEAD_REF=main',
      'GITHUB_BASE_REF=main',
      'GITHUB_JOB=check',
      'GITHUB_ACTION=show',
      'GITHUB_WORKFLOW=vars',
      'RUNNER_OS=Linux',
      'GITHUB_API_URL=http://127.0.0.1:9/api',
      'GITHUB_RUN_ATTEMPT=1',
      'pr=1 main main acme/models',
      'ctx=false main acme'
    ]) {
      expect(r.log).toContain(line);
    }
  });
});

describe('what steps write back', () => {
  it('fails a step whose GITHUB_OUTPUT block never ends, naming the file and the output', async () => {
    const repo = gitRepo({
      'w.yml': oneJob(`
      - run: printf 'notes<<END\\nno end here\\n' >> "$GITHUB_OUTPUT"
`)
    });
    const r = await run(repo, 'w.yml');
    expect(r.result.ok).toBe(false);
    expect(r.job('j').steps[0].error).toMatch(/output: the value of "notes" never ends: no line "END"\./);
  });

  it('hashFiles() hashes the matching files of the workspace, and is empty for none', async () => {
    const repo = gitRepo({
      'w.yml': oneJob(`
      - uses: actions/checkout@v4
      - run: |
          echo "lock=\${{ hashFiles('**/requirements*.txt') }}"
          echo "none=[\${{ hashFiles('*.nothing') }}]"
      - run: echo "changed" >> sub/requirements-dev.txt
      - run: echo "lock=\${{ hashFiles('**/requirements*.txt') }}"
`),
      'sub/requirements-dev.txt': 'jest\n'
    });
    const r = await run(repo, 'w.yml');
    r.assertOk();
    const hashes = [...r.log.matchAll(/│ lock=([0-9a-f]{64})/g)].map((m) => m[1]);
    expect(hashes).toHaveLength(2);
    expect(hashes[0]).not.toBe(hashes[1]);
    expect(r.log).toContain('none=[]');
  });
});

describe('timeout-minutes', () => {
  it("kills a step's whole process group when its time is up, and a job's", async () => {
    const repo = gitRepo({
      'w.yml': `
on: push
jobs:
  step-limit:
    runs-on: ubuntu-latest
    steps:
      - timeout-minutes: 0.03
        run: |
          (sleep 60; echo "child survived" > "$RUNNER_TEMP/../survived") &
          echo $! > "$RUNNER_TEMP/../child.pid"
          sleep 60
      - if: always()
        run: echo "after the timeout"
  job-limit:
    runs-on: ubuntu-latest
    timeout-minutes: 0.03
    steps:
      - run: sleep 60
      - run: echo "never"
      - if: always()
        run: echo "cleanup after the job timeout"
`
    });
    const started = Date.now();
    const r = await run(repo, 'w.yml');
    expect(Date.now() - started).toBeLessThan(30000);
    const step = r.job('step-limit').steps[0];
    expect(step.outcome).toBe('failure');
    expect(step.error).toContain('time ran out');
    expect(r.log).toContain('after the timeout');
    expect(r.job('job-limit').result).toBe('failure');
    expect(r.log).not.toContain('│ never');
    expect(r.log).toContain('│ cleanup after the job timeout');
    expect(r.log).toContain('job "job-limit": the job ran past its timeout-minutes');
    const jobsDir = path.join(path.dirname(r.result.summaryFile), 'jobs', 'step-limit');
    const pid = Number(fs.readFileSync(path.join(jobsDir, 'child.pid'), 'utf8'));
    // Gone, or a zombie nobody reaped yet: not running either way.
    const stat = fs.existsSync(`/proc/${pid}/stat`) ? fs.readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
    expect(stat.split(') ')[1]?.[0] ?? 'gone').toMatch(/gone|Z|X/);
  });
});

describe('emulated actions', () => {
  it('configure-aws-credentials: the emulator when AWS_ENDPOINT_URL is set, else the machine chain, saying which', async () => {
    const repo = gitRepo({
      'w.yml': oneJob(`
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deployer
          aws-region: eu-west-1
      - run: echo "region=$AWS_REGION default=$AWS_DEFAULT_REGION key=\${AWS_ACCESS_KEY_ID:-none}"
`)
    });
    const emulated = await run(repo, 'w.yml', {
      env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:4599', AWS_ACCESS_KEY_ID: 'mine' }
    });
    emulated.assertOk();
    expect(emulated.log).toContain(
      'using the local emulator at http://127.0.0.1:4599 instead of assuming arn:aws:iam::123456789012:role/deployer (region eu-west-1)'
    );
    expect(emulated.log).toContain('region=eu-west-1 default=eu-west-1 key=mine');
    const machine = await run(repo, 'w.yml', { env: { AWS_ENDPOINT_URL: '', AWS_ACCESS_KEY_ID: '' } });
    machine.assertOk();
    expect(machine.log).toContain("using this machine's own AWS credentials (region eu-west-1)");
    expect(machine.log).toContain('region=eu-west-1 default=eu-west-1 key=none');
  });

  it('artifacts: paths from inputs stay inside the workspace, symlinks included', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'outside-'));
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'do not copy');
    const repo = gitRepo({
      'w.yml': `
on: push
jobs:
  up:
    runs-on: ubuntu-latest
    steps:
      - id: escape
        continue-on-error: true
        uses: actions/upload-artifact@v4
        with:
          name: a
          path: ../../../..${outside}
      - id: link
        continue-on-error: true
        run: mkdir out && ln -s ${outside}/secret.txt out/secret.txt && echo fine > out/ok.txt
      - id: linked
        continue-on-error: true
        uses: actions/upload-artifact@v4
        with:
          name: b
          path: out
      - id: down
        continue-on-error: true
        uses: actions/download-artifact@v4
        with:
          name: b
          path: ../elsewhere
`
    });
    const r = await run(repo, 'w.yml');
    const steps = r.job('up').steps;
    expect(steps[0].error).toMatch(/^input "path" \(.*\) points outside the workspace$/);
    expect(steps[2].error).toBe(
      'input "path": out/secret.txt is a symlink to outside the workspace; nothing was copied'
    );
    expect(fs.existsSync(path.join(path.dirname(r.result.summaryFile), 'artifacts', 'b'))).toBe(false);
    expect(steps[3].error).toMatch(/^input "path" \(\.\.\/elsewhere\) points outside the workspace$/);
  });
});
