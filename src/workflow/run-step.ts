/**
 * `run:` steps: the script written to a file in RUNNER_TEMP and run by its shell as GitHub does
 * (`bash --noprofile --norc -eo pipefail {0}` by default; sh, python, or a custom `cmd {0}`).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawnStep, type StepContext, type StepOutcome } from './execute.js';

/** The command line of a shell name, with `{0}` for the script file, and the file's extension. */
export function shellCommand(shell: string | undefined): { argv: string[]; ext: string } {
  const name = (shell ?? '').trim();
  switch (name) {
    case '':
    case 'bash':
      return { argv: ['bash', '--noprofile', '--norc', '-eo', 'pipefail', '{0}'], ext: '.sh' };
    case 'sh':
      return { argv: ['sh', '-e', '{0}'], ext: '.sh' };
    case 'python':
      return { argv: ['python3', '{0}'], ext: '.py' };
    case 'pwsh':
      return { argv: ['pwsh', '-command', ". '{0}'"], ext: '.ps1' };
    default: {
      const argv = name.split(/\s+/);
      return { argv: argv.some((a) => a.includes('{0}')) ? argv : [...argv, '{0}'], ext: '' };
    }
  }
}

export async function runScript(
  ctx: StepContext,
  script: string,
  shell: string | undefined
): Promise<StepOutcome> {
  const { argv, ext } = shellCommand(shell);
  const file = path.join(ctx.job.temp, `${crypto.randomUUID()}${ext}`);
  fs.writeFileSync(file, script);
  if (!fs.existsSync(ctx.cwd)) {
    return { exitCode: 1, outputs: {}, error: `the working directory ${ctx.cwd} does not exist` };
  }
  const [command, ...args] = argv.map((a) => a.replace('{0}', file));
  const result = await spawnStep(ctx, command, args);
  const error = result.timedOut
    ? `the step was stopped when its time ran out (${Math.round((ctx.timeoutMs ?? 0) / 1000)}s)`
    : result.exitCode !== 0
      ? `the process exited with code ${result.exitCode}`
      : undefined;
  return { exitCode: result.timedOut ? 1 : result.exitCode, outputs: result.outputs, error };
}
