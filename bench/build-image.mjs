#!/usr/bin/env node
// Time to build, test and push the example model service (examples/wine-classifier) with the real
// bundles: build-image (pushing to the registry on 127.0.0.1:5000 through the emulator's ECR), then
// test-in-docker (the serving tests inside the pushed image, by digest). Three runs side by side, for
// each builder this machine has (the `docker` on PATH, and /usr/bin/docker when it is an older client
// with BuildKit built in), each against a registry of its own started empty (Debian's docker-registry
// on a free port, which the emulator's ECR hands out through --registry):
//   cold    nothing in the registry and the example's own layers not in the build cache (a fresh copy
//           of the example with a new requirements.txt): every layer after the base rebuilds, and
//           every layer, the base's too, uploads;
//   warm    the same again under a new tag: everything cached, every layer already in the registry;
//   change  one edit to the serving code: only the last layers rebuild and upload.
// The base image (scripts/local-base-image.sh) is made first and timed apart: on GitHub's runners it
// is a pulled public image instead. Needs the Docker engine and the registry (.ci/services).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BASE_IMAGE = 'mlops-example-base:bookworm';
const id = randomBytes(3).toString('hex');
const repository = `mlops-test-image-bench-${id}`;
const work = path.join(root, 'bench', '.data', `build-image-${id}`);

function seconds(fn) {
  const started = process.hrtime.bigint();
  const value = fn();
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

async function timed(fn) {
  const started = process.hrtime.bigint();
  const value = await fn();
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** An empty registry of its own (filesystem storage under bench/.data, no auth) on a free port. */
async function startRegistry() {
  const port = await freePort();
  const dir = path.join(work, `registry-${port}`);
  fs.mkdirSync(dir, { recursive: true });
  const config = path.join(dir, 'config.yml');
  fs.writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n`
  );
  const child = spawn('/usr/bin/docker-registry', ['serve', config], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/v2/`)).ok)
        return { host: `127.0.0.1:${port}`, url, stop: () => child.kill('SIGTERM') };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGTERM');
  throw new Error("docker-registry did not start (is Debian's docker-registry installed? see .ci/services)");
}

function startEmulator(registry) {
  return new Promise((resolve, reject) => {
    const cli = path.join(root, 'dist/cli/index.js');
    const child = spawn(process.execPath, [cli, 'emulator', '--port', '0', '--registry', registry], {
      stdio: ['ignore', 'pipe', 'inherit']
    });
    child.stdout.on('data', (d) => {
      const match = /listening on (http:\/\/[\d.:]+)/.exec(String(d));
      if (match) resolve({ url: match[1], stop: () => child.kill('SIGTERM') });
    });
    child.on('exit', (code) => reject(new Error(`the emulator exited with ${code}`)));
  });
}

