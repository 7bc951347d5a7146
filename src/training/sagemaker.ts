/**
 * A SageMaker training job: create it (or attach to one of the same name), then follow it to the end:
 * each secondary status once, the CloudWatch logs streamed live, the final metrics. A cancelled
 * workflow stops the job before the action exits.
 */
import {
  CreateTrainingJobCommand,
  DescribeTrainingJobCommand,
  StopTrainingJobCommand,
  type CreateTrainingJobRequest,
  type DescribeTrainingJobResponse,
  type SageMakerClient
} from '@aws-sdk/client-sagemaker';
import {
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
  type CloudWatchLogsClient
} from '@aws-sdk/client-cloudwatch-logs';
import { orUndefined } from '../aws.js';
import { InputError, UserError } from '../errors.js';
import type { Logger } from '../report.js';
import { sleep } from '../wait.js';

export const LOG_GROUP = '/aws/sagemaker/TrainingJobs';
const FINAL = new Set(['Completed', 'Failed', 'Stopped']);

export interface FollowOptions {
  sagemaker: SageMakerClient;
  logs?: CloudWatchLogsClient;
  log: Logger;
  signal?: AbortSignal;
  /** Multiplies poll delays (small against a time-scaled emulator). */
  scale?: number;
  now?: () => number;
}

export interface StartResult {
  job: DescribeTrainingJobResponse;
  attached: boolean;
}

export async function describeJob(
  sagemaker: SageMakerClient,
  name: string
): Promise<DescribeTrainingJobResponse | undefined> {
  return orUndefined(sagemaker.send(new DescribeTrainingJobCommand({ TrainingJobName: name })));
}

const quoted = (v: string | undefined) => (v === undefined ? 'none' : JSON.stringify(v));

/** What differs between two string maps, as `key "theirs", not "ours"` for the first key that does. */
function mapDifference(
  existing: Record<string, string>,
  requested: Record<string, string>
): string | undefined {
  const keys = [...new Set([...Object.keys(requested), ...Object.keys(existing)])];
  const key = keys.find((k) => existing[k] !== requested[k]);
  return key === undefined ? undefined : `${key} ${quoted(existing[key])}, not ${quoted(requested[key])}`;
}

function channelsOf(config: CreateTrainingJobRequest['InputDataConfig']): Record<string, string> {
  return Object.fromEntries(
    (config ?? []).map((c) => [c.ChannelName ?? '', c.DataSource?.S3DataSource?.S3Uri ?? ''])
  );
}

/**
 * How an existing job differs from the one requested, in the settings that make it the same
 * training: image, hyperparameters, input channels, output path and instances (type, count, volume,
 * spot). Each reads `a different image (what the job has, not what was asked)`; none means the same.
 */
export function jobDifferences(
  request: CreateTrainingJobRequest,
  existing: DescribeTrainingJobResponse
): string[] {
  const differences: string[] = [];
  const compare = (what: string, theirs: unknown, ours: unknown, unit = '') => {
    if (theirs !== ours)
      differences.push(`a different ${what} (${String(theirs)}${unit}, not ${String(ours)}${unit})`);
  };
  compare(
    'image',
    existing.AlgorithmSpecification?.TrainingImage,
    request.AlgorithmSpecification?.TrainingImage
  );
  const hyperparameters = mapDifference(existing.HyperParameters ?? {}, request.HyperParameters ?? {});
  if (hyperparameters) differences.push(`different hyperparameters (${hyperparameters})`);
  const channels = mapDifference(channelsOf(existing.InputDataConfig), channelsOf(request.InputDataConfig));
  if (channels) differences.push(`different input channels (${channels})`);
  compare('output path', existing.OutputDataConfig?.S3OutputPath, request.OutputDataConfig?.S3OutputPath);
  compare('instance type', existing.ResourceConfig?.InstanceType, request.ResourceConfig?.InstanceType);
  compare('instance count', existing.ResourceConfig?.InstanceCount, request.ResourceConfig?.InstanceCount);
  compare(
    'volume size',
    existing.ResourceConfig?.VolumeSizeInGB,
    request.ResourceConfig?.VolumeSizeInGB,
    ' GB'
  );
  compare(
    'spot setting',
    existing.EnableManagedSpotTraining === true,
    request.EnableManagedSpotTraining === true
  );
  return differences;
}

/** The job of that name, when it is the training requested; otherwise the refusal, naming job-name. */
function attachable(
  request: CreateTrainingJobRequest,
  existing: DescribeTrainingJobResponse
): DescribeTrainingJobResponse {
  const differences = jobDifferences(request, existing);
  if (!differences.length) return existing;
  const listed =
    differences.length > 1
      ? `${differences.slice(0, -1).join(', ')} and ${differences.at(-1)}`
      : differences[0];
  throw new InputError(
    'job-name',
    `Input "job-name" names training job ${request.TrainingJobName}, which already exists with ${listed}: give a new job-name or leave it empty to name the job after the run.`
  );
}

/**
 * Creates the job, or attaches to the job of that name when it already exists (a re-run) and is the
 * same training; a job of that name that differs is refused, naming job-name, before any change.
 */
export async function startTrainingJob(
  request: CreateTrainingJobRequest,
  options: FollowOptions
): Promise<StartResult> {
  const name = request.TrainingJobName!;
  const existing = await describeJob(options.sagemaker, name);
  if (existing) {
    attachable(request, existing);
    options.log.info(
      `Training job ${name} already exists (${existing.TrainingJobStatus}): attaching to it instead of starting another.`
    );
    return { job: existing, attached: true };
  }
  try {
    await options.sagemaker.send(new CreateTrainingJobCommand(request));
  } catch (e) {
    if ((e as { name?: string }).name !== 'ResourceInUse') throw e;
    const created = (await describeJob(options.sagemaker, name))!;
    attachable(request, created);
    options.log.info(`Training job ${name} was created meanwhile: attaching to it.`);
    return { job: created, attached: true };
  }
  options.log.info(`Created training job ${name}.`);
  return { job: (await describeJob(options.sagemaker, name))!, attached: false };
}

