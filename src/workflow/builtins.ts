/**
 * The third-party actions emulated on this machine: actions/checkout (a clean clone of --repo at the
 * event's ref, `origin` pointing at --repo), aws-actions/configure-aws-credentials (the local
 * emulator's credentials when AWS_ENDPOINT_URL is set, else the machine's own chain), and
 * actions/upload-artifact / download-artifact (a store under the work dir).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { StepContext, StepOutcome } from './execute.js';
import { resolveInside } from '../paths.js';
import { say } from './state.js';
import type { Builtin } from './uses.js';

/** A path from an input, inside `root` (symlinks resolved), or an error naming the input. */
export function insidePath(root: string, value: string, input: string): string {
  const resolved = resolveInside(root, value);
  if (resolved.escapes) throw new Error(`input "${input}" (${value}) points outside the workspace`);
  return resolved.absolute;
}

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function checkout(ctx: StepContext): StepOutcome {
  const { run } = ctx.job;
  const other = ctx.with.repository;
  if (other && other.toLowerCase() !== run.event.repository.toLowerCase()) {
    return {
      exitCode: 1,
      outputs: {},
      error: `input "repository" (${other}): only the repository under test (--repo, ${run.event.repository}) can be checked out locally`
    };
  }
  const dest = insidePath(ctx.job.workspace, ctx.with.path || '.', 'path');
  fs.mkdirSync(dest, { recursive: true });
  git(dest, ['init', '--quiet']);
  git(dest, ['remote', 'add', 'origin', run.repoDir]);
  git(dest, ['fetch', '--quiet', '--tags', 'origin', '+refs/heads/*:refs/remotes/origin/*']);
  const wanted = ctx.with.ref || '';
  let sha = run.event.sha;
  if (wanted) {
    const candidates = [
      `origin/${wanted.replace(/^refs\/heads\//, '')}`,
      wanted.replace(/^refs\/tags\//, ''),
      wanted
    ];
    const found = candidates
      .map((c) => {
        try {
          return git(dest, ['rev-parse', '--verify', '--quiet', `${c}^{commit}`]);
        } catch {
          return '';
        }
      })
      .find(Boolean);
    if (!found)
      return {
        exitCode: 1,
        outputs: {},
        error: `input "ref" (${wanted}) is not a branch, tag or commit of ${run.repoDir}`
      };
    sha = found;
  } else {
    // The event's commit may sit on no branch of --repo: fetch it by name.
    git(dest, ['fetch', '--quiet', 'origin', sha]);
  }
  const branch = !wanted && run.event.ref.startsWith('refs/heads/') ? run.event.refName : '';
  git(
    dest,
    branch
      ? ['checkout', '--quiet', '--force', '-B', branch, sha]
      : ['checkout', '--quiet', '--force', '--detach', sha]
  );
  say(
    run,
    `    checked out ${run.event.repository} at ${sha.slice(0, 12)} into ${path.relative(ctx.job.workspace, dest) || '.'} (a clone of ${run.repoDir})`
  );
  return { exitCode: 0, outputs: { ref: wanted || run.event.ref, commit: sha } };
}

function configureAws(ctx: StepContext): StepOutcome {
  const { run } = ctx.job;
  const region = ctx.with['aws-region'] || '';
  if (!region) return { exitCode: 1, outputs: {}, error: 'input "aws-region" is required' };
  const endpoint = run.baseEnv.AWS_ENDPOINT_URL || ctx.env.AWS_ENDPOINT_URL;
  const role = ctx.with['role-to-assume'] || '(no role)';
  const added: Record<string, string> = { AWS_REGION: region, AWS_DEFAULT_REGION: region };
  if (endpoint) {
    added.AWS_ACCESS_KEY_ID = run.baseEnv.AWS_ACCESS_KEY_ID || 'AKIALOCALEMULATOR00';
    added.AWS_SECRET_ACCESS_KEY = run.baseEnv.AWS_SECRET_ACCESS_KEY || 'local-emulator-secret';
    run.masker.add(added.AWS_SECRET_ACCESS_KEY);
    say(run, `    using the local emulator at ${endpoint} instead of assuming ${role} (region ${region})`);
  } else {
    say(run, `    using this machine's own AWS credentials (region ${region}) instead of assuming ${role}`);
  }
  Object.assign(ctx.job.addedEnv, added);
  return { exitCode: 0, outputs: { 'aws-account-id': endpoint ? '000000000000' : '' } };
}

/** Copies a file or folder; a symlink that leads outside `root` is refused, naming it. */
function copy(from: string, to: string, root: string): number {
  if (fs.lstatSync(from).isSymbolicLink()) {
    const real = fs.realpathSync(from);
    const realRoot = fs.realpathSync(root);
    if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
      throw new Error(
        `input "path": ${path.relative(root, from)} is a symlink to outside the workspace; nothing was copied`
      );
    }
  }
  if (fs.statSync(from).isDirectory()) {
    fs.mkdirSync(to, { recursive: true });
    return fs
      .readdirSync(from)
      .reduce((n, entry) => n + copy(path.join(from, entry), path.join(to, entry), root), 0);
  }
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
  return 1;
}

