/**
 * One pull-request comment per purpose, kept up to date: the comment starts with a hidden marker
 * (`<!-- mlops-actions:<action>:<title> -->`); every run looks for it through all the pages of the
 * pull request's comments and updates it in place, or creates it the first time. Never a second one.
 * GitHub's REST API through @actions/github's octokit, at GITHUB_API_URL (GitHub Enterprise).
 */
import { getOctokit } from '@actions/github';

export interface IssueComment {
  id: number;
  body?: string;
  html_url?: string;
}

/** The three REST calls used, so that the logic runs against a fake too. */
export interface CommentsApi {
  /** Every comment of the issue or pull request, page after page (stops when `found` says so). */
  find(issue: number, found: (c: IssueComment) => boolean): Promise<IssueComment | undefined>;
  create(issue: number, body: string): Promise<IssueComment>;
  update(id: number, body: string): Promise<IssueComment>;
}

export interface Repository {
  owner: string;
  repo: string;
}

/** The REST API of `repository` at `baseUrl` with `token`. */
export function githubComments(token: string, baseUrl: string, repository: Repository): CommentsApi {
  const octokit = getOctokit(token, { baseUrl });
  return {
    async find(issue, found) {
      const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
        ...repository,
        issue_number: issue,
        per_page: 100
      });
      for await (const page of pages) {
        const hit = page.data.find((c) => found(c as IssueComment));
        if (hit) return hit as IssueComment;
      }
      return undefined;
    },
    async create(issue, body) {
      const { data } = await octokit.rest.issues.createComment({ ...repository, issue_number: issue, body });
      return data as IssueComment;
    },
    async update(id, body) {
      const { data } = await octokit.rest.issues.updateComment({ ...repository, comment_id: id, body });
      return data as IssueComment;
    }
  };
}

/** The hidden marker of a comment: the title cannot close the HTML comment or break the line. */
export function commentMarker(action: string, title: string): string {
  const safe = title.replace(/[\r\n]+/g, ' ').replace(/--+>?|>/g, '-');
  return `<!-- mlops-actions:${action}:${safe} -->`;
}

export interface Upserted {
  action: 'created' | 'updated';
  id: number;
  url?: string;
}

/** Updates the comment that starts with `marker`, or creates it. */
export async function upsertComment(
  api: CommentsApi,
  issue: number,
  marker: string,
  markdown: string
): Promise<Upserted> {
  const body = `${marker}\n${markdown}`;
  const existing = await api.find(issue, (c) => (c.body ?? '').startsWith(marker));
  if (existing) {
    const updated = await api.update(existing.id, body);
    return { action: 'updated', id: existing.id, url: updated.html_url ?? existing.html_url };
  }
  const created = await api.create(issue, body);
  return { action: 'created', id: created.id, url: created.html_url };
}

/** The HTTP status of an octokit RequestError, if that is what `e` is. */
export function httpStatus(e: unknown): number | undefined {
  const status = (e as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}
