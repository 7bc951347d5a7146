/**
 * `runWorkflow(options)`: a workflow file run on this machine as GitHub would run it for an event.
 * Loads and checks it (refusals come before any step runs), synthesizes the event, runs the jobs in
 * `needs` order, collects the summaries into one file and returns (and optionally writes) the
 * result. The CLI command `mlops-actions workflow` is a thin wrapper around it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EVENTS, gitTop, synthesizeEvent, type EventName } from './event.js';
import { asString, evaluateToken, ExpressionFailure, type Json } from './expressions.js';
import { runGraph, workflowEnvOf } from './graph.js';
import { definitionsFrom, typedInputs } from './inputs.js';
import { child, loadWorkflow, Refusal } from './load.js';
import { Masker } from './mask.js';
import { preflight } from './preflight.js';
import { finalTable, writeResultFile, writeSummary } from './report.js';
import { say, type RunState } from './state.js';
import type { RunWorkflowOptions, WorkflowResult } from './types.js';

/** The workflow file: as given when absolute, else in --repo, else from the current directory. */
function workflowPath(file: string, repoDir: string): string {
  if (path.isAbsolute(file)) return file;
  const inRepo = path.join(repoDir, file);
  return fs.existsSync(inRepo) || !fs.existsSync(file) ? inRepo : path.resolve(file);
}

function chooseEvent(declared: string[], wanted: EventName | undefined, file: string): EventName {
  const supported = declared.filter((e): e is EventName => (EVENTS as readonly string[]).includes(e));
  if (wanted) {
    if (!declared.includes(wanted)) {
      throw new Refusal(
        `the workflow ${file} does not run on ${wanted} (it runs on ${declared.join(', ') || 'nothing'}).`
      );
    }
    return wanted;
  }
  if (!supported.length)
    throw new Refusal(`the workflow ${file} runs on none of ${EVENTS.join(', ')}; pass --event.`);
  return supported[0];
}

