/** Contract tests of the emulator's S3, CloudWatch Logs and training jobs, through the real SDK and CLI. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand
} from '@aws-sdk/client-s3';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateTrainingJobCommand,
  DescribeTrainingJobCommand,
  ListTrainingJobsCommand,
  SageMakerClient,
  StopTrainingJobCommand
} from '@aws-sdk/client-sagemaker';
import { awsClient } from '../../src/aws.js';
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';

let emu: RunningEmulator;
const credentials = { accessKeyId: 'AKID', secretAccessKey: 'secret' };
const client = <T>(C: new (c: never) => T, id: string) =>
  awsClient(C as never, id, { action: 'test', region: 'us-east-1', endpoint: emu.url, credentials }) as T;

beforeAll(async () => {
  emu = await startEmulator({ timeScale: 0.001, training: 'simulated' });
});
afterAll(() => emu.stop());

describe('S3', () => {
  it('puts, gets with ranges, heads, lists with pagination and deletes', async () => {
    const s3 = client(S3Client, 'S3');
    await s3.send(new CreateBucketCommand({ Bucket: 'contract' }));
    await s3.send(
      new PutObjectCommand({
        Bucket: 'contract',
        Key: 'a/é file.txt',
        Body: 'hello\n',
        Metadata: { origin: 'test' }
      })
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'contract', Key: 'a/é file.txt' }));
    expect(head).toMatchObject({
      ContentLength: 6,
      ETag: '"b1946ac92492d2347c6235b4d2611184"',
      Metadata: { origin: 'test' }
    });
    const part = await s3.send(
      new GetObjectCommand({ Bucket: 'contract', Key: 'a/é file.txt', Range: 'bytes=1-3' })
    );
    expect(await part.Body!.transformToString()).toBe('ell');
    await expect(s3.send(new GetObjectCommand({ Bucket: 'contract', Key: 'missing' }))).rejects.toMatchObject(
      { name: 'NoSuchKey' }
    );
    await expect(s3.send(new HeadObjectCommand({ Bucket: 'nobucket', Key: 'x' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 404 }
    });

    for (let i = 0; i < 1205; i++)
      await s3.send(
        new PutObjectCommand({
          Bucket: 'contract',
          Key: `many/${String(i).padStart(4, '0')}`,
          Body: String(i)
        })
      );
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: 'contract', Prefix: 'many/', ContinuationToken: token })
      );
      keys.push(...(page.Contents ?? []).map((c) => c.Key!));
      token = page.NextContinuationToken;
    } while (token);
    expect(keys).toHaveLength(1205);
    expect(keys[0]).toBe('many/0000');
    const folders = await s3.send(new ListObjectsV2Command({ Bucket: 'contract', Delimiter: '/' }));
    expect(folders.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/', 'many/']);
    await s3.send(
      new DeleteObjectsCommand({
        Bucket: 'contract',
        Delete: { Objects: [{ Key: 'many/0000' }, { Key: 'many/0001' }] }
      })
    );
    expect(
      (
        await s3.send(new ListObjectsV2Command({ Bucket: 'contract', Prefix: 'many/', MaxKeys: 2 }))
      ).Contents?.map((c) => c.Key)
    ).toEqual(['many/0002', 'many/0003']);
  });

  it('multipart uploads give the object and an S3-style ETag', async () => {
    const s3 = client(S3Client, 'S3');
    await s3.send(new CreateBucketCommand({ Bucket: 'multi' }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'multi', Key: 'big.bin' }));
    const parts = [Buffer.alloc(5 * 1024 * 1024, 1), Buffer.from('tail')];
    const etags = [];
    for (const [i, body] of parts.entries())
      etags.push(
        (
          await s3.send(
            new UploadPartCommand({
              Bucket: 'multi',
              Key: 'big.bin',
              UploadId,
              PartNumber: i + 1,
              Body: body
            })
          )
        ).ETag
      );
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'multi',
        Key: 'big.bin',
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) }
      })
    );
    expect(done.ETag).toMatch(/^"[0-9a-f]{32}-2"$/);
    const got = Buffer.from(
      await (
        await s3.send(new GetObjectCommand({ Bucket: 'multi', Key: 'big.bin' }))
      ).Body!.transformToByteArray()
    );
    expect(got.equals(Buffer.concat(parts))).toBe(true);
  });

  it('works with the AWS CLI (streaming signatures)', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cli-')), 'data.bin');
    fs.writeFileSync(file, Buffer.alloc(9 * 1024 * 1024, 7));
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'a',
      AWS_SECRET_ACCESS_KEY: 'b',
      AWS_DEFAULT_REGION: 'us-east-1'
    };
    // Asynchronous: the emulator runs in this process and must keep answering.
    const aws = async (...args: string[]) =>
      (
        await promisify(execFile)('/usr/bin/aws', ['--endpoint-url', emu.url, ...args], {
          env,
          encoding: 'utf8'
        })
      ).stdout;
    await aws('s3', 'mb', 's3://cli-bucket');
    await aws('s3', 'cp', file, 's3://cli-bucket/x/data.bin');
    await aws('s3', 'cp', 's3://cli-bucket/x/data.bin', `${file}.back`);
    expect(fs.readFileSync(`${file}.back`).equals(fs.readFileSync(file))).toBe(true);
    expect(await aws('s3', 'ls', '--recursive', 's3://cli-bucket')).toContain('9437184 x/data.bin');
  });
});

describe('CloudWatch Logs', () => {
  it('keeps events per stream, pages forward with tokens and filters', async () => {
    const logs = client(CloudWatchLogsClient, 'CloudWatch Logs');
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/test' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/test', logStreamName: 'job/algo-1' }));
    await expect(logs.send(new CreateLogGroupCommand({ logGroupName: '/test' }))).rejects.toMatchObject({
      name: 'ResourceAlreadyExistsException'
    });
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: '/test',
        logStreamName: 'job/algo-1',
        logEvents: [
          { timestamp: 1, message: 'one' },
          { timestamp: 2, message: 'two accuracy' }
        ]
      })
    );
    const first = await logs.send(
      new GetLogEventsCommand({ logGroupName: '/test', logStreamName: 'job/algo-1', startFromHead: true })
    );
    expect(first.events?.map((e) => e.message)).toEqual(['one', 'two accuracy']);
    const again = await logs.send(
      new GetLogEventsCommand({
        logGroupName: '/test',
        logStreamName: 'job/algo-1',
        startFromHead: true,
        nextToken: first.nextForwardToken
      })
    );
    expect(again.events).toEqual([]);
    expect(again.nextForwardToken).toBe(first.nextForwardToken);
    expect(
      (
        await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/test', logStreamNamePrefix: 'job/' }))
      ).logStreams?.map((s) => s.logStreamName)
    ).toEqual(['job/algo-1']);
    expect(
      (
        await logs.send(new FilterLogEventsCommand({ logGroupName: '/test', filterPattern: 'accuracy' }))
      ).events?.map((e) => e.message)
    ).toEqual(['two accuracy']);
    await expect(logs.send(new DescribeLogStreamsCommand({ logGroupName: '/nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException'
    });
  });
});

describe('training jobs (simulated)', () => {
  const request = (name: string, extra: Record<string, unknown> = {}) => ({
    TrainingJobName: name,
    RoleArn: 'arn:aws:iam::123456789012:role/r',
    AlgorithmSpecification: {
      TrainingImage: 'img',
      TrainingInputMode: 'File' as const,
      MetricDefinitions: [{ Name: 'accuracy', Regex: 'accuracy=([0-9.]+)' }]
    },
    OutputDataConfig: { S3OutputPath: 's3://contract/models' },
    ResourceConfig: { InstanceType: 'ml.m5.xlarge' as const, InstanceCount: 1, VolumeSizeInGB: 10 },
    StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    ...extra
  });
  const settle = async (sm: SageMakerClient, name: string) => {
    for (;;) {
      const job = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
      if (!['InProgress', 'Stopping'].includes(job.TrainingJobStatus!)) return job;
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('goes Starting, Downloading, Training, Uploading, Completed with metrics, model and logs', async () => {
    const sm = client(SageMakerClient, 'SageMaker');
    await sm.send(new CreateTrainingJobCommand(request('sim-1')));
    const job = await settle(sm, 'sim-1');
    expect(job.TrainingJobStatus).toBe('Completed');
    expect(job.SecondaryStatusTransitions?.map((t) => t.Status)).toEqual([
      'Starting',
      'Downloading',
      'Training',
      'Uploading',
      'Completed'
    ]);
    expect(job.ModelArtifacts?.S3ModelArtifacts).toBe('s3://contract/models/sim-1/output/model.tar.gz');
    expect(job.FinalMetricDataList?.map((m) => [m.MetricName, m.Value])).toEqual([['accuracy', 0.94]]);
    expect(job.BillableTimeInSeconds).toBe(job.TrainingTimeInSeconds);
    const logs = client(CloudWatchLogsClient, 'CloudWatch Logs');
    const streams = await logs.send(
      new DescribeLogStreamsCommand({
        logGroupName: '/aws/sagemaker/TrainingJobs',
        logStreamNamePrefix: 'sim-1/'
      })
    );
    expect(streams.logStreams).toHaveLength(1);
  });

  it('validates like SageMaker and refuses a duplicate name', async () => {
    const sm = client(SageMakerClient, 'SageMaker');
    await expect(sm.send(new CreateTrainingJobCommand(request('sim-1')))).rejects.toMatchObject({
      name: 'ResourceInUse'
    });
    await expect(sm.send(new CreateTrainingJobCommand(request('bad_name')))).rejects.toMatchObject({
      name: 'ValidationException'
    });
    await expect(
      sm.send(new CreateTrainingJobCommand(request('spot', { EnableManagedSpotTraining: true })))
    ).rejects.toThrow('MaxWaitTimeInSeconds must be set');
    await expect(sm.send(new DescribeTrainingJobCommand({ TrainingJobName: 'none' }))).rejects.toThrow(
      'Requested resource not found.'
    );
  });

  it('spot jobs bill less; StopTrainingJob stops; ListTrainingJobs filters and sorts', async () => {
    const sm = client(SageMakerClient, 'SageMaker');
    await sm.send(
      new CreateTrainingJobCommand(
        request('sim-spot', {
          EnableManagedSpotTraining: true,
          StoppingCondition: { MaxRuntimeInSeconds: 3600, MaxWaitTimeInSeconds: 7200 }
        })
      )
    );
    const spot = await settle(sm, 'sim-spot');
    expect(spot.BillableTimeInSeconds!).toBeLessThan(spot.TrainingTimeInSeconds!);
    await sm.send(new CreateTrainingJobCommand(request('sim-stop')));
    await sm.send(new StopTrainingJobCommand({ TrainingJobName: 'sim-stop' }));
    const stopped = await settle(sm, 'sim-stop');
    expect([stopped.TrainingJobStatus, stopped.SecondaryStatus]).toEqual(['Stopped', 'Stopped']);
    const list = await sm.send(
      new ListTrainingJobsCommand({ NameContains: 'sim-', SortBy: 'Name', SortOrder: 'Ascending' })
    );
    expect(list.TrainingJobSummaries?.map((j) => j.TrainingJobName)).toEqual([
      'sim-1',
      'sim-spot',
      'sim-stop'
    ]);
    expect(
      (await sm.send(new ListTrainingJobsCommand({ StatusEquals: 'Stopped' }))).TrainingJobSummaries?.map(
        (j) => j.TrainingJobName
      )
    ).toEqual(['sim-stop']);
  });
});
