/**
 * Bad input to register-model and approve-model, through the built bundles against the emulator:
 * every case ends with exit code 1 and one sentence that names the input, and no mutating call
 * reaches the emulator (the call log says so).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBundle } from '../helpers/bundle.js';
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/news@sha256:' + 'a'.repeat(64);
const ARN = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/news-classifier/1';
let emu: RunningEmulator;
let workspace: string;
let outside: string;

beforeAll(async () => {
  emu = await startEmulator();
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-inputs-'));
  outside = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-outside-'));
  fs.writeFileSync(path.join(outside, 'metrics.json'), '{"accuracy": 0.9}');
  fs.symlinkSync(path.join(outside, 'metrics.json'), path.join(workspace, 'linked.json'));
  fs.writeFileSync(path.join(workspace, 'broken.json'), '{"accuracy": 0.9,');
});
afterAll(() => emu.stop());

const reg = { 'model-package-group': 'news-classifier', image: IMAGE };
const withMetrics = { ...reg, metrics: '{"accuracy": 0.9}', 'metrics-path': 's3://ml-metrics/news' };
const dec = { 'model-package': ARN, decision: 'Approved' };

type Case = [action: string, input: string, inputs: Record<string, string>, message: string];
const cases: Case[] = [
  [
    'register-model',
    'model-package-group',
    { ...reg, 'model-package-group': '' },
    'Input "model-package-group" is required: give the model package group.'
  ],
  [
    'register-model',
    'model-package-group',
    { ...reg, 'model-package-group': 'news_classifier' },
    'Input "model-package-group" must be a model package group name'
  ],
  [
    'register-model',
    'model-package-group',
    { ...reg, 'model-package-group': 'a'.repeat(64) },
    'Input "model-package-group" must be a model package group name'
  ],
  [
    'register-model',
    'image',
    { ...reg, image: '' },
    'Input "image" is required: give the serving image by digest'
  ],
  [
    'register-model',
    'image',
    { ...reg, image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/news:latest' },
    'Input "image" must be a container image by digest'
  ],
  [
    'register-model',
    'image',
    { ...reg, image: 'news@sha256:abc' },
    'Input "image" must be a container image by digest'
  ],
  [
    'register-model',
    'model-data',
    { ...reg, 'model-data': '/tmp/model.tar.gz' },
    'Input "model-data" must be the S3 URI of a model.tar.gz'
  ],
  [
    'register-model',
    'model-data',
    { ...reg, 'model-data': 'https://bucket.s3.amazonaws.com/model.tar.gz' },
    'Input "model-data" must be the S3 URI of a model.tar.gz'
  ],
  [
    'register-model',
    'model-data',
    { ...reg, 'model-data': 's3://bucket' },
    'Input "model-data" must be the S3 URI of a model.tar.gz'
  ],
  [
    'register-model',
    'environment',
    { ...reg, environment: '1BAD: x' },
    'Input "environment" has the key "1BAD"'
  ],
  [
    'register-model',
    'environment',
    { ...reg, environment: Array.from({ length: 17 }, (_, i) => `V${i}: x`).join('\n') },
    'Input "environment" has 17 environment variables, but SageMaker takes at most 16.'
  ],
  [
    'register-model',
    'metrics',
    { ...withMetrics, metrics: '{"accuracy": 0.9' },
    'Input "metrics": the inline JSON is not valid JSON'
  ],
  [
    'register-model',
    'metrics',
    { ...withMetrics, metrics: 'broken.json' },
    'Input "metrics": broken.json is not valid JSON'
  ],
  [
    'register-model',
    'metrics',
    { ...withMetrics, metrics: 'missing.json' },
    'Input "metrics": "missing.json" does not exist in the workspace'
  ],
  [
    'register-model',
    'metrics',
    { ...withMetrics, metrics: '../../etc/passwd' },
    'Input "metrics" must be a path inside the workspace'
  ],
  [
    'register-model',
    'metrics',
    { ...withMetrics, metrics: 'linked.json' },
    'leads outside it through a symbolic link'
  ],
  [
    'register-model',
    'metrics',
    { ...withMetrics, metrics: '{"notes": "good"}' },
    'Input "metrics" holds no numbers'
  ],
  [
    'register-model',
    'metrics-path',
    { ...withMetrics, 'metrics-path': '' },
    'Input "metrics-path" is required with metrics'
  ],
  [
    'register-model',
    'metrics-path',
    { ...withMetrics, 'metrics-path': 'ml-metrics/news' },
    'Input "metrics-path" must be an S3 prefix such as s3://bucket/model-metrics'
  ],
  [
    'register-model',
    'approval',
    { ...reg, approval: 'Rejected' },
    'Input "approval" must be one of PendingManualApproval, Approved, but got "Rejected".'
  ],
  [
    'register-model',
    'approval',
    { ...reg, approval: 'yes' },
    'Input "approval" must be one of PendingManualApproval, Approved'
  ],
  [
    'register-model',
    'description',
    { ...reg, description: 'x'.repeat(1025) },
    'Input "description" has 1025 characters, but SageMaker takes at most 1024.'
  ],
  [
    'register-model',
    'content-types',
    { ...reg, 'content-types': 'json' },
    'Input "content-types" must list MIME types such as application/json, but "json" is not one.'
  ],
  [
    'register-model',
    'content-types',
    { ...reg, 'content-types': 'application/json, text csv' },
    'Input "content-types" must list MIME type'
  ],
  [
    'register-model',
    'instance-types',
    { ...reg, 'instance-types': 'm5.large' },
    'Input "instance-types" must list SageMaker instance type'
  ],
  [
    'register-model',
    'tags',
    { ...reg, tags: 'aws:owner: me' },
    'Input "tags" has the key "aws:owner": keys starting with aws: are reserved by AWS.'
  ],
  ['register-model', 'tags', { ...reg, tags: '- a\n- b' }, 'Input "tags" must be a mapping'],
  [
    'register-model',
    'tags',
    { ...reg, tags: 'mlops-actions:repository: x' },
    "keys starting with mlops-actions: are the toolkit's own"
  ],
  [
    'register-model',
    'content-types',
    { ...reg, 'content-types': ' , ' },
    'Input "content-types" is empty: give MIME types such as application/json.'
  ],
  [
    'register-model',
    'region',
    { ...reg, region: 'mars' },
    'Input "region" must be an AWS region such as us-east-1, but got "mars".'
  ],
  [
    'approve-model',
    'model-package',
    { ...dec, 'model-package': '' },
    'Input "model-package" is required: give a model package ARN, or a group name with version.'
  ],
  [
    'approve-model',
    'model-package',
    { ...dec, 'model-package': 'arn:aws:sagemaker:us-east-1:123456789012:model-package/news-classifier' },
    'Input "model-package" must be a versioned model package ARN'
  ],
  [
    'approve-model',
    'model-package',
    { ...dec, 'model-package': 'arn:aws:sagemaker:us-east-1:123456789012:model/news-classifier/1' },
    'Input "model-package" must be a versioned model package ARN'
  ],
  [
    'approve-model',
    'model-package',
    { ...dec, 'model-package': 'news classifier' },
    'Input "model-package" must be a model package ARN, a group name or <group>/<version>'
  ],
  [
    'approve-model',
    'version',
    { ...dec, 'model-package': 'news-classifier' },
    'Input "version" is required when "model-package" names the group news-classifier'
  ],
  [
    'approve-model',
    'version',
    { ...dec, 'model-package': 'news-classifier', version: '0' },
    'Input "version" must be a positive integer, the package version such as 3, but got "0".'
  ],
  [
    'approve-model',
    'version',
    { ...dec, 'model-package': 'news-classifier', version: '1.5' },
    'Input "version" must be a positive integer'
  ],
  [
    'approve-model',
    'version',
    { ...dec, version: '2' },
    'Input "version" is 2, but "model-package" names version 1: give one of them.'
  ],
  ['approve-model', 'decision', { ...dec, decision: '' }, 'Input "decision" is required'],
  [
    'approve-model',
    'decision',
    { ...dec, decision: 'PendingManualApproval' },
    'Input "decision" must be one of Approved, Rejected, but got "PendingManualApproval".'
  ],
  [
    'approve-model',
    'description',
    { ...dec, description: 'x'.repeat(1020) },
    'Input "description" has 1020 characters, but at most 956 fit in SageMaker\'s 1024 with the run URL added.'
  ],
  [
    'approve-model',
    'region',
    { ...dec, region: 'moon-1' },
    'Input "region" must be an AWS region such as us-east-1, but got "moon-1".'
  ]
];

describe('bad inputs: exit code 1, one sentence naming the input, no mutating call', () => {
  it('covers both actions', () => {
    expect(new Set(cases.map(([action]) => action))).toEqual(new Set(['register-model', 'approve-model']));
  });

  it.each(cases)('%s: %s', async (action, input, inputs, message) => {
    emu.emulator.calls.splice(0);
    const result = await runBundle(action, inputs, { env: emu.env, workspace });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    const [error] = result.errors;
    expect(error).toContain(message);
    expect(error).toContain(`"${input}"`);
    expect(error).not.toContain('\n');
    expect(error).toMatch(/^[A-Z].*\.$/);
    expect(result.log).not.toMatch(/^\s+at /m);
    expect(emu.emulator.mutatingCalls()).toEqual([]);
  });
});
