/**
 * `mlops-actions <action> [--<input> <value> ...]`: runs the very same action code as the runner.
 * Inputs come from flags and INPUT_* variables; outputs print as `name=value` lines (and go to
 * GITHUB_OUTPUT when set); the job summary goes to GITHUB_STEP_SUMMARY when set, otherwise it is
 * printed as Markdown at the end. Also serves as the umbrella action (`action` input, no arguments).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { emulatorCommand } from './emulator/cli.js';
import { ACTIONS as BUILT_IN_ACTIONS, type ActionMetadata } from './generated/actions.js';
import { RUNS as BUILT_IN_RUNS } from './generated/registry.js';
import { inputVariable } from './inputs.js';
import { runAction, type ActionResult, type ActionRun } from './runner.js';
import { VERSION } from './version.js';
import { workflowCommand } from './workflow/cli.js';

/** Commands that are not actions. */
const COMMANDS: Record<string, { description: string; run: (args: string[]) => Promise<number> }> = {
  emulator: {
    description: 'Start the local AWS emulator (SageMaker, S3, CloudWatch, ECR, STS, ...) on 127.0.0.1.',
    run: emulatorCommand
  },
  workflow: {
    description: 'Run a GitHub Actions workflow file on this machine (see mlops-actions workflow --help).',
    run: workflowCommand
  }
};

export class UsageError extends Error {}

type Write = (text: string) => void;

function actionHelp(name: string, meta: ActionMetadata): string {
  const inputs = Object.entries(meta.inputs);
  const width = Math.max(
    0,
    ...inputs.map(([n]) => n.length + 2),
    ...Object.keys(meta.outputs).map((n) => n.length)
  );
  const lines = [`mlops-actions ${name}: ${meta.description}`, ''];
  const required = inputs.filter(([, s]) => s.required).map(([n]) => ` --${n} <value>`);
  lines.push(`Usage: mlops-actions ${name}${required.join('')} [--<input> <value> ...]`, '', 'Inputs:');
  for (const [input, spec] of inputs) {
    const notes = [spec.required ? 'required' : '', spec.default ? `default: ${spec.default}` : '']
      .filter(Boolean)
      .join(', ');
    lines.push(
      `  ${`--${input}`.padEnd(width)}  ${(spec.description ?? '').replace(/\s+/g, ' ')}${notes ? ` [${notes}]` : ''}`
    );
  }
  lines.push('', 'Outputs:');
  for (const [output, spec] of Object.entries(meta.outputs)) {
    lines.push(`  ${output.padEnd(width)}  ${spec.description.replace(/\s+/g, ' ')}`);
  }
  return lines.join('\n') + '\n';
}

interface Registry {
  actions: Record<string, ActionMetadata>;
  runs: Record<string, ActionRun>;
}

function mainHelp({ actions: ACTIONS }: Registry): string {
  const names = [...Object.keys(ACTIONS), ...Object.keys(COMMANDS)];
  const width = Math.max(...names.map((n) => n.length));
  const lines = [
    `mlops-actions ${VERSION}: from a pull request to a live SageMaker endpoint.`,
    '',
    'Usage: mlops-actions <action> [--<input> <value> ...]',
    '       mlops-actions <action> --help',
    '',
    'Actions:'
  ];
  for (const [name, meta] of Object.entries(ACTIONS))
    lines.push(`  ${name.padEnd(width)}  ${meta.description}`);
  if (!Object.keys(ACTIONS).length) lines.push('  (none yet)');
  lines.push('', 'Commands:');
  for (const [name, cmd] of Object.entries(COMMANDS))
    lines.push(`  ${name.padEnd(width)}  ${cmd.description}`);
  lines.push('', 'Inputs may also come from INPUT_<NAME> variables. Outputs print as name=value lines.');
  return lines.join('\n') + '\n';
}

/** Parses `--name value`, `--name=value` and bare `--flag` (true); a repeated flag joins with newlines. */
export function parseFlags(action: string, meta: ActionMetadata, args: string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) {
      throw new UsageError(`Unexpected argument "${arg}": inputs are given as --<input> <value>.`);
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (!(name in meta.inputs)) {
      const valid = Object.keys(meta.inputs).map((n) => `--${n}`);
      throw new UsageError(`Unknown input "--${name}" for ${action}; valid inputs: ${valid.join(', ')}.`);
    }
    let value: string;
    if (eq > 0) value = arg.slice(eq + 1);
    else if (i + 1 < args.length && !args[i + 1].startsWith('--')) value = args[++i];
    else value = 'true';
    values[name] = name in values ? `${values[name]}\n${value}` : value;
  }
  return values;
}

/**
 * Workflow commands (`::warning::`, `::group::`) rendered for a terminal instead of the runner. Lines
 * between `::stop-commands::<token>` and `::<token>::` are printed as they are, as the runner does.
 */
export function commandRenderer(debug: boolean): (text: string) => string {
  const unescape = (t: string) => t.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%');
  let stopped: string | undefined;
  return (text) =>
    text
      .split('\n')
      .flatMap((line) => {
        if (stopped !== undefined) {
          if (line.trim() !== `::${stopped}::`) return [line];
          stopped = undefined;
          return [];
        }
        const command = /^::([a-z-]+)(?: [^:]*)?::(.*)$/.exec(line);
        if (!command) return [line];
        const [, name, rest] = command;
        if (name === 'stop-commands') stopped = rest.trim();
        if (name === 'group') return [`▸ ${rest}`];
        if (['warning', 'error', 'notice'].includes(name) || (name === 'debug' && debug)) {
          return [`${name}: ${unescape(rest)}`];
        }
        return [];
      })
      .join('\n');
}

