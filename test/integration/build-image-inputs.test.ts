/**
 * build-image's bad-input table: each case fails with exit code 1 and one sentence naming the input,
 * and nothing is built (no local image of the repository), pushed (no registry repository) or
 * changed in AWS (no call at all).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBundle, ROOT } from '../helpers/bundle.js';
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';
import { EXAMPLE, localImages, registryRepositories, uniqueName } from '../helpers/images.js';
import { plantedCommands } from '../helpers/workflow-commands.js';

// A workspace whose links lead out of it: to a directory with a Dockerfile, to that Dockerfile, and a
// context inside whose Dockerfile is such a link.
const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'build-image-inputs-'));
const LINKED = path.join(temp, 'workspace');
const OUTSIDE = path.join(temp, 'outside');
fs.mkdirSync(path.join(OUTSIDE, 'app'), { recursive: true });
fs.writeFileSync(path.join(OUTSIDE, 'Dockerfile'), 'FROM scratch\n');
fs.writeFileSync(path.join(OUTSIDE, 'app', 'Dockerfile'), 'FROM scratch\n');
fs.mkdirSync(path.join(LINKED, 'ctx'), { recursive: true });
fs.writeFileSync(path.join(LINKED, 'Dockerfile'), 'FROM scratch\n');
fs.symlinkSync(OUTSIDE, path.join(LINKED, 'out'));
fs.symlinkSync(path.join(OUTSIDE, 'Dockerfile'), path.join(LINKED, 'Dockerfile.out'));
fs.symlinkSync(path.join(OUTSIDE, 'Dockerfile'), path.join(LINKED, 'ctx', 'Dockerfile'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));
const linked = (input: string, value: string) =>
  `Input "${input}" must be a path inside the workspace, but "${value}" leads outside it through a symbolic link.`;
const oneLine = (input: string) => `Input "${input}" must be a single line, but it holds a line break.`;

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.stop());

interface Case {
  why: string;
  inputs: Record<string, string>;
  env?: Record<string, string | undefined>;
  /** The workspace (default: the repository, with the example in it). */
  workspace?: string;
  input: string;
  error: string | RegExp;
}

