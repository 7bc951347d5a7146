/**
 * The train action's inputs as hostile users write them: hyperparameters kept exactly as written,
 * SageMaker's limits, image references and line breaks refused with one sentence naming the input.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '../../src/errors.js';
import { ACTIONS } from '../../src/generated/actions.js';
import { runContext } from '../../src/github/context.js';
import { Inputs } from '../../src/inputs.js';
import { isImageReference, readTrainOptions } from '../../src/training/options.js';

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'train-inputs-'));
fs.mkdirSync(path.join(workspace, 'data'));
const github = { ...runContext({}), workspace };

const sagemaker = {
  image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/news-train@sha256:' + 'a'.repeat(64),
  'role-arn': 'arn:aws:iam::123456789012:role/sagemaker',
  'job-name': 'news-1',
  'output-path': 's3://models/news'
};

function read(values: Record<string, string>) {
  return readTrainOptions(new Inputs((name) => values[name], ACTIONS.train.inputs, 'train'), github);
}

function refusal(values: Record<string, string>): InputError {
  try {
    read(values);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

const hyperparameters = (text: string) => read({ ...sagemaker, hyperparameters: text }).job!.hyperparameters;

describe('hyperparameters reach the job exactly as written', () => {
  it.each([
    ['version: 1.10', { version: '1.10' }],
    ['id: 007', { id: '007' }],
    ['mask: 0x1F', { mask: '0x1F' }],
    ['limit: .inf', { limit: '.inf' }],
    ['flag: true', { flag: 'true' }],
    ['none: ~\nempty:', { none: '~', empty: '' }],
    ['lr: 1e-5\nmomentum: 0.90', { lr: '1e-5', momentum: '0.90' }],
    ['quoted: "1.10"\nsingle: \'007\'', { quoted: '1.10', single: '007' }],
    ['text: a "b" c', { text: 'a "b" c' }],
    ['1.10: key', { '1.10': 'key' }],
    ['{version: 1.10, id: 007}', { version: '1.10', id: '007' }],
    ['layers: [64,  32]\nopts: {a: 1.0}', { layers: '[64,  32]', opts: '{a: 1.0}' }],
    ['prompt: |\n  line 1\n  line 2', { prompt: 'line 1\nline 2\n' }],
    ['base: &v 1.10\nsame: *v', { base: '1.10', same: '1.10' }],
    ['version=1.10\nid = 007\nurl=http://x:1/a=b', { version: '1.10', id: '007', url: 'http://x:1/a=b' }]
  ])('%j', (text, expected) => {
    expect(hyperparameters(text)).toEqual(expected);
  });

  it('a block-style list or map is JSON-encoded as the SageMaker Python SDK does', () => {
    expect(hyperparameters('layers:\n  - 64\n  - 32\nopts:\n  a: true')).toEqual({
      layers: '[64, 32]',
      opts: '{"a": true}'
    });
  });

  it('other maps still read their values as text, and typedMap keeps its types', () => {
    const inputs = new Inputs((n) => ({ a: 'x: 1.10', b: 'x: 1.10' })[n]);
    expect(inputs.map('a')).toEqual({ x: '1.10' });
    expect(inputs.typedMap('b')).toEqual({ x: 1.1 });
  });
});

describe('image references', () => {
  it.each([
    'news-train',
    'news-train:1.2.3',
    'team/news-train:latest',
    'localhost/news-train',
    '127.0.0.1:5000/news/train:v1',
    '123456789012.dkr.ecr.us-east-1.amazonaws.com/news-train@sha256:' + 'a'.repeat(64),
    'registry.example:443/a/b:c@sha256:' + 'b'.repeat(64)
  ])('%s is one', (ref) => expect(isImageReference(ref)).toBe(true));
  it.each([
    'news train',
    'news-train\n::error::planted',
    '--privileged',
    'News-Train',
    'news-train:',
    'news-train@sha256:abc',
    'news-train:-x',
    's3://bucket/image',
    'a/'.repeat(130) + 'b'
  ])('%j is not', (ref) => expect(isImageReference(ref)).toBe(false));
});

describe('hostile values are one sentence naming the input, read before anything starts', () => {
  const many = (n: number, value = 'v') => [...Array(n)].map((_, i) => `K${i}: ${value}`).join('\n');
  it.each<[string, Record<string, string>, string]>([
    [
      'image',
      { ...sagemaker, image: 'news train:1' },
      'Input "image" must be an image reference, registry/repository[:tag][@sha256:digest] without spaces such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/news-train@sha256:..., but got "news train:1".'
    ],
    ['image', { ...sagemaker, image: 'news\n::error::planted' }, 'but got "news\\n::error::planted".'],
    [
      'image',
      { mode: 'local', image: '--privileged', 'output-path': 'out' },
      'Input "image" must be an image'
    ],
    ['job-name', { ...sagemaker, 'job-name': 'news\n::error::planted' }, 'Input "job-name" must be'],
    [
      'instance-type',
      { ...sagemaker, 'instance-type': 'ml.m5.xlarge\n::set-output name=x::y' },
      'Input "instance-type" must be'
    ],
    [
      'output-path',
      { ...sagemaker, 'output-path': 's3://models/a\nb' },
      'Input "output-path" must be an S3 URI'
    ],
    [
      'output-path',
      { mode: 'local', image: 'news-train', 'output-path': 'out\n::error::planted' },
      'Input "output-path" must be a single line, but it holds a line break.'
    ],
    [
      'channels',
      { mode: 'local', image: 'news-train', 'output-path': 'out', channels: 'train: "data\\n::error::x"' },
      'Input "channels" must be a single line, but it holds a line break.'
    ],
    [
      'channels',
      { ...sagemaker, channels: 'train: "s3://data/a\\n::error::x"' },
      'Input "channels" must map each channel to an S3 URI in sagemaker mode, but train is "s3://data/a\\n::error::x".'
    ],
    [
      'working-directory',
      { command: 'make', 'working-directory': 'data\n::error::x' },
      'Input "working-directory" must be a single line, but it holds a line break.'
    ],
    [
      'metrics-file',
      { command: 'make', 'metrics-file': 'm.json\n::error::x' },
      'Input "metrics-file" must be a single line, but it holds a line break.'
    ],
    [
      'hyperparameters',
      { ...sagemaker, hyperparameters: many(101) },
      'Input "hyperparameters" has 101 hyperparameters, but SageMaker takes at most 100.'
    ],
    [
      'hyperparameters',
      { ...sagemaker, hyperparameters: `${'k'.repeat(257)}: 1` },
      'Input "hyperparameters" has the key "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk..." of 257 characters: SageMaker takes 1 to 256.'
    ],
    [
      'hyperparameters',
      { ...sagemaker, hyperparameters: `text: ${'x'.repeat(2501)}` },
      'Input "hyperparameters" has a value of 2501 characters for "text": SageMaker takes at most 2500.'
    ],
    [
      'environment',
      { ...sagemaker, environment: many(49) },
      'Input "environment" has 49 environment variables, but SageMaker takes at most 48.'
    ],
    [
      'environment',
      { ...sagemaker, environment: 'MODE: x\n1BAD: y' },
      'Input "environment" has the key "1BAD": environment variable names are letters, digits and _, not starting with a digit.'
    ],
    [
      'environment',
      { ...sagemaker, environment: `LONG: ${'x'.repeat(513)}` },
      'Input "environment" has a value of 513 characters for "LONG": SageMaker takes at most 512.'
    ],
    ['tags', { ...sagemaker, tags: many(51) }, 'Input "tags" has 51 tags, but at most 50 fit'],
    [
      'tags',
      { ...sagemaker, tags: 'team: "ml\\n::error::x"' },
      'Input "tags" has "ml\\n::error::x" for "team"'
    ],
    ['tags', { ...sagemaker, tags: 'aws:owner: me' }, 'keys starting with aws: are reserved by AWS'],
    [
      'metric-definitions',
      { ...sagemaker, 'metric-definitions': many(41, 'x=(.+)') },
      'Input "metric-definitions" has 41 metrics, but SageMaker takes at most 40.'
    ],
    [
      'metric-definitions',
      { ...sagemaker, 'metric-definitions': '"acc\\n::error::x": "acc=(.+)"' },
      'Input "metric-definitions" must be a single line, but it holds a line break.'
    ]
  ])('%s', (input, values, message) => {
    const error = refusal(values);
    expect(error.input).toBe(input);
    expect(error.message).toContain(message);
    expect(error.message).not.toMatch(/[\r\n]/);
    expect(error.message.startsWith(`Input "${input}" `)).toBe(true);
  });
});
