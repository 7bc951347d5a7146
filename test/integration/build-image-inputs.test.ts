/**
 * build-image's bad-input table: each case fails with exit code 1 and one sentence naming the input,
 * and nothing is built (no local image of the repository), pushed (no registry repository) or
 * changed in AWS (no call at all).
 */
import { runBundle, ROOT } from '../helpers/bundle.js';
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';
import { EXAMPLE, localImages, registryRepositories, uniqueName } from '../helpers/images.js';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(() => emu.stop());

interface Case {
  why: string;
  inputs: Record<string, string>;
  env?: Record<string, string | undefined>;
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
  }
];

describe('build-image bad inputs', () => {
  it.each(CASES)(
    '$why: names "$input", exits 1, builds and pushes nothing',
    async ({ inputs, env, input, error }) => {
      const repository = uniqueName('bad');
      emu.emulator.calls.length = 0;
      const run = await runBundle(
        'build-image',
        { context: EXAMPLE, dockerfile: `${EXAMPLE}/serving/Dockerfile`, repository, tags: 'v1', ...inputs },
        { workspace: ROOT, env: { ...emu.env, ...env } }
      );
      expect(run.exitCode).toBe(1);
      expect(run.errors).toHaveLength(1);
      if (typeof error === 'string') expect(run.errors[0]).toBe(error);
      else expect(run.errors[0]).toMatch(error);
      expect(run.errors[0]).toContain(`"${input}"`);
      expect(run.log).not.toMatch(/^\s+at /m);
      expect(run.log).not.toContain('Building with');
      expect(emu.emulator.calls).toEqual([]);
      expect(localImages(repository)).toEqual([]);
      expect(await registryRepositories()).not.toContain(repository);
    }
  );

  it('has at least 12 cases', () => expect(CASES.length).toBeGreaterThanOrEqual(12));
});
