import { mockClient } from 'aws-sdk-client-mock';
import {
  CreateTrainingJobCommand,
  DescribeTrainingJobCommand,
  SageMakerClient,
  StopTrainingJobCommand,
  type CreateTrainingJobRequest,
  type DescribeTrainingJobResponse
} from '@aws-sdk/client-sagemaker';
import { MemoryLogger } from '../../src/report.js';
import {
  createTrainingJobRequest,
  defaultJobName,
  encodeHyperparameters,
  JOB_NAME,
  pythonJson,
  type TrainingJobSpec
} from '../../src/training/request.js';
import { flattenMetrics, scanMetrics } from '../../src/training/metrics.js';
import {
  followTrainingJob,
  jobDifferences,
  jobFailure,
  startTrainingJob
} from '../../src/training/sagemaker.js';
import { trainSummary } from '../../src/training/summary.js';

const spec: TrainingJobSpec = {
  jobName: 'news-abc1234-42-1',
  image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/news-train@sha256:' + 'a'.repeat(64),
  roleArn: 'arn:aws:iam::123456789012:role/sagemaker',
  instanceType: 'ml.m5.xlarge',
  instanceCount: 1,
  volumeSizeGb: 30,
  channels: { train: 's3://bucket/data/train' },
  outputPath: 's3://bucket/models',
  hyperparameters: { epochs: '10' },
  environment: {},
  spot: false,
  maxRuntimeSeconds: 86400,
  metricDefinitions: { accuracy: 'accuracy=([0-9.]+)' },
  tags: { team: 'ml' }
};

describe('job names', () => {
  it('derives a valid name from the repository, short sha, run id and attempt', () => {
    const name = defaultJobName({
      repository: 'octo-org/news_classifier',
      sha: '0123456789abcdef',
      runId: '4242',
      runAttempt: '2'
    });
    expect(name).toBe('news-classifier-0123456-4242-2');
    expect(name).toMatch(JOB_NAME);
  });
  it('stays within 63 characters and valid for long or odd repository names', () => {
    const name = defaultJobName({
      repository: 'o/' + 'very.long_repository-name!'.repeat(5),
      sha: 'f'.repeat(40),
      runId: '123456789012',
      runAttempt: '10'
    });
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(JOB_NAME);
    expect(name.endsWith('-fffffff-123456789012-10')).toBe(true);
    expect(defaultJobName({ repository: '', sha: '', runId: '', runAttempt: '1' })).toMatch(JOB_NAME);
  });
});

describe('hyperparameters are encoded as the SageMaker Python SDK does', () => {
  it.each([
    ['text', 'text'],
    [10, '10'],
    [0.1, '0.1'],
    [0.00001, '1e-05'],
    [1e22, '1e+22'],
    [true, 'true'],
    [null, 'null'],
    [[1, 2.5, 'a'], '[1, 2.5, "a"]'],
    [{ b: 1, a: [true] }, '{"b": 1, "a": [true]}'],
    [['é'], '["\\u00e9"]']
  ])('%j -> %s', (value, encoded) => {
    expect(encodeHyperparameters({ x: value }).x).toBe(encoded);
  });
  it('pythonJson escapes like json.dumps', () => expect(pythonJson('a"b\n')).toBe('"a\\"b\\n"'));
});