/** Runs dist/<action>/index.js as the runner does; returns its outputs, or throws with its log. */
function runAction(action, inputs, env) {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${action}-`));
  const output = path.join(temp, 'output');
  fs.writeFileSync(output, '');
  const variables = {
    ...process.env,
    ...env,
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: path.join(temp, 'summary')
  };
  variables.GITHUB_ACTIONS = 'true';
  variables.GITHUB_WORKSPACE = root;
  variables.RUNNER_TEMP = temp;
  for (const [name, value] of Object.entries(inputs)) variables[`INPUT_${name.toUpperCase()}`] = value;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'dist', action, 'index.js')], {
      cwd: root,
      env: variables,
      stdio: ['ignore', 'pipe', 'pipe']
    });
    let log = '';
    child.stdout.on('data', (d) => (log += d));
    child.stderr.on('data', (d) => (log += d));
    child.on('close', (code) => {
      const outputs = {};
      const lines = fs.readFileSync(output, 'utf8').split('\n');
      for (let i = 0; i < lines.length; i++) {
        const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
        if (heredoc) {
          const value = [];
          while (++i < lines.length && lines[i] !== heredoc[2]) value.push(lines[i]);
          outputs[heredoc[1]] = value.join('\n');
        } else if (lines[i].includes('='))
          outputs[lines[i].slice(0, lines[i].indexOf('='))] = lines[i].slice(lines[i].indexOf('=') + 1);
      }
      fs.rmSync(temp, { recursive: true, force: true });
      if (code !== 0) reject(new Error(`${action} exited with ${code}:\n${log.slice(-4000)}`));
      else resolve({ outputs, log });
    });
  });
}

async function pushedBytes(registryUrl, digest) {
  const response = await fetch(`${registryUrl}/v2/${repository}/manifests/${digest}`, {
    headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' }
  });
  const manifest = await response.json();
  return [manifest.config, ...manifest.layers].reduce((sum, p) => sum + p.size, 0);
}

async function scenario(builder, name, registry, emulatorEnv) {
  const context = path.relative(root, work);
  const tag = `${builder.label.replace(/\W+/g, '-')}-${name}`;
  const build = await timed(() =>
    runAction(
      'build-image',
      {
        context,
        dockerfile: `${context}/serving/Dockerfile`,
        repository,
        tags: tag,
        network: 'host',
        'build-args': `BASE_IMAGE=${BASE_IMAGE}`
      },
      { ...emulatorEnv, MLOPS_ACTIONS_DOCKER: builder.binary }
    )
  );
  const test = await timed(() =>
    runAction(
      'test-in-docker',
      {
        image: build.value.outputs['image-uri'],
        command: 'pytest serving/tests --junitxml=/tmp/junit.xml',
        workdir: `/workspace/${context}`,
        report: '/tmp/junit.xml'
      },
      { MLOPS_ACTIONS_DOCKER: builder.binary }
    )
  );
  const pushLine = /^Pushing /gm;
  return {
    builder: builder.label,
    scenario: name,
    build: build.seconds,
    test: test.seconds,
    tests: test.value.outputs.tests,
    size: await pushedBytes(registry.url, build.value.outputs.digest),
    pushes: (build.value.log.match(pushLine) ?? []).length,
    uploaded: (build.value.log.match(/: Pushed$/gm) ?? []).length,
    mounted: (build.value.log.match(/: (Layer already exists|Mounted from .*)$/gm) ?? []).length
  };
}

function freshExample() {
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(work), { recursive: true });
  fs.cpSync(path.join(root, 'examples/wine-classifier'), work, { recursive: true });
  // A new requirements.txt: every layer after the base is new to the cache and to the registry.
  fs.appendFileSync(path.join(work, 'requirements.txt'), `# bench ${id} ${Date.now()}\n`);
}

function builders() {
  const list = [];
  const describe = (binary) => {
    try {
      execFileSync(binary, ['buildx', 'version'], { stdio: 'ignore' });
      return 'buildx';
    } catch {
      const client = execFileSync(binary, ['version', '--format', '{{.Client.Version}}'], {
        encoding: 'utf8'
      }).trim();
      return Number(client.split('.')[0]) < 23 ? 'BuildKit (DOCKER_BUILDKIT=1)' : 'classic';
    }
  };
  list.push({ binary: 'docker', label: describe('docker') });
  if (fs.existsSync('/usr/bin/docker')) {
    const label = describe('/usr/bin/docker');
    if (!list.some((b) => b.label === label)) list.push({ binary: '/usr/bin/docker', label });
  }
  return list;
}

const base = seconds(() =>
  execFileSync(path.join(root, 'scripts/local-base-image.sh'), [BASE_IMAGE], { encoding: 'utf8' })
);
const rows = [];
try {
  for (const builder of builders()) {
    freshExample();
    const registry = await startRegistry();
    const emulator = await startEmulator(registry.host);
    const env = {
      AWS_ENDPOINT_URL: emulator.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench'
    };
    try {
      rows.push(await scenario(builder, 'cold', registry, env));
      rows.push(await scenario(builder, 'warm', registry, env));
      fs.appendFileSync(path.join(work, 'serving/server.py'), `\n# bench change ${Date.now()}\n`);
      rows.push(await scenario(builder, 'change', registry, env));
    } finally {
      emulator.stop();
      registry.stop();
    }
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
  try {
    const refs = execFileSync('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'], {
      encoding: 'utf8'
    })
      .split('\n')
      .filter((r) => r.includes(repository));
    if (refs.length) execFileSync('docker', ['image', 'rm', '--force', ...refs], { stdio: 'ignore' });
  } catch {
    // best effort
  }
}

console.log(
  `build-image + test-in-docker on the example model service, ${os.cpus().length} cores, ${process.version}`
);
console.log(
  `base image ${BASE_IMAGE}: ${base.value.includes('up to date') ? 'already there' : 'made'} in ${base.seconds.toFixed(1)} s (once per machine; a pulled public image on GitHub's runners)\n`
);
console.log(
  '| builder | run | build + push s | test s | total s | image in registry | layers uploaded / already there | tests |'
);
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(
    `| ${r.builder} | ${r.scenario} | ${r.build.toFixed(1)} | ${r.test.toFixed(1)} | ${(r.build + r.test).toFixed(1)} | ${(r.size / 1e6).toFixed(0)} MB | ${r.uploaded} / ${r.mounted} | ${r.tests} |`
  );
}
