/** metrics-gate's inputs, every one checked before anything is read from git, AWS or GitHub. */
import fs from 'node:fs';
import { insideWorkspace } from '../paths.js';
import { InputError } from '../errors.js';
import type { Inputs } from '../inputs.js';
import { parseBaseline, type BaselineSpec } from './baseline.js';
import { loadMetrics, type Metrics } from './metrics.js';
import { parseRules, type Rule } from './rules.js';

export interface GateOptions {
  metrics: Metrics;
  baseline: BaselineSpec;
  rules: Rule[];
  comment: boolean;
  commentTitle: string;
  token?: string;
  failOn: 'rules' | 'never';
  region?: string;
  /** The working directory, real, inside the workspace. */
  cwd: string;
}

/** The token, unless it is the default that arrives unexpanded outside the runner (the CLI). */
export function gateToken(inputs: Inputs): string | undefined {
  const token = inputs.string('github-token');
  return token && !token.startsWith('${{') ? token : undefined;
}

export function readGateOptions(inputs: Inputs, workspace: string): GateOptions {
  const dir = inputs.string('working-directory') ?? '.';
  const cwd = insideWorkspace('working-directory', dir, workspace);
  if (!fs.statSync(cwd, { throwIfNoEntry: false })?.isDirectory())
    throw new InputError(
      'working-directory',
      `Input "working-directory" must be an existing folder in the workspace, but ${JSON.stringify(dir)} is not one.`
    );
  const failOn = inputs.enum('fail-on', ['rules', 'never'] as const) ?? 'rules';
  const comment = inputs.boolean('comment');
  const commentTitle = inputs.raw('comment-title') || 'Model metrics';
  if (/[\r\n]/.test(commentTitle) || commentTitle.length > 100)
    throw new InputError(
      'comment-title',
      'Input "comment-title" must be one line of at most 100 characters.'
    );
  const rules = parseRules(inputs.raw('rules'));
  const baseline = parseBaseline(inputs.raw('baseline'));
  const metrics = loadMetrics(
    'metrics',
    inputs.required(
      'metrics',
      'a JSON or YAML file in the workspace, or inline JSON such as {"accuracy": 0.97}'
    ),
    workspace,
    cwd
  );
  return {
    metrics,
    baseline,
    rules,
    comment,
    commentTitle,
    token: gateToken(inputs),
    failOn,
    region: inputs.string('region'),
    cwd
  };
}
