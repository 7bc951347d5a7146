/**
 * The train action's bundle, run as the runner runs it, in its three modes: command, local (the
 * training image on the Docker engine) and sagemaker (through the emulator, which runs the same image
 * on the same engine).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CreateBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  GetObjectCommand,
  S3Client
} from '@aws-sdk/client-s3';
import { awsClient } from '../../src/aws.js';
import { ROOT, runBundle, type BundleRun } from '../helpers/bundle.js';
import { buildFixtureImage, docker } from '../helpers/docker.js';
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';
import { BASE_IMAGE, EXAMPLE, ensureBaseImage } from '../helpers/images.js';

const IMAGE = 'mlops-test-train-fixture:latest';
const ROLE = 'arn:aws:iam::123456789012:role/sagemaker-training';
let emu: RunningEmulator;
let s3: S3Client;

function workspace(files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'train-ws-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function untar(archive: string): Record<string, string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-'));
  execFileSync('tar', ['-xzf', archive, '-C', dir]);
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name), `${prefix}${e.name}/`);
      else out[`${prefix}${e.name}`] = fs.readFileSync(path.join(d, e.name), 'utf8');
    }
  };
  walk(dir, '');
  return out;
}

const train = (
  inputs: Record<string, string>,
  options: Parameters<typeof runBundle>[2] = {}
): Promise<BundleRun> => runBundle('train', inputs, { ...options, env: { ...emu.env, ...options.env } });

const sagemakerInputs = (jobName: string, extra: Record<string, string> = {}) => ({
  image: IMAGE,
  'role-arn': ROLE,
  'job-name': jobName,
  channels: 'train: s3://training-data/news/train',
  'output-path': 's3://models/news',
  hyperparameters: 'epochs: 3\nlr: 0.1',
  'metric-definitions': "accuracy: 'accuracy=([0-9.]+)'\nloss: 'loss=([0-9.]+)'",
  ...extra
});

beforeAll(async () => {
  buildFixtureImage('training-image', IMAGE);
  emu = await startEmulator({ timeScale: 0.01, training: 'docker' });
  s3 = awsClient(S3Client, 'S3', emu.clientConfig);
  await s3.send(new CreateBucketCommand({ Bucket: 'training-data' }));
  await s3.send(new CreateBucketCommand({ Bucket: 'models' }));
  await s3.send(
    new PutObjectCommand({ Bucket: 'training-data', Key: 'news/train/part-0.csv', Body: 'a,1\nb,0\nc,1\n' })
  );
}, 180_000);
afterAll(() => emu?.stop());
beforeEach(() => emu.emulator.calls.splice(0));

describe('command mode', () => {
  it('runs a make target and reads the metrics file it writes', async () => {
    const ws = workspace({
      'model/Makefile':
        'train:\n\tmkdir -p out\n\techo \'{"accuracy": 0.93, "loss": {"val": 0.2}}\' > out/metrics.json\n\techo trained\n'
    });
    const result = await train(
      { command: 'make train', 'working-directory': 'model', 'metrics-file': 'out/metrics.json' },
      { workspace: ws }
    );
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      status: 'Completed',
      metrics: '{"accuracy":0.93,"loss.val":0.2}',
      'job-name': 'news-classifier-0123456-4242-1'
    });
    expect(result.log).toContain('trained');
    expect(result.summary).toContain('| accuracy | 0.93 |');
    expect(result.summary).toContain('| Mode | command |');
  });

  it('a failing command fails the action with its exit code', async () => {
    const result = await train({ command: 'echo starting; exit 7' });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual(['The training command failed with exit code 7.']);
    expect(result.outputs.status).toBe('Failed');
  });
});

describe('local mode', () => {
  it('runs the image under the container contract and packs model.tar.gz into output-path', async () => {
    const ws = workspace({ 'data/train/rows.csv': 'a\nb\nc\nd\n' });
    const result = await train(
      {
        mode: 'local',
        image: IMAGE,
        'job-name': 'local-1',
        channels: 'train: data/train',
        'output-path': 'out',
        hyperparameters: 'epochs: 3\nlr: 0.1\nlayers: [1, 2]',
        'metric-definitions': "accuracy: 'accuracy=([0-9.]+)'"
      },
      { workspace: ws }
    );
    expect(result.errors).toEqual([]);
    expect(result.outputs).toMatchObject({
      status: 'Completed',
      'model-data': path.join(ws, 'out/model.tar.gz'),
      metrics: '{"accuracy":0.91}'
    });
    expect(result.log).toContain('hyperparameters: {"epochs":"3","lr":"0.1","layers":"[1, 2]"}');
    expect(result.log).toContain('"current_instance_type":"ml.m5.xlarge"');
    expect(result.log).toContain('job: local-1');
    expect(result.log).toMatch(/inputdataconfig: \{"train":\{[^}]*"TrainingInputMode":"File"/);
    expect(untar(path.join(ws, 'out/model.tar.gz'))).toEqual({
      'model.json': '{"rows": 4, "weights": [1, 2, 3]}\n',
      'extra/vocab.txt': 'vocab\n'
    });
  });

  it('a failing training script fails with the text of /opt/ml/output/failure and leaves no container', async () => {
    const result = await train({
      mode: 'local',
      image: IMAGE,
      'output-path': 'out',
      hyperparameters: 'fail: "true"'
    });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([
      'Training failed (exit code 3): the data is unusable: no rows in train.csv'
    ]);
    expect(docker(['ps', '-a', '--filter', 'name=mlops-train-', '--format', '{{.Names}}']).trim()).toBe('');
  });
});

describe('sagemaker mode (the emulator runs the image on the local engine)', () => {
  let first: BundleRun;
  beforeAll(async () => {
    first = await train(sagemakerInputs('news-sm-1'));
  }, 180_000);

  it('follows the job to Completed, streams its logs and reports metrics and model-data', async () => {
    expect(first.errors).toEqual([]);
    expect(first.exitCode).toBe(0);
    expect(first.outputs).toMatchObject({
      'job-name': 'news-sm-1',
      status: 'Completed',
      'model-data': 's3://models/news/news-sm-1/output/model.tar.gz',
      metrics: '{"accuracy":0.91,"loss":0.25}'
    });
    expect(Number(first.outputs['billable-seconds'])).toBeGreaterThan(0);
    // Each secondary status once, though the job was described many times while it ran.
    const statuses = [...first.log.matchAll(/^news-sm-1: (\w+)/gm)].map((m) => m[1]);
    expect(statuses).toEqual(['Starting', 'Downloading', 'Training', 'Uploading', 'Completed']);
    expect(first.log).toContain('rows=3');
    expect(first.log).toContain('channels: train');
    expect(first.summary).toContain('gantt');
    expect(first.summary).toContain('| accuracy | 0.91 |');
  });

  it('writes the same model as local mode, at the promised key', async () => {
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: 'models', Key: 'news/news-sm-1/output/model.tar.gz' })
    );
    expect(head.ContentLength).toBeGreaterThan(0);
    const body = await (
      await s3.send(new GetObjectCommand({ Bucket: 'models', Key: 'news/news-sm-1/output/model.tar.gz' }))
    ).Body!.transformToByteArray();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sm-')), 'model.tar.gz');
    fs.writeFileSync(file, body);
    expect(untar(file)).toEqual({
      'model.json': '{"rows": 3, "weights": [1, 2, 3]}\n',
      'extra/vocab.txt': 'vocab\n'
    });
  });

  it('a re-run with the same job name attaches to the job instead of failing on a duplicate', async () => {
    const again = await train(sagemakerInputs('news-sm-1'));
    expect(again.exitCode).toBe(0);
    expect(again.log).toContain('Training job news-sm-1 already exists (Completed): attaching to it');
    expect(emu.emulator.calls.filter((c) => c.operation === 'CreateTrainingJob')).toHaveLength(0);
    expect(again.outputs['model-data']).toBe(first.outputs['model-data']);
  });

  it('a failed job fails the action with its FailureReason', async () => {
    const result = await train(sagemakerInputs('news-sm-fail', { hyperparameters: 'fail: "true"' }));
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([
      'Training job news-sm-fail failed: AlgorithmError: the data is unusable: no rows in train.csv.'
    ]);
    expect(result.outputs.status).toBe('Failed');
  });

  it('max-runtime stops the job and says so; Stopped is not success', async () => {
    const result = await train(
      sagemakerInputs('news-sm-slow', { hyperparameters: 'sleep: 20', 'max-runtime': '90s' })
    );
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([
      'Training job news-sm-slow was stopped because it ran longer than max-runtime (90s); raise max-runtime or save checkpoints.'
    ]);
    expect(result.outputs.status).toBe('Stopped');
  });

  it('a spot interruption is named as such', async () => {
    emu.emulator.faults['training.nextJob'] = 'SpotInterruption';
    const result = await train(
      sagemakerInputs('news-sm-spot', {
        spot: 'true',
        'max-wait': '48h',
        'checkpoint-s3-uri': 's3://models/ckpt'
      })
    );
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toMatch(
      /^Training job news-sm-spot ended by spot: it did not finish within max-wait \(waiting for spot capacity counts\), so raise max-wait or save checkpoints to resume: /
    );
  });

  it('wait: false starts the job and returns InProgress', async () => {
    const result = await train(sagemakerInputs('news-sm-nowait', { wait: 'false' }));
    expect(result.exitCode).toBe(0);
    expect(result.outputs.status).toBe('InProgress');
  });

  it('a cancelled workflow stops the training job before the action exits, and says so', async () => {
    const result = await train(sagemakerInputs('news-sm-cancel', { hyperparameters: 'sleep: 60' }), {
      onStart: (child, log) => {
        const timer = setInterval(() => {
          if (log().includes('news-sm-cancel: Training')) {
            clearInterval(timer);
            child.kill('SIGTERM');
          }
        }, 50);
      }
    });
    expect(result.exitCode).toBe(1);
    expect(result.log).toContain('Stopping training job news-sm-cancel because the workflow was cancelled.');
    expect(emu.emulator.calls.some((c) => c.operation === 'StopTrainingJob')).toBe(true);
    expect(result.errors).toEqual([
      'Training job news-sm-cancel is stopping because the workflow was cancelled.'
    ]);
  });
});

describe('planted workflow commands: what a training job prints is shown, never obeyed', () => {
  const HOSTILE = 'mlops-test-train-hostile:latest';
  const PLANTED = [
    '::set-output name=model-data::s3://evil',
    '::error::planted',
    '::add-mask::planted',
    '::endgroup::',
    '##[set-output name=status;]planted'
  ];
  /** Lines the runner would obey: starting with :: or ##[ outside a ::stop-commands::T ... ::T:: block. */
  const obeyed = (log: string) => {
    const lines: string[] = [];
    let token: string | undefined;
    for (const line of log.split(/\r?\n/)) {
      if (token !== undefined) {
        if (line === `::${token}::`) token = undefined;
      } else if (/^::stop-commands::(.+)$/.test(line)) token = line.slice('::stop-commands::'.length);
      else if (/^[ \t]*(::|##\[)/.test(line)) lines.push(line);
    }
    return lines;
  };
  const planted = (log: string) => obeyed(log).filter((l) => /planted|evil/.test(l));

  beforeAll(() => {
    // The fixture image with a train script that prints the planted lines and still trains.
    const context = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-'));
    fs.writeFileSync(
      path.join(context, 'train'),
      `#!/bin/sh\n${PLANTED.map((l) => `echo '${l}'`).join('\n')}\nexec /usr/local/bin/train-fixture "$@"\n`,
      { mode: 0o755 }
    );
    fs.writeFileSync(
      path.join(context, 'Dockerfile'),
      `FROM ${IMAGE}\nRUN ["/bin/busybox", "mv", "/usr/local/bin/train", "/usr/local/bin/train-fixture"]\nCOPY train /usr/local/bin/train\n`
    );
    docker(['build', '--network', 'none', '-q', '-t', HOSTILE, context]);
    fs.rmSync(context, { recursive: true, force: true });
  }, 120_000);

  it.each([
    [
      'sagemaker mode (the job log streamed from CloudWatch)',
      () => train(sagemakerInputs('news-sm-hostile', { image: HOSTILE }))
    ],
    [
      'local mode (the container output)',
      () => train({ mode: 'local', image: HOSTILE, 'output-path': 'out' })
    ],
    [
      'command mode (the command output)',
      () => train({ command: PLANTED.map((l) => `echo '${l}'`).join('; ') })
    ]
  ])('%s', async (_, run) => {
    const result = await run();
    // (result.errors reads every ::error:: line, the planted one in its stop-commands block too.)
    expect(result.exitCode).toBe(0);
    expect(result.outputs.status).toBe('Completed');
    for (const line of PLANTED) expect(result.log).toContain(line);
    expect(planted(result.log)).toEqual([]);
    expect(result.outputs['model-data'] ?? '').not.toContain('evil');
  });
});

