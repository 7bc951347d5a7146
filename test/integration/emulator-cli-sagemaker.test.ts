/**
 * The AWS CLI (Debian's v2 at /usr/bin/aws) against the emulator's SageMaker hosting, training jobs
 * and CloudWatch, as users' scripts drive them. The emulator runs in this process on a free port,
 * so the CLI runs asynchronously. Hosting is simulated (no container runs, the image name is never
 * pulled) and the time scale is small: the CLI's waiters poll every 30 s, so each `wait` starts once
 * the resource is already done and must return on its first look.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Emulator } from '../../src/emulator/server.js';
import { ALL_SERVICES } from '../../src/emulator/services/index.js';
import { periodMs } from '../../src/emulator/services/cloudwatch/store.js';

const AWS = '/usr/bin/aws';
const ROLE = 'arn:aws:iam::123456789012:role/emulator';
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/news:1';

let emulator: Emulator;
let env: NodeJS.ProcessEnv;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; resolves with its exit code and output whatever the code. */
function aws(...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      AWS,
      ['--endpoint-url', emulator.url, '--output', 'json', ...args],
      { env, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      }
    );
  });
}

/** Runs the CLI and expects exit code 0; the parsed JSON output (or {} when it printed nothing). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function ok(...args: string[]): Promise<Record<string, any>> {
  const result = await aws(...args);
  if (result.code !== 0)
    throw new Error(`aws ${args.join(' ')} exited ${result.code}: ${result.stderr}${result.stdout}`);
  return result.stdout.trim() ? JSON.parse(result.stdout) : {};
}

// Each CLI run starts Python (seconds on a loaded machine): the first case makes about 20 of them.
const SLOW = 600_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const json = (value: unknown) => JSON.stringify(value);

beforeAll(async () => {
  emulator = new Emulator({
    services: ALL_SERVICES,
    training: 'simulated',
    hosting: 'simulated',
    timeScale: 0.001
  });
  await emulator.start(0);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-home-'));
  env = {
    PATH: process.env.PATH,
    HOME: home,
    AWS_CONFIG_FILE: path.join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'credentials'),
    AWS_ACCESS_KEY_ID: 'a',
    AWS_SECRET_ACCESS_KEY: 'b',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_PAGER: ''
  };
});

afterAll(async () => {
  await emulator.stop();
});

const available = fs.existsSync(AWS) ? describe : describe.skip;

available('aws sagemaker', () => {
  it(
    'creates a model, a config and an endpoint, waits for it, lists, describes and deletes them',
    async () => {
      const model = await ok(
        'sagemaker',
        'create-model',
        '--model-name',
        'news-v1',
        '--execution-role-arn',
        ROLE,
        '--primary-container',
        json({ Image: IMAGE, ModelDataUrl: 's3://models/news/model.tar.gz', Environment: { MODE: 'fast' } }),
        '--tags',
        'Key=team,Value=ml'
      );
      expect(model.ModelArn).toBe('arn:aws:sagemaker:us-east-1:123456789012:model/news-v1');
      const config = await ok(
        'sagemaker',
        'create-endpoint-config',
        '--endpoint-config-name',
        'news-v1-config',
        '--production-variants',
        json([
          {
            VariantName: 'AllTraffic',
            ModelName: 'news-v1',
            InstanceType: 'ml.m5.large',
            InitialInstanceCount: 1
          }
        ]),
        '--data-capture-config',
        json({
          EnableCapture: true,
          InitialSamplingPercentage: 20,
          DestinationS3Uri: 's3://capture/news',
          CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }]
        })
      );
      expect(config.EndpointConfigArn).toMatch(/:endpoint-config\/news-v1-config$/);
      const endpoint = await ok(
        'sagemaker',
        'create-endpoint',
        '--endpoint-name',
        'news',
        '--endpoint-config-name',
        'news-v1-config'
      );
      expect(endpoint.EndpointArn).toMatch(/:endpoint\/news$/);

      // 240 s of provisioning are 240 ms here: done before the waiter's first look.
      await sleep(500);
      expect(await ok('sagemaker', 'wait', 'endpoint-in-service', '--endpoint-name', 'news')).toEqual({});
      const live = await ok('sagemaker', 'describe-endpoint', '--endpoint-name', 'news');
      expect(live).toMatchObject({
        EndpointStatus: 'InService',
        EndpointConfigName: 'news-v1-config',
        ProductionVariants: [
          {
            VariantName: 'AllTraffic',
            CurrentInstanceCount: 1,
            DeployedImages: [{ SpecifiedImage: IMAGE }]
          }
        ],
        DataCaptureConfig: { EnableCapture: true, CaptureStatus: 'Started', CurrentSamplingPercentage: 20 }
      });

      expect((await ok('sagemaker', 'list-endpoints')).Endpoints).toEqual([
        expect.objectContaining({ EndpointName: 'news', EndpointStatus: 'InService' })
      ]);
      expect((await ok('sagemaker', 'list-endpoint-configs')).EndpointConfigs).toEqual([
        expect.objectContaining({ EndpointConfigName: 'news-v1-config' })
      ]);
      expect((await ok('sagemaker', 'list-models', '--name-contains', 'news')).Models).toEqual([
        expect.objectContaining({ ModelName: 'news-v1', ModelArn: model.ModelArn })
      ]);
      expect(await ok('sagemaker', 'describe-model', '--model-name', 'news-v1')).toMatchObject({
        ModelName: 'news-v1',
        PrimaryContainer: { Image: IMAGE, Environment: { MODE: 'fast' } },
        EnableNetworkIsolation: false
      });
      expect(
        await ok('sagemaker', 'describe-endpoint-config', '--endpoint-config-name', 'news-v1-config')
      ).toMatchObject({
        ProductionVariants: [
          { VariantName: 'AllTraffic', InstanceType: 'ml.m5.large', InitialVariantWeight: 1 }
        ],
        DataCaptureConfig: { InitialSamplingPercentage: 20, DestinationS3Uri: 's3://capture/news' }
      });

      expect(await ok('sagemaker', 'delete-endpoint', '--endpoint-name', 'news')).toEqual({});
      await sleep(300);
      expect(await ok('sagemaker', 'wait', 'endpoint-deleted', '--endpoint-name', 'news')).toEqual({});
      expect(
        await ok('sagemaker', 'delete-endpoint-config', '--endpoint-config-name', 'news-v1-config')
      ).toEqual({});
      expect(await ok('sagemaker', 'delete-model', '--model-name', 'news-v1')).toEqual({});
      expect((await ok('sagemaker', 'list-endpoints')).Endpoints).toEqual([]);
      expect((await ok('sagemaker', 'list-endpoint-configs')).EndpointConfigs).toEqual([]);
      expect((await ok('sagemaker', 'list-models')).Models).toEqual([]);
      const gone = await aws('sagemaker', 'describe-model', '--model-name', 'news-v1');
      expect(gone.code).toBe(254);
      expect(gone.stderr).toContain('(ValidationException) when calling the DescribeModel operation');
    },
    SLOW
  );

  it(
    'refuses an instance type SageMaker does not have, with its message',
    async () => {
      await ok(
        'sagemaker',
        'create-model',
        '--model-name',
        'bogus-model',
        '--execution-role-arn',
        ROLE,
        '--primary-container',
        `Image=${IMAGE}`
      );
      const refused = await aws(
        'sagemaker',
        'create-endpoint-config',
        '--endpoint-config-name',
        'bogus',
        '--production-variants',
        json([
          {
            VariantName: 'AllTraffic',
            ModelName: 'bogus-model',
            InstanceType: 'ml.bogus.large',
            InitialInstanceCount: 1
          }
        ])
      );
      expect([254, 255]).toContain(refused.code);
      expect(refused.stderr).toContain(
        "An error occurred (ValidationException) when calling the CreateEndpointConfig operation: 1 validation error detected: Value 'ml.bogus.large' at 'productionVariants.1.member.instanceType' failed to satisfy constraint: Member must satisfy enum value set: [ml.c4.2xlarge,"
      );
      expect((await ok('sagemaker', 'list-endpoint-configs')).EndpointConfigs).toEqual([]);

      const training = await aws(
        'sagemaker',
        'create-training-job',
        '--training-job-name',
        'bogus-job',
        '--role-arn',
        ROLE,
        '--algorithm-specification',
        `TrainingImage=${IMAGE},TrainingInputMode=File`,
        '--output-data-config',
        'S3OutputPath=s3://cli-models/out',
        '--resource-config',
        'InstanceType=ml.bogus.large,InstanceCount=1,VolumeSizeInGB=10',
        '--stopping-condition',
        'MaxRuntimeInSeconds=3600'
      );
      expect([254, 255]).toContain(training.code);
      expect(training.stderr).toContain(
        "(ValidationException) when calling the CreateTrainingJob operation: 1 validation error detected: Value 'ml.bogus.large' at 'resourceConfig.instanceType' failed to satisfy constraint: Member must satisfy enum value set: ["
      );
    },
    SLOW
  );

  it(
    'runs a training job: create, describe, wait, list',
    async () => {
      await ok('s3api', 'create-bucket', '--bucket', 'cli-models');
      const created = await ok(
        'sagemaker',
        'create-training-job',
        '--training-job-name',
        'news-train-1',
        '--role-arn',
        ROLE,
        '--algorithm-specification',
        json({
          TrainingImage: IMAGE,
          TrainingInputMode: 'File',
          MetricDefinitions: [{ Name: 'loss', Regex: 'loss=([0-9.]+)' }]
        }),
        '--hyper-parameters',
        json({ epochs: '3' }),
        '--output-data-config',
        'S3OutputPath=s3://cli-models/out',
        '--resource-config',
        'InstanceType=ml.m5.xlarge,InstanceCount=1,VolumeSizeInGB=10',
        '--stopping-condition',
        'MaxRuntimeInSeconds=3600'
      );
      expect(created.TrainingJobArn).toBe(
        'arn:aws:sagemaker:us-east-1:123456789012:training-job/news-train-1'
      );
      // About 105 s of simulated training: 105 ms here.
      await sleep(600);
      expect(
        await ok(
          'sagemaker',
          'wait',
          'training-job-completed-or-stopped',
          '--training-job-name',
          'news-train-1'
        )
      ).toEqual({});
      const job = await ok('sagemaker', 'describe-training-job', '--training-job-name', 'news-train-1');
      expect(job).toMatchObject({
        TrainingJobStatus: 'Completed',
        SecondaryStatus: 'Completed',
        ModelArtifacts: { S3ModelArtifacts: 's3://cli-models/out/news-train-1/output/model.tar.gz' },
        HyperParameters: { epochs: '3' },
        ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 10 }
      });
      expect(job.FinalMetricDataList).toEqual([expect.objectContaining({ MetricName: 'loss' })]);
      expect(job.SecondaryStatusTransitions.map((t: { Status: string }) => t.Status)).toEqual([
        'Starting',
        'Downloading',
        'Training',
        'Uploading',
        'Completed'
      ]);
      const listed = await ok('sagemaker', 'list-training-jobs', '--status-equals', 'Completed');
      expect(listed.TrainingJobSummaries).toEqual([
        expect.objectContaining({ TrainingJobName: 'news-train-1', TrainingJobStatus: 'Completed' })
      ]);
      const head = await ok(
        's3api',
        'head-object',
        '--bucket',
        'cli-models',
        '--key',
        'out/news-train-1/output/model.tar.gz'
      );
      expect(head.ContentLength).toBeGreaterThan(0);
    },
    SLOW
  );
});

available('aws cloudwatch', () => {
  it(
    'puts an alarm, describes it, sets its state, puts and reads metric data',
    async () => {
      expect(
        await ok(
          'cloudwatch',
          'put-metric-alarm',
          '--alarm-name',
          'news-5xx',
          '--namespace',
          'AWS/SageMaker',
          '--metric-name',
          'Invocation5XXErrors',
          '--dimensions',
          'Name=EndpointName,Value=news',
          'Name=VariantName,Value=AllTraffic',
          '--statistic',
          'Sum',
          // A day's period (86 s here): no evaluation overrides the state set below while the test runs.
          '--period',
          '86400',
          '--evaluation-periods',
          '1',
          '--threshold',
          '1',
          '--comparison-operator',
          'GreaterThanOrEqualToThreshold',
          '--treat-missing-data',
          'notBreaching'
        )
      ).toEqual({});
      const described = await ok('cloudwatch', 'describe-alarms', '--alarm-names', 'news-5xx');
      expect(described.MetricAlarms).toEqual([
        expect.objectContaining({
          AlarmName: 'news-5xx',
          MetricName: 'Invocation5XXErrors',
          Threshold: 1,
          Dimensions: expect.arrayContaining([{ Name: 'EndpointName', Value: 'news' }])
        })
      ]);
      // The alarm is evaluated at every multiple of its scaled period from the epoch, and an
      // evaluation puts back the state its data gives, as on AWS: set the state well clear of one.
      const period = periodMs(emulator, 86400);
      const untilNext = period - (emulator.now() % period);
      if (untilNext < 20_000) await sleep(untilNext + 200);
      expect(
        await ok(
          'cloudwatch',
          'set-alarm-state',
          '--alarm-name',
          'news-5xx',
          '--state-value',
          'ALARM',
          '--state-reason',
          'testing the rollback'
        )
      ).toEqual({});
      const alarmed = await ok('cloudwatch', 'describe-alarms', '--alarm-names', 'news-5xx');
      expect(alarmed.MetricAlarms[0]).toMatchObject({
        StateValue: 'ALARM',
        StateReason: 'testing the rollback'
      });
      expect(
        (await ok('cloudwatch', 'describe-alarms', '--state-value', 'ALARM')).MetricAlarms.map(
          (a: { AlarmName: string }) => a.AlarmName
        )
      ).toEqual(['news-5xx']);

      const now = Date.now();
      expect(
        await ok(
          'cloudwatch',
          'put-metric-data',
          '--namespace',
          'News/App',
          '--metric-data',
          json([
            {
              MetricName: 'Latency',
              Dimensions: [{ Name: 'Endpoint', Value: 'news' }],
              Value: 12,
              Unit: 'Milliseconds',
              Timestamp: new Date(now).toISOString()
            },
            {
              MetricName: 'Latency',
              Dimensions: [{ Name: 'Endpoint', Value: 'news' }],
              Value: 30,
              Unit: 'Milliseconds',
              Timestamp: new Date(now).toISOString()
            }
          ])
        )
      ).toEqual({});
      // Periods last 60 s x 0.001 here: 20 s of the clock are about 330 periods.
      const stats = await ok(
        'cloudwatch',
        'get-metric-statistics',
        '--namespace',
        'News/App',
        '--metric-name',
        'Latency',
        '--dimensions',
        'Name=Endpoint,Value=news',
        '--start-time',
        new Date(now - 10_000).toISOString(),
        '--end-time',
        new Date(now + 10_000).toISOString(),
        '--period',
        '60',
        '--statistics',
        'Sum',
        'Maximum',
        'SampleCount'
      );
      expect(stats.Label).toBe('Latency');
      expect(stats.Datapoints).toEqual([
        expect.objectContaining({ Sum: 42, Maximum: 30, SampleCount: 2, Unit: 'Milliseconds' })
      ]);
    },
    SLOW
  );
});