describe('CreateTrainingJob request', () => {
  it('has the shape SageMaker expects', () => {
    expect(createTrainingJobRequest(spec)).toEqual({
      TrainingJobName: 'news-abc1234-42-1',
      RoleArn: spec.roleArn,
      AlgorithmSpecification: {
        TrainingImage: spec.image,
        TrainingInputMode: 'File',
        MetricDefinitions: [{ Name: 'accuracy', Regex: 'accuracy=([0-9.]+)' }]
      },
      OutputDataConfig: { S3OutputPath: 's3://bucket/models' },
      ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
      StoppingCondition: { MaxRuntimeInSeconds: 86400 },
      InputDataConfig: [
        {
          ChannelName: 'train',
          DataSource: {
            S3DataSource: {
              S3DataType: 'S3Prefix',
              S3Uri: 's3://bucket/data/train',
              S3DataDistributionType: 'FullyReplicated'
            }
          }
        }
      ],
      HyperParameters: { epochs: '10' },
      Tags: [{ Key: 'team', Value: 'ml' }]
    });
  });
  it('spot sets EnableManagedSpotTraining, MaxWaitTimeInSeconds and the checkpoint', () => {
    const request = createTrainingJobRequest({
      ...spec,
      spot: true,
      maxRuntimeSeconds: 3600,
      maxWaitSeconds: 7200,
      checkpointS3Uri: 's3://bucket/ckpt'
    });
    expect(request.EnableManagedSpotTraining).toBe(true);
    expect(request.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 3600, MaxWaitTimeInSeconds: 7200 });
    expect(request.CheckpointConfig).toEqual({ S3Uri: 's3://bucket/ckpt' });
    expect(
      createTrainingJobRequest({ ...spec, spot: true, maxRuntimeSeconds: 600 }).StoppingCondition
    ).toEqual({ MaxRuntimeInSeconds: 600, MaxWaitTimeInSeconds: 600 });
  });
});

describe('metrics', () => {
  it('scans log lines with MetricDefinitions, the last match wins', () => {
    const lines = ['epoch 1 loss=0.5', 'epoch 2 loss=0.25 accuracy=0.91', 'accuracy=nope'];
    expect(
      scanMetrics(lines, { loss: 'loss=([0-9.]+)', accuracy: 'accuracy=([0-9.]+)', f1: 'f1=([0-9.]+)' })
    ).toEqual({ loss: 0.25, accuracy: 0.91 });
  });
  it('flattens a metrics file', () => {
    expect(flattenMetrics({ accuracy: 0.9, per_class: { a: 1, b: 0.5 }, note: 'x', list: [1] })).toEqual({
      accuracy: 0.9,
      'per_class.a': 1,
      'per_class.b': 0.5
    });
  });
});

describe('the job summary', () => {
  it('shows billable seconds with the spot saving, the timeline and the final metrics', () => {
    const t0 = Date.UTC(2026, 0, 1);
    const md = trainSummary({
      mode: 'sagemaker',
      jobName: 'news-1',
      status: 'Completed',
      instance: 'ml.m5.xlarge x 1',
      seconds: 600,
      billableSeconds: 180,
      spot: true,
      metrics: { accuracy: 0.93 },
      phases: [
        { name: 'Starting', start: t0, end: t0 + 60_000 },
        { name: 'Training', start: t0 + 60_000, end: t0 + 540_000 }
      ],
      consoleUrl: 'https://console/jobs/news-1'
    });
    expect(md).toContain('## Training completed: news-1');
    expect(md).toContain('| Billable | 180s (spot saved 70%) |');
    expect(md).toContain('| Job | [news-1](https://console/jobs/news-1) |');
    expect(md).toContain('  Starting : 0, 60\n  Training : 60, 540');
    expect(md).toContain('| accuracy | 0.93 |');
    expect(
      trainSummary({ mode: 'command', jobName: 'j', status: 'Failed', seconds: 5, metrics: {}, phases: [] })
    ).not.toContain('Billable');
  });
});

describe('how a finished job is reported', () => {
  const job = (over: Partial<DescribeTrainingJobResponse>) =>
    ({ TrainingJobName: 'j', ...over }) as DescribeTrainingJobResponse;
  it.each([
    [{ TrainingJobStatus: 'Completed' }, undefined],
    [
      { TrainingJobStatus: 'Failed', SecondaryStatus: 'Failed', FailureReason: 'AlgorithmError: no rows' },
      'Training job j failed: AlgorithmError: no rows.'
    ],
    [
      { TrainingJobStatus: 'Stopped', SecondaryStatus: 'MaxRuntimeExceeded' },
      'Training job j was stopped because it ran longer than max-runtime (1h); raise max-runtime or save checkpoints.'
    ],
    [
      { TrainingJobStatus: 'Stopped', SecondaryStatus: 'MaxWaitTimeExceeded' },
      'Training job j ended by spot: it did not finish within max-wait (waiting for spot capacity counts), so raise max-wait or save checkpoints to resume.'
    ],
    [
      { TrainingJobStatus: 'Failed', SecondaryStatus: 'MaxWaitTimeExceeded', FailureReason: 'no capacity' },
      'Training job j ended by spot: it did not finish within max-wait (waiting for spot capacity counts), so raise max-wait or save checkpoints to resume: no capacity.'
    ],
    [
      { TrainingJobStatus: 'Stopped', SecondaryStatus: 'Interrupted' },
      'Training job j ended by a spot interruption: the spot capacity was reclaimed and did not come back in time.'
    ],
    [
      { TrainingJobStatus: 'Stopped', SecondaryStatus: 'Stopped' },
      'Training job j was stopped before it completed.'
    ]
  ])('%j', (over, message) => {
    expect(jobFailure(job(over as Partial<DescribeTrainingJobResponse>), '1h')).toBe(message);
  });
});