/** Streams new events of every log stream of a job, remembering where each stream was read to. */
export class TrainingLogs {
  private readonly tokens = new Map<string, string | undefined>();
  constructor(
    private readonly logs: CloudWatchLogsClient,
    private readonly jobName: string,
    private readonly write: (line: string) => void
  ) {}

  async poll(): Promise<number> {
    let streams;
    try {
      streams = await this.logs.send(
        new DescribeLogStreamsCommand({ logGroupName: LOG_GROUP, logStreamNamePrefix: `${this.jobName}/` })
      );
    } catch (e) {
      if ((e as { name?: string }).name === 'ResourceNotFoundException') return 0;
      throw e;
    }
    const names = (streams.logStreams ?? []).map((s) => s.logStreamName!).sort();
    let count = 0;
    for (const stream of names) {
      for (;;) {
        const token = this.tokens.get(stream);
        const page = await this.logs.send(
          new GetLogEventsCommand({
            logGroupName: LOG_GROUP,
            logStreamName: stream,
            startFromHead: true,
            nextToken: token
          })
        );
        const host =
          names.length > 1
            ? `[${stream
                .slice(this.jobName.length + 1)
                .split('-')
                .slice(0, 2)
                .join('-')}] `
            : '';
        for (const event of page.events ?? []) this.write(`${host}${event.message ?? ''}`);
        count += page.events?.length ?? 0;
        this.tokens.set(stream, page.nextForwardToken);
        if (!page.events?.length || page.nextForwardToken === token) break;
      }
    }
    return count;
  }
}

/**
 * Follows a job until it is Completed, Failed or Stopped. Each secondary status is logged once; logs
 * are streamed when a logs client is given. Aborting the signal stops the job and waits until it says
 * Stopping or Stopped.
 */
export async function followTrainingJob(
  name: string,
  options: FollowOptions
): Promise<DescribeTrainingJobResponse> {
  const { sagemaker, log, signal } = options;
  const scale = options.scale ?? 1;
  const seen = new Set<string>();
  const streamer = options.logs ? new TrainingLogs(options.logs, name, (line) => log.info(line)) : undefined;
  let delay = 5000;
  let stopSent = false;
  for (;;) {
    const job =
      (await describeJob(sagemaker, name)) ?? fail(`Training job ${name} disappeared while it was followed.`);
    for (const t of job.SecondaryStatusTransitions ?? []) {
      const key = `${t.Status}@${t.StartTime?.valueOf()}`;
      if (seen.has(key)) continue;
      seen.add(key);
      log.info(`${name}: ${t.Status}${t.StatusMessage ? ` - ${t.StatusMessage}` : ''}`);
    }
    if (streamer) await streamer.poll();
    if (FINAL.has(job.TrainingJobStatus ?? '')) return job;
    if (signal?.aborted && !stopSent) {
      log.warning(`Stopping training job ${name} because the workflow was cancelled.`);
      await sagemaker.send(new StopTrainingJobCommand({ TrainingJobName: name }));
      stopSent = true;
      delay = 1000;
      continue;
    }
    if (stopSent && job.TrainingJobStatus === 'Stopping') return job;
    await sleep(delay * scale * (0.8 + 0.4 * Math.random()), stopSent ? undefined : signal);
    delay = Math.min(delay * 1.5, 30000);
  }
}

function fail(message: string): never {
  throw new UserError(message);
}

/** Why a finished job is not a success, in one sentence; undefined when it completed. */
export function jobFailure(job: DescribeTrainingJobResponse, maxRuntime?: string): string | undefined {
  const name = job.TrainingJobName;
  const secondary = job.SecondaryStatus;
  const reason = job.FailureReason ? `: ${job.FailureReason}` : '';
  // SageMaker ends a spot job that ran out of max-wait as Stopped with MaxWaitTimeExceeded (and after
  // an interruption, Interrupted); the same under Failed is read the same way.
  const finished = job.TrainingJobStatus === 'Failed' || job.TrainingJobStatus === 'Stopped';
  if (finished && secondary === 'MaxWaitTimeExceeded') {
    return `Training job ${name} ended by spot: it did not finish within max-wait (waiting for spot capacity counts), so raise max-wait or save checkpoints to resume${reason}.`;
  }
  if (finished && secondary === 'Interrupted') {
    return `Training job ${name} ended by a spot interruption: the spot capacity was reclaimed and did not come back in time${reason}.`;
  }
  switch (job.TrainingJobStatus) {
    case 'Completed':
      return undefined;
    case 'Failed':
      return `Training job ${name} failed${reason || ' without a FailureReason'}.`;
    case 'Stopped':
      if (secondary === 'MaxRuntimeExceeded') {
        return `Training job ${name} was stopped because it ran longer than max-runtime${maxRuntime ? ` (${maxRuntime})` : ''}; raise max-runtime or save checkpoints${reason}.`;
      }
      return `Training job ${name} was stopped before it completed${reason}.`;
    case 'Stopping':
      return `Training job ${name} is stopping because the workflow was cancelled.`;
    default:
      return `Training job ${name} is still ${job.TrainingJobStatus} (${secondary}).`;
  }
}

/** FinalMetricDataList as { name: value }. */
export function finalMetrics(job: DescribeTrainingJobResponse): Record<string, number> {
  return Object.fromEntries((job.FinalMetricDataList ?? []).map((m) => [m.MetricName!, m.Value!]));
}
