/**
 * The AWS CLI (/usr/bin/aws) against the emulator's Lambda control plane, as users' scripts drive it:
 * an image function from the emulator's ECR, a version, an alias shifted to a weighted canary.
 * The time scale is small, so each Pending/InProgress is over within milliseconds.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROLE, imageRepository, startLambdaWorld, type LambdaWorld } from '../helpers/lambda-emulator.js';

const AWS = '/usr/bin/aws';
let world: LambdaWorld;
let images: Awaited<ReturnType<typeof imageRepository>>;
let env: NodeJS.ProcessEnv;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function aws(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      AWS,
      ['--endpoint-url', world.emulator.url, '--output', 'json', ...args],
      { env, encoding: 'utf8' },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr })
    );
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function ok(...args: string[]): Promise<Record<string, any>> {
  const result = await aws(...args);
  if (result.code !== 0) throw new Error(`aws ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout.trim() ? JSON.parse(result.stdout) : {};
}

beforeAll(async () => {
  // A real clock (the CLI runs in its own process), 1000 times faster than Lambda's.
  world = await startLambdaWorld({ now: Date.now, timeScale: 0.001 });
  images = await imageRepository(world);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-home-'));
  env = {
    PATH: process.env.PATH,
    HOME: home,
    AWS_CONFIG_FILE: path.join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'credentials'),
    AWS_ACCESS_KEY_ID: 'a',
    AWS_SECRET_ACCESS_KEY: 'b',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_PAGER: ''
  };
}, 120_000);
afterAll(async () => {
  await world.stop();
  await images.cleanup();
});

const available = fs.existsSync(AWS) ? describe : describe.skip;

available('aws lambda', () => {
  it('create-function, get-function, publish-version, create-alias, update-alias --routing-config, list-versions-by-function', async () => {
    const created = await ok(
      'lambda',
      'create-function',
      '--function-name',
      'cli-fn',
      '--package-type',
      'Image',
      '--code',
      `ImageUri=${images.uri('v1')}`,
      '--role',
      ROLE,
      '--memory-size',
      '512'
    );
    expect(created).toMatchObject({ FunctionName: 'cli-fn', State: 'Pending', MemorySize: 512 });
    await sleep(50);
    const got = await ok('lambda', 'get-function', '--function-name', 'cli-fn');
    expect(got.Configuration.State).toBe('Active');
    expect(got.Code).toMatchObject({ RepositoryType: 'ECR', ImageUri: images.uri('v1') });
    expect((await ok('lambda', 'publish-version', '--function-name', 'cli-fn')).Version).toBe('1');
    await ok('lambda', 'update-function-code', '--function-name', 'cli-fn', '--image-uri', images.uri('v2'));
    await sleep(50);
    expect((await ok('lambda', 'publish-version', '--function-name', 'cli-fn')).Version).toBe('2');
    const alias = await ok(
      'lambda',
      'create-alias',
      '--function-name',
      'cli-fn',
      '--name',
      'live',
      '--function-version',
      '1'
    );
    expect(alias.AliasArn).toBe('arn:aws:lambda:us-east-1:123456789012:function:cli-fn:live');
    const canary = await ok(
      'lambda',
      'update-alias',
      '--function-name',
      'cli-fn',
      '--name',
      'live',
      '--routing-config',
      'AdditionalVersionWeights={2=0.1}'
    );
    expect(canary.RoutingConfig).toEqual({ AdditionalVersionWeights: { '2': 0.1 } });
    const { Versions } = await ok('lambda', 'list-versions-by-function', '--function-name', 'cli-fn');
    expect(Versions.map((v: { Version: string }) => v.Version)).toEqual(['$LATEST', '1', '2']);

    const missing = await aws('lambda', 'get-function', '--function-name', 'cli-none');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/ResourceNotFoundException.*Function not found/);
    const weight = await aws(
      'lambda',
      'update-alias',
      '--function-name',
      'cli-fn',
      '--name',
      'live',
      '--routing-config',
      'AdditionalVersionWeights={2=1.5}'
    );
    expect(weight.code).not.toBe(0);
    expect(weight.stderr).toMatch(/ValidationException/);
  }, 300_000);
});
