/**
 * Where the gate's report goes besides the job summary: the pull request's comment, when there is a
 * pull request, a token and `comment: true`. A fork's pull request, or a token GitHub refuses (403,
 * 404), is said in the log and the summary, and does not fail the gate: the verdict stands alone.
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../report.js';
import { commentMarker, httpStatus, upsertComment, type CommentsApi } from '../github/comments.js';
import type { PullRequestRef } from '../github/event.js';

export interface PublishRequest {
  comment: boolean;
  title: string;
  markdown: string;
  pullRequest?: PullRequestRef;
  /** The event's name: a fork's pull_request_target run has a token that may write. */
  eventName: string;
  token?: string;
  /** Makes the REST client (only called when a comment is to be written). */
  api: (token: string) => CommentsApi;
  log: Logger;
}

/** What happened, in one sentence for the summary (undefined: nothing worth saying). */
export interface Published {
  note?: string;
  url?: string;
}

export async function publishComment(request: PublishRequest): Promise<Published> {
  const { pullRequest: pr, log } = request;
  const say = (note: string): Published => {
    log.info(note);
    return { note };
  };
  if (!request.comment) return {};
  if (!pr) return say('No pull request in this event: the report is in the job summary only.');
  if (pr.fork && request.eventName !== 'pull_request_target')
    return say(
      `Pull request #${pr.number} comes from the fork ${pr.headRepository}: its token cannot comment here, so the report is in the job summary only.`
    );
  if (!request.token)
    return say(
      `No github-token: the report is not commented on pull request #${pr.number}, only in the job summary.`
    );
  const marker = commentMarker('metrics-gate', request.title);
  try {
    const done = await upsertComment(request.api(request.token), pr.number, marker, request.markdown);
    log.info(
      `${done.action === 'created' ? 'Commented on' : 'Updated the comment on'} pull request #${pr.number}${done.url ? `: ${done.url}` : '.'}`
    );
    return { url: done.url };
  } catch (e) {
    const status = httpStatus(e);
    if (status === 403 || status === 404)
      return say(
        `GitHub refused the comment on pull request #${pr.number} (HTTP ${status}): give the job "permissions: pull-requests: write" (and issues: write); the report is in the job summary only.`
      );
    log.warning(`Could not comment on pull request #${pr.number}: ${errorMessage(e)}`);
    return { note: `Could not comment on pull request #${pr.number}: ${errorMessage(e)}` };
  }
}
