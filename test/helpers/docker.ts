/** Docker helpers for integration tests: tiny images built FROM scratch with Debian's busybox-static. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './bundle.js';

export const DOCKER = process.env.MLOPS_TEST_DOCKER ?? 'docker';

export function docker(args: string[], input?: string): string {
  return execFileSync(DOCKER, args, {
    encoding: 'utf8',
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, DOCKER_BUILDKIT: '0' }
  });
}

/** Builds test/fixtures/<fixture> (its Dockerfile + files) with /bin/busybox added, as `tag`. */
export function buildFixtureImage(fixture: string, tag: string): string {
  const context = fs.mkdtempSync(path.join(os.tmpdir(), 'image-'));
  fs.cpSync(path.join(ROOT, 'test/fixtures', fixture), context, { recursive: true });
  fs.copyFileSync('/bin/busybox', path.join(context, 'busybox'));
  docker(['build', '--network', 'none', '-q', '-t', tag, context]);
  fs.rmSync(context, { recursive: true, force: true });
  return tag;
}