export async function runWorkflow(options: RunWorkflowOptions): Promise<WorkflowResult> {
  const started = Date.now();
  const write = options.out ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const baseEnv = options.env ?? process.env;
  const masker = new Masker();
  const secrets: Record<string, string> = { ...options.secrets };
  if (!secrets.GITHUB_TOKEN && baseEnv.GITHUB_TOKEN) secrets.GITHUB_TOKEN = baseEnv.GITHUB_TOKEN;
  Object.values(secrets).forEach((s) => masker.add(s));
  const workDir = path.resolve(options.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-workflow-')));
  const summaryFile = path.resolve(options.summaryFile ?? path.join(workDir, 'summary.md'));
  let result: WorkflowResult = {
    ok: false,
    workflow: options.file,
    event: options.event ?? 'push',
    jobs: [],
    summaryFile,
    seconds: 0
  };
  try {
    const repoDir = gitTop(path.resolve(options.repoDir ?? process.cwd()));
    const file = workflowPath(options.file, repoDir);
    const workflow = await loadWorkflow(file, repoDir, options.file);
    result.workflow = workflow.name;
    const declared = Object.keys(workflow.template.events);
    const eventName = chooseEvent(declared, options.event, options.file);
    result.event = eventName;
    const events = workflow.template.events as Record<
      string,
      { inputs?: Record<string, unknown>; secrets?: Record<string, { required?: boolean }> } | undefined
    >;
    const given: Record<string, Json> = { ...options.inputs };
    const takesInputs = eventName === 'workflow_dispatch' || eventName === 'workflow_call';
    if (!takesInputs && Object.keys(given).length) {
      throw new Refusal(`--input is for workflow_dispatch and workflow_call; the event is ${eventName}.`);
    }
    const onEvent = child(child(workflow.raw, 'on'), eventName);
    const definitions = takesInputs
      ? definitionsFrom(child(onEvent, 'inputs'), { contexts: { vars: options.vars ?? {} } })
      : {};
    const inputs = takesInputs
      ? typedInputs(definitions, given, `the workflow ${options.file}`, (n) => `--input ${n}=VALUE`)
      : {};
    const eventInputs = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, asString(v)]));
    const event = synthesizeEvent({
      event: eventName,
      repoDir,
      ref: options.ref,
      baseRef: options.baseRef,
      repository: options.repository,
      eventPath: options.eventPath,
      inputs: eventInputs
    });
    if (options.job && !workflow.template.jobs.some((j) => j.id.value === options.job)) {
      throw new Refusal(
        `--job ${options.job}: the workflow has no such job (its jobs: ${workflow.template.jobs.map((j) => j.id.value).join(', ')}).`
      );
    }
    await preflight(workflow, repoDir, options.localActions ?? {});
    fs.mkdirSync(workDir, { recursive: true });
    const eventPath = path.join(workDir, 'event.json');
    fs.writeFileSync(eventPath, JSON.stringify(event.payload, null, 2));
    const runId = String(Date.now() % 1e10);
    const [owner] = event.repository.split('/');
    const github: Record<string, Json> = {
      event: event.payload,
      event_name: eventName,
      event_path: eventPath,
      sha: event.sha,
      ref: event.ref,
      ref_name: event.refName,
      ref_type: event.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
      head_ref: event.headRef,
      base_ref: event.baseRef,
      repository: event.repository,
      repository_owner: owner,
      run_id: runId,
      run_number: '1',
      run_attempt: '1',
      actor: event.actor,
      triggering_actor: event.actor,
      workflow: workflow.name,
      workflow_ref: `${event.repository}/${options.file}@${event.ref}`,
      token: secrets.GITHUB_TOKEN ?? '',
      server_url: baseEnv.GITHUB_SERVER_URL || 'https://github.com',
      api_url: baseEnv.GITHUB_API_URL || 'https://api.github.com',
      graphql_url: baseEnv.GITHUB_GRAPHQL_URL || 'https://api.github.com/graphql',
      retention_days: '90',
      action: '',
      job: ''
    };
    if (eventName === 'workflow_call') {
      for (const [name, spec] of Object.entries(events.workflow_call?.secrets ?? {})) {
        if (spec?.required && !secrets[name])
          throw new Refusal(
            `the workflow ${options.file} requires the secret "${name}" (--secret ${name}=VALUE).`
          );
      }
    }
    const run: RunState = {
      repoDir,
      workDir,
      artifactsDir: path.join(workDir, 'artifacts'),
      event,
      runId,
      runNumber: '1',
      baseEnv,
      secrets,
      vars: options.vars ?? {},
      localActions: options.localActions ?? {},
      reviews: options.reviews ?? {},
      masker,
      quiet: Boolean(options.quiet),
      debug: baseEnv.RUNNER_DEBUG === '1' || baseEnv.ACTIONS_STEP_DEBUG === 'true',
      summaries: [],
      said: new Set(),
      write
    };
    workflowEnvOf(workflow, { github, inputs, secrets, vars: run.vars });
    say(
      run,
      `▶ ${workflow.name} (${options.file}) on ${eventName} at ${event.ref} ${event.sha.slice(0, 12)}, jobs one at a time in needs order; work dir ${workDir}`
    );
    if (workflow.template.concurrency) {
      try {
        const value = evaluateToken(workflow.template.concurrency, {
          contexts: { github, inputs, vars: run.vars }
        });
        const group = value && typeof value === 'object' && !Array.isArray(value) ? value.group : value;
        say(run, `  concurrency group of the workflow: ${asString(group ?? '')} (printed, not enforced)`);
      } catch (e) {
        say(run, `  concurrency group of the workflow cannot be evaluated: ${(e as Error).message}`);
      }
    }
    const graph = await runGraph(run, workflow, { github, inputs, secrets, vars: run.vars }, '', options.job);
    result = {
      ...result,
      jobs: graph.jobs,
      ok: graph.jobs.every((j) => j.result === 'success' || j.result === 'skipped' || j.continueOnError)
    };
    result.seconds = (Date.now() - started) / 1000;
    writeSummary(run, summaryFile, workflow.name);
    say(run, '');
    finalTable(result).forEach((line) => say(run, line));
    say(run, `Job summaries: ${summaryFile}`);
  } catch (e) {
    if (!(e instanceof Refusal) && !(e instanceof ExpressionFailure)) throw e;
    const sentence = e.message.charAt(0).toUpperCase() + e.message.slice(1);
    write(`mlops-actions workflow: ${masker.mask(sentence)}`);
    result = { ...result, ok: false, refusal: sentence, seconds: (Date.now() - started) / 1000 };
  }
  if (options.resultFile) writeResultFile(options.resultFile, result, masker);
  return result;
}
