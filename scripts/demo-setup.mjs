// What both demos need before their first step: the services .ci/services starts (the Docker engine,
// the registry on 127.0.0.1:5000), the example's base image, and the emulator from the built CLI.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const cli = path.join(root, 'dist/cli/index.js');
export const example = path.join(root, 'examples/wine-classifier');
export const BASE_IMAGE = 'mlops-example-base:bookworm';

/** Says plainly what is missing (and exits 1), then makes the example's base image when absent. */
export async function checkServices({ quiet }) {
  const fail = (message) => {
    console.error(`demo: ${message}`);
    process.exit(1);
  };
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore' });
  } catch {
    fail('no Docker engine answers: run .ci/services first (as root), it installs and starts one.');
  }
  const registry = await fetch('http://127.0.0.1:5000/v2/').then(
    (r) => r.ok,
    () => false
  );
  if (!registry) fail('no registry on 127.0.0.1:5000: run .ci/services first (as root), it starts one.');
  if (!fs.existsSync(cli))
    fail('dist/cli/index.js is missing: run npm ci (dist/ is committed) or npm run bundle.');
  execFileSync(path.join(root, 'scripts/local-base-image.sh'), [BASE_IMAGE], {
    stdio: quiet ? 'ignore' : 'inherit'
  });
}

/** Starts `mlops-actions emulator` on a free port; resolves to the process and its URL. */
export async function startEmulator({ scale, stateFile, buckets }) {
  const child = spawn(
    process.execPath,
    [cli, 'emulator', '--port', '0', '--time-scale', scale, '--state-file', stateFile, '--buckets', buckets],
    { stdio: ['ignore', 'pipe', 'inherit'] }
  );
  const url = await new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`the emulator exited (${code})`)));
    child.stdout.on('data', (d) => {
      const m = /listening on (\S+)/.exec(String(d));
      if (m) resolve(m[1]);
    });
  });
  return { process: child, url };
}

/**
 * Runs the CLI with `args`, its output indented and echoed (or only kept, when quiet); resolves to
 * its exit code and what it printed.
 */
export async function runCli(args, { cwd, env, quiet }) {
  const child = spawn(process.execPath, [cli, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const indent = indenter();
  const echo = (d) => {
    const text = indent(String(d));
    if (quiet) log += text;
    else process.stdout.write(text);
  };
  child.stdout.on('data', echo);
  child.stderr.on('data', echo);
  const code = await new Promise((resolve) => child.on('close', resolve));
  return { code, log };
}

/** Indents every line of a child's output once, whichever chunk it arrives in. */
function indenter(prefix = '  ') {
  let lineStart = true;
  return (chunk) => {
    const text = (lineStart ? prefix : '') + chunk.replace(/\n(?=.)/g, `\n${prefix}`);
    lineStart = chunk.endsWith('\n');
    return text;
  };
}
