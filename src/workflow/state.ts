/**
 * What one workflow run shares (the event, masking, the log, the work dir, the collected summaries)
 * and what one job carries from step to step (its workspace, the env and PATH its steps added, the
 * process groups to end when it ends).
 */
import fs from 'node:fs';
import path from 'node:path';
import { startsCommand } from '../untrusted.js';
import type { RunEvent } from './event.js';
import type { Json } from './expressions.js';
import type { Masker } from './mask.js';
import type { ReviewDecision } from './types.js';

export interface RunState {
  repoDir: string;
  workDir: string;
  artifactsDir: string;
  event: RunEvent;
  runId: string;
  runNumber: string;
  baseEnv: NodeJS.ProcessEnv;
  secrets: Record<string, string>;
  vars: Record<string, string>;
  localActions: Record<string, string>;
  /** --review: an environment's reviewers' decision (a job in it runs, or ends as rejected). */
  reviews: Record<string, ReviewDecision>;
  masker: Masker;
  quiet: boolean;
  debug: boolean;
  summaries: { title: string; markdown: string }[];
  /** Printed once per run (e.g. "environments have no protection rules here"). */
  said: Set<string>;
  write: (line: string) => void;
}

/** Prints a line of the runner's own (masked; never a workflow command for an outer runner). */
export function say(run: RunState, line: string): void {
  const masked = run.masker.mask(line);
  run.write(startsCommand(masked) ? masked.replace(/::/g, ': :').replace(/##\[/g, '# #[') : masked);
}

export function sayOnce(run: RunState, line: string): void {
  if (run.said.has(line)) return;
  run.said.add(line);
  say(run, line);
}

export interface JobState {
  run: RunState;
  id: string;
  /** The job's display name (`build`, `call / train (3.11)`). */
  name: string;
  workspace: string;
  temp: string;
  /** Variables steps added with GITHUB_ENV (and configure-aws-credentials). */
  addedEnv: Record<string, string>;
  /** Directories steps added with GITHUB_PATH, newest first. */
  addedPath: string[];
  groups: number[];
  summary: string[];
  /** Seconds spent inside step processes. */
  processSeconds: number;
  contexts: Record<string, Json | undefined>;
}

export function newJobState(
  run: RunState,
  id: string,
  name: string,
  contexts: JobState['contexts']
): JobState {
  const slug = `${id}`.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 80);
  let base = path.join(run.workDir, 'jobs', slug);
  for (let i = 2; fs.existsSync(base); i++) base = path.join(run.workDir, 'jobs', `${slug}-${i}`);
  const workspace = path.join(base, 'workspace');
  const temp = path.join(base, 'temp');
  fs.mkdirSync(workspace, { recursive: true });
  fs.mkdirSync(temp, { recursive: true });
  return {
    run,
    id,
    name,
    workspace,
    temp,
    addedEnv: {},
    addedPath: [],
    groups: [],
    summary: [],
    processSeconds: 0,
    contexts
  };
}
