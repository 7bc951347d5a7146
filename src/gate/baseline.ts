/**
 * The gate's baseline, from the `baseline` input: a file in the workspace, `git:<ref>:<path>` (the
 * file as it was at a commit, read with `git show`, no shell), `endpoint:<name>` (the metrics
 * deploy-canary recorded on the live model of a SageMaker endpoint), or empty for none.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { InputError } from '../errors.js';
import { singleLine } from '../limits.js';
import { metricsFromTags } from '../sagemaker/metric-tags.js';
import { configTags, readEndpointState } from '../sagemaker/state.js';
import { flatten, loadMetrics, parseMetrics, type Metrics } from './metrics.js';

const INPUT = 'baseline';

export type BaselineSpec =
  | { kind: 'none' }
  | { kind: 'file'; path: string }
  | { kind: 'git'; ref: string; path: string }
  | { kind: 'endpoint'; name: string };

export interface Baseline {
  metrics?: Metrics;
  /** What the report says about it: where it came from, or why there is none. */
  note: string;
}

function fail(why: string): never {
  throw new InputError(INPUT, `Input "${INPUT}" ${why}.`);
}

export function parseBaseline(value: string): BaselineSpec {
  if (!value) return { kind: 'none' };
  singleLine(INPUT, value);
  if (value.startsWith('git:')) {
    const rest = value.slice(4);
    const at = rest.indexOf(':');
    const ref = at < 0 ? '' : rest.slice(0, at);
    const file = at < 0 ? '' : rest.slice(at + 1);
    if (!ref || !file)
      fail(`must be git:<ref>:<path> such as git:origin/main:metrics.json, but got ${JSON.stringify(value)}`);
    if (ref.startsWith('-') || /[\s\0\\]|\.\.|@\{|^\/|\/$|\.lock$/.test(ref))
      fail(
        `names the git ref ${JSON.stringify(ref)}, which is not a ref git takes (such as origin/main or a commit)`
      );
    return { kind: 'git', ref, path: file };
  }
  if (value.startsWith('endpoint:')) {
    const name = value.slice(9);
    if (!/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/.test(name))
      fail(
        `must be endpoint:<name> with a SageMaker endpoint name (letters, digits and hyphens), but got ${JSON.stringify(value)}`
      );
    return { kind: 'endpoint', name };
  }
  return { kind: 'file', path: value };
}

export type Git = (args: string[], cwd: string) => Promise<{ code: number; stdout: string; stderr: string }>;

/** git without a shell, confined to the workspace's own repository (never one above it). */
export const systemGit =
  (workspace: string, env: NodeJS.ProcessEnv): Git =>
  (args, cwd) =>
    new Promise((resolve) => {
      execFile(
        'git',
        args,
        {
          cwd,
          maxBuffer: 64 * 1024 * 1024,
          env: {
            ...env,
            GIT_CEILING_DIRECTORIES: path.dirname(path.resolve(workspace)),
            GIT_TERMINAL_PROMPT: '0'
          }
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr })
      );
    });

async function fromGit(spec: { ref: string; path: string }, git: Git, cwd: string): Promise<Metrics> {
  const shown = `git:${spec.ref}:${spec.path}`;
  const commit = await git(
    ['rev-parse', '--verify', '--quiet', '--end-of-options', `${spec.ref}^{commit}`],
    cwd
  );
  if (commit.code !== 0) {
    const repo = await git(['rev-parse', '--git-dir'], cwd);
    if (/dubious ownership/.test(repo.stderr))
      fail(
        `is ${JSON.stringify(shown)}, but git refuses the repository because another user owns it: run git config --global --add safe.directory "$GITHUB_WORKSPACE" first`
      );
    if (repo.code !== 0)
      fail(
        `is ${JSON.stringify(shown)}, but the working directory is not in a git repository (check out the repository first)`
      );
    fail(
      `names the git ref ${JSON.stringify(spec.ref)}, which does not exist in the repository (fetch it first, e.g. actions/checkout with fetch-depth: 0)`
    );
  }
  // `./` makes the path relative to the working directory, as the input is.
  const file = spec.path.startsWith('/') ? spec.path.slice(1) : `./${spec.path}`;
  const shownFile = await git(['show', `${commit.stdout.trim()}:${file}`], cwd);
  if (shownFile.code !== 0)
    fail(
      `names ${JSON.stringify(spec.path)}, which does not exist at ${spec.ref} (${commit.stdout.trim().slice(0, 12)})`
    );
  return flatten(
    parseMetrics(shownFile.stdout, spec.path, (why) =>
      fail(`names a file at ${spec.ref} that cannot be read: ${why}`)
    ),
    shown
  );
}

/** The model serving most of an endpoint's traffic, and the metrics recorded on it. */
async function fromEndpoint(name: string, sm: SageMakerClient, region: string): Promise<Baseline> {
  const state = await readEndpointState(sm, name);
  if (!state.endpoint) fail(`names the endpoint ${name}, which does not exist in ${region}`);
  const weights = new Map(
    (state.endpoint!.ProductionVariants ?? []).map((v) => [v.VariantName, v.CurrentWeight ?? 0])
  );
  const variants = [...(state.config?.ProductionVariants ?? [])].sort(
    (a, b) =>
      (weights.get(b.VariantName) ?? b.InitialVariantWeight ?? 0) -
      (weights.get(a.VariantName) ?? a.InitialVariantWeight ?? 0)
  );
  const variant = variants[0];
  const model = variant ? state.models[variant.VariantName!] : undefined;
  if (!model) return { note: `The endpoint ${name} serves no model that can be described: no baseline.` };
  const values = metricsFromTags(await configTags(sm, model.ModelArn));
  const where = `the live model ${model.ModelName} of ${name} (variant ${variant.VariantName})`;
  if (!values) {
    return {
      note: `No metrics are recorded on ${where}: deploy it with deploy-canary's metrics input to compare with it next time. Rules that need the baseline fail unless optional.`
    };
  }
  return {
    metrics: { values, ignored: [], source: `endpoint:${name} (${model.ModelName})` },
    note: `Baseline: the metrics recorded on ${where}.`
  };
}

export interface BaselineDeps {
  workspace: string;
  /** The working directory (inside the workspace): where relative paths start. */
  cwd: string;
  git: Git;
  /** A SageMaker client and its region, made only when the baseline names an endpoint. */
  sagemaker: () => { client: SageMakerClient; region: string };
}

export async function resolveBaseline(spec: BaselineSpec, deps: BaselineDeps): Promise<Baseline> {
  switch (spec.kind) {
    case 'none':
      return {
        note: 'No baseline: rules compare with numbers only; rules that need the baseline fail unless optional.'
      };
    case 'file': {
      const metrics = loadMetrics(INPUT, spec.path, deps.workspace, deps.cwd);
      return { metrics, note: `Baseline: ${metrics.source}.` };
    }
    case 'git': {
      const metrics = await fromGit(spec, deps.git, deps.cwd);
      return { metrics, note: `Baseline: ${spec.path} at ${spec.ref}.` };
    }
    case 'endpoint': {
      const { client, region } = deps.sagemaker();
      return fromEndpoint(spec.name, client, region);
    }
  }
}
