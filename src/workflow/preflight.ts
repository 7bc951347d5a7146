/**
 * Everything that can be refused is refused before any step runs: services/container jobs, actions
 * the runner does not know, reusable workflows it cannot find or parse (checked recursively).
 */
import type { WorkflowJob } from '@actions/workflow-parser/model/workflow-template';
import { isActionStep, isJob } from '@actions/workflow-parser/model/type-guards';
import { loadWorkflow, Refusal, reusableWorkflowFile, type LoadedWorkflow } from './load.js';
import { resolveUses } from './uses.js';

const MAX_DEPTH = 4;

export async function preflight(
  workflow: LoadedWorkflow,
  repoDir: string,
  localActions: Record<string, string>,
  prefix = '',
  depth = 0
): Promise<void> {
  for (const job of workflow.template.jobs as WorkflowJob[]) {
    const jobName = `${prefix}${job.id.value}`;
    if (isJob(job)) {
      for (const key of ['services', 'container'] as const) {
        if (job[key]) {
          throw new Refusal(
            `job "${jobName}" uses ${key}:, which the local runner does not run; run the service yourself on loopback and drop ${key}: for a local run.`
          );
        }
      }
      for (const step of job.steps) {
        if (!isActionStep(step)) continue;
        const label = step.name ? step.name.toString() : step.uses.value;
        resolveUses(step.uses.value, `step "${label}" of job "${jobName}"`, repoDir, localActions, true);
      }
    } else {
      if (depth >= MAX_DEPTH)
        throw new Refusal(`job "${jobName}" calls workflows nested deeper than ${MAX_DEPTH}.`);
      const file = reusableWorkflowFile(job.ref.value, repoDir);
      const callee = await loadWorkflow(file, repoDir, job.ref.value);
      await preflight(callee, repoDir, localActions, `${jobName} / `, depth + 1);
    }
  }
}
