/**
 * Bad input to deploy-canary, promote and rollback, through the built bundles against the emulator:
 * every case ends with exit code 1 and one sentence that names the input, and no mutating call
 * reaches the emulator (the call log says so). Some cases need the live state: an endpoint `news`
 * on AllTraffic (instances) and the alarm `news-5xx`.
 */
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateEndpointConfigCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { awsClient } from '../../src/aws.js';
import { runBundle } from '../helpers/bundle.js';
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';
import { registerPending, registryDeployCases } from '../helpers/registry-deploy-cases.js';

const ROLE = 'arn:aws:iam::123456789012:role/sagemaker-execution';
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/news@sha256:' + '1'.repeat(64);
let emu: RunningEmulator;
let live = '';
let other = '';

beforeAll(async () => {
  emu = await startEmulator({ timeScale: 0.002 });
  const cw = awsClient(CloudWatchClient, 'CloudWatch', emu.clientConfig);
  await cw.send(
    new PutMetricAlarmCommand({
      AlarmName: 'news-5xx',
      MetricName: 'Invocation5XXErrors',
      Namespace: 'AWS/SageMaker',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold'
    })
  );
  const first = await runBundle(
    'deploy-canary',
    { 'endpoint-name': 'news', image: IMAGE, 'role-arn': ROLE },
    { env: emu.env }
  );
  expect(first.outputs.status).toBe('deployed');
  live = first.outputs['endpoint-config'];
  await registerPending(emu.env);
  // Another endpoint's version, and a config made by hand, that no version of news names.
  const second = await runBundle(
    'deploy-canary',
    { 'endpoint-name': 'other', image: IMAGE, 'role-arn': ROLE },
    { env: emu.env }
  );
  other = second.outputs['endpoint-config'];
  const sm = awsClient(SageMakerClient, 'SageMaker', emu.clientConfig);
  await sm.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: 'hand-made',
      ProductionVariants: [
        { VariantName: 'AllTraffic', ModelName: other, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }
      ]
    })
  );
});
afterAll(() => emu.stop());

const deploy = {
  'endpoint-name': 'news',
  image: IMAGE.replace('1'.repeat(64), '2'.repeat(64)),
  'role-arn': ROLE
};
const serverless = { 'serverless-memory': '2048', 'serverless-max-concurrency': '5' };

