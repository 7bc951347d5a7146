/** The pull request of the event that started the run (GITHUB_EVENT_PATH's payload), if any. */
import fs from 'node:fs';

export interface PullRequestRef {
  number: number;
  /** The head branch lives in another repository: its token cannot write to this one. */
  fork: boolean;
  headRepository?: string;
}

/** The pull request of `payload` (a pull_request or pull_request_target event), else undefined. */
export function pullRequestOf(payload: unknown): PullRequestRef | undefined {
  const pr = (payload as { pull_request?: Record<string, unknown> } | undefined)?.pull_request;
  if (!pr || typeof pr.number !== 'number') return undefined;
  const repoName = (side: unknown) =>
    ((side as { repo?: { full_name?: unknown } } | undefined)?.repo?.full_name as string | undefined) ??
    undefined;
  const head = repoName(pr.head);
  const base = repoName(pr.base);
  return { number: pr.number, fork: Boolean(head && base && head !== base), headRepository: head };
}

/** Reads the event payload file; a missing or unreadable file is no pull request. */
export function readEvent(eventPath: string | undefined): unknown {
  if (!eventPath) return undefined;
  try {
    return JSON.parse(fs.readFileSync(eventPath, 'utf8'));
  } catch {
    return undefined;
  }
}
