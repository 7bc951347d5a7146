/**
 * The event a local run pretends to be: what --repo, --ref, --base-ref and --repository say, as the
 * payload GitHub would send (pull_request, push, workflow_dispatch, schedule, workflow_call), merged
 * under the user's --event-path JSON, and the `github` context and GITHUB_* variables from it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Json } from './expressions.js';
import { Refusal } from './load.js';

export const EVENTS = ['push', 'pull_request', 'schedule', 'workflow_dispatch', 'workflow_call'] as const;
export type EventName = (typeof EVENTS)[number];

export interface EventOptions {
  event: EventName;
  repoDir: string;
  ref?: string;
  baseRef?: string;
  repository?: string;
  eventPath?: string;
  inputs?: Record<string, Json>;
}

export interface RunEvent {
  name: EventName;
  payload: Record<string, Json>;
  /** The commit actions/checkout checks out and GITHUB_SHA names. */
  sha: string;
  ref: string;
  refName: string;
  headRef: string;
  baseRef: string;
  repository: string;
  actor: string;
}

function git(repoDir: string, args: string[]): string {
  return execFileSync('git', ['-C', repoDir, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe']
  }).trim();
}

function tryGit(repoDir: string, args: string[]): string | undefined {
  try {
    return git(repoDir, args);
  } catch {
    return undefined;
  }
}

/** The repository's top directory; a plain refusal when --repo is not a git repository. */
export function gitTop(repoDir: string): string {
  const top = fs.existsSync(repoDir) ? tryGit(repoDir, ['rev-parse', '--show-toplevel']) : undefined;
  if (!top)
    throw new Refusal(`--repo ${repoDir} is not a git repository (run git init there, or pass --repo DIR).`);
  return top;
}

function commit(repoDir: string, ref: string, flag: string): string {
  const sha = tryGit(repoDir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (!sha) throw new Refusal(`${flag} ${ref} is not a commit, branch or tag of ${repoDir}.`);
  return sha;
}

function fullRef(repoDir: string, ref: string): string {
  if (ref.startsWith('refs/')) return ref;
  if (tryGit(repoDir, ['show-ref', '--verify', '--quiet', `refs/heads/${ref}`]) !== undefined)
    return `refs/heads/${ref}`;
  if (tryGit(repoDir, ['show-ref', '--verify', '--quiet', `refs/tags/${ref}`]) !== undefined)
    return `refs/tags/${ref}`;
  return ref;
}

function deepMerge(base: Record<string, Json>, over: Record<string, Json>): Record<string, Json> {
  const result = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = result[key];
    result[key] =
      value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      current &&
      typeof current === 'object' &&
      !Array.isArray(current)
        ? deepMerge(current, value)
        : value;
  }
  return result;
}

function repositoryName(repoDir: string): string {
  const url = tryGit(repoDir, ['remote', 'get-url', 'origin']) ?? '';
  const match = /[/:]([^/:]+)\/([^/]+?)(?:\.git)?\/?$/.exec(url);
  return match && !url.startsWith('/') ? `${match[1]}/${match[2]}` : `local/${path.basename(repoDir)}`;
}

export function synthesizeEvent(options: EventOptions): RunEvent {
  const repoDir = gitTop(options.repoDir);
  const current = tryGit(repoDir, ['symbolic-ref', '--short', '-q', 'HEAD']) || 'HEAD';
  const refGiven = options.ref ?? current;
  const sha = commit(repoDir, refGiven, '--ref');
  const repository = options.repository ?? repositoryName(repoDir);
  const server = (process.env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/$/, '');
  const repo = {
    full_name: repository,
    name: repository.split('/')[1],
    owner: { login: repository.split('/')[0] },
    default_branch: options.baseRef ?? 'main',
    html_url: `${server}/${repository}`
  };
  const actor =
    process.env.GITHUB_ACTOR || tryGit(repoDir, ['config', 'user.name'])?.replace(/\s+/g, '-') || 'local';
  let payload: Record<string, Json>;
  let ref = fullRef(repoDir, refGiven);
  let headRef = '';
  let baseRef = '';
  if (options.event === 'pull_request') {
    headRef = refGiven.replace(/^refs\/heads\//, '');
    baseRef = options.baseRef ?? 'main';
    const baseSha = tryGit(repoDir, ['rev-parse', '--verify', '--quiet', `${baseRef}^{commit}`]) ?? '';
    ref = 'refs/pull/1/merge';
    payload = {
      action: 'synchronize',
      number: 1,
      pull_request: {
        number: 1,
        title: tryGit(repoDir, ['log', '-1', '--format=%s', sha]) ?? headRef,
        state: 'open',
        draft: false,
        html_url: `${server}/${repository}/pull/1`,
        user: { login: actor },
        head: { ref: headRef, sha, repo: { ...repo, fork: false } },
        base: { ref: baseRef, sha: baseSha, repo }
      }
    };
  } else if (options.event === 'push') {
    const before = tryGit(repoDir, ['rev-parse', '--verify', '--quiet', `${sha}^`]) ?? '0'.repeat(40);
    const message = tryGit(repoDir, ['log', '-1', '--format=%B', sha]) ?? '';
    payload = { ref, before, after: sha, head_commit: { id: sha, message: message.trim() } };
  } else if (options.event === 'workflow_dispatch') {
    payload = { ref, inputs: options.inputs ?? {} };
  } else if (options.event === 'schedule') {
    payload = { schedule: '' };
  } else {
    payload = { inputs: options.inputs ?? {} };
  }
  payload = { ...payload, repository: repo, sender: { login: actor } };
  if (options.eventPath) {
    let extra: unknown;
    try {
      extra = JSON.parse(fs.readFileSync(options.eventPath, 'utf8'));
    } catch (e) {
      throw new Refusal(
        `--event-path ${options.eventPath} is not a readable JSON file (${(e as Error).message}).`
      );
    }
    payload = deepMerge(payload, extra as Record<string, Json>);
  }
  if (options.event === 'pull_request') {
    const pr = payload.pull_request as Record<string, Record<string, Json>> | undefined;
    headRef = String(pr?.head?.ref ?? headRef);
    baseRef = String(pr?.base?.ref ?? baseRef);
    ref = `refs/pull/${String(payload.number ?? 1)}/merge`;
  }
  const refName =
    options.event === 'pull_request'
      ? `${String(payload.number ?? 1)}/merge`
      : ref.replace(/^refs\/(heads|tags)\//, '');
  return { name: options.event, payload, sha, ref, refName, headRef, baseRef, repository, actor };
}