const CASES: Case[] = [
  {
    why: 'no repository',
    inputs: { repository: '' },
    input: 'repository',
    error: /^Input "repository" is required: the image repository/
  },
  {
    why: 'a repository with capitals and a space',
    inputs: { repository: 'News Classifier' },
    input: 'repository',
    error:
      'Input "repository" must be a repository name of lower-case letters, digits and . _ - separators (with / for namespaces), but got "News Classifier".'
  },
  {
    why: 'a tag with a space',
    inputs: { tags: 'v1\nbad tag' },
    input: 'tags',
    error: /^Input "tags" has "bad tag", but a tag is up to 128/
  },
  {
    why: 'a tag starting with a dash',
    inputs: { tags: '-v1' },
    input: 'tags',
    error: /^Input "tags" has "-v1"/
  },
  {
    why: 'a missing context',
    inputs: { context: 'no/such/dir' },
    input: 'context',
    error: 'Input "context" must be a directory, but "no/such/dir" does not exist.'
  },
  {
    why: 'a context outside the workspace',
    inputs: { context: '../..' },
    input: 'context',
    error: 'Input "context" must be a path inside the workspace, but "../.." is outside it.'
  },
  {
    why: 'a missing Dockerfile',
    inputs: { dockerfile: `${EXAMPLE}/nope/Dockerfile` },
    input: 'dockerfile',
    error: `Input "dockerfile" must be a file, but "${EXAMPLE}/nope/Dockerfile" does not exist.`
  },
  {
    why: 'a context without a Dockerfile and none given',
    inputs: { context: 'src', dockerfile: '' },
    input: 'dockerfile',
    error: 'Input "dockerfile" is empty and the context has no Dockerfile at "src/Dockerfile": give its path.'
  },
  {
    why: 'push not a boolean',
    inputs: { push: 'sometimes' },
    input: 'push',
    error: 'Input "push" must be true or false, but got "sometimes".'
  },
  {
    why: 'create-repository not a boolean',
    inputs: { 'create-repository': 'yes' },
    input: 'create-repository',
    error: 'Input "create-repository" must be true or false, but got "yes".'
  },
  {
    why: 'a registry with a path',
    inputs: { registry: 'ghcr.io/octo-org' },
    input: 'registry',
    error: /^Input "registry" must be a registry host such as/
  },
  {
    why: 'a username for ECR',
    inputs: { username: 'me', password: 'pw' },
    input: 'username',
    error: `Input "username" is for registries other than ECR; ECR logs in with the workflow's AWS credentials (give "registry" for another registry).`
  },
  {
    why: 'a username without its password',
    inputs: { registry: 'ghcr.io', username: 'me' },
    input: 'password',
    error: 'Input "password" is empty: "username" and "password" go together.'
  },
  {
    why: 'the bridge network',
    inputs: { network: 'bridge' },
    input: 'network',
    error: 'Input "network" must be one of default, host, none, but got "bridge".'
  },
  {
    why: 'a platform without its OS',
    inputs: { platform: 'amd64' },
    input: 'platform',
    error: /^Input "platform" must be one platform such as linux\/amd64/
  },
  {
    why: 'build args as a list',
    inputs: { 'build-args': '[1, 2]' },
    input: 'build-args',
    error: /^Input "build-args" must be a mapping/
  },
  {
    why: 'a label key with a space',
    inputs: { labels: 'team name: ml' },
    input: 'labels',
    error: 'Input "labels" has the key "team name", but keys must be names such as org.example.team.'
  },
  {
    why: 'a region that is not one',
    inputs: { region: 'mars-1' },
    input: 'region',
    error: 'Input "region" must be an AWS region such as us-east-1, but got "mars-1".'
  },
  {
    why: 'a target that is not a stage name',
    inputs: { target: '-serve' },
    input: 'target',
    error: 'Input "target" must be a build stage name, but got "-serve".'
  },
  {
    why: 'pushing to ECR with no region anywhere',
    inputs: {},
    env: { AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined },
    input: 'region',
    error: /^Input "region" is empty and neither AWS_REGION nor AWS_DEFAULT_REGION is set/
  },
  // Symbolic links out of the workspace are refused like ../outside.
  {
    why: 'a context that is a link out of the workspace',
    inputs: { context: 'out', dockerfile: '' },
    workspace: LINKED,
    input: 'context',
    error: linked('context', 'out')
  },
  {
    why: 'a context below a linked parent that leads out',
    inputs: { context: 'out/app', dockerfile: '' },
    workspace: LINKED,
    input: 'context',
    error: linked('context', 'out/app')
  },
  {
    why: 'a Dockerfile that is a link out of the workspace',
    inputs: { context: '.', dockerfile: 'Dockerfile.out' },
    workspace: LINKED,
    input: 'dockerfile',
    error: linked('dockerfile', 'Dockerfile.out')
  },
  {
    why: "no dockerfile given, and the context's Dockerfile is a link out",
    inputs: { context: 'ctx', dockerfile: '' },
    workspace: LINKED,
    input: 'dockerfile',
    error: linked('dockerfile', 'ctx/Dockerfile')
  },
  {
    why: 'a Dockerfile that does not exist, below a linked parent that leads out',
    inputs: { context: '.', dockerfile: 'out/nope/Dockerfile' },
    workspace: LINKED,
    input: 'dockerfile',
    error: linked('dockerfile', 'out/nope/Dockerfile')
  },
  // Values that cannot hold a line break are refused (and never printed as they are).
  {
    why: 'a repository with a line break and a command',
    inputs: { repository: 'news\n::set-output name=image-uri::planted' },
    input: 'repository',
    error: oneLine('repository')
  },
  {
    why: 'a context with a line break',
    inputs: { context: `${EXAMPLE}\n::error::planted` },
    input: 'context',
    error: oneLine('context')
  },
  {
    why: 'a dockerfile with a line break',
    inputs: { dockerfile: `${EXAMPLE}/serving/Dockerfile\n::error::planted` },
    input: 'dockerfile',
    error: oneLine('dockerfile')
  },
  {
    why: 'a target with a line break',
    inputs: { target: 'serve\n::error::planted' },
    input: 'target',
    error: oneLine('target')
  },
  {
    why: 'a platform with a line break',
    inputs: { platform: 'linux/amd64\n::error::planted' },
    input: 'platform',
    error: oneLine('platform')
  },
  {
    why: 'a registry with a line break',
    inputs: { registry: '127.0.0.1:5000\n::set-output name=image::planted' },
    input: 'registry',
    error: oneLine('registry')
  },
  {
    why: 'a username with a line break',
    inputs: { registry: '127.0.0.1:5000', username: 'me\n::error::planted', password: 'pw' },
    input: 'username',
    error: oneLine('username')
  },
  {
    why: 'a region with a line break',
    inputs: { region: 'us-east-1\n::error::planted' },
    input: 'region',
    error: oneLine('region')
  },
  {
    why: 'a tag that is a workflow command (tags are one a line)',
    inputs: { tags: 'v1\n::set-output name=image-uri::planted' },
    input: 'tags',
    error: /^Input "tags" has "::set-output name=image-uri::planted", but a tag is up to 128/
  },
  {
    why: 'a label key with a line break',
    inputs: { labels: '"team\\n::error::planted": ml' },
    input: 'labels',
    error:
      'Input "labels" has the key "team\\n::error::planted", but keys must be names such as org.example.team.'
  },
  {
    why: 'a build-arg name with a line break',
    inputs: { 'build-args': '"A\\n::error::planted": 1' },
    input: 'build-args',
    error:
      'Input "build-args" has the key "A\\n::error::planted", but keys must be names of letters, digits and _.'
  }
];

describe('build-image bad inputs', () => {
  it.each(CASES)(
    '$why: names "$input", exits 1, builds and pushes nothing',
    async ({ inputs, env, workspace, input, error }) => {
      const repository = uniqueName('bad');
      emu.emulator.calls.length = 0;
      const run = await runBundle(
        'build-image',
        { context: EXAMPLE, dockerfile: `${EXAMPLE}/serving/Dockerfile`, repository, tags: 'v1', ...inputs },
        { workspace: workspace ?? ROOT, env: { ...emu.env, ...env } }
      );
      expect(run.exitCode).toBe(1);
      expect(run.errors).toHaveLength(1);
      if (typeof error === 'string') expect(run.errors[0]).toBe(error);
      else expect(run.errors[0]).toMatch(error);
      expect(run.errors[0]).toContain(`"${input}"`);
      expect(run.errors[0]).not.toMatch(/[\r\n]/); // one sentence on one line, whatever the value held
      expect(plantedCommands(run, /planted/)).toEqual([]);
      expect(run.log).not.toMatch(/^\s+at /m);
      expect(run.log).not.toContain('Building with');
      expect(emu.emulator.calls).toEqual([]);
      expect(localImages(repository)).toEqual([]);
      expect(await registryRepositories()).not.toContain(repository);
    }
  );

  it('has at least 12 cases', () => expect(CASES.length).toBeGreaterThanOrEqual(12));
});
