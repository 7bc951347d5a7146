/** What an action knows of the workflow run, read from the variables the runner sets. */
export interface RunContext {
  /** owner/name */
  repository: string;
  sha: string;
  ref: string;
  /** The branch or tag name (`GITHUB_HEAD_REF` on pull requests, else the short ref). */
  refName: string;
  runId: string;
  runAttempt: string;
  serverUrl: string;
  /** Link to this workflow run, when known. */
  runUrl?: string;
  workspace: string;
  actor: string;
  eventName: string;
  /** The event's payload file (GITHUB_EVENT_PATH). */
  eventPath?: string;
  /** GitHub's REST API (GITHUB_API_URL: GitHub Enterprise has its own). */
  apiUrl: string;
}

export function runContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const serverUrl = env.GITHUB_SERVER_URL || 'https://github.com';
  const repository = env.GITHUB_REPOSITORY || '';
  const runId = env.GITHUB_RUN_ID || '';
  const ref = env.GITHUB_REF || '';
  return {
    repository,
    sha: env.GITHUB_SHA || '',
    ref,
    refName: env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME || ref.replace(/^refs\/(heads|tags)\//, ''),
    runId,
    runAttempt: env.GITHUB_RUN_ATTEMPT || '1',
    serverUrl,
    runUrl: repository && runId ? `${serverUrl}/${repository}/actions/runs/${runId}` : undefined,
    workspace: env.GITHUB_WORKSPACE || process.cwd(),
    actor: env.GITHUB_ACTOR || '',
    eventName: env.GITHUB_EVENT_NAME || '',
    eventPath: env.GITHUB_EVENT_PATH || undefined,
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com'
  };
}
