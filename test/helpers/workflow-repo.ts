/**
 * A temp git repository holding the given files (committed on `main`), and runWorkflow on it with
 * the log captured, for the workflow runner's tests.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runWorkflow } from '../../src/workflow/run.js';
import type { RunWorkflowOptions, WorkflowResult } from '../../src/workflow/types.js';

/** A workflow on `push` with one job `j` whose `steps:` are the given YAML (indented six spaces). */
export function oneJob(steps: string): string {
  return `
on: push
jobs:
  j:
    runs-on: ubuntu-latest
    steps:${steps}`;
}

export function gitRepo(
  files: Record<string, string>,
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wf-repo-'))
): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '--quiet', '--initial-branch=main');
  git('config', 'user.email', 'test@example.com');
  git('config', 'user.name', 'Test User');
  git('config', 'commit.gpgsign', 'false');
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  git('add', '-A');
  git('commit', '--quiet', '-m', 'initial');
  return dir;
}

export interface Run {
  result: WorkflowResult;
  log: string;
  job(id: string): WorkflowResult['jobs'][number];
  /** Throws with the log unless every job succeeded. */
  assertOk(): void;
}

/** Runs `.github/workflows/<name>` (or `file`) of `repo`, its log kept in memory. */
export async function run(
  repo: string,
  file: string,
  options: Partial<RunWorkflowOptions> = {}
): Promise<Run> {
  const lines: string[] = [];
  const env = { ...process.env, GITHUB_TOKEN: '', ...options.env };
  const result = await runWorkflow({
    file,
    repoDir: repo,
    workDir: fs.mkdtempSync(path.join(os.tmpdir(), 'wf-work-')),
    out: (line) => lines.push(line),
    ...options,
    env
  });
  return {
    result,
    log: lines.join('\n'),
    assertOk: () => {
      if (!result.ok) throw new Error(`the run failed:\n${lines.join('\n')}`);
    },
    job: (id) => {
      const found = result.jobs.find((j) => j.id === id);
      if (!found)
        throw new Error(`no job ${id} in ${result.jobs.map((j) => j.id).join(', ')}\n${lines.join('\n')}`);
      return found;
    }
  };
}
