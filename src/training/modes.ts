/**
 * The three ways to train, each ending in the same TrainReport: a SageMaker job, the training
 * container on the local Docker engine, or a command. A `failure` sentence means the action fails.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { DockerRunner } from '../docker/runner.js';
import type { Logger } from '../report.js';
import { runCommand, readMetricsFile } from './command.js';
import { packModel, runTrainingContainer } from './container.js';
import type { TrainOptions } from './options.js';
import { createTrainingJobRequest } from './request.js';
import { finalMetrics, followTrainingJob, jobFailure, startTrainingJob } from './sagemaker.js';
import { phasesOf, type TrainReport } from './summary.js';

export type Outcome = TrainReport & { failure?: string };

export interface ModeContext {
  log: Logger;
  signal?: AbortSignal;
  /** The max-runtime input as the user wrote it, for messages. */
  maxRuntimeText: string;
}

export async function trainOnSageMaker(
  options: TrainOptions,
  ctx: ModeContext & {
    sagemaker: SageMakerClient;
    logs?: CloudWatchLogsClient;
    scale: number;
    region: string;
  }
): Promise<Outcome> {
  const follow = {
    sagemaker: ctx.sagemaker,
    logs: ctx.logs,
    log: ctx.log,
    signal: ctx.signal,
    scale: ctx.scale
  };
  let job = (await startTrainingJob(createTrainingJobRequest(options.job!), follow)).job;
  if (options.wait) job = await followTrainingJob(options.jobName, follow);
  const finished = job.TrainingJobStatus !== 'InProgress';
  const end = (job.TrainingEndTime ?? new Date()).valueOf();
  const start = (job.TrainingStartTime ?? job.CreationTime ?? new Date()).valueOf();
  return {
    mode: 'sagemaker',
    jobName: options.jobName,
    status: job.TrainingJobStatus ?? 'Unknown',
    instance: `${job.ResourceConfig?.InstanceCount ?? 1} x ${job.ResourceConfig?.InstanceType}${job.EnableManagedSpotTraining ? ' (spot)' : ''}`,
    seconds: job.TrainingTimeInSeconds ?? Math.max(0, (end - start) / 1000),
    billableSeconds: job.BillableTimeInSeconds,
    spot: job.EnableManagedSpotTraining,
    modelData: job.ModelArtifacts?.S3ModelArtifacts,
    metrics: finalMetrics(job),
    phases: phasesOf(job),
    consoleUrl: `https://${ctx.region}.console.aws.amazon.com/sagemaker/home?region=${ctx.region}#/jobs/${options.jobName}`,
    failure: finished || options.wait ? jobFailure(job, ctx.maxRuntimeText) : undefined
  };
}

export async function trainLocally(
  options: TrainOptions,
  ctx: ModeContext & { tempDir?: string; docker?: DockerRunner }
): Promise<Outcome> {
  const job = options.job!;
  const workDir = fs.mkdtempSync(path.join(ctx.tempDir ?? os.tmpdir(), 'mlops-train-'));
  const phases = [{ name: 'Training', start: Date.now(), end: 0 }];
  try {
    ctx.log.info(`Running ${job.image} train on the local Docker engine (job ${job.jobName}).`);
    const result = await runTrainingContainer(
      { ...job, workDir, network: 'host' },
      {
        docker: ctx.docker,
        onLine: (l) => ctx.log.info(l),
        signal: ctx.signal,
        timeoutSeconds: job.maxRuntimeSeconds,
        stopGraceSeconds: 30
      }
    );
    phases[0].end = Date.now();
    let failure: string | undefined;
    let modelData: string | undefined;
    if (result.stopped) failure = 'The training container was stopped because the workflow was cancelled.';
    else if (result.timedOut)
      failure = `The training container was stopped because it ran longer than max-runtime (${ctx.maxRuntimeText}).`;
    else if (result.exitCode !== 0)
      failure = `Training failed (exit code ${result.exitCode})${result.failure ? `: ${result.failure}` : '.'}`;
    else {
      phases.push({ name: 'Uploading', start: Date.now(), end: 0 });
      modelData = path.join(options.outputDir!, 'model.tar.gz');
      await packModel(result.modelDir, modelData);
      phases[1].end = Date.now();
      ctx.log.info(`Packed the model into ${modelData}.`);
    }
    const status = !failure ? 'Completed' : result.stopped || result.timedOut ? 'Stopped' : 'Failed';
    return {
      mode: 'local',
      jobName: job.jobName,
      status,
      instance: 'local Docker engine',
      seconds: result.seconds,
      modelData,
      metrics: result.metrics,
      phases,
      failure
    };
  } finally {
    try {
      fs.rmSync(workDir, { recursive: true, force: true });
    } catch (e) {
      // A container running as root leaves root-owned files a non-root runner cannot delete: the
      // training's outcome stands, the leftover folder is said.
      ctx.log.warning(
        `Could not remove the temporary folder ${workDir} (${(e as NodeJS.ErrnoException).code ?? e}): the training container wrote files there as another user.`
      );
    }
  }
}

export async function trainWithCommand(options: TrainOptions, ctx: ModeContext): Promise<Outcome> {
  const started = Date.now();
  ctx.log.info(`Running: ${options.command}`);
  const result = await runCommand({
    command: options.command!,
    cwd: options.workingDirectory!,
    onLine: (l) => ctx.log.info(l),
    signal: ctx.signal
  });
  let failure: string | undefined;
  if (result.cancelled) failure = 'The training command was stopped because the workflow was cancelled.';
  else if (result.exitCode !== 0) failure = `The training command failed with exit code ${result.exitCode}.`;
  return {
    mode: 'command',
    jobName: options.jobName,
    status: !failure ? 'Completed' : result.cancelled ? 'Stopped' : 'Failed',
    seconds: result.seconds,
    metrics: !failure && options.metricsFile ? readMetricsFile(options.metricsFile) : {},
    phases: [{ name: 'Command', start: started, end: Date.now() }],
    failure
  };
}