function formatOutputs(outputs: Record<string, string>): string {
  return Object.entries(outputs)
    .map(([k, v]) => (v.includes('\n') ? `${k}<<EOF\n${v}\nEOF` : `${k}=${v}`))
    .join('\n');
}

/** Warns about umbrella inputs the chosen action does not take (set to something other than a default). */
function warnUnusedUmbrellaInputs(
  { actions: ACTIONS }: Registry,
  action: string,
  env: NodeJS.ProcessEnv,
  write: Write
): void {
  const declared = ACTIONS[action].inputs;
  const defaults = new Map<string, string>();
  for (const meta of Object.values(ACTIONS)) {
    for (const [n, s] of Object.entries(meta.inputs)) defaults.set(n, s.default ?? '');
  }
  for (const [n, def] of defaults) {
    const value = (env[inputVariable(n)] ?? '').trim();
    if (!(n in declared) && value && value !== def) {
      write(`::warning::Input "${n}" is not an input of ${action} and is ignored.\n`);
    }
  }
}

async function runInTerminal(
  { actions, runs }: Registry,
  name: string,
  env: NodeJS.ProcessEnv,
  out: Write
): Promise<ActionResult> {
  const inGitHub = env.GITHUB_ACTIONS === 'true';
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-actions-'));
  const ownSummary = !env.GITHUB_STEP_SUMMARY;
  const summaryFile = env.GITHUB_STEP_SUMMARY || path.join(temp, 'summary.md');
  env.GITHUB_STEP_SUMMARY = summaryFile;
  const ownOutput = !env.GITHUB_OUTPUT;
  const outputFile = env.GITHUB_OUTPUT || path.join(temp, 'output');
  env.GITHUB_OUTPUT = outputFile;
  fs.writeFileSync(summaryFile, '', { flag: 'a' });
  fs.writeFileSync(outputFile, '', { flag: 'a' });

  const realWrite = process.stdout.write.bind(process.stdout);
  const debug = env.RUNNER_DEBUG === '1' || env.ACTIONS_STEP_DEBUG === 'true';
  if (!inGitHub) {
    const render = commandRenderer(debug);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) =>
      realWrite(render(chunk.toString()), ...(rest as []))) as typeof process.stdout.write;
  }
  try {
    const result = await runAction(name, runs[name], { env, metadata: actions[name] });
    if (Object.keys(result.outputs).length) out(`\n${formatOutputs(result.outputs)}\n`);
    if (ownSummary && !inGitHub) {
      const markdown = fs.readFileSync(summaryFile, 'utf8').trim();
      if (markdown) out(`\n--- job summary ---\n${markdown}\n`);
    }
    return result;
  } finally {
    process.stdout.write = realWrite;
    if (ownSummary) delete env.GITHUB_STEP_SUMMARY;
    if (ownOutput) delete env.GITHUB_OUTPUT;
    fs.rmSync(temp, { recursive: true, force: true });
  }
}

export interface CliOptions {
  out?: Write;
  err?: Write;
  /** The actions to offer (tests give their own). */
  registry?: Registry;
}

export async function main(argv: string[], options: CliOptions = {}): Promise<number> {
  // @actions/core reads process.env (INPUT_*, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY), so the CLI does too.
  const env = process.env;
  const out = options.out ?? ((t: string) => void process.stdout.write(t));
  const err = options.err ?? ((t: string) => void process.stderr.write(t));
  const registry = options.registry ?? { actions: BUILT_IN_ACTIONS, runs: BUILT_IN_RUNS };
  const { actions: ACTIONS, runs: RUNS } = registry;
  try {
    if (argv.length === 0 && env.INPUT_ACTION) {
      const name = env.INPUT_ACTION.trim();
      if (!RUNS[name]) {
        throw new UsageError(
          `Input "action" must be one of ${Object.keys(RUNS).join(', ')}, but got "${name}".`
        );
      }
      warnUnusedUmbrellaInputs(registry, name, env, out);
      return (await runInTerminal(registry, name, env, out)).exitCode;
    }
    const [command, ...args] = argv;
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      out(mainHelp(registry));
      return 0;
    }
    if (command === '--version' || command === '-v') {
      out(`${VERSION}\n`);
      return 0;
    }
    if (COMMANDS[command]) return await COMMANDS[command].run(args);
    const meta = ACTIONS[command];
    if (!meta || !RUNS[command]) {
      const known = [...Object.keys(ACTIONS), ...Object.keys(COMMANDS)].join(', ');
      throw new UsageError(
        `Unknown action "${command}"; the actions are: ${known}. See mlops-actions --help.`
      );
    }
    if (args.includes('--help') || args.includes('-h')) {
      out(actionHelp(command, meta));
      return 0;
    }
    for (const [input, value] of Object.entries(parseFlags(command, meta, args)))
      env[inputVariable(input)] = value;
    return (await runInTerminal(registry, command, env, out)).exitCode;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(`mlops-actions: ${e.message}\n`);
    return 2;
  }
}