function artifactName(value: string | undefined): string {
  const name = value || 'artifact';
  if (!/^[^/\\:<>|*?"]+$/.test(name) || name === '..' || name === '.')
    throw new Error(`input "name" (${name}) is not a valid artifact name`);
  return name;
}

function uploadArtifact(ctx: StepContext): StepOutcome {
  const name = artifactName(ctx.with.name);
  const lines = (ctx.with.path ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('!'));
  if (!lines.length) return { exitCode: 1, outputs: {}, error: 'input "path" is required' };
  const paths = lines.map((l) => insidePath(ctx.job.workspace, l, 'path')).filter((p) => fs.existsSync(p));
  if (!paths.length) {
    const message = `no files were found at ${lines.join(', ')}`;
    if ((ctx.with['if-no-files-found'] || 'warn') === 'error')
      return { exitCode: 1, outputs: {}, error: message };
    say(ctx.job.run, `    warning: ${message}; no artifact uploaded`);
    return { exitCode: 0, outputs: {} };
  }
  const dirs = paths.map((p) => (paths.length === 1 && fs.statSync(p).isDirectory() ? p : path.dirname(p)));
  let root = dirs[0];
  while (!dirs.every((d) => d === root || d.startsWith(root + path.sep))) root = path.dirname(root);
  const store = path.join(ctx.job.run.artifactsDir, name);
  if (fs.existsSync(store) && ctx.with.overwrite !== 'true') {
    return { exitCode: 1, outputs: {}, error: `an artifact named "${name}" already exists in this run` };
  }
  fs.rmSync(store, { recursive: true, force: true });
  let files: number;
  try {
    files = paths.reduce(
      (n, p) => n + copy(p, path.join(store, path.relative(root, p)), ctx.job.workspace),
      0
    );
  } catch (e) {
    fs.rmSync(store, { recursive: true, force: true });
    throw e;
  }
  say(ctx.job.run, `    uploaded artifact "${name}": ${files} file(s)`);
  return { exitCode: 0, outputs: { 'artifact-id': name, 'artifact-url': `file://${store}` } };
}

function downloadArtifact(ctx: StepContext): StepOutcome {
  const store = ctx.job.run.artifactsDir;
  const dest = insidePath(ctx.job.workspace, ctx.with.path || '.', 'path');
  const names = ctx.with.name
    ? [artifactName(ctx.with.name)]
    : fs.existsSync(store)
      ? fs.readdirSync(store)
      : [];
  for (const name of names) {
    if (!fs.existsSync(path.join(store, name))) {
      return {
        exitCode: 1,
        outputs: {},
        error: `no artifact named "${name}" was uploaded earlier in this run`
      };
    }
    const files = copy(path.join(store, name), ctx.with.name ? dest : path.join(dest, name), store);
    say(ctx.job.run, `    downloaded artifact "${name}": ${files} file(s)`);
  }
  return { exitCode: 0, outputs: { 'download-path': dest } };
}

export function runBuiltin(ctx: StepContext, builtin: Builtin): Promise<StepOutcome> {
  try {
    switch (builtin) {
      case 'checkout':
        return Promise.resolve(checkout(ctx));
      case 'configure-aws-credentials':
        return Promise.resolve(configureAws(ctx));
      case 'upload-artifact':
        return Promise.resolve(uploadArtifact(ctx));
      case 'download-artifact':
        return Promise.resolve(downloadArtifact(ctx));
    }
  } catch (e) {
    const message =
      e instanceof Error ? (e as { stderr?: string }).stderr?.toString().trim() || e.message : String(e);
    return Promise.resolve({ exitCode: 1, outputs: {}, error: message });
  }
}
