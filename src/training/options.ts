/** The train action's inputs, read and checked against SageMaker's limits before anything starts. */
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import type { Inputs } from '../inputs.js';
import type { RunContext } from '../github/context.js';
import { defaultJobName, encodeHyperparameters, JOB_NAME, type TrainingJobSpec } from './request.js';

export type TrainMode = 'sagemaker' | 'local' | 'command';

export interface TrainOptions {
  mode: TrainMode;
  jobName: string;
  /** sagemaker and local */
  job?: TrainingJobSpec;
  wait: boolean;
  streamLogs: boolean;
  region?: string;
  /** local: output directory; command: working directory and metrics file (absolute) */
  outputDir?: string;
  command?: string;
  workingDirectory?: string;
  metricsFile?: string;
}

const S3_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const CHANNEL = /^[A-Za-z0-9.\-_]{1,64}$/;
const MAX_RUNTIME = 28 * 86400;

function fail(input: string, message: string): never {
  throw new InputError(input, message);
}

function resolveInWorkspace(workspace: string, value: string): string {
  return path.resolve(workspace, value);
}

export function readTrainOptions(inputs: Inputs, github: RunContext): TrainOptions {
  const command = inputs.string('command');
  const image = inputs.string('image');
  const mode: TrainMode =
    inputs.enum('mode', ['sagemaker', 'local', 'command'] as const) ?? (command ? 'command' : 'sagemaker');
  const jobName =
    inputs.matching(
      'job-name',
      JOB_NAME,
      'a SageMaker job name: letters, digits and hyphens, at most 63 characters, starting and ending with a letter or digit'
    ) ?? defaultJobName(github);
  const common = {
    mode,
    jobName,
    wait: inputs.boolean('wait'),
    streamLogs: inputs.boolean('stream-logs'),
    region: inputs.string('region')
  };

  if (mode === 'command') {
    if (!command)
      fail(
        'command',
        'Input "command" is required in command mode: give the training command, e.g. make train.'
      );
    const workingDirectory = resolveInWorkspace(github.workspace, inputs.raw('working-directory') || '.');
    if (!fs.existsSync(workingDirectory) || !fs.statSync(workingDirectory).isDirectory()) {
      fail(
        'working-directory',
        `Input "working-directory" must be an existing directory, but got "${inputs.raw('working-directory')}".`
      );
    }
    const metrics = inputs.string('metrics-file');
    return {
      ...common,
      command,
      workingDirectory,
      metricsFile: metrics && path.resolve(workingDirectory, metrics)
    };
  }

  if (!image)
    fail('image', `Input "image" is required in ${mode} mode: give the training image, ideally by digest.`);
  const spot = inputs.boolean('spot');
  const maxRuntime = inputs.duration('max-runtime', { min: 1, max: MAX_RUNTIME })!;
  const maxWait = inputs.duration('max-wait', { min: 1, max: MAX_RUNTIME });
  if (maxWait !== undefined && !spot)
    fail(
      'max-wait',
      'Input "max-wait" only applies to spot training: set spot to true or leave max-wait empty.'
    );
  if (maxWait !== undefined && maxWait < maxRuntime) {
    fail(
      'max-wait',
      `Input "max-wait" must be at least max-runtime (${inputs.raw('max-runtime')}), but got "${inputs.raw('max-wait')}".`
    );
  }
  const channels = inputs.map('channels');
  for (const [name, where] of Object.entries(channels)) {
    if (!CHANNEL.test(name))
      fail(
        'channels',
        `Input "channels" has the channel name "${name}": use letters, digits, ".", "-" and "_" (at most 64).`
      );
    if (mode === 'sagemaker' && !S3_URI.test(where)) {
      fail(
        'channels',
        `Input "channels" must map each channel to an S3 URI in sagemaker mode, but ${name} is "${where}".`
      );
    }
    if (mode === 'local') {
      const dir = resolveInWorkspace(github.workspace, where);
      if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
        fail(
          'channels',
          `Input "channels" must map each channel to an existing local directory in local mode, but ${name} is "${where}".`
        );
      }
      channels[name] = dir;
    }
  }
  const outputPath = inputs.string('output-path');
  if (!outputPath) {
    fail(
      'output-path',
      `Input "output-path" is required in ${mode} mode: give ${mode === 'sagemaker' ? 'an S3 URI such as s3://bucket/models' : 'a local directory'}.`
    );
  }
  if (mode === 'sagemaker' && !S3_URI.test(outputPath)) {
    fail(
      'output-path',
      `Input "output-path" must be an S3 URI such as s3://bucket/models in sagemaker mode, but got "${outputPath}".`
    );
  }
  const roleArn = inputs.matching(
    'role-arn',
    ROLE_ARN,
    'an IAM role ARN such as arn:aws:iam::123456789012:role/sagemaker-training'
  );
  if (mode === 'sagemaker' && !roleArn)
    fail(
      'role-arn',
      'Input "role-arn" is required in sagemaker mode: give the IAM role SageMaker runs the job as.'
    );
  const checkpoint = inputs.matching(
    'checkpoint-s3-uri',
    S3_URI,
    'an S3 URI such as s3://bucket/checkpoints'
  );
  const hyperparameters = encodeHyperparameters(inputs.typedMap('hyperparameters'));
  if (Object.keys(hyperparameters).length > 100)
    fail('hyperparameters', 'Input "hyperparameters" has more than 100 entries, the SageMaker limit.');
  for (const [k, v] of Object.entries(hyperparameters)) {
    if (k.length > 256 || v.length > 2500)
      fail(
        'hyperparameters',
        `Input "hyperparameters" has "${k.slice(0, 40)}" over SageMaker's limits (keys 256, values 2500 characters).`
      );
  }
  const metricDefinitions = inputs.map('metric-definitions');
  for (const [name, regex] of Object.entries(metricDefinitions)) {
    try {
      new RegExp(regex);
    } catch {
      fail(
        'metric-definitions',
        `Input "metric-definitions" has an invalid regular expression for ${name}: "${regex}".`
      );
    }
  }
  const tags = inputs.map('tags');
  if (Object.keys(tags).length > 50) fail('tags', 'Input "tags" has more than 50 tags, the SageMaker limit.');

  return {
    ...common,
    outputDir: mode === 'local' ? resolveInWorkspace(github.workspace, outputPath) : undefined,
    job: {
      jobName,
      image,
      roleArn: roleArn ?? '',
      instanceType: inputs.matching(
        'instance-type',
        /^(ml|local)\.[a-z0-9]+\.[a-z0-9]+$/,
        'a SageMaker instance type such as ml.m5.xlarge'
      )!,
      instanceCount: inputs.integer('instance-count', { min: 1, max: 100 })!,
      volumeSizeGb: inputs.integer('volume-size', { min: 1, max: 16384 })!,
      channels,
      outputPath,
      hyperparameters,
      environment: inputs.map('environment'),
      spot,
      maxRuntimeSeconds: Math.ceil(maxRuntime),
      maxWaitSeconds: maxWait !== undefined ? Math.ceil(maxWait) : undefined,
      checkpointS3Uri: checkpoint,
      metricDefinitions,
      tags
    }
  };
}
