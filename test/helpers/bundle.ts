/**
 * Runs a built bundle exactly as the GitHub runner does: a child `node dist/<action>/index.js` with an
 * `INPUT_<NAME>` variable for every input the action.yml declares (the given value, else its default;
 * upper-cased, hyphens kept), fresh GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files and the GITHUB_*
 * context variables. Returns the exit code, parsed outputs, the summary and the log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface BundleRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  outputs: Record<string, string>;
  summary: string;
  /** stdout and stderr, interleaved as they arrived. */
  log: string;
  /** The `::error::` lines' text (what the runner shows as the failure). */
  errors: string[];
}

export interface BundleOptions {
  /** Extra environment (AWS_ENDPOINT_URL, ...); merged over a minimal runner environment. */
  env?: Record<string, string | undefined>;
  /** The workspace (GITHUB_WORKSPACE and the working directory); a fresh temp dir by default. */
  workspace?: string;
  /** The bundle and action.yml to run (default: dist/<action>/index.js and actions/<action>/action.yml). */
  bundle?: string;
  actionYml?: string;
  timeoutMs?: number;
  /** Called with the child process once started (e.g. to send SIGTERM). */
  onStart?: (child: ChildProcess, log: () => string) => void;
}

/** Parses the runner's GITHUB_OUTPUT file format (`name<<delimiter` blocks and `name=value` lines). */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const value: string[] = [];
      while (++i < lines.length && lines[i] !== heredoc[2]) value.push(lines[i]);
      outputs[heredoc[1]] = value.join('\n');
    } else if (lines[i].includes('=')) {
      const at = lines[i].indexOf('=');
      outputs[lines[i].slice(0, at)] = lines[i].slice(at + 1);
    }
  }
  return outputs;
}

export function inputEnv(
  actionYml: string,
  inputs: Record<string, string | undefined>
): Record<string, string> {
  const declared = (YAML.parse(fs.readFileSync(actionYml, 'utf8')).inputs ?? {}) as Record<
    string,
    { default?: unknown }
  >;
  const env: Record<string, string> = {};
  for (const [name, spec] of Object.entries(declared)) {
    const value = inputs[name] ?? (spec?.default !== undefined ? String(spec.default) : '');
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  for (const [name, value] of Object.entries(inputs)) {
    if (!(name in declared)) throw new Error(`Input "${name}" is not declared in ${actionYml}.`);
    if (value !== undefined) env[`INPUT_${name.toUpperCase()}`] = value;
  }
  return env;
}

export function runnerEnv(workspace: string, temp: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? os.homedir(),
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: 'octo-org/news-classifier',
    GITHUB_REPOSITORY_OWNER: 'octo-org',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_NUMBER: '7',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_ACTOR: 'octocat',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_JOB: 'deploy',
    GITHUB_OUTPUT: path.join(temp, 'output'),
    GITHUB_STEP_SUMMARY: path.join(temp, 'summary'),
    GITHUB_ENV: path.join(temp, 'env'),
    GITHUB_PATH: path.join(temp, 'path'),
    GITHUB_STATE: path.join(temp, 'state'),
    RUNNER_TEMP: temp,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64'
  };
}

export async function runBundle(
  action: string,
  inputs: Record<string, string | undefined> = {},
  options: BundleOptions = {}
): Promise<BundleRun> {
  const bundle = options.bundle ?? path.join(ROOT, 'dist', action, 'index.js');
  const actionYml = options.actionYml ?? path.join(ROOT, 'actions', action, 'action.yml');
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), `runner-${action}-`));
  const workspace = options.workspace ?? fs.mkdtempSync(path.join(os.tmpdir(), `workspace-${action}-`));
  const base = runnerEnv(workspace, temp);
  for (const file of ['output', 'summary', 'env', 'path', 'state'])
    fs.writeFileSync(path.join(temp, file), '');
  const env: Record<string, string> = { ...base, ...inputEnv(actionYml, inputs) };
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }

  const child = spawn(process.execPath, [bundle], { cwd: workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  options.onStart?.(child, () => log);
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (code, sig) => resolve([code, sig]))
  );
  clearTimeout(timer);
  const result: BundleRun = {
    exitCode,
    signal,
    outputs: parseOutputFile(fs.readFileSync(env.GITHUB_OUTPUT, 'utf8')),
    summary: fs.readFileSync(env.GITHUB_STEP_SUMMARY, 'utf8'),
    log,
    errors: [...log.matchAll(/^::error::(.*)$/gm)].map((m) => m[1].replace(/%0A/g, '\n').replace(/%25/g, '%'))
  };
  fs.rmSync(temp, { recursive: true, force: true });
  return result;
}
