/**
 * Pure builders for training jobs: the default job name, hyperparameters encoded as the SageMaker
 * Python SDK does, and the CreateTrainingJob request. No I/O.
 */
import type { CreateTrainingJobRequest, TrainingInstanceType } from '@aws-sdk/client-sagemaker';

/** SageMaker's rule for training job names. */
export const JOB_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/**
 * `<repository>-<short sha>-<run id>-<attempt>`, made valid and at most 63 characters. The same run
 * attempt gives the same name, so a re-run of a step attaches to its job instead of starting another.
 */
export function defaultJobName(parts: {
  repository: string;
  sha: string;
  runId: string;
  runAttempt: string;
}): string {
  const tail = [parts.sha.slice(0, 7), parts.runId, parts.runAttempt].filter(Boolean).join('-');
  const repo = (parts.repository.split('/').pop() || 'training').replace(/[^a-zA-Z0-9]+/g, '-');
  const head = repo.slice(0, Math.max(1, 62 - tail.length)).replace(/^-+|-+$/g, '') || 'training';
  return [head, tail]
    .filter(Boolean)
    .join('-')
    .replace(/[^a-zA-Z0-9-]/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
}

/** Python's json.dumps with its default separators (", " and ": "), as the SageMaker SDK encodes. */
export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return pythonNumber(value);
  if (typeof value === 'string') {
    const named: Record<string, string> = {
      '\\': '\\\\',
      '"': '\\"',
      '\n': '\\n',
      '\r': '\\r',
      '\t': '\\t',
      '\b': '\\b',
      '\f': '\\f'
    };
    let out = '"';
    for (const c of value) {
      const code = c.codePointAt(0)!;
      if (named[c]) out += named[c];
      else if (code >= 0x20 && code < 0x7f) out += c;
      else if (code > 0xffff)
        out += c
          .split('')
          .map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`)
          .join('');
      else out += `\\u${code.toString(16).padStart(4, '0')}`;
    }
    return out + '"';
  }
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (value instanceof Date) return pythonJson(value.toISOString());
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([k, v]) => `${pythonJson(k)}: ${pythonJson(v)}`).join(', ')}}`;
}

/** repr() of a Python int or float: the shortest digits, exponent form below 1e-4 and from 1e16. */
function pythonNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(value) && Math.abs(value) < 1e16) return String(value);
  const [mantissa, exp] = value.toExponential().split('e');
  const e = Number(exp);
  if (e < -4 || e >= 16) return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return String(value);
}

/** Hyperparameters as SageMaker takes them: strings as they are, other values JSON-encoded. */
export function encodeHyperparameters(values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, typeof v === 'string' ? v : pythonJson(v)])
  );
}

export interface TrainingJobSpec {
  jobName: string;
  image: string;
  roleArn: string;
  instanceType: string;
  instanceCount: number;
  volumeSizeGb: number;
  /** channel name -> S3 URI */
  channels: Record<string, string>;
  outputPath: string;
  hyperparameters: Record<string, string>;
  environment: Record<string, string>;
  spot: boolean;
  maxRuntimeSeconds: number;
  maxWaitSeconds?: number;
  checkpointS3Uri?: string;
  metricDefinitions: Record<string, string>;
  tags: Record<string, string>;
}

export function createTrainingJobRequest(spec: TrainingJobSpec): CreateTrainingJobRequest {
  const metricDefinitions = Object.entries(spec.metricDefinitions).map(([Name, Regex]) => ({ Name, Regex }));
  const request: CreateTrainingJobRequest = {
    TrainingJobName: spec.jobName,
    RoleArn: spec.roleArn,
    AlgorithmSpecification: {
      TrainingImage: spec.image,
      TrainingInputMode: 'File',
      ...(metricDefinitions.length ? { MetricDefinitions: metricDefinitions } : {})
    },
    OutputDataConfig: { S3OutputPath: spec.outputPath },
    ResourceConfig: {
      InstanceType: spec.instanceType as TrainingInstanceType,
      InstanceCount: spec.instanceCount,
      VolumeSizeInGB: spec.volumeSizeGb
    },
    StoppingCondition: {
      MaxRuntimeInSeconds: spec.maxRuntimeSeconds,
      ...(spec.spot ? { MaxWaitTimeInSeconds: spec.maxWaitSeconds ?? spec.maxRuntimeSeconds } : {})
    }
  };
  const channels = Object.entries(spec.channels);
  if (channels.length) {
    request.InputDataConfig = channels.map(([ChannelName, S3Uri]) => ({
      ChannelName,
      DataSource: {
        S3DataSource: { S3DataType: 'S3Prefix', S3Uri, S3DataDistributionType: 'FullyReplicated' }
      }
    }));
  }
  if (Object.keys(spec.hyperparameters).length) request.HyperParameters = spec.hyperparameters;
  if (Object.keys(spec.environment).length) request.Environment = spec.environment;
  if (spec.spot) request.EnableManagedSpotTraining = true;
  if (spec.checkpointS3Uri) request.CheckpointConfig = { S3Uri: spec.checkpointS3Uri };
  const tags = Object.entries(spec.tags);
  if (tags.length) request.Tags = tags.map(([Key, Value]) => ({ Key, Value }));
  return request;
}
