/** What dvc-pull and dvc-push read alike: where the repository is, what to move, how, and with what. */
import fs from 'node:fs';
import path from 'node:path';
import * as exec from '@actions/exec';
import { resolveRegion } from '../aws.js';
import { InputError } from '../errors.js';
import { ENGINES, findExecutable, type DvcCommand, type RunOptions } from '../dvc/engine.js';
import { remoteOpener } from '../dvc/open.js';
import { DEFAULT_STALL_MS } from '../dvc/stall.js';
import type { ActionContext } from '../runner.js';

function dvcCommand(env: NodeJS.ProcessEnv): DvcCommand | undefined {
  const file = findExecutable('dvc', env.PATH);
  if (!file) return undefined;
  return {
    path: file,
    async run(args, { cwd, env: extra }) {
      const result = await exec.getExecOutput(file, args, {
        cwd,
        env: { ...env, ...extra } as Record<string, string>,
        ignoreReturnCode: true
      });
      return { exitCode: result.exitCode, output: `${result.stdout}\n${result.stderr}` };
    }
  };
}

export function transferOptions(ctx: ActionContext): RunOptions {
  const { inputs } = ctx;
  const dir = inputs.string('working-directory') ?? '.';
  const root = path.resolve(ctx.github.workspace, dir);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    throw new InputError(
      'working-directory',
      `Input "working-directory" must be an existing folder, but ${JSON.stringify(dir)} is not one.`
    );
  }
  const region = inputs.string('region');
  if (region) resolveRegion(region);
  const engine = inputs.enum('engine', ENGINES) ?? 'auto';
  return {
    engine,
    root,
    targets: inputs.list('targets'),
    remote: inputs.string('remote'),
    jobs: inputs.integer('jobs', { min: 1, max: 256 }),
    region,
    dvc: engine === 'native' ? undefined : dvcCommand(process.env),
    openRemote: remoteOpener({ action: ctx.name, region, env: process.env }),
    log: ctx.log,
    signal: ctx.signal,
    umask: process.umask(),
    stallMs: (inputs.duration('stall-timeout', { min: 1, max: 3600 }) ?? DEFAULT_STALL_MS / 1000) * 1000
  };
}