describe('bad inputs: one sentence naming the input, exit code 1, no job created and nothing run', () => {
  // A job of the same name that is another training: a re-run with other settings must not attach.
  beforeAll(async () => {
    const started = await train(sagemakerInputs('news-sm-existing', { wait: 'false' }));
    expect(started.errors).toEqual([]);
  }, 180_000);
  const existing = (extra: Record<string, string>) => sagemakerInputs('news-sm-existing', extra);
  const exists = 'Input "job-name" names training job news-sm-existing, which already exists with';
  const many = (n: number, value = 'v') => [...Array(n)].map((_, i) => `K${i}: ${value}`).join('\n');
  const cases: Array<[string, Record<string, string>, string]> = [
    [
      'image',
      { 'role-arn': ROLE, 'output-path': 's3://models/x' },
      'Input "image" is required in sagemaker mode'
    ],
    [
      'mode',
      { mode: 'cloud', image: IMAGE },
      'Input "mode" must be one of sagemaker, local, command, but got "cloud".'
    ],
    ['job-name', sagemakerInputs('bad_name!'), 'Input "job-name" must be a SageMaker job name'],
    [
      'instance-count',
      sagemakerInputs('j', { 'instance-count': '0' }),
      'Input "instance-count" must be an integer from 1 to 100, but got "0".'
    ],
    [
      'volume-size',
      sagemakerInputs('j', { 'volume-size': 'big' }),
      'Input "volume-size" must be an integer from 1 to 16384, but got "big".'
    ],
    [
      'instance-type',
      sagemakerInputs('j', { 'instance-type': 'm5.large' }),
      'Input "instance-type" must be a SageMaker instance type such as ml.m5.xlarge'
    ],
    ['max-runtime', sagemakerInputs('j', { 'max-runtime': '30d' }), 'Input "max-runtime" must be a duration'],
    [
      'max-wait',
      sagemakerInputs('j', { 'max-wait': '2h' }),
      'Input "max-wait" only applies to spot training'
    ],
    [
      'max-wait',
      sagemakerInputs('j', { spot: 'true', 'max-wait': '1h' }),
      'Input "max-wait" must be at least max-runtime (24h), but got "1h".'
    ],
    ['spot', sagemakerInputs('j', { spot: 'maybe' }), 'Input "spot" must be true or false, but got "maybe".'],
    [
      'channels',
      sagemakerInputs('j', { channels: 'train: /data/train' }),
      'Input "channels" must map each channel to an S3 URI in sagemaker mode, but train is "/data/train".'
    ],
    [
      'channels',
      { mode: 'local', image: IMAGE, 'output-path': 'out', channels: 'train: missing-dir' },
      'Input "channels" must map each channel to an existing local directory in local mode'
    ],
    [
      'output-path',
      sagemakerInputs('j', { 'output-path': '' }),
      'Input "output-path" is required in sagemaker mode'
    ],
    [
      'output-path',
      sagemakerInputs('j', { 'output-path': '/tmp/models' }),
      'Input "output-path" must be an S3 URI such as s3://bucket/models in sagemaker mode, but got "/tmp/models".'
    ],
    [
      'role-arn',
      sagemakerInputs('j', { 'role-arn': 'sagemaker-role' }),
      'Input "role-arn" must be an IAM role ARN'
    ],
    ['role-arn', sagemakerInputs('j', { 'role-arn': '' }), 'Input "role-arn" is required in sagemaker mode'],
    [
      'hyperparameters',
      sagemakerInputs('j', { hyperparameters: 'epochs: [1' }),
      'Input "hyperparameters" must be a mapping'
    ],
    [
      'metric-definitions',
      sagemakerInputs('j', { 'metric-definitions': "acc: 'acc=(['" }),
      'Input "metric-definitions" has an invalid regular expression for acc'
    ],
    [
      'checkpoint-s3-uri',
      sagemakerInputs('j', { 'checkpoint-s3-uri': 'ckpt' }),
      'Input "checkpoint-s3-uri" must be an S3 URI such as s3://bucket/checkpoints, but got "ckpt".'
    ],
    [
      'working-directory',
      { command: 'make train', 'working-directory': 'nope' },
      'Input "working-directory" must be an existing directory, but got "nope".'
    ],
    [
      'region',
      sagemakerInputs('j', { region: 'moon-1' }),
      'Input "region" must be an AWS region such as us-east-1, but got "moon-1".'
    ],
    [
      'image',
      sagemakerInputs('j', { image: 'news train:1' }),
      'Input "image" must be an image reference, registry/repository[:tag][@sha256:digest] without spaces'
    ],
    [
      'image',
      sagemakerInputs('j', { image: `${IMAGE}\n::error::planted` }),
      `Input "image" must be an image reference`
    ],
    [
      'image',
      { mode: 'local', image: '--privileged', 'output-path': 'out' },
      'Input "image" must be an image reference'
    ],
    ['job-name', sagemakerInputs('news\n::error::planted'), 'Input "job-name" must be a SageMaker job name'],
    [
      'instance-type',
      sagemakerInputs('j', { 'instance-type': 'ml.m5.xlarge\n::set-output name=model-data::s3://evil' }),
      'Input "instance-type" must be a SageMaker instance type'
    ],
    [
      'output-path',
      sagemakerInputs('j', { 'output-path': 's3://models/x\n::error::planted' }),
      'Input "output-path" must be an S3 URI'
    ],
    [
      'output-path',
      { mode: 'local', image: IMAGE, 'output-path': 'out\n::error::planted' },
      'Input "output-path" must be a single line, but it holds a line break.'
    ],
    [
      'channels',
      { mode: 'local', image: IMAGE, 'output-path': 'out', channels: 'train: "data\\n::error::x"' },
      'Input "channels" must be a single line, but it holds a line break.'
    ],
    [
      'working-directory',
      { command: 'make train', 'working-directory': '.\n::error::planted' },
      'Input "working-directory" must be a single line, but it holds a line break.'
    ],
    [
      'metrics-file',
      { command: 'touch ran', 'metrics-file': 'm.json\n::error::planted' },
      'Input "metrics-file" must be a single line, but it holds a line break.'
    ],
    [
      'hyperparameters',
      sagemakerInputs('j', { hyperparameters: many(101) }),
      'Input "hyperparameters" has 101 hyperparameters, but SageMaker takes at most 100.'
    ],
    [
      'hyperparameters',
      sagemakerInputs('j', { hyperparameters: `text: ${'x'.repeat(2501)}` }),
      'Input "hyperparameters" has a value of 2501 characters for "text": SageMaker takes at most 2500.'
    ],
    [
      'environment',
      sagemakerInputs('j', { environment: many(49) }),
      'Input "environment" has 49 environment variables, but SageMaker takes at most 48.'
    ],
    [
      'environment',
      sagemakerInputs('j', { environment: '1BAD: x' }),
      'Input "environment" has the key "1BAD": environment variable names are letters, digits and _'
    ],
    ['tags', sagemakerInputs('j', { tags: many(51) }), 'Input "tags" has 51 tags, but at most 50 fit'],
    [
      'tags',
      sagemakerInputs('j', { tags: 'team: "ml\\n::error::planted"' }),
      'tags take letters, digits, spaces and _.:/=+-@ only'
    ],
    [
      'tags',
      sagemakerInputs('j', { tags: 'mlops-actions:git-sha: forged' }),
      "keys starting with mlops-actions: are the toolkit's own"
    ],
    [
      'metric-definitions',
      sagemakerInputs('j', { 'metric-definitions': many(41, 'x=(.+)') }),
      'Input "metric-definitions" has 41 metrics, but SageMaker takes at most 40.'
    ],
    [
      'job-name',
      existing({ image: 'mlops-test-train-other:latest' }),
      `${exists} a different image (${IMAGE}, not mlops-test-train-other:latest): give a new job-name or leave it empty`
    ],
    [
      'job-name',
      existing({ hyperparameters: 'epochs: 3\nlr: 0.10' }),
      `${exists} different hyperparameters (lr "0.1", not "0.10")`
    ],
    [
      'job-name',
      existing({ channels: 'train: s3://training-data/news/other' }),
      `${exists} different input channels (train "s3://training-data/news/train", not "s3://training-data/news/other")`
    ],
    [
      'job-name',
      existing({ 'output-path': 's3://models/other' }),
      `${exists} a different output path (s3://models/news, not s3://models/other)`
    ],
    [
      'job-name',
      existing({ 'instance-type': 'ml.c5.xlarge', 'instance-count': '2' }),
      `${exists} a different instance type (ml.m5.xlarge, not ml.c5.xlarge) and a different instance count (1, not 2)`
    ],
    ['job-name', existing({ 'volume-size': '50' }), `${exists} a different volume size (30 GB, not 50 GB)`],
    ['job-name', existing({ spot: 'true' }), `${exists} a different spot setting (false, not true)`]
  ];
  it.each(cases)('%s', async (input, inputs, message) => {
    const ws = workspace();
    const result = await train(inputs, { workspace: ws });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toContain(message);
    expect(result.errors[0]).toContain(`"${input}"`);
    expect(result.errors[0]).not.toMatch(/[\r\n]/);
    expect(emu.emulator.mutatingCalls()).toEqual([]);
    expect(fs.readdirSync(ws)).toEqual([]);
  });
});

