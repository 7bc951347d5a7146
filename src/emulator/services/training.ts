/**
 * SageMaker training jobs in the emulator, with real execution: the training image runs on the local
 * Docker engine under the same container contract as the train action's local mode (channels copied
 * from the emulator's S3, model.tar.gz written back to <output>/<job>/output/model.tar.gz, output
 * captured as CloudWatch Logs and scanned with MetricDefinitions). `training: 'simulated'` runs the
 * same timeline without containers, for fast tests. Service-side waits follow the time scale.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Emulator, ServiceDefinition } from '../server.js';
import { AwsError, validation } from '../protocol.js';
import { ACCOUNT_ID } from './sts.js';
import { checkTrainingInstanceType } from './sagemaker/validate.js';
import { S3Store } from './s3/index.js';
import { LogStore } from './logs.js';
import { packModel, runTrainingContainer } from '../../training/container.js';
import { scanMetrics } from '../../training/metrics.js';
import { JOB_NAME } from '../../training/request.js';

const LOG_GROUP = '/aws/sagemaker/TrainingJobs';
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const S3_URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/;

interface Transition {
  Status: string;
  StartTime: number;
  EndTime?: number;
  StatusMessage: string;
}

interface Job {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  request: any;
  arn: string;
  status: string;
  secondary: string;
  transitions: Transition[];
  created: number;
  modified: number;
  trainingStart?: number;
  trainingEnd?: number;
  failureReason?: string;
  metrics: Array<{ MetricName: string; Value: number; Timestamp: number }>;
  modelArtifacts?: string;
  trainingSeconds?: number;
  billableSeconds?: number;
  logStream: string;
}

interface TrainingState {
  jobs: Record<string, Job>;
}

export function training(emulator: Emulator): ServiceDefinition {
  const state = () => emulator.stateOf<TrainingState>('training', () => ({ jobs: {} }));
  const s3 = new S3Store(path.join(emulator.dataDir, 's3'));
  const logs = new LogStore(emulator);
  const running = new Map<string, AbortController>();
  const mode = emulator.options.training ?? 'docker';

  // Jobs that were running when the emulator stopped cannot be resumed.
  for (const job of Object.values(state().jobs)) {
    if (job.status === 'InProgress' || job.status === 'Stopping') {
      finish(job, 'Failed', 'Failed', 'The emulator restarted while the job ran.');
    }
  }

  function transition(job: Job, status: string, message: string): void {
    const now = emulator.now();
    const last = job.transitions.at(-1);
    if (last && !last.EndTime) last.EndTime = now;
    job.transitions.push({ Status: status, StartTime: now, StatusMessage: message });
    job.secondary = status;
    job.modified = now;
    emulator.save();
  }

  function finish(job: Job, status: string, secondary: string, reason?: string): void {
    const now = emulator.now();
    job.status = status;
    if (reason) job.failureReason = reason.slice(0, 1024);
    transition(
      job,
      secondary,
      reason ?? (status === 'Completed' ? 'Training job completed' : `Training job ${status.toLowerCase()}`)
    );
    job.transitions.at(-1)!.EndTime = now;
    job.trainingEnd = now;
    if (job.trainingStart !== undefined) {
      job.trainingSeconds = Math.max(1, Math.round((now - job.trainingStart) / 1000 / emulator.timeScale));
      job.billableSeconds = job.request.EnableManagedSpotTraining
        ? Math.max(1, Math.ceil(job.trainingSeconds * 0.3))
        : job.trainingSeconds;
    }
    emulator.save();
  }

  const wait = (seconds: number, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, emulator.scaled(seconds));
      signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });

  function log(job: Job, lines: string[]): void {
    logs.append(LOG_GROUP, job.logStream, lines);
  }

  async function download(job: Job, dir: string): Promise<Record<string, string>> {
    const channels: Record<string, string> = {};
    for (const channel of job.request.InputDataConfig ?? []) {
      const uri = channel.DataSource?.S3DataSource?.S3Uri ?? '';
      const [, bucket, prefix = ''] = S3_URI.exec(uri) ?? [];
      if (!bucket || !s3.bucketExists(bucket))
        throw new Error(`ClientError: Data download failed: the bucket of ${uri} does not exist.`);
      const target = path.join(dir, channel.ChannelName);
      fs.mkdirSync(target, { recursive: true });
      const objects = s3.list(bucket).filter((o) => o.key.startsWith(prefix) && !o.key.endsWith('/'));
      if (!objects.length) throw new Error(`ClientError: Data download failed: no objects under ${uri}.`);
      for (const o of objects) {
        const rel = o.key.slice(prefix.length).replace(/^\/+/, '') || path.posix.basename(o.key);
        const file = path.resolve(target, rel);
        if (!file.startsWith(target + path.sep)) continue;
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, s3.read(bucket, o.key));
      }
      channels[channel.ChannelName] = target;
    }
    return channels;
  }

  async function execute(name: string, controller: AbortController): Promise<void> {
    const job = state().jobs[name];
    const { signal } = controller;
    const workDir = path.join(emulator.dataDir, 'training', name);
    const deadline =
      emulator.now() + emulator.scaled(job.request.StoppingCondition?.MaxRuntimeInSeconds ?? 86400);
    // A StopTrainingJob, or the emulator shutting down (its jobs end with it, never as Completed).
    const stopped = () => signal.aborted;
    try {
      fs.rmSync(workDir, { recursive: true, force: true });
      await wait(30, signal);
      if (stopped()) return finish(job, 'Stopped', 'Stopped');
      transition(job, 'Downloading', 'Downloading input data');
      job.trainingStart = emulator.now();
      const channels = await download(job, path.join(workDir, 'data'));
      await wait(10, signal);
      if (stopped()) return finish(job, 'Stopped', 'Stopped');
      transition(job, 'Training', 'Training image download completed. Training in progress.');

      const fault = emulator.faults['training.nextJob'];
      if (fault) delete emulator.faults['training.nextJob'];
      if (fault === 'SpotInterruption' && job.request.EnableManagedSpotTraining) {
        await wait(20, signal);
        transition(job, 'Interrupted', 'The job was interrupted because spot capacity was reclaimed.');
        log(job, ['Spot instance interrupted.']);
        return finish(
          job,
          'Stopped',
          'MaxWaitTimeExceeded',
          'Training job reached the maximum wait time: spot capacity was interrupted and did not return in time.'
        );
      }

      const lines: string[] = [];
      let exitCode = 0;
      let failure: string | undefined;
      let timedOut = false;
      let modelDir = path.join(workDir, 'ml', 'model');
      if (mode === 'docker') {
        const result = await runTrainingContainer(
          {
            jobName: name,
            jobArn: job.arn,
            image: job.request.AlgorithmSpecification.TrainingImage,
            channels,
            hyperparameters: job.request.HyperParameters ?? {},
            environment: job.request.Environment ?? {},
            instanceType: job.request.ResourceConfig.InstanceType,
            metricDefinitions: {},
            workDir: path.join(workDir, 'ml'),
            network: 'host'
          },
          {
            onLine: (line) => {
              lines.push(line);
              log(job, [line]);
            },
            signal,
            timeoutSeconds: Math.max(0, (deadline - emulator.now()) / 1000),
            stopGraceSeconds: Math.max(1, emulator.scaled(120) / 1000)
          }
        );
        exitCode = result.exitCode;
        failure = result.failure;
        timedOut = result.timedOut;
        modelDir = result.modelDir;
      } else {
        fs.mkdirSync(modelDir, { recursive: true });
        const epochs = 3;
        for (let epoch = 1; epoch <= epochs && !signal.aborted; epoch++) {
          await wait(20, signal);
          const line = `epoch ${epoch}/${epochs} loss=${(1 / (epoch + 1)).toFixed(4)} accuracy=${(0.7 + epoch * 0.08).toFixed(4)}`;
          lines.push(line);
          log(job, [line]);
          if (emulator.now() > deadline) timedOut = true;
          if (timedOut) break;
        }
        if (emulator.faults['training.fail']) {
          failure = String(emulator.faults['training.fail']);
          delete emulator.faults['training.fail'];
          exitCode = 1;
        }
        fs.writeFileSync(
          path.join(modelDir, 'model.json'),
          JSON.stringify({ simulated: true, hyperparameters: job.request.HyperParameters ?? {} })
        );
      }
      const definitions = Object.fromEntries(
        (job.request.AlgorithmSpecification.MetricDefinitions ?? []).map(
          (d: { Name: string; Regex: string }) => [d.Name, d.Regex]
        )
      );
      job.metrics = Object.entries(scanMetrics(lines, definitions)).map(([MetricName, Value]) => ({
        MetricName,
        Value,
        Timestamp: emulator.now()
      }));

      if (timedOut) return finish(job, 'Stopped', 'MaxRuntimeExceeded');
      if (stopped()) return finish(job, 'Stopped', 'Stopped');
      if (exitCode !== 0) {
        return finish(
          job,
          'Failed',
          'Failed',
          failure
            ? `AlgorithmError: ${failure}`
            : `AlgorithmError: the training container exited with code ${exitCode}.`
        );
      }
      transition(job, 'Uploading', 'Uploading generated training model');
      const [, bucket, key] = /^s3:\/\/([^/]+)\/(.*)$/.exec(artifactsOf(job.request))!;
      const archive = path.join(workDir, 'model.tar.gz');
      await packModel(modelDir, archive);
      if (!s3.bucketExists(bucket))
        throw new Error(`ClientError: the output bucket ${bucket} does not exist.`);
      s3.put(bucket, key, fs.readFileSync(archive), 'application/x-tar');
      job.modelArtifacts = `s3://${bucket}/${key}`;
      await wait(5, signal);
      finish(job, 'Completed', 'Completed');
    } catch (e) {
      if (job.status === 'InProgress' || job.status === 'Stopping')
        finish(job, 'Failed', 'Failed', (e as Error).message);
    } finally {
      running.delete(name);
      // Files a root container wrote may not be removable by a non-root emulator: they stay.
      fs.rm(workDir, { recursive: true, force: true }, () => undefined);
    }
  }

  /** `<S3OutputPath>/<job>/output/model.tar.gz`, where SageMaker writes a job's model. */
  function artifactsOf(r: Job['request']): string {
    const [, bucket, prefix = ''] = S3_URI.exec(r.OutputDataConfig.S3OutputPath)!;
    const key = [prefix.replace(/\/+$/, ''), r.TrainingJobName, 'output', 'model.tar.gz']
      .filter(Boolean)
      .join('/');
    return `s3://${bucket}/${key}`;
  }

  function describe(job: Job) {
    const r = job.request;
    const date = (ms?: number) => (ms === undefined ? undefined : new Date(ms));
    return {
      TrainingJobName: r.TrainingJobName,
      TrainingJobArn: job.arn,
      TrainingJobStatus: job.status,
      SecondaryStatus: job.secondary,
      FailureReason: job.failureReason,
      AlgorithmSpecification: r.AlgorithmSpecification,
      RoleArn: r.RoleArn,
      InputDataConfig: r.InputDataConfig,
      OutputDataConfig: r.OutputDataConfig,
      ResourceConfig: r.ResourceConfig,
      StoppingCondition: r.StoppingCondition,
      HyperParameters: r.HyperParameters,
      Environment: r.Environment,
      VpcConfig: r.VpcConfig,
      EnableNetworkIsolation: r.EnableNetworkIsolation ?? false,
      EnableInterContainerTrafficEncryption: r.EnableInterContainerTrafficEncryption ?? false,
      EnableManagedSpotTraining: r.EnableManagedSpotTraining ?? false,
      RetryStrategy: r.RetryStrategy,
      CheckpointConfig: r.CheckpointConfig,
      // Required in the API's output shape, so answered in every state: where the model is (or
      // will be) written; the object exists once the job is Completed.
      // Only once the model exists: the SDK models it as required, but a job without a model has none,
      // and callers (the train action) read its presence as "there is a model here".
      ModelArtifacts: job.modelArtifacts ? { S3ModelArtifacts: job.modelArtifacts } : undefined,
      CreationTime: date(job.created),
      TrainingStartTime: date(job.trainingStart),
      TrainingEndTime: date(job.trainingEnd),
      LastModifiedTime: date(job.modified),
      SecondaryStatusTransitions: job.transitions.map((t) => ({
        ...t,
        StartTime: date(t.StartTime),
        EndTime: date(t.EndTime)
      })),
      FinalMetricDataList: job.metrics.map((m) => ({ ...m, Timestamp: date(m.Timestamp) })),
      TrainingTimeInSeconds: job.trainingSeconds,
      BillableTimeInSeconds: job.billableSeconds
    };
  }

  function find(name: string): Job {
    const job = state().jobs[name];
    if (!job) throw validation('Requested resource not found.');
    return job;
  }

  return {
    name: 'sagemaker-training',
    signingName: 'sagemaker',
    protocol: 'json1.1',
    targetPrefix: 'SageMaker',
    close: () => running.forEach((controller) => controller.abort()),
    operations: {
      CreateTrainingJob: (r, request) => {
        const name = r.TrainingJobName ?? '';
        if (!JOB_NAME.test(name))
          throw validation(
            `Value '${name}' at 'trainingJobName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`
          );
        if (state().jobs[name]) {
          throw new AwsError(
            'ResourceInUse',
            `Training job names must be unique within an AWS account and region, and a training job with this name already exists (${state().jobs[name].arn})`
          );
        }
        if (!ROLE_ARN.test(r.RoleArn ?? ''))
          throw validation(
            `Value '${r.RoleArn}' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ^arn:aws[a-z\\-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+$`
          );
        if (!r.AlgorithmSpecification?.TrainingImage)
          throw validation('AlgorithmSpecification.TrainingImage is required.');
        checkTrainingInstanceType(r.ResourceConfig?.InstanceType);
        if (!(r.ResourceConfig?.InstanceCount >= 1))
          throw validation(
            "Value at 'resourceConfig.instanceCount' failed to satisfy constraint: Member must have value greater than or equal to 1"
          );
        if (!(r.ResourceConfig?.VolumeSizeInGB >= 1))
          throw validation(
            "Value at 'resourceConfig.volumeSizeInGB' failed to satisfy constraint: Member must have value greater than or equal to 1"
          );
        const runtime = r.StoppingCondition?.MaxRuntimeInSeconds;
        if (!(runtime >= 1 && runtime <= 2419200))
          throw validation(
            "Value at 'stoppingCondition.maxRuntimeInSeconds' failed to satisfy constraint: Member must have value between 1 and 2419200"
          );
        const maxWait = r.StoppingCondition?.MaxWaitTimeInSeconds;
        if (r.EnableManagedSpotTraining && !(maxWait >= runtime))
          throw validation(
            'MaxWaitTimeInSeconds must be set and be greater than or equal to MaxRuntimeInSeconds for managed spot training.'
          );
        if (!r.EnableManagedSpotTraining && maxWait !== undefined)
          throw validation('MaxWaitTimeInSeconds can only be set for managed spot training.');
        if (!S3_URI.test(r.OutputDataConfig?.S3OutputPath ?? ''))
          throw validation(
            `Value '${r.OutputDataConfig?.S3OutputPath}' at 'outputDataConfig.s3OutputPath' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(https|s3)://([^/]+)/?(.*)$`
          );
        const channelNames = (r.InputDataConfig ?? []).map((c: { ChannelName: string }) => c.ChannelName);
        if (new Set(channelNames).size !== channelNames.length)
          throw validation('Channel names must be unique.');
        for (const c of r.InputDataConfig ?? []) {
          if (!S3_URI.test(c.DataSource?.S3DataSource?.S3Uri ?? ''))
            throw validation(`Channel ${c.ChannelName} needs an S3 URI.`);
        }
        if (Object.keys(r.HyperParameters ?? {}).length > 100)
          throw validation('HyperParameters can have at most 100 entries.');
        const now = emulator.now();
        const job: Job = {
          request: r,
          arn: `arn:aws:sagemaker:${request.region ?? 'us-east-1'}:${ACCOUNT_ID}:training-job/${name.toLowerCase()}`,
          status: 'InProgress',
          secondary: 'Starting',
          transitions: [
            { Status: 'Starting', StartTime: now, StatusMessage: 'Launching requested ML instances' }
          ],
          created: now,
          modified: now,
          metrics: [],
          logStream: `${name}/algo-1-${Math.floor(now / 1000)}`
        };
        state().jobs[name] = job;
        const controller = new AbortController();
        running.set(name, controller);
        void execute(name, controller);
        return { TrainingJobArn: job.arn };
      },
      DescribeTrainingJob: ({ TrainingJobName }) => describe(find(TrainingJobName)),
      StopTrainingJob: ({ TrainingJobName }) => {
        const job = find(TrainingJobName);
        if (job.status !== 'InProgress')
          throw validation(`The job status is ${job.status}: only InProgress jobs can be stopped.`);
        job.status = 'Stopping';
        transition(job, 'Stopping', 'Stopping the training job');
        const controller = running.get(TrainingJobName);
        if (controller) controller.abort();
        else finish(job, 'Stopped', 'Stopped');
        return {};
      },
      ListTrainingJobs: ({ NameContains, StatusEquals, SortBy, SortOrder, MaxResults, NextToken }) => {
        let jobs = Object.values(state().jobs)
          .filter((j) => !NameContains || j.request.TrainingJobName.includes(NameContains))
          .filter((j) => !StatusEquals || j.status === StatusEquals);
        const key = (j: Job) =>
          SortBy === 'Name'
            ? j.request.TrainingJobName
            : SortBy === 'Status'
              ? j.status
              : String(j.created).padStart(16, '0');
        jobs.sort((a, b) => key(a).localeCompare(key(b)));
        if ((SortOrder ?? 'Ascending') === 'Descending') jobs = jobs.reverse();
        const from = NextToken ? Number(NextToken) : 0;
        const max = Math.min(MaxResults ?? 10, 100);
        const page = jobs.slice(from, from + max);
        return {
          TrainingJobSummaries: page.map((j) => ({
            TrainingJobName: j.request.TrainingJobName,
            TrainingJobArn: j.arn,
            TrainingJobStatus: j.status,
            SecondaryStatus: j.secondary,
            CreationTime: new Date(j.created),
            TrainingEndTime: j.trainingEnd ? new Date(j.trainingEnd) : undefined,
            LastModifiedTime: new Date(j.modified)
          })),
          ...(from + max < jobs.length ? { NextToken: String(from + max) } : {})
        };
      }
    }
  };
}
