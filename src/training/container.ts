/**
 * SageMaker's training container contract, run on a local Docker engine: the /opt/ml tree, the
 * `train` command, the model directory packed as model.tar.gz and /opt/ml/output/failure as the error.
 * Used by the train action's `local` mode and by the emulator's training jobs, so both behave alike.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { dockerCli, type DockerRunner } from '../docker/runner.js';
import { scanMetrics } from './metrics.js';

export interface ContainerJob {
  jobName: string;
  image: string;
  /** channel name -> a local directory (mounted read-only at /opt/ml/input/data/<channel>) */
  channels: Record<string, string>;
  hyperparameters: Record<string, string>;
  environment: Record<string, string>;
  instanceType: string;
  metricDefinitions: Record<string, string>;
  /** A fresh directory that becomes /opt/ml (config, model, output). */
  workDir: string;
  /** Docker network: `host` (SageMaker jobs have a network) or `none`. */
  network: 'host' | 'none';
  jobArn?: string;
}

export interface ContainerResult {
  exitCode: number;
  /** The first 1024 bytes of /opt/ml/output/failure, if the container wrote it. */
  failure?: string;
  metrics: Record<string, number>;
  modelDir: string;
  timedOut: boolean;
  stopped: boolean;
  seconds: number;
}

export interface ContainerRunOptions {
  /** The Docker CLI (default: `docker` on PATH). */
  docker?: DockerRunner;
  onLine?: (line: string) => void;
  /** Aborting stops the container (SIGTERM, then SIGKILL after `stopGraceSeconds`). */
  signal?: AbortSignal;
  timeoutSeconds?: number;
  stopGraceSeconds?: number;
  now?: () => number;
}

/** Writes /opt/ml/input/config/*.json and creates the model and output directories. */
export function prepareTrainingDir(job: ContainerJob): void {
  const config = path.join(job.workDir, 'input', 'config');
  for (const dir of [config, path.join(job.workDir, 'model'), path.join(job.workDir, 'output', 'data')]) {
    fs.mkdirSync(dir, { recursive: true });
  }
  const write = (name: string, value: unknown) =>
    fs.writeFileSync(path.join(config, name), JSON.stringify(value));
  write('hyperparameters.json', job.hyperparameters);
  write(
    'inputdataconfig.json',
    Object.fromEntries(
      Object.keys(job.channels).map((c) => [
        c,
        { TrainingInputMode: 'File', S3DistributionType: 'FullyReplicated', RecordWrapperType: 'None' }
      ])
    )
  );
  write('resourceconfig.json', {
    current_host: 'algo-1',
    current_instance_type: job.instanceType,
    current_group_name: 'homogeneousCluster',
    hosts: ['algo-1'],
    network_interface_name: 'eth0'
  });
}

export function dockerRunArgs(job: ContainerJob, containerName: string): string[] {
  const args = ['run', '--rm', '--name', containerName, '--network', job.network];
  args.push('-v', `${path.join(job.workDir, 'input', 'config')}:/opt/ml/input/config:ro`);
  for (const [channel, dir] of Object.entries(job.channels)) {
    args.push('-v', `${path.resolve(dir)}:/opt/ml/input/data/${channel}:ro`);
  }
  args.push('-v', `${path.join(job.workDir, 'model')}:/opt/ml/model`);
  args.push('-v', `${path.join(job.workDir, 'output')}:/opt/ml/output`);
  const env = {
    ...job.environment,
    TRAINING_JOB_NAME: job.jobName,
    ...(job.jobArn ? { TRAINING_JOB_ARN: job.jobArn } : {})
  };
  for (const [k, v] of Object.entries(env)) args.push('-e', `${k}=${v}`);
  args.push(job.image, 'train');
  return args;
}

/** Runs the job's container to the end, streaming its output lines; never leaves the container behind. */
export async function runTrainingContainer(
  job: ContainerJob,
  options: ContainerRunOptions = {}
): Promise<ContainerResult> {
  const docker = options.docker ?? dockerCli();
  const now = options.now ?? Date.now;
  const name = `mlops-train-${job.jobName}-${process.pid}-${now().toString(36)}`.slice(0, 120);
  prepareTrainingDir(job);
  const started = now();
  const lines: string[] = [];
  let timedOut = false;
  let stopped = false;
  let finished = false;

  // SIGTERM, then SIGKILL after the grace period, as SageMaker stops a job. Until the container
  // exists `docker stop` fails: try again until it works or the run is over.
  const stop = async () => {
    const grace = String(Math.ceil(options.stopGraceSeconds ?? 120));
    while (!finished) {
      if ((await docker.run({ args: ['stop', '-t', grace, name] })).code === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  const onAbort = () => {
    stopped = true;
    void stop();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  const timer =
    options.timeoutSeconds !== undefined
      ? setTimeout(() => {
          timedOut = true;
          void stop();
        }, options.timeoutSeconds * 1000)
      : undefined;

  let exitCode: number;
  try {
    const result = await docker.run({
      args: dockerRunArgs(job, name),
      onLine: (line) => {
        lines.push(line);
        options.onLine?.(line);
      }
    });
    if (result.code === -1) throw new Error(`Could not run ${docker.binary}: ${result.stderr}`);
    exitCode = result.code;
  } finally {
    finished = true;
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    // `--rm` removes it; a container that outlived its client is removed here.
    await docker.run({ args: ['rm', '--force', name] });
  }

  const failureFile = path.join(job.workDir, 'output', 'failure');
  const failure = fs.existsSync(failureFile)
    ? fs.readFileSync(failureFile).subarray(0, 1024).toString('utf8').trim() || undefined
    : undefined;
  return {
    exitCode,
    failure,
    metrics: scanMetrics(lines, job.metricDefinitions),
    modelDir: path.join(job.workDir, 'model'),
    timedOut,
    stopped,
    seconds: (now() - started) / 1000
  };
}

/** Packs a model directory as model.tar.gz (entries at the root, as SageMaker does) with the tar command. */
export async function packModel(modelDir: string, target: string): Promise<number> {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const entries = fs.readdirSync(modelDir).sort();
  const temp = `${target}.${process.pid}.tmp`;
  const code = await new Promise<number>((resolve) => {
    const child = spawn('tar', ['-czf', temp, '-C', modelDir, '--', ...(entries.length ? entries : ['.'])], {
      stdio: 'ignore'
    });
    child.on('error', () => resolve(-1));
    child.on('close', (c) => resolve(c ?? -1));
  });
  if (code !== 0) {
    fs.rmSync(temp, { force: true });
    throw new Error(`tar could not pack ${modelDir} (exit code ${code}).`);
  }
  fs.renameSync(temp, target);
  return fs.statSync(target).size;
}
