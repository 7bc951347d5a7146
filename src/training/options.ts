/** The train action's inputs, read and checked against SageMaker's limits before anything starts. */
import fs from 'node:fs';
import path from 'node:path';
import { DIGEST, REGISTRY, REPOSITORY, TAG } from '../docker/reference.js';
import { InputError } from '../errors.js';
import type { Inputs } from '../inputs.js';
import type { RunContext } from '../github/context.js';
import { checkMap, checkTags, HYPERPARAMETERS, singleLine, TRAINING_ENVIRONMENT } from '../limits.js';
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
/** Tags the toolkit adds to a training job itself: none, so all of SageMaker's 50 are the user's. */
const OWN_TAGS = 0;
/** SageMaker's limits on MetricDefinitions. */
const METRICS = { count: 40, name: 255, regex: 500 };

function fail(input: string, message: string): never {
  throw new InputError(input, message);
}

/** A value for a message: quoted, escaped (a line break shows as \n) and cut short. */
function shown(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}

/**
 * `registry/repository[:tag][@sha256:digest]` as Docker and SageMaker read it (the registry part,
 * a host with a dot, a colon or `localhost`, is optional), at most 255 characters, no spaces.
 */
export function isImageReference(ref: string): boolean {
  if (ref.length > 255) return false;
  const at = ref.indexOf('@');
  if (at >= 0 && !DIGEST.test(ref.slice(at + 1))) return false;
  const name = at >= 0 ? ref.slice(0, at) : ref;
  const colon = name.lastIndexOf(':');
  const tagged = colon > name.lastIndexOf('/');
  if (tagged && !TAG.test(name.slice(colon + 1))) return false;
  const path = tagged ? name.slice(0, colon) : name;
  const slash = path.indexOf('/');
  const head = slash >= 0 ? path.slice(0, slash) : '';
  const registry = /[.:]/.test(head) || head === 'localhost' ? head : undefined;
  const repository = registry !== undefined ? path.slice(slash + 1) : path;
  return (registry === undefined || REGISTRY.test(registry)) && REPOSITORY.test(repository);
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
    const workingDirectory = resolveInWorkspace(
      github.workspace,
      singleLine('working-directory', inputs.raw('working-directory') || '.')
    );
    if (!fs.existsSync(workingDirectory) || !fs.statSync(workingDirectory).isDirectory()) {
      fail(
        'working-directory',
        `Input "working-directory" must be an existing directory, but got ${shown(inputs.raw('working-directory'))}.`
      );
    }
    const metrics = inputs.string('metrics-file');
    if (metrics) singleLine('metrics-file', metrics);
    return {
      ...common,
      command,
      workingDirectory,
      metricsFile: metrics && path.resolve(workingDirectory, metrics)
    };
  }

  if (!image)
    fail('image', `Input "image" is required in ${mode} mode: give the training image, ideally by digest.`);
  if (!isImageReference(image))
    fail(
      'image',
      `Input "image" must be an image reference, registry/repository[:tag][@sha256:digest] without spaces such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/news-train@sha256:..., but got ${shown(image)}.`
    );
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
        `Input "channels" has the channel name ${shown(name)}: use letters, digits, ".", "-" and "_" (at most 64).`
      );
    if (mode === 'sagemaker' && !S3_URI.test(where)) {
      fail(
        'channels',
        `Input "channels" must map each channel to an S3 URI in sagemaker mode, but ${name} is ${shown(where)}.`
      );
    }
    if (mode === 'local') {
      const dir = resolveInWorkspace(github.workspace, singleLine('channels', where));
      if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
        fail(
          'channels',
          `Input "channels" must map each channel to an existing local directory in local mode, but ${name} is ${shown(where)}.`
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
      `Input "output-path" must be an S3 URI such as s3://bucket/models in sagemaker mode, but got ${shown(outputPath)}.`
    );
  }
  singleLine('output-path', outputPath);
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
  // Strings exactly as written (1.10 stays "1.10"); only a block-style list or map is JSON-encoded.
  const hyperparameters = checkMap(
    'hyperparameters',
    encodeHyperparameters(inputs.writtenMap('hyperparameters')),
    HYPERPARAMETERS
  );
  const environment = checkMap('environment', inputs.map('environment'), TRAINING_ENVIRONMENT);
  const metricDefinitions = inputs.map('metric-definitions');
  const metricNames = Object.keys(metricDefinitions);
  if (metricNames.length > METRICS.count)
    fail(
      'metric-definitions',
      `Input "metric-definitions" has ${metricNames.length} metrics, but SageMaker takes at most ${METRICS.count}.`
    );
  for (const [name, regex] of Object.entries(metricDefinitions)) {
    singleLine('metric-definitions', name);
    if (!name.length || name.length > METRICS.name || !regex.length || regex.length > METRICS.regex)
      fail(
        'metric-definitions',
        `Input "metric-definitions" has ${shown(name)} outside SageMaker's limits: names of 1 to ${METRICS.name} and regular expressions of 1 to ${METRICS.regex} characters.`
      );
    try {
      new RegExp(regex);
    } catch {
      fail(
        'metric-definitions',
        `Input "metric-definitions" has an invalid regular expression for ${name}: ${shown(regex)}.`
      );
    }
  }
  const tags = checkTags('tags', inputs.map('tags'), 50 - OWN_TAGS);

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
      environment,
      spot,
      maxRuntimeSeconds: Math.ceil(maxRuntime),
      maxWaitSeconds: maxWait !== undefined ? Math.ceil(maxWait) : undefined,
      checkpointS3Uri: checkpoint,
      metricDefinitions,
      tags
    }
  };
}
