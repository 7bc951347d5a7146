/**
 * A job that calls a reusable workflow: `with:` typed against the callee's workflow_call inputs
 * (defaults, required), `secrets:` (or `secrets: inherit`), the callee's jobs run as
 * `<caller> / <callee job>`, and its `on.workflow_call.outputs` mapped back as the caller's outputs.
 */
import type { ReusableWorkflowJob } from '@actions/workflow-parser/model/workflow-template';
import { asString, evaluateToken, type Json } from './expressions.js';
import { runGraph } from './graph.js';
import { definitionsFrom, typedInputs } from './inputs.js';
import { loadWorkflow, Refusal, reusableWorkflowFile, type LoadedWorkflow } from './load.js';
import { say, type RunState } from './state.js';
import type { JobResult } from './types.js';

function callSecrets(
  job: ReusableWorkflowJob,
  contexts: Record<string, Json | undefined>,
  where: string
): Record<string, string> {
  const current = (contexts.secrets ?? {}) as Record<string, string>;
  const given = job['inherit-secrets']
    ? { ...current }
    : Object.fromEntries(
        Object.entries((evaluateToken(job['secret-values'], { contexts }) ?? {}) as Record<string, Json>).map(
          ([k, v]) => [k, asString(v)]
        )
      );
  const definitions = (evaluateToken(job['secret-definitions'], { contexts }) ?? {}) as Record<
    string,
    { required?: boolean } | null
  >;
  for (const [name, spec] of Object.entries(definitions)) {
    if (spec?.required && !given[name])
      throw new Refusal(`${where}: the required secret "${name}" is not passed (secrets: ${name}: ...).`);
  }
  if (current.GITHUB_TOKEN) given.GITHUB_TOKEN = current.GITHUB_TOKEN;
  return given;
}

export async function runCall(
  run: RunState,
  caller: LoadedWorkflow,
  job: ReusableWorkflowJob,
  contexts: Record<string, Json | undefined>,
  id: string,
  name: string
): Promise<JobResult[]> {
  const started = Date.now();
  const ref = job.ref.value;
  const where = `job "${name}" (calling ${ref})`;
  let results: JobResult[] = [];
  let outputs: Record<string, string> = {};
  let failed = false;
  try {
    const callee = await loadWorkflow(reusableWorkflowFile(ref, run.repoDir), run.repoDir, ref);
    const definitions = definitionsFrom(job['input-definitions'], { contexts });
    const given = (evaluateToken(job['input-values'], { contexts }) ?? {}) as Record<string, Json>;
    const inputs = typedInputs(definitions, given, where, (input) => `with: ${input}: ...`);
    const secrets = callSecrets(job, contexts, where);
    const calleeContexts = { github: contexts.github, inputs, secrets, vars: contexts.vars };
    const graph = await runGraph(run, callee, calleeContexts, `${name} / `);
    results = graph.jobs;
    failed = graph.jobs.some((j) => j.result === 'failure');
    const declared = (evaluateToken(job.outputs, {
      contexts: { ...calleeContexts, jobs: graph.byId as unknown as Json }
    }) ?? {}) as Record<string, { value?: Json } | null>;
    outputs = Object.fromEntries(
      Object.entries(declared).map(([k, spec]) => [k, asString(spec?.value ?? '')])
    );
  } catch (e) {
    failed = true;
    say(run, `✗ ${e instanceof Refusal ? '' : `${where}: `}${(e as Error).message}`);
  }
  const seconds = (Date.now() - started) / 1000;
  // The runner's own time of the call: its time outside the callee's jobs, plus theirs.
  const calleeJobs = results.filter((r) => r.steps.length || r.seconds);
  const inner = calleeJobs.reduce((sum, r) => sum + r.overheadSeconds - r.seconds, 0) + seconds;
  const own: JobResult = {
    id,
    name,
    result: failed ? 'failure' : 'success',
    outputs,
    seconds,
    overheadSeconds: inner,
    steps: []
  };
  return [...results, own];
}
