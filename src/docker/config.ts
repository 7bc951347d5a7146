/**
 * Registry credentials that leave nothing behind: a private DOCKER_CONFIG for the length of one
 * action, made from the caller's config (so contexts, buildx builders, plugins and other logins keep
 * working) but with credential stores switched off, so `docker login` writes into the private file
 * only. The directory is removed when the work ends, whatever happens.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { Logger } from '../report.js';
import { lastLine, withEnv, type DockerRunner } from './runner.js';

/** Directories of the caller's config that are state, not credentials: shared by a symlink. */
const SHARED = ['buildx', 'cli-plugins', 'contexts'];

export interface PrivateConfig {
  dir: string;
  docker: DockerRunner;
}

/**
 * Runs `fn` with a docker runner whose DOCKER_CONFIG is a fresh private directory under `tempRoot`,
 * seeded from `callerConfigDir` (DOCKER_CONFIG or ~/.docker); the directory is removed afterwards.
 */
export async function withPrivateConfig<T>(
  docker: DockerRunner,
  options: { callerConfigDir?: string; tempRoot?: string },
  fn: (config: PrivateConfig) => Promise<T>
): Promise<T> {
  const dir = fs.mkdtempSync(path.join(options.tempRoot ?? os.tmpdir(), 'mlops-docker-config-'));
  fs.chmodSync(dir, 0o700);
  try {
    seed(dir, options.callerConfigDir);
    return await fn({ dir, docker: withEnv(docker, { DOCKER_CONFIG: dir }) });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function seed(dir: string, caller: string | undefined): void {
  let config: Record<string, unknown> = {};
  if (caller) {
    const file = path.join(caller, 'config.json');
    if (fs.existsSync(file)) {
      try {
        config = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch {
        config = {};
      }
    }
    for (const name of SHARED) {
      const source = path.join(caller, name);
      if (fs.existsSync(source)) fs.symlinkSync(source, path.join(dir, name));
    }
  }
  // Credentials the login writes must land in this directory, not in a keychain or helper.
  delete config.credsStore;
  delete config.credHelpers;
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 1), { mode: 0o600 });
}

/**
 * The caller's own login for `registry` (what docker/login-action wrote into config.json), so the
 * registry API can be read with the credentials the push used. Undefined when a credential store
 * holds it, or there is none.
 */
export function callerCredentials(
  callerConfigDir: string | undefined,
  registry: string
): { username: string; password: string } | undefined {
  if (!callerConfigDir) return undefined;
  try {
    const config = JSON.parse(fs.readFileSync(path.join(callerConfigDir, 'config.json'), 'utf8'));
    const entry = config.auths?.[registry] ?? config.auths?.[`https://${registry}`];
    const decoded = entry?.auth ? Buffer.from(entry.auth, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    return colon > 0 ? { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) } : undefined;
  } catch {
    return undefined;
  }
}

/** `docker login` with the password on stdin (never on the command line). */
export async function login(
  docker: DockerRunner,
  registry: string,
  username: string,
  password: string,
  log: Logger
): Promise<void> {
  const result = await docker.run({
    args: ['login', '--username', username, '--password-stdin', registry],
    input: password
  });
  if (result.code !== 0) {
    throw new UserError(
      `docker login to ${registry} as ${username} failed (${lastLine(result)}): check the credentials and that the registry is reachable.`
    );
  }
  log.info(
    `Logged in to ${registry} as ${username} (credentials kept in a private Docker config until the action ends).`
  );
}
