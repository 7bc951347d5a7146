/** The shapes a workflow run produces (the programmatic API and the --result-file JSON). */
import type { Json } from './expressions.js';
import type { EventName } from './event.js';

export type Outcome = 'success' | 'failure' | 'cancelled' | 'skipped';

export type ReviewDecision = 'approve' | 'reject';

export interface StepResult {
  id: string;
  name: string;
  outcome: Outcome;
  conclusion: Outcome;
  seconds: number;
  outputs: Record<string, string>;
  /** Why a step failed, when the runner knows (an `::error::`, a timeout, a refusal). */
  error?: string;
}

export interface JobResult {
  /** The job id (`build`), or `<caller> / <callee>` for a job of a called workflow. */
  id: string;
  name: string;
  result: Outcome;
  outputs: Record<string, string>;
  /** Wall-clock seconds of the job. */
  seconds: number;
  /** The runner's own seconds: the job's time less the time inside step processes. */
  overheadSeconds: number;
  steps: StepResult[];
  matrix?: Json;
  /** The `--review` decision on the job's environment, when it had one. */
  review?: { environment: string; decision: 'approved' | 'rejected'; by: '--review' };
  /** Why the job failed without running its steps (e.g. its environment's review was rejected). */
  error?: string;
  /** The job failed, but its `continue-on-error:` lets the run pass (and its dependents run). */
  continueOnError?: boolean;
}

export interface WorkflowResult {
  ok: boolean;
  workflow: string;
  event: EventName;
  jobs: JobResult[];
  summaryFile: string;
  seconds: number;
  /** Set when the run was refused before (or instead of) running: one sentence. */
  refusal?: string;
}

export interface RunWorkflowOptions {
  /** The workflow file (relative to the current directory or to --repo). */
  file: string;
  event?: EventName;
  inputs?: Record<string, string>;
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  /** Run only this job (and nothing it needs: their outputs are empty). */
  job?: string;
  /** The git repository (default: the current directory). */
  repoDir?: string;
  ref?: string;
  baseRef?: string;
  repository?: string;
  eventPath?: string;
  /** Job workspaces, RUNNER_TEMP, artifacts, summaries (default: a fresh temp dir). */
  workDir?: string;
  summaryFile?: string;
  resultFile?: string;
  /** `owner/name@ref` (or `owner/name`) -> a shell command that stands in for that action. */
  localActions?: Record<string, string>;
  /** `--review production=approve`: an environment's reviewers' decision for jobs in it. */
  reviews?: Record<string, ReviewDecision>;
  /** The environment steps inherit (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Where the log goes, a line at a time (default: stdout). */
  out?: (line: string) => void;
  /** Show step output only for failing steps. */
  quiet?: boolean;
}
