/**
 * Running a resolved `uses:` step: a node action from its bundle (`node <main>`, INPUT_<NAME>
 * variables as the runner sets them, defaults from its action.yml), a composite action's run
 * steps, a --local-action command, or one of the emulated third-party actions.
 */
import { runBuiltin } from './builtins.js';
import { interpolate, type Scope } from './expressions.js';
import { readKeyValueFile } from './files.js';
import { spawnStep, type StepContext, type StepOutcome } from './execute.js';
import { runScript } from './run-step.js';
import { say } from './state.js';
import type { ActionInput, ResolvedAction } from './uses.js';

/** `INPUT_<NAME>`: upper-cased, spaces to `_`, hyphens kept (as the runner does). */
export function inputVariableName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

function inputValues(
  ctx: StepContext,
  declared: Record<string, ActionInput>,
  uses: string
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, spec] of Object.entries(declared)) {
    if (spec.default !== undefined) values[name] = interpolate(spec.default, ctx.scope);
  }
  const unexpected = Object.keys(ctx.with).filter((k) => !(k in declared));
  if (unexpected.length && Object.keys(declared).length) {
    say(
      ctx.job.run,
      `    warning: unexpected input(s) ${unexpected.map((u) => `'${u}'`).join(', ')} for ${uses}`
    );
  }
  return { ...values, ...ctx.with };
}

function inputEnv(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [inputVariableName(k), v]));
}

async function runComposite(
  ctx: StepContext,
  action: Extract<ResolvedAction, { kind: 'composite' }>
): Promise<StepOutcome> {
  const inputs = inputValues(ctx, action.inputs, action.uses);
  const runs = action.definition.runs as { steps?: Record<string, unknown>[] };
  const steps: Record<string, { outputs: Record<string, string> }> = {};
  const scope = (): Scope => ({ ...ctx.scope, contexts: { ...ctx.scope.contexts, inputs, steps } });
  for (const [index, step] of (runs.steps ?? []).entries()) {
    if (typeof step.run !== 'string') {
      return {
        exitCode: 1,
        outputs: {},
        error: `composite step ${index + 1} of ${action.uses} is not a run step (only run steps run locally)`
      };
    }
    const env = Object.fromEntries(
      Object.entries((step.env ?? {}) as Record<string, unknown>).map(([k, v]) => [
        k,
        interpolate(String(v), scope())
      ])
    );
    const sub: StepContext = { ...ctx, env: { ...ctx.env, ...env, GITHUB_ACTION_PATH: action.dir } };
    const result = await runScript(
      sub,
      interpolate(step.run, scope()),
      typeof step.shell === 'string' ? step.shell : 'bash'
    );
    if (typeof step.id === 'string') steps[step.id] = { outputs: readKeyValueFile(ctx.files.output) };
    if (result.exitCode !== 0) return result;
  }
  const declared = (action.definition.outputs ?? {}) as Record<string, { value?: string }>;
  const outputs = Object.fromEntries(
    Object.entries(declared).map(([name, spec]) => [name, interpolate(spec.value ?? '', scope())])
  );
  return { exitCode: 0, outputs };
}

export async function runResolved(ctx: StepContext, action: ResolvedAction): Promise<StepOutcome> {
  switch (action.kind) {
    case 'builtin':
      return runBuiltin(ctx, action.builtin);
    case 'composite':
      return runComposite(ctx, action);
    case 'node': {
      const env = inputEnv(inputValues(ctx, action.inputs, action.uses));
      const result = await spawnStep(ctx, process.execPath, [action.main], env);
      return {
        exitCode: result.timedOut ? 1 : result.exitCode,
        outputs: result.outputs,
        error: result.timedOut ? 'the step was stopped when its time ran out' : result.errors[0]
      };
    }
    case 'command': {
      const env = inputEnv(ctx.with);
      const result = await spawnStep(
        ctx,
        'bash',
        ['--noprofile', '--norc', '-eo', 'pipefail', '-c', action.command],
        env
      );
      return {
        exitCode: result.timedOut ? 1 : result.exitCode,
        outputs: result.outputs,
        error:
          result.exitCode !== 0
            ? `the local command for ${action.uses} exited with code ${result.exitCode}`
            : undefined
      };
    }
  }
}