/** Inputs and message may be functions: some name the live config, known once it is deployed. */
type Case = [
  action: string,
  input: string,
  inputs: Record<string, string> | (() => Record<string, string>),
  message: string | (() => string)
];
const cases: Case[] = [
  [
    'deploy-canary',
    'endpoint-name',
    { ...deploy, 'endpoint-name': '' },
    'Input "endpoint-name" is required: give the SageMaker endpoint.'
  ],
  [
    'deploy-canary',
    'endpoint-name',
    { ...deploy, 'endpoint-name': 'news_classifier' },
    'Input "endpoint-name" must be a SageMaker name'
  ],
  [
    'deploy-canary',
    'image',
    { ...deploy, image: '' },
    'Input "image" is required: give the container image to deploy, ideally by digest, or a model-package.'
  ],
  ['deploy-canary', 'image', { ...deploy, image: 'Not An Image' }, 'Input "image" must be a container image'],
  [
    'deploy-canary',
    'model-data',
    { ...deploy, 'model-data': '/tmp/model.tar.gz' },
    'Input "model-data" must be an S3 URI'
  ],
  [
    'deploy-canary',
    'role-arn',
    { ...deploy, 'role-arn': 'admin' },
    'Input "role-arn" must be an IAM role ARN'
  ],
  [
    'deploy-canary',
    'region',
    { ...deploy, region: 'mars' },
    'Input "region" must be an AWS region such as us-east-1, but got "mars".'
  ],
  [
    'deploy-canary',
    'strategy',
    { ...deploy, strategy: 'blue-green' },
    'Input "strategy" must be one of canary, linear, all-at-once, weights, but got "blue-green".'
  ],
  [
    'deploy-canary',
    'canary-size',
    { ...deploy, 'canary-size': '60%' },
    'Input "canary-size" must be at most 50% of the instances (SageMaker\'s limit), but got "60%".'
  ],
  [
    'deploy-canary',
    'canary-size',
    { ...deploy, 'canary-size': '2' },
    'Input "canary-size" must be at most half of instance-count (2), but got "2" instances.'
  ],
  [
    'deploy-canary',
    'canary-size',
    { ...deploy, 'instance-count': '1' },
    'Input "canary-size" turns on 1 of 1 instance (100%) for the canary, over SageMaker\'s 50% limit: set instance-count to at least 2, or use strategy all-at-once.'
  ],
  [
    'deploy-canary',
    'canary-size',
    { ...deploy, 'instance-count': '3', 'canary-size': '40%' },
    'Input "canary-size" turns on 2 of 3 instances (66.7%) for the canary, over SageMaker\'s 50% limit: give a smaller share (or a count, such as 1) or more instances.'
  ],
  [
    'deploy-canary',
    'linear-step',
    { ...deploy, strategy: 'linear', 'instance-count': '1' },
    'Input "linear-step" turns on 1 of 1 instance (100%) a step, outside SageMaker\'s 10-50%: set instance-count to at least 2, or use strategy all-at-once.'
  ],
  [
    'deploy-canary',
    'canary-size',
    { ...deploy, 'canary-size': 'some' },
    'Input "canary-size" must be a percentage of capacity'
  ],
  [
    'deploy-canary',
    'linear-step',
    { ...deploy, strategy: 'linear', 'linear-step': '5%' },
    'Input "linear-step" must be a percentage from 10% to 50%, but got "5%".'
  ],
  ['deploy-canary', 'bake-time', { ...deploy, 'bake-time': '2h' }, 'Input "bake-time" must be a duration'],
  [
    'deploy-canary',
    'bake-time',
    {
      ...deploy,
      strategy: 'linear',
      'linear-step': '10%',
      'instance-count': '10',
      'bake-time': '1h',
      wait: 'false'
    },
    'Input "bake-time" is too long for this deployment: 10 traffic steps baking 1h each make 10h of waiting'
  ],
  [
    'deploy-canary',
    'termination-wait',
    { ...deploy, 'termination-wait': 'soon' },
    'Input "termination-wait" must be a duration'
  ],
  [
    'deploy-canary',
    'instance-count',
    { ...deploy, 'instance-count': '0' },
    'Input "instance-count" must be an integer from 1 to 100, but got "0".'
  ],
  [
    'deploy-canary',
    'instance-type',
    { ...deploy, 'instance-type': 'm5.large' },
    'Input "instance-type" must be a SageMaker instance type'
  ],
  [
    'deploy-canary',
    'serverless-memory',
    { ...deploy, ...serverless, 'serverless-memory': '1500' },
    'Input "serverless-memory" must be 1024, 2048, 3072, 4096, 5120 or 6144 (MB), but got "1500".'
  ],
  [
    'deploy-canary',
    'serverless-max-concurrency',
    { ...deploy, 'serverless-memory': '2048' },
    'Inputs "serverless-memory" and "serverless-max-concurrency" go together'
  ],
  [
    'deploy-canary',
    'strategy',
    { ...deploy, ...serverless, strategy: 'weights' },
    'Input "strategy" cannot be weights on a serverless endpoint'
  ],
  [
    'deploy-canary',
    'serverless-memory',
    { ...deploy, ...serverless },
    'Input "serverless-memory" asks for a serverless endpoint, but news runs on instances'
  ],
  [
    'deploy-canary',
    'data-capture',
    { ...deploy, ...serverless, 'data-capture': 's3://capture/news' },
    'Input "data-capture" is not possible on a serverless endpoint'
  ],
  [
    'deploy-canary',
    'canary-weight',
    { ...deploy, strategy: 'weights', 'canary-weight': '100' },
    'Input "canary-weight" must be a percentage from 1% to 99%, but got "100".'
  ],
  [
    'deploy-canary',
    'alarms',
    { ...deploy, alarms: 'a,b,c,d,e,f,g,h,i,j,k' },
    'Input "alarms" can name at most 10 alarms'
  ],
  [
    'deploy-canary',
    'alarms',
    { ...deploy, alarms: 'news-5xx, no-such-alarm' },
    'Input "alarms" names no-such-alarm, which CloudWatch does not have in this region'
  ],
  [
    'deploy-canary',
    'data-capture',
    { ...deploy, 'data-capture': 'capture-bucket' },
    'Input "data-capture" must be an S3 URI'
  ],
  [
    'deploy-canary',
    'data-capture-percent',
    { ...deploy, 'data-capture-percent': '150' },
    'Input "data-capture-percent" must be a percentage from 0% to 100%, but got "150".'
  ],
  [
    'deploy-canary',
    'environment',
    { ...deploy, environment: 'BAD-NAME=1' },
    'Input "environment" has the key "BAD-NAME": environment variable names are letters, digits and _'
  ],
  [
    'deploy-canary',
    'tags',
    { ...deploy, tags: 'mlops-actions:endpoint: x' },
    'Input "tags" has the key "mlops-actions:endpoint": keys starting with mlops-actions: are the toolkit\'s own'
  ],
  [
    'deploy-canary',
    'tags',
    { ...deploy, tags: `${'k'.repeat(200)}: v` },
    'of 200 characters: AWS takes 1 to 128'
  ],
  [
    'deploy-canary',
    'tags',
    { ...deploy, tags: `team: ${'v'.repeat(257)}` },
    'has a value of 257 characters for "team": AWS takes at most 256'
  ],
  [
    'deploy-canary',
    'tags',
    { ...deploy, tags: 'aws:cloudformation:stack-name: x' },
    'keys starting with aws: are reserved by AWS'
  ],
  [
    'deploy-canary',
    'tags',
    { ...deploy, tags: 'team: "a;b"' },
    'tags take letters, digits, spaces and _.:/=+-@ only'
  ],
  [
    'deploy-canary',
    'tags',
    { ...deploy, tags: Array.from({ length: 38 }, (_, i) => `k${i}: v`).join('\n') },
    "has 38 tags, but at most 37 fit beside the toolkit's own"
  ],
  [
    'deploy-canary',
    'environment',
    { ...deploy, environment: `TOKEN=${'x'.repeat(1025)}` },
    'has a value of 1025 characters for "TOKEN": SageMaker takes at most 1024'
  ],
  [
    'deploy-canary',
    'environment',
    { ...deploy, environment: Array.from({ length: 101 }, (_, i) => `V${i}=1`).join('\n') },
    'has 101 environment variables, but SageMaker takes at most 100'
  ],
  [
    'deploy-canary',
    'keep-versions',
    { ...deploy, 'keep-versions': '0' },
    'Input "keep-versions" must be an integer from 1 to 100, but got "0".'
  ],
  ['deploy-canary', 'wait', { ...deploy, wait: 'yes' }, 'Input "wait" must be true or false, but got "yes".'],
  [
    'deploy-canary',
    'wait-timeout',
    { ...deploy, 'wait-timeout': 'forever' },
    'Input "wait-timeout" must be a duration'
  ],
  [
    'deploy-canary',
    'wait-timeout',
    { ...deploy, 'bake-time': '30m', 'wait-timeout': '1h' },
    'Input "wait-timeout" is 1h, but this deployment waits 1h (2 traffic steps baking 30m each) before it can finish: raise wait-timeout above that, or set wait to false.'
  ],
  [
    'deploy-canary',
    'dry-run',
    { ...deploy, 'dry-run': 'maybe' },
    'Input "dry-run" must be true or false, but got "maybe".'
  ],
  [
    'deploy-canary',
    'role-arn',
    { ...deploy, 'endpoint-name': 'brand-new', 'role-arn': '' },
    'Input "role-arn" is required on the first deployment of brand-new: give the execution role SageMaker runs the model as.'
  ],
  [
    'deploy-canary',
    'variant-name',
    { ...deploy, 'variant-name': 'Blue' },
    'Input "variant-name" is Blue, but the live variant of news is AllTraffic'
  ],
  [
    'promote',
    'endpoint-name',
    { 'endpoint-name': '' },
    'Input "endpoint-name" or "function-name" is required: give the SageMaker endpoint or the Lambda function.'
  ],
  ['promote', 'endpoint-name', { 'endpoint-name': '-bad' }, 'Input "endpoint-name" must be a SageMaker name'],
  [
    'promote',
    'retire',
    { 'endpoint-name': 'news', retire: 'sure' },
    'Input "retire" must be true or false, but got "sure".'
  ],
  [
    'promote',
    'wait-timeout',
    { 'endpoint-name': 'news', 'wait-timeout': '10y' },
    'Input "wait-timeout" must be a duration'
  ],
  [
    'promote',
    'region',
    { 'endpoint-name': 'news', region: 'EU' },
    'Input "region" must be an AWS region such as us-east-1, but got "EU".'
  ],
  [
    'rollback',
    'endpoint-name',
    { 'endpoint-name': '' },
    'Input "endpoint-name" or "function-name" is required: give the SageMaker endpoint or the Lambda function.'
  ],
  [
    'rollback',
    'to',
    { 'endpoint-name': 'news', to: 'not a config' },
    'Input "to" must be an endpoint config name'
  ],
  [
    'rollback',
    'wait',
    { 'endpoint-name': 'news', wait: '1' },
    'Input "wait" must be true or false, but got "1".'
  ],
  [
    'rollback',
    'wait-timeout',
    { 'endpoint-name': 'news', 'wait-timeout': '9h' },
    'Input "wait-timeout" must be a duration such as 90s, 15m, 1h or 1h30m (bare numbers are seconds) from 1s to 28800s, but got "9h".'
  ],
  [
    'rollback',
    'to',
    { 'endpoint-name': 'news', to: 'news-gone' },
    'Input "to" names the endpoint config news-gone, which does not exist in this region (keep-versions may have cleaned it up): give an existing config.'
  ],
  [
    'rollback',
    'to',
    () => ({ 'endpoint-name': 'news', to: live }),
    () => `Input "to" names ${live}, which news already serves: nothing to roll back.`
  ],
  [
    'rollback',
    'to',
    () => ({ 'endpoint-name': 'news', to: other }),
    () =>
      `Input "to" names ${other}, which is not a config of news: mlops-actions made it for the endpoint other; give one of news's own configs`
  ],
  [
    'rollback',
    'to',
    { 'endpoint-name': 'news', to: 'hand-made' },
    'Input "to" names hand-made, which is not a config of news: no version of this endpoint was deployed from it'
  ],
  ...registryDeployCases('news')
];

describe('bad inputs: exit code 1, one sentence naming the input, no mutating call', () => {
  it('covers at least 20 cases across the three actions', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
    expect(new Set(cases.map(([action]) => action))).toEqual(
      new Set(['deploy-canary', 'promote', 'rollback'])
    );
  });

  it.each(cases)('%s: %s', async (action, input, inputs, message) => {
    emu.emulator.calls.splice(0);
    const result = await runBundle(action, typeof inputs === 'function' ? inputs() : inputs, {
      env: emu.env
    });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    const [error] = result.errors;
    expect(error).toContain(typeof message === 'function' ? message() : message);
    expect(error).toContain(`"${input}"`);
    expect(error).not.toContain('\n');
    expect(error).toMatch(/^[A-Z].*\.$/);
    expect(result.log).not.toMatch(/^\s+at /m);
    expect(emu.emulator.mutatingCalls()).toEqual([]);
  });
});
