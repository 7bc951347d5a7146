/**
 * `mlops-actions workflow <file> [flags]`: the CLI face of runWorkflow. Exit 0 when every job
 * succeeded (or was skipped by its own `if:`), 1 when a job failed or the run was refused, 2 on a
 * usage error.
 */
import { EVENTS, type EventName } from './event.js';
import { killAllGroups } from './process.js';
import { runWorkflow } from './run.js';
import type { ReviewDecision, RunWorkflowOptions } from './types.js';

export const WORKFLOW_HELP = `Usage: mlops-actions workflow <file> [flags]

Runs a GitHub Actions workflow file on this machine: jobs one at a time in needs order, run: steps in
bash, this toolkit's own actions from their bundles, reusable workflows, matrix, if:, env, outputs.

Flags:
  --event NAME            push | pull_request | schedule | workflow_dispatch | workflow_call
                          (default: the workflow's first of these)
  --input name=value      a workflow_dispatch / workflow_call input (repeatable)
  --secret name=value     a secret (repeatable); GITHUB_TOKEN defaults to the GITHUB_TOKEN variable
  --var name=value        a configuration variable, the vars context (repeatable)
  --job ID                run only this job (the jobs it needs do not run: their outputs are empty)
  --repo DIR              the git repository the workflow runs on (default: the current directory)
  --ref REF               what actions/checkout checks out and GITHUB_SHA/GITHUB_REF describe
                          (default: HEAD of --repo; for pull_request, the head branch)
  --base-ref REF          a pull_request's base branch (default: main)
  --repository OWNER/NAME GITHUB_REPOSITORY (default: from the origin remote, else local/<dir name>)
  --event-path FILE       JSON merged over the synthesized event payload (e.g. a fork's pull request)
  --work-dir DIR          job workspaces, RUNNER_TEMP, artifacts, summaries (default: a temp dir)
  --summary FILE          every job summary collected in one file (default: <work-dir>/summary.md)
  --result-file FILE      the result as JSON: jobs, results, outputs, steps, times
  --local-action 'owner/name@ref=command'
                          run a shell command in place of an action the runner does not know
                          (its with: inputs arrive as INPUT_<NAME>; outputs via GITHUB_OUTPUT)
  --review ENV=DECISION   the reviewers' decision for jobs in environment ENV (repeatable):
                          approve runs them; reject ends them failed with no step run, as GitHub
                          does when a reviewer rejects the deployment (default: no review, they run)
  --quiet                 show a step's output only when it fails

Emulated: actions/checkout (a clone of --repo), aws-actions/configure-aws-credentials (the local
emulator's credentials when AWS_ENDPOINT_URL is set), actions/upload-artifact and download-artifact
(a store in the work dir). Refused, before any step runs: other actions, services:, container:.
`;

class UsageError extends Error {}

const LIST_FLAGS = { '--input': 'inputs', '--secret': 'secrets', '--var': 'vars' } as const;
const VALUE_FLAGS: Record<string, keyof RunWorkflowOptions> = {
  '--job': 'job',
  '--repo': 'repoDir',
  '--ref': 'ref',
  '--base-ref': 'baseRef',
  '--repository': 'repository',
  '--event-path': 'eventPath',
  '--work-dir': 'workDir',
  '--summary': 'summaryFile',
  '--result-file': 'resultFile'
};

function pair(flag: string, value: string): [string, string] {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new UsageError(`${flag} takes name=value, not "${value}".`);
  return [value.slice(0, eq), value.slice(eq + 1)];
}

export function parseWorkflowArgs(args: string[]): RunWorkflowOptions {
  const options: RunWorkflowOptions = { file: '' };
  const lists: Record<string, Record<string, string>> = { inputs: {}, secrets: {}, vars: {} };
  const localActions: Record<string, string> = {};
  const reviews: Record<string, ReviewDecision> = {};
  for (let i = 0; i < args.length; i++) {
    let arg = args[i];
    let value: string | undefined;
    if (
      arg.startsWith('--') &&
      arg.includes('=') &&
      !(arg.split('=')[0] in LIST_FLAGS) &&
      arg.split('=')[0] !== '--local-action'
    ) {
      [arg, value] = [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)];
    }
    const next = () => {
      if (value !== undefined) return value;
      if (i + 1 >= args.length) throw new UsageError(`${arg} needs a value.`);
      return args[++i];
    };
    if (arg === '--quiet') options.quiet = true;
    else if (arg === '--event') {
      const event = next();
      if (!(EVENTS as readonly string[]).includes(event))
        throw new UsageError(`--event must be one of ${EVENTS.join(', ')}, not "${event}".`);
      options.event = event as EventName;
    } else if (arg in LIST_FLAGS) {
      const [k, v] = pair(arg, next());
      lists[LIST_FLAGS[arg as keyof typeof LIST_FLAGS]][k] = v;
    } else if (arg.startsWith('--input=') || arg.startsWith('--secret=') || arg.startsWith('--var=')) {
      const flag = arg.slice(0, arg.indexOf('='));
      const [k, v] = pair(flag, arg.slice(flag.length + 1));
      lists[LIST_FLAGS[flag as keyof typeof LIST_FLAGS]][k] = v;
    } else if (arg === '--local-action' || arg.startsWith('--local-action=')) {
      const [k, v] = pair(
        '--local-action',
        arg === '--local-action' ? next() : arg.slice('--local-action='.length)
      );
      localActions[k] = v;
    } else if (arg === '--review') {
      const [env, decision] = pair(arg, next());
      if (decision !== 'approve' && decision !== 'reject')
        throw new UsageError(`--review ${env}= takes approve or reject, not "${decision}".`);
      reviews[env] = decision;
    } else if (VALUE_FLAGS[arg]) (options as unknown as Record<string, string>)[VALUE_FLAGS[arg]] = next();
    else if (arg.startsWith('-'))
      throw new UsageError(`unknown flag "${arg}"; see mlops-actions workflow --help.`);
    else if (!options.file) options.file = arg;
    else throw new UsageError(`unexpected argument "${arg}": one workflow file at a time.`);
  }
  if (!options.file) throw new UsageError('name the workflow file: mlops-actions workflow <file>.');
  return {
    ...options,
    inputs: lists.inputs,
    secrets: lists.secrets,
    vars: lists.vars,
    localActions,
    ...(Object.keys(reviews).length ? { reviews } : {})
  };
}

export async function workflowCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(WORKFLOW_HELP);
    return 0;
  }
  let options: RunWorkflowOptions;
  try {
    options = parseWorkflowArgs(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`mlops-actions workflow: ${e.message}\n`);
    return 2;
  }
  // Steps run in process groups of their own: an interrupted run ends them too.
  const stop = (signal: NodeJS.Signals) => {
    killAllGroups();
    process.stderr.write(`mlops-actions workflow: stopped by ${signal}; the steps' processes were ended.\n`);
    process.exit(130);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const result = await runWorkflow(options);
    return result.ok ? 0 : 1;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
