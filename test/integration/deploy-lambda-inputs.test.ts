/**
 * Bad input to deploy-lambda, and to promote and rollback given function-name, through the built
 * bundles as the runner runs them: every case ends with exit code 1 and one sentence that names the
 * input, and no mutating call reaches the emulator (its call log says so).
 */
import { runBundle } from '../helpers/bundle.js';
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/news@sha256:' + '1'.repeat(64);
const deploy = { 'function-name': 'news', image: IMAGE };
let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({ timeScale: 0.002 });
});
afterAll(() => emu.stop());

type Case = [action: string, input: string, inputs: Record<string, string>, message: string];
const cases: Case[] = [
  [
    'deploy-lambda',
    'function-name',
    { ...deploy, 'function-name': '' },
    'Input "function-name" is required: give the Lambda function.'
  ],
  [
    'deploy-lambda',
    'function-name',
    { ...deploy, 'function-name': 'news/classifier' },
    'Input "function-name" must be a Lambda function name'
  ],
  [
    'deploy-lambda',
    'function-name',
    { ...deploy, 'function-name': 'arn:aws:lambda:us-east-1:123456789012:function:news:7' },
    'Input "function-name" must be a function name or its unqualified ARN, but got the qualified ARN'
  ],
  [
    'deploy-lambda',
    'function-name',
    { ...deploy, 'function-name': 'f'.repeat(65) },
    'Input "function-name" must be a Lambda function name'
  ],
  [
    'deploy-lambda',
    'function-name',
    { ...deploy, 'function-name': 'news\n::set-output name=status::deployed' },
    'Input "function-name" must be a Lambda function name'
  ],
  ['deploy-lambda', 'alias', { ...deploy, alias: '$LATEST' }, 'Input "alias" cannot be $LATEST'],
  ['deploy-lambda', 'alias', { ...deploy, alias: '7' }, 'Input "alias" must be an alias name'],
  [
    'deploy-lambda',
    'image',
    { ...deploy, image: '' },
    'Input "image" is required: give the ECR image to deploy, by digest.'
  ],
  [
    'deploy-lambda',
    'image',
    { ...deploy, image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/news:v2' },
    'Input "image" must be an ECR image by digest (…@sha256:<64 hex digits>), not a tag'
  ],
  [
    'deploy-lambda',
    'image',
    { ...deploy, image: 'docker.io/library/news@sha256:' + '1'.repeat(64) },
    'Input "image" must be an ECR image by digest'
  ],
  [
    'deploy-lambda',
    'role-arn',
    { ...deploy, 'role-arn': 'lambda-role' },
    'Input "role-arn" must be an IAM role ARN'
  ],
  [
    'deploy-lambda',
    'memory-size',
    { ...deploy, 'memory-size': '20000' },
    'Input "memory-size" must be an integer from 128 to 10240, but got "20000".'
  ],
  [
    'deploy-lambda',
    'timeout',
    { ...deploy, timeout: '0' },
    'Input "timeout" must be an integer from 1 to 900, but got "0".'
  ],
  [
    'deploy-lambda',
    'architectures',
    { ...deploy, architectures: 'sparc' },
    'Input "architectures" must be one of x86_64, arm64, but got "sparc".'
  ],
  [
    'deploy-lambda',
    'strategy',
    { ...deploy, strategy: 'blue-green' },
    'Input "strategy" must be one of canary, linear, all-at-once'
  ],
  [
    'deploy-lambda',
    'canary-size',
    { ...deploy, 'canary-size': '100%' },
    'Input "canary-size" must be a percentage of traffic above 0% and below 100%'
  ],
  [
    'deploy-lambda',
    'canary-size',
    { ...deploy, 'canary-size': '1.5x' },
    'Input "canary-size" must be a percentage of traffic'
  ],
  [
    'deploy-lambda',
    'linear-step',
    { ...deploy, 'linear-step': '0%' },
    'Input "linear-step" must be a percentage of traffic above 0% and below 100%'
  ],
  [
    'deploy-lambda',
    'max-error-rate',
    { ...deploy, 'max-error-rate': '2' },
    'Input "max-error-rate" must be an error rate from 0 to 1'
  ],
  [
    'deploy-lambda',
    'bake-time',
    { ...deploy, 'bake-time': 'a while' },
    'Input "bake-time" must be a duration'
  ],
  [
    'deploy-lambda',
    'wait-timeout',
    { ...deploy, 'wait-timeout': '3 days' },
    'Input "wait-timeout" must be a duration'
  ],
  [
    'deploy-lambda',
    'keep-versions',
    { ...deploy, 'keep-versions': '0' },
    'Input "keep-versions" must be an integer from 1 to 1000, but got "0".'
  ],
  [
    'deploy-lambda',
    'provisioned-concurrency',
    { ...deploy, 'provisioned-concurrency': '-1' },
    'Input "provisioned-concurrency" must be an integer from 0'
  ],
  [
    'deploy-lambda',
    'environment',
    { ...deploy, environment: 'model-name=v2' },
    'Input "environment" has the key "model-name"'
  ],
  [
    'deploy-lambda',
    'environment',
    { ...deploy, environment: '[1, 2]' },
    'Input "environment" must be a mapping'
  ],
  ['deploy-lambda', 'tags', { ...deploy, tags: '"aws:team": ml' }, 'Input "tags" has the key "aws:team"'],
  [
    'deploy-lambda',
    'dry-run',
    { ...deploy, 'dry-run': 'yes' },
    'Input "dry-run" must be true or false, but got "yes".'
  ],
  [
    'deploy-lambda',
    'region',
    { ...deploy, region: 'mars' },
    'Input "region" must be an AWS region such as us-east-1'
  ],
  [
    'promote',
    'function-name',
    { 'endpoint-name': 'news', 'function-name': 'news' },
    'Inputs "endpoint-name" and "function-name" were both given: give the SageMaker endpoint or the Lambda function, not both.'
  ],
  ['promote', 'alias', { 'function-name': 'news', alias: '$LATEST' }, 'Input "alias" cannot be $LATEST'],
  [
    'promote',
    'function-name',
    { 'function-name': 'news:live' },
    'Input "function-name" must be a Lambda function name'
  ],
  [
    'rollback',
    'function-name',
    { 'function-name': '123456789012:function:news:3' },
    'Input "function-name" must be a function name or its unqualified ARN, but got the qualified ARN'
  ],
  [
    'rollback',
    'to',
    { 'function-name': 'news', to: 'news-v2' },
    'Input "to" must be a published version number of the function, such as 7, but got "news-v2".'
  ],
  ['rollback', 'endpoint-name', {}, 'Input "endpoint-name" or "function-name" is required']
];

describe('deploy-lambda, promote and rollback (function-name): bad inputs', () => {
  it('covers every kind of bad input the contract names', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('%s: %s', async (action, input, inputs, message) => {
    emu.emulator.calls.splice(0);
    const result = await runBundle(action, inputs, { env: emu.env });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    const [error] = result.errors;
    expect(error).toContain(message);
    expect(error).toContain(`"${input}"`);
    expect(error).not.toContain('\n');
    expect(error).toMatch(/^[A-Z].*\.$/);
    expect(result.log).not.toMatch(/^\s+at /m);
    // Nothing from an input starts a workflow command, a value with a newline included.
    expect(result.log).not.toMatch(/^::set-output/m);
    expect(result.outputs.status).not.toBe('deployed');
    expect(emu.emulator.mutatingCalls()).toEqual([]);
  });
});