describe('the example training image (examples/wine-classifier) in local and sagemaker mode', () => {
  const EXAMPLE_IMAGE = 'mlops-test-train-example:latest';
  const metricDefinitions = "accuracy: 'accuracy=([0-9.]+)'\nf1_macro: 'f1_macro=([0-9.]+)'";
  let local: BundleRun;
  let remote: BundleRun;
  let ws: string;

  beforeAll(async () => {
    ensureBaseImage();
    docker([
      'build',
      '--network',
      'host',
      '-q',
      '-f',
      path.join(ROOT, EXAMPLE, 'training/Dockerfile'),
      '--build-arg',
      `BASE_IMAGE=${BASE_IMAGE}`,
      '-t',
      EXAMPLE_IMAGE,
      path.join(ROOT, EXAMPLE)
    ]);
    ws = workspace();
    local = await train(
      {
        mode: 'local',
        image: EXAMPLE_IMAGE,
        'job-name': 'wine-local',
        'output-path': 'out',
        hyperparameters: 'n_estimators: 50',
        'metric-definitions': metricDefinitions
      },
      { workspace: ws }
    );
    remote = await train({
      image: EXAMPLE_IMAGE,
      'role-arn': ROLE,
      'job-name': 'wine-sm',
      'output-path': 's3://models/wine',
      hyperparameters: 'n_estimators: 50',
      'metric-definitions': metricDefinitions
    });
  }, 600_000);

  it('trains in local mode: metrics out, model.tar.gz in output-path', () => {
    expect(local.errors).toEqual([]);
    const metrics = JSON.parse(local.outputs.metrics);
    expect(metrics.accuracy).toBeGreaterThan(0.8);
    expect(Object.keys(metrics)).toEqual(['accuracy', 'f1_macro']);
    expect(Object.keys(untar(path.join(ws, 'out/model.tar.gz')))).toEqual(
      expect.arrayContaining(['model.joblib', 'model.json'])
    );
  });

  it('trains through the emulator in sagemaker mode: the same model and metrics, model.tar.gz where promised', async () => {
    expect(remote.errors).toEqual([]);
    expect(remote.outputs['model-data']).toBe('s3://models/wine/wine-sm/output/model.tar.gz');
    expect(remote.outputs.metrics).toBe(local.outputs.metrics);
    const body = await (
      await s3.send(new GetObjectCommand({ Bucket: 'models', Key: 'wine/wine-sm/output/model.tar.gz' }))
    ).Body!.transformToByteArray();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wine-')), 'model.tar.gz');
    fs.writeFileSync(file, body);
    expect(untar(file)['model.json']).toBe(untar(path.join(ws, 'out/model.tar.gz'))['model.json']);
  });

  it('a failing training script fails the action with the text of /opt/ml/output/failure', async () => {
    const result = await train({
      mode: 'local',
      image: EXAMPLE_IMAGE,
      'output-path': 'out',
      hyperparameters: 'n_trees: 5'
    });
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toMatch(/^Training failed \(exit code 1\): .*n_trees/);
  });
});
