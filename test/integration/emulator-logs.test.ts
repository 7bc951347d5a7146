/** Contract tests of the emulator's CloudWatch Logs and STS through the real SDK: fields, error codes, HTTP statuses. */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand
} from '@aws-sdk/client-cloudwatch-logs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';

let emu: RunningEmulator;
let logs: CloudWatchLogsClient;
const credentials = { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator-secret' };
const ARN = 'arn:aws:logs:eu-west-1:123456789012:log-group';

beforeAll(async () => {
  emu = await startEmulator();
  logs = new CloudWatchLogsClient({ endpoint: emu.url, region: 'eu-west-1', credentials, maxAttempts: 1 });
});
afterAll(() => emu.stop());

const error = (p: Promise<unknown>) =>
  p.then(() => undefined).catch((e) => e as Error & { name: string; $metadata: { httpStatusCode?: number } });
const code = async (p: Promise<unknown>) => {
  const e = await error(p);
  return [e?.name, e?.$metadata.httpStatusCode];
};

describe('emulator CloudWatch Logs', () => {
  it('DescribeLogGroups answers arn, logGroupArn, creationTime, storedBytes, metricFilterCount, retention', async () => {
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/g/one' }));
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/g/two' }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/g/one', logStreamName: 's' }));
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: '/g/one',
        logStreamName: 's',
        logEvents: [
          { timestamp: 1000, message: 'hello' },
          { timestamp: 2000, message: 'world!' }
        ]
      })
    );
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: '/g/one', retentionInDays: 14 }));
    const { logGroups } = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/g/' }));
    expect(logGroups).toEqual([
      {
        logGroupName: '/g/one',
        creationTime: expect.any(Number),
        retentionInDays: 14,
        metricFilterCount: 0,
        arn: `${ARN}:/g/one:*`,
        storedBytes: 11,
        logGroupClass: 'STANDARD',
        logGroupArn: `${ARN}:/g/one`
      },
      expect.objectContaining({ logGroupName: '/g/two', storedBytes: 0, logGroupArn: `${ARN}:/g/two` })
    ]);
    await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: '/g/one' }));
    const paged = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/g/', limit: 1 }));
    expect(paged.logGroups!.map((g) => [g.logGroupName, g.retentionInDays])).toEqual([['/g/one', undefined]]);
    const rest = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: '/g/', limit: 1, nextToken: paged.nextToken })
    );
    expect(rest.logGroups!.map((g) => g.logGroupName)).toEqual(['/g/two']);
    expect(rest.nextToken).toBeUndefined();
    expect(
      await code(logs.send(new PutRetentionPolicyCommand({ logGroupName: '/g/one', retentionInDays: 2 })))
    ).toEqual(['InvalidParameterException', 400]);
    expect(
      await code(logs.send(new PutRetentionPolicyCommand({ logGroupName: '/g/none', retentionInDays: 1 })))
    ).toEqual(['ResourceNotFoundException', 400]);
    expect(await code(logs.send(new DescribeLogGroupsCommand({ limit: 51 })))).toEqual([
      'InvalidParameterException',
      400
    ]);
    expect(await code(logs.send(new CreateLogGroupCommand({ logGroupName: 'bad:name' })))).toEqual([
      'InvalidParameterException',
      400
    ]);
    expect(await code(logs.send(new CreateLogGroupCommand({ logGroupName: '/g/one' })))).toEqual([
      'ResourceAlreadyExistsException',
      400
    ]);
  });

  it('DescribeLogStreams answers arn, event times, lastIngestionTime, storedBytes and uploadSequenceToken', async () => {
    await logs.send(new CreateLogStreamCommand({ logGroupName: '/g/one', logStreamName: 'empty' }));
    const { logStreams } = await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/g/one' }));
    expect(logStreams).toEqual([
      {
        logStreamName: 'empty',
        creationTime: expect.any(Number),
        arn: `${ARN}:/g/one:log-stream:empty`,
        storedBytes: 0
      },
      {
        logStreamName: 's',
        creationTime: expect.any(Number),
        firstEventTimestamp: 1000,
        lastEventTimestamp: 2000,
        lastIngestionTime: expect.any(Number),
        uploadSequenceToken: '2',
        arn: `${ARN}:/g/one:log-stream:s`,
        storedBytes: 0
      }
    ]);
    const byArn = await logs.send(
      new DescribeLogStreamsCommand({ logGroupIdentifier: `${ARN}:/g/one`, limit: 1 })
    );
    expect(byArn.logStreams!.map((s) => s.logStreamName)).toEqual(['empty']);
    expect(byArn.nextToken).toBeDefined();
    expect(
      await code(
        logs.send(
          new DescribeLogStreamsCommand({
            logGroupName: '/g/one',
            orderBy: 'LastEventTime',
            logStreamNamePrefix: 's'
          })
        )
      )
    ).toEqual(['InvalidParameterException', 400]);
    expect(await code(logs.send(new DescribeLogStreamsCommand({ logGroupName: '/g/none' })))).toEqual([
      'ResourceNotFoundException',
      400
    ]);
  });

  it('FilterLogEvents as `aws logs tail` calls it: interleaved, startTime, logStreamNames', async () => {
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: '/g/one',
        logStreamName: 'empty',
        logEvents: [{ timestamp: 1500, message: 'between' }]
      })
    );
    const all = await logs.send(new FilterLogEventsCommand({ logGroupName: '/g/one', interleaved: true }));
    expect(all.events!.map((e) => [e.logStreamName, e.message])).toEqual([
      ['s', 'hello'],
      ['empty', 'between'],
      ['s', 'world!']
    ]);
    expect(all.events![0]).toEqual({
      logStreamName: 's',
      timestamp: 1000,
      message: 'hello',
      ingestionTime: expect.any(Number),
      eventId: expect.any(String)
    });
    const since = await logs.send(
      new FilterLogEventsCommand({
        logGroupName: '/g/one',
        interleaved: true,
        startTime: 1500,
        logStreamNames: ['s']
      })
    );
    expect(since.events!.map((e) => e.message)).toEqual(['world!']);
    const paged = await logs.send(new FilterLogEventsCommand({ logGroupIdentifier: '/g/one', limit: 2 }));
    expect(paged.events).toHaveLength(2);
    const next = await logs.send(
      new FilterLogEventsCommand({ logGroupIdentifier: '/g/one', limit: 2, nextToken: paged.nextToken })
    );
    expect(next.events!.map((e) => e.message)).toEqual(['world!']);
    expect(next.nextToken).toBeUndefined();
    expect(
      await code(
        logs.send(
          new FilterLogEventsCommand({
            logGroupName: '/g/one',
            logStreamNames: ['s'],
            logStreamNamePrefix: 's'
          })
        )
      )
    ).toEqual(['InvalidParameterException', 400]);
    expect(await code(logs.send(new FilterLogEventsCommand({ logGroupName: '/g/none' })))).toEqual([
      'ResourceNotFoundException',
      400
    ]);
    const window = await logs.send(
      new GetLogEventsCommand({
        logGroupName: '/g/one',
        logStreamName: 's',
        startFromHead: true,
        startTime: 1500
      })
    );
    expect(window.events!.map((e) => e.message)).toEqual(['world!']);
  });

  it('DeleteLogStream and DeleteLogGroup, ResourceNotFoundException when gone', async () => {
    await logs.send(new DeleteLogStreamCommand({ logGroupName: '/g/one', logStreamName: 'empty' }));
    expect(
      await code(logs.send(new DeleteLogStreamCommand({ logGroupName: '/g/one', logStreamName: 'empty' })))
    ).toEqual(['ResourceNotFoundException', 400]);
    expect(
      (await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/g/one' }))).logStreams!.map(
        (s) => s.logStreamName
      )
    ).toEqual(['s']);
    await logs.send(new DeleteLogGroupCommand({ logGroupName: '/g/one' }));
    const missing = await error(logs.send(new DeleteLogGroupCommand({ logGroupName: '/g/one' })));
    expect([missing?.name, missing?.$metadata.httpStatusCode, missing?.message]).toEqual([
      'ResourceNotFoundException',
      400,
      'The specified log group does not exist.'
    ]);
    expect(
      (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/g/' }))).logGroups!.map(
        (g) => g.logGroupName
      )
    ).toEqual(['/g/two']);
    // Written again, a deleted group starts empty.
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/g/one' }));
    expect((await logs.send(new DescribeLogStreamsCommand({ logGroupName: '/g/one' }))).logStreams).toEqual(
      []
    );
    expect(emu.emulator.calls.filter((c) => /^Delete/.test(c.operation)).every((c) => c.mutating)).toBe(true);
  });
});

describe('emulator STS', () => {
  it('GetCallerIdentity answers Account, Arn and UserId', async () => {
    const sts = new STSClient({ endpoint: emu.url, region: 'eu-west-1', credentials });
    expect(await sts.send(new GetCallerIdentityCommand({}))).toMatchObject({
      Account: '123456789012',
      Arn: 'arn:aws:sts::123456789012:assumed-role/emulator/AKIDEMULATOR',
      UserId: 'AROAEMULATOR:AKIDEMULATOR'
    });
  });
});
