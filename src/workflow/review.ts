/**
 * `--review ENV=reject`: a job in that environment ends as GitHub ends one whose deployment review
 * was rejected: result failure, none of its steps run, the reason in the log and the result file.
 */
import type { WorkflowJob } from '@actions/workflow-parser/model/workflow-template';
import { isJob } from '@actions/workflow-parser/model/type-guards';
import type { Json } from './expressions.js';
import { say, type RunState } from './state.js';
import type { JobResult } from './types.js';

export function rejectedJob(
  run: RunState,
  job: WorkflowJob,
  id: string,
  name: string,
  environment: string,
  matrix: Json | undefined
): JobResult {
  const error = `the review of environment "${environment}" was rejected (--review); its steps did not run`;
  say(run, `  ✗ job "${name}": ${error}`);
  const steps = isJob(job) ? job.steps : [];
  return {
    id,
    name,
    result: 'failure',
    outputs: {},
    seconds: 0,
    overheadSeconds: 0,
    steps: steps.map((s) => ({
      id: s.id,
      name: s.name ? s.name.toString() : s.id,
      outcome: 'skipped',
      conclusion: 'skipped',
      seconds: 0,
      outputs: {}
    })),
    review: { environment, decision: 'rejected', by: '--review' },
    error,
    ...(matrix !== undefined ? { matrix } : {})
  };
}
