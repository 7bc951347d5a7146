/**
 * `uses:` of a step, resolved before anything runs: this toolkit's own actions (run from their
 * bundles), local `./path` actions (node or composite), the few third-party actions emulated here
 * (checkout, configure-aws-credentials, upload/download-artifact), and whatever the user mapped with
 * --local-action. Anything else is a refusal naming the step.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { Refusal } from './load.js';
import { PUBLISHED_REPOSITORY, toolkitRoot } from './toolkit.js';

export type Builtin = 'checkout' | 'configure-aws-credentials' | 'upload-artifact' | 'download-artifact';

export type ResolvedAction =
  | { kind: 'node'; uses: string; actionYml: string; main: string; inputs: Record<string, ActionInput> }
  | {
      kind: 'composite';
      uses: string;
      actionYml: string;
      dir: string;
      inputs: Record<string, ActionInput>;
      definition: Record<string, unknown>;
    }
  | { kind: 'builtin'; uses: string; builtin: Builtin }
  | { kind: 'command'; uses: string; command: string };

export interface ActionInput {
  default?: string;
  required?: boolean;
}

const BUILTINS: Record<string, Builtin> = {
  'actions/checkout': 'checkout',
  'aws-actions/configure-aws-credentials': 'configure-aws-credentials',
  'actions/upload-artifact': 'upload-artifact',
  'actions/download-artifact': 'download-artifact'
};

function readActionYml(file: string, uses: string, step: string, checkBuilt = true): ResolvedAction {
  if (!fs.existsSync(file)) {
    const hint = uses.startsWith('./')
      ? ' (local actions are read from the workspace: check the repository out first)'
      : '';
    throw new Refusal(`${step} uses ${uses}, but ${file} does not exist${hint}.`);
  }
  let parsed: unknown;
  try {
    parsed = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Refusal(
      `${step} uses ${uses}, whose ${file} is not valid YAML (${(e as Error).message.split('\n')[0]}).`
    );
  }
  const definition = (parsed ?? {}) as {
    inputs?: Record<string, { default?: unknown; required?: boolean }>;
    runs?: { using?: string; main?: string; steps?: unknown[] };
  };
  const inputs = Object.fromEntries(
    Object.entries(definition.inputs ?? {}).map(([name, spec]) => [
      name,
      { default: spec?.default === undefined ? undefined : String(spec.default), required: spec?.required }
    ])
  );
  const using = definition.runs?.using ?? '';
  if (/^node\d+$/.test(using) && definition.runs?.main) {
    const main = path.resolve(path.dirname(file), definition.runs.main);
    if (checkBuilt && !fs.existsSync(main))
      throw new Refusal(`${step} uses ${uses}, whose ${main} does not exist (not built?).`);
    return { kind: 'node', uses, actionYml: file, main, inputs };
  }
  if (using === 'composite') {
    return { kind: 'composite', uses, actionYml: file, dir: path.dirname(file), inputs, definition };
  }
  throw new Refusal(
    `${step} uses ${uses}, whose runs.using "${using}" cannot run locally (node or composite only).`
  );
}

/**
 * Resolves a `uses:`; `step` names the step in messages (`step "Deploy" of job "deploy"`), and
 * `./path` actions are read under `baseDir` (the repository before the run, the workspace in a job).
 */
export function resolveUses(
  uses: string,
  step: string,
  baseDir: string,
  localActions: Record<string, string>,
  /** Before the run: a local action's code may be built by an earlier step, so only its action.yml is checked. */
  beforeRun = false
): ResolvedAction {
  const bare = uses.split('@')[0];
  const mapped = localActions[uses] ?? localActions[bare];
  if (mapped !== undefined) return { kind: 'command', uses, command: mapped };
  if (uses.startsWith('./')) {
    const dir = path.join(baseDir, uses);
    const file = ['action.yml', 'action.yaml'].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
    return readActionYml(file ?? path.join(dir, 'action.yml'), uses, step, !beforeRun);
  }
  const match = /^([^/@]+)\/([^/@]+)(?:\/([^@]+))?@(.+)$/.exec(uses);
  if (match && match[2] === PUBLISHED_REPOSITORY) {
    const sub = match[3] ?? '';
    if (sub && !/^actions\/[a-z0-9-]+$/.test(sub)) {
      throw new Refusal(
        `${step} uses ${uses}, which is not an action of ${PUBLISHED_REPOSITORY} (actions/<name>).`
      );
    }
    return readActionYml(path.join(toolkitRoot(), sub, 'action.yml'), uses, step);
  }
  const builtin = BUILTINS[bare.toLowerCase()];
  if (builtin) return { kind: 'builtin', uses, builtin };
  throw new Refusal(
    `${step} uses ${uses}, which the local runner does not know; map it to a command with ` +
      `--local-action '${uses}=<shell command>'.`
  );
}