/** What DescribeTrainingJob answers for a job created with `request` (the fields it echoes). */
function described(request: CreateTrainingJobRequest): DescribeTrainingJobResponse {
  return {
    TrainingJobName: request.TrainingJobName,
    AlgorithmSpecification: request.AlgorithmSpecification,
    HyperParameters: request.HyperParameters,
    InputDataConfig: request.InputDataConfig,
    OutputDataConfig: request.OutputDataConfig,
    ResourceConfig: request.ResourceConfig,
    EnableManagedSpotTraining: request.EnableManagedSpotTraining ?? false
  } as DescribeTrainingJobResponse;
}

describe('SageMaker requests (aws-sdk-client-mock)', () => {
  const sm = mockClient(SageMakerClient);
  const client = new SageMakerClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' }
  });
  beforeEach(() => sm.reset());

  it('creates the job when none of that name exists', async () => {
    sm.on(DescribeTrainingJobCommand)
      .rejectsOnce(Object.assign(new Error('Requested resource not found.'), { name: 'ValidationException' }))
      .resolves({ TrainingJobName: 'news-abc1234-42-1', TrainingJobStatus: 'InProgress' });
    sm.on(CreateTrainingJobCommand).resolves({ TrainingJobArn: 'arn' });
    const result = await startTrainingJob(
      createTrainingJobRequest({ ...spec, spot: true, maxWaitSeconds: 90000 }),
      { sagemaker: client, log: new MemoryLogger() }
    );
    expect(result.attached).toBe(false);
    const sent = sm.commandCalls(CreateTrainingJobCommand)[0].args[0].input;
    expect(sent.EnableManagedSpotTraining).toBe(true);
    expect(sent.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 86400, MaxWaitTimeInSeconds: 90000 });
  });

  it('creates the job when DescribeTrainingJob answers ValidationException "Could not find training job"', async () => {
    const missing = Object.assign(
      new Error(
        'Could not find training job "arn:aws:sagemaker:us-east-1:123456789012:training-job/news-abc1234-42-1"'
      ),
      { name: 'ValidationException', $metadata: { httpStatusCode: 400 } }
    );
    sm.on(DescribeTrainingJobCommand)
      .rejectsOnce(missing)
      .resolves({ ...described(createTrainingJobRequest(spec)), TrainingJobStatus: 'InProgress' });
    sm.on(CreateTrainingJobCommand).resolves({ TrainingJobArn: 'arn' });
    const log = new MemoryLogger();
    const result = await startTrainingJob(createTrainingJobRequest(spec), { sagemaker: client, log });
    expect(result.attached).toBe(false);
    expect(sm.commandCalls(CreateTrainingJobCommand)).toHaveLength(1);
    expect(log.text()).toContain('Created training job news-abc1234-42-1.');
  });

  it('attaches to an existing job of the same name and settings instead of failing on a duplicate', async () => {
    const request = createTrainingJobRequest(spec);
    sm.on(DescribeTrainingJobCommand).resolves({ ...described(request), TrainingJobStatus: 'InProgress' });
    const log = new MemoryLogger();
    const result = await startTrainingJob(request, { sagemaker: client, log });
    expect(result.attached).toBe(true);
    expect(sm.commandCalls(CreateTrainingJobCommand)).toHaveLength(0);
    expect(log.text()).toContain('already exists (InProgress): attaching to it');
  });

  const other = 'registry.example/other-train:2';
  it.each<[string, Partial<TrainingJobSpec>, string]>([
    ['image', { image: other }, `a different image (${other}, not ${spec.image})`],
    [
      'a hyperparameter value',
      { hyperparameters: { epochs: '10.0' } },
      'different hyperparameters (epochs "10.0", not "10")'
    ],
    [
      'a hyperparameter more',
      { hyperparameters: { epochs: '10', lr: '0.1' } },
      'different hyperparameters (lr "0.1", not none)'
    ],
    [
      'a channel',
      { channels: { train: 's3://bucket/data/old' } },
      'different input channels (train "s3://bucket/data/old", not "s3://bucket/data/train")'
    ],
    [
      'the output path',
      { outputPath: 's3://bucket/old' },
      'a different output path (s3://bucket/old, not s3://bucket/models)'
    ],
    [
      'the instance type',
      { instanceType: 'ml.c5.xlarge' },
      'a different instance type (ml.c5.xlarge, not ml.m5.xlarge)'
    ],
    ['the instance count', { instanceCount: 2 }, 'a different instance count (2, not 1)'],
    ['the volume', { volumeSizeGb: 50 }, 'a different volume size (50 GB, not 30 GB)'],
    ['spot', { spot: true }, 'a different spot setting (true, not false)']
  ])(
    'refuses to attach to a job of that name with %s of its own, naming job-name',
    async (_, theirs, difference) => {
      sm.on(DescribeTrainingJobCommand).resolves({
        ...described(createTrainingJobRequest({ ...spec, ...theirs })),
        TrainingJobStatus: 'Completed'
      });
      await expect(
        startTrainingJob(createTrainingJobRequest(spec), { sagemaker: client, log: new MemoryLogger() })
      ).rejects.toThrow(
        `Input "job-name" names training job news-abc1234-42-1, which already exists with ${difference}: give a new job-name or leave it empty to name the job after the run.`
      );
      expect(sm.commandCalls(CreateTrainingJobCommand)).toHaveLength(0);
    }
  );

  it('lists every difference in one sentence, and none for the same job', () => {
    const request = createTrainingJobRequest(spec);
    expect(jobDifferences(request, described(request))).toEqual([]);
    expect(
      jobDifferences(
        request,
        described(createTrainingJobRequest({ ...spec, instanceCount: 3, volumeSizeGb: 9 }))
      )
    ).toEqual(['a different instance count (3, not 1)', 'a different volume size (9 GB, not 30 GB)']);
  });

  it('a job created meanwhile (ResourceInUse) is attached to only when it is the same training', async () => {
    sm.on(DescribeTrainingJobCommand)
      .rejectsOnce(Object.assign(new Error('Requested resource not found.'), { name: 'ValidationException' }))
      .resolves({
        ...described(createTrainingJobRequest({ ...spec, image: other })),
        TrainingJobStatus: 'InProgress'
      });
    sm.on(CreateTrainingJobCommand).rejects(
      Object.assign(new Error('Job name already in use'), { name: 'ResourceInUse' })
    );
    await expect(
      startTrainingJob(createTrainingJobRequest(spec), { sagemaker: client, log: new MemoryLogger() })
    ).rejects.toThrow(
      /^Input "job-name" names training job news-abc1234-42-1, which already exists with a different image/
    );
  });

  it('a cancelled workflow stops the job before returning', async () => {
    const controller = new AbortController();
    let stopped = false;
    sm.on(DescribeTrainingJobCommand).callsFake(() => ({
      TrainingJobName: 'j',
      TrainingJobStatus: stopped ? 'Stopping' : 'InProgress',
      SecondaryStatus: 'Training'
    }));
    sm.on(StopTrainingJobCommand).callsFake(() => {
      stopped = true;
      return {};
    });
    setTimeout(() => controller.abort(), 5);
    const log = new MemoryLogger();
    const job = await followTrainingJob('j', {
      sagemaker: client,
      log,
      signal: controller.signal,
      scale: 0.001
    });
    expect(job.TrainingJobStatus).toBe('Stopping');
    expect(sm.commandCalls(StopTrainingJobCommand)).toHaveLength(1);
    expect(log.text()).toContain('Stopping training job j because the workflow was cancelled.');
  });
});
