/**
 * Loading a workflow file with GitHub's own parser (@actions/workflow-parser): parse and validate
 * it, convert it to the job model, and keep the raw tokens for the keys the model leaves out
 * (defaults, permissions, timeout-minutes, a step's with/shell/working-directory).
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  NoOperationTraceWriter,
  convertWorkflowTemplate,
  isMapping,
  parseWorkflow,
  type WorkflowTemplate
} from '@actions/workflow-parser';
import type { MappingToken, TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import type { FileReference } from '@actions/workflow-parser/workflows/file-reference';
import { PUBLISHED_REPOSITORY, toolkitRoot } from './toolkit.js';

/** A reason not to run (a bad workflow, an unknown action, a missing input): one sentence. */
export class Refusal extends Error {}

export interface LoadedWorkflow {
  /** The file as the user named it (for messages). */
  file: string;
  name: string;
  template: WorkflowTemplate;
  raw: MappingToken;
}

/** The file a reusable workflow reference (`./.github/workflows/x.yml`, `o/r/path@v`) points to. */
export function reusableWorkflowFile(ref: string, repoDir: string): string {
  if (ref.startsWith('./')) return path.join(repoDir, ref.slice(2).split('@')[0]);
  const match = /^([^/]+)\/([^/]+)\/(.+)@(.+)$/.exec(ref);
  if (match && match[2] === PUBLISHED_REPOSITORY) return path.join(toolkitRoot(), match[3]);
  throw new Refusal(
    `the reusable workflow "${ref}" is neither in this repository (./.github/workflows/...) nor one of ` +
      `${PUBLISHED_REPOSITORY}'s own, so it cannot run locally`
  );
}

function referenceString(ref: FileReference): string {
  return 'owner' in ref ? `${ref.owner}/${ref.repository}/${ref.path}@${ref.version}` : `./${ref.path}`;
}

/** A raw mapping's value for `key`. */
export function child(token: TemplateToken | undefined, key: string): TemplateToken | undefined {
  return token && isMapping(token) ? token.find(key) : undefined;
}

/** The raw mapping of job `id`. */
export function rawJob(workflow: LoadedWorkflow, id: string): MappingToken | undefined {
  const job = child(child(workflow.raw, 'jobs'), id);
  return job && isMapping(job) ? job : undefined;
}

export async function loadWorkflow(file: string, repoDir: string, display = file): Promise<LoadedWorkflow> {
  let content: string;
  try {
    content = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Refusal(`the workflow file ${display} cannot be read (${(e as NodeJS.ErrnoException).code}).`);
  }
  const parsed = parseWorkflow({ name: display, content }, new NoOperationTraceWriter());
  const firstError = () => parsed.context.errors.getErrors()[0]?.message;
  if (firstError() || !parsed.value) {
    throw new Refusal(`the workflow file ${display} is not valid: ${firstError() ?? 'it is empty'}.`);
  }
  const missing: string[] = [];
  const template = await convertWorkflowTemplate(
    parsed.context,
    parsed.value,
    {
      getFileContent: (ref) => {
        try {
          const target = reusableWorkflowFile(referenceString(ref), repoDir);
          return Promise.resolve({ name: referenceString(ref), content: fs.readFileSync(target, 'utf8') });
        } catch (e) {
          missing.push(
            e instanceof Refusal
              ? e.message
              : `${referenceString(ref)} cannot be read (${(e as NodeJS.ErrnoException).code})`
          );
          throw e;
        }
      }
    },
    { fetchReusableWorkflowDepth: 1 }
  );
  let error = template.errors?.[0]?.Message ?? firstError();
  if (error && missing.length && /Unable to find reusable workflow/.test(error))
    error = `${error.replace(/\.$/, '')}: ${missing[0]}`;
  if (error) throw new Refusal(`the workflow file ${display} is not valid: ${error.replace(/\.$/, '')}.`);
  const raw = parsed.value as MappingToken;
  const nameToken = child(raw, 'name');
  return { file: display, name: nameToken ? nameToken.toString() : display, template, raw };
}
