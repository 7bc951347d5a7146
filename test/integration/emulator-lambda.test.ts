/**
 * The emulator's Lambda control plane through the real @aws-sdk/client-lambda on a manual clock:
 * functions from images of its ECR, the Pending/InProgress timelines, PublishVersion, faults and a
 * restart from the state file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateRepositoryCommand } from '@aws-sdk/client-ecr';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand
} from '@aws-sdk/client-lambda';
import { DURATIONS } from '../../src/emulator/services/lambda/timeline.js';
import {
  ROLE,
  failure,
  imageRepository,
  startLambdaWorld,
  type LambdaWorld
} from '../helpers/lambda-emulator.js';

let world: LambdaWorld;
let images: Awaited<ReturnType<typeof imageRepository>>;
const ARN = 'arn:aws:lambda:us-east-1:123456789012:function';

beforeAll(async () => {
  world = await startLambdaWorld();
  images = await imageRepository(world);
}, 120_000);
afterAll(async () => {
  await world.stop();
  await images.cleanup();
});

const create = (name: string, extra: Record<string, unknown> = {}) =>
  world.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      PackageType: 'Image',
      Code: { ImageUri: images.uri('v1') },
      Role: ROLE,
      ...extra
    })
  );
const config = (name: string) =>
  world.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
/** Creates a function and lets it become Active. */
async function active(name: string): Promise<void> {
  await create(name);
  world.at(DURATIONS.create);
}

describe('emulator Lambda: functions', () => {
  it('CreateFunction resolves the ECR image and the function is Pending, then Active exactly after 5 s', async () => {
    const created = await create('fn-create', {
      MemorySize: 1024,
      Timeout: 30,
      Environment: { Variables: { MODEL: 'wine' } },
      Description: 'the model',
      Tags: { team: 'ml' }
    });
    expect(created).toMatchObject({
      FunctionName: 'fn-create',
      FunctionArn: `${ARN}:fn-create`,
      PackageType: 'Image',
      Version: '$LATEST',
      MemorySize: 1024,
      Timeout: 30,
      Role: ROLE,
      Description: 'the model',
      Environment: { Variables: { MODEL: 'wine' } },
      CodeSha256: images.v1.replace('sha256:', ''),
      State: 'Pending',
      StateReasonCode: 'Creating',
      Architectures: ['x86_64']
    });
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created.LastModified).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    world.at(DURATIONS.create - 0.001);
    expect((await config('fn-create')).State).toBe('Pending');
    world.at(0.001);
    expect((await config('fn-create')).State).toBe('Active');

    const got = await world.lambda.send(new GetFunctionCommand({ FunctionName: `${ARN}:fn-create` }));
    expect(got.Code).toEqual({
      RepositoryType: 'ECR',
      ImageUri: images.uri('v1'),
      ResolvedImageUri: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${images.repository}@${images.v1}`
    });
    expect(got.Tags).toEqual({ team: 'ml' });
    expect(got.Configuration?.StateReason).toBeUndefined();
  });

  it('CreateFunction defaults and an image by digest or by the emulator registry address', async () => {
    const byDigest = await create('fn-digest', { Code: { ImageUri: images.uri(images.v2) } });
    expect(byDigest).toMatchObject({ MemorySize: 128, Timeout: 3, CodeSha256: images.v2.slice(7) });
    const local = await create('fn-local', { Code: { ImageUri: `127.0.0.1:5000/${images.repository}:v2` } });
    expect(local.CodeSha256).toBe(images.v2.slice(7));
  });

  it('CreateFunction refuses bad input with Lambda exceptions and messages', async () => {
    const cases: Array<[Record<string, unknown>, string, RegExp | string]> = [
      [
        { PackageType: 'Zip', Code: { ZipFile: Buffer.from('x') } },
        'InvalidParameterValueException',
        /runs image functions only/
      ],
      [
        { FunctionName: 'bad name' },
        'ValidationException',
        /Value 'bad name' at 'functionName' failed to satisfy constraint/
      ],
      [{ FunctionName: 'x'.repeat(65) }, 'ValidationException', /at 'functionName'/],
      [
        { MemorySize: 64 },
        'ValidationException',
        "1 validation error detected: Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128"
      ],
      [{ MemorySize: 10241 }, 'ValidationException', /less than or equal to 10240/],
      [{ Timeout: 0 }, 'ValidationException', /at 'timeout'.*greater than or equal to 1/],
      [{ Timeout: 901 }, 'ValidationException', /at 'timeout'.*less than or equal to 900/],
      [{ Role: 'lambda-role' }, 'ValidationException', /Value 'lambda-role' at 'role'/],
      [
        { Code: { ImageUri: 'docker.io/library/python:3' } },
        'InvalidParameterValueException',
        'Source image docker.io/library/python:3 is not valid. Provide a valid source image.'
      ],
      [
        { Code: { ImageUri: images.uri('v9') } },
        'InvalidParameterValueException',
        `Source image ${images.uri('v9')} does not exist. Provide a valid source image.`
      ],
      [
        { Code: { ImageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/no-such-repo:v1' } },
        'InvalidParameterValueException',
        /does not exist/
      ]
    ];
    for (const [input, name, message] of cases) {
      const error = await failure(create(String(input.FunctionName ?? 'fn-bad'), input));
      expect([input, error?.name]).toEqual([input, name]);
      expect(error?.$metadata.httpStatusCode).toBe(400);
      if (typeof message === 'string') expect(error?.message).toBe(message);
      else expect(error?.message).toMatch(message);
    }
    await create('fn-twice');
    const twice = await failure(create('fn-twice'));
    expect(twice?.name).toBe('ResourceConflictException');
    expect(twice?.message).toBe('Function already exist: fn-twice');
    expect(twice?.$metadata.httpStatusCode).toBe(409);
    const missing = await failure(world.lambda.send(new GetFunctionCommand({ FunctionName: 'fn-none' })));
    expect(missing?.name).toBe('ResourceNotFoundException');
    expect(missing?.message).toBe(`Function not found: ${ARN}:fn-none`);
    expect(missing?.$metadata.httpStatusCode).toBe(404);
    expect(
      world.emulator.calls.filter((c) => c.operation === 'CreateFunction' && c.status === 201)
    ).toHaveLength(4);
  });

  it('an update is InProgress for 3 s; updates and PublishVersion meanwhile are ResourceConflictException', async () => {
    await create('fn-update');
    const pending = await failure(
      world.lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: 'fn-update', MemorySize: 256 })
      )
    );
    expect(pending?.name).toBe('ResourceConflictException');
    expect(pending?.message).toBe(
      'The operation cannot be performed at this time. The function is currently in the following state: Pending'
    );
    world.at(DURATIONS.create);
    const updated = await world.lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'fn-update', ImageUri: images.uri('v2') })
    );
    expect(updated).toMatchObject({ LastUpdateStatus: 'InProgress', CodeSha256: images.v2.slice(7) });
    const busy = `The operation cannot be performed at this time. An update is in progress for resource: ${ARN}:fn-update`;
    for (const command of [
      new UpdateFunctionConfigurationCommand({ FunctionName: 'fn-update', MemorySize: 256 }),
      new UpdateFunctionCodeCommand({ FunctionName: 'fn-update', ImageUri: images.uri('v1') }),
      new PublishVersionCommand({ FunctionName: 'fn-update' })
    ]) {
      const error = await failure(world.lambda.send(command as never));
      expect(error?.name).toBe('ResourceConflictException');
      expect(error?.message).toBe(busy);
      expect(error?.$metadata.httpStatusCode).toBe(409);
    }
    world.at(DURATIONS.update - 0.001);
    expect((await config('fn-update')).LastUpdateStatus).toBe('InProgress');
    world.at(0.001);
    expect((await config('fn-update')).LastUpdateStatus).toBe('Successful');

    const reconfigured = await world.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'fn-update',
        MemorySize: 2048,
        Timeout: 60,
        Environment: { Variables: { AB: '1' } },
        Description: 'bigger',
        Role: 'arn:aws:iam::123456789012:role/other'
      })
    );
    expect(reconfigured).toMatchObject({
      MemorySize: 2048,
      Timeout: 60,
      Environment: { Variables: { AB: '1' } },
      Description: 'bigger',
      Role: 'arn:aws:iam::123456789012:role/other',
      LastUpdateStatus: 'InProgress'
    });
    world.at(DURATIONS.update);
    const bad = await failure(
      world.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'fn-update', Timeout: 1000 }))
    );
    expect(bad?.name).toBe('ValidationException');
    const stale = await failure(
      world.lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: 'fn-update', Timeout: 10, RevisionId: 'old' })
      )
    );
    expect(stale?.name).toBe('PreconditionFailedException');
    expect(stale?.$metadata.httpStatusCode).toBe(412);
  });

  it('the lambdaUpdateFails fault ends the next update Failed with a reason and the previous code', async () => {
    await active('fn-fails');
    world.emulator.faults.lambdaUpdateFails = 'fn-fails';
    await world.lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'fn-fails', ImageUri: images.uri('v2') })
    );
    expect(world.emulator.faults.lambdaUpdateFails).toBeUndefined();
    world.at(DURATIONS.update);
    const after = await config('fn-fails');
    expect(after.LastUpdateStatus).toBe('Failed');
    expect(after.LastUpdateStatusReason).toMatch(/lambdaUpdateFails/);
    expect(after.CodeSha256).toBe(images.v1.slice(7));
    await world.lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'fn-fails', ImageUri: images.uri('v2') })
    );
    world.at(DURATIONS.update);
    expect(await config('fn-fails')).toMatchObject({
      LastUpdateStatus: 'Successful',
      CodeSha256: images.v2.slice(7)
    });
  });

  it('PublishVersion publishes once per change of code or configuration, with preconditions', async () => {
    await active('fn-publish');
    const one = await world.lambda.send(
      new PublishVersionCommand({ FunctionName: 'fn-publish', Description: 'sha abc' })
    );
    expect(one).toMatchObject({ Version: '1', FunctionArn: `${ARN}:fn-publish:1`, Description: 'sha abc' });
    expect(one.$metadata.httpStatusCode).toBe(201);
    // A retry (its first answer lost) publishes nothing new.
    const again = await world.lambda.send(
      new PublishVersionCommand({ FunctionName: 'fn-publish', Description: 'sha abc' })
    );
    expect(again.Version).toBe('1');

    const latest = await config('fn-publish');
    const wrongSha = await failure(
      world.lambda.send(new PublishVersionCommand({ FunctionName: 'fn-publish', CodeSha256: 'f'.repeat(64) }))
    );
    expect(wrongSha?.name).toBe('InvalidParameterValueException');
    expect(wrongSha?.message).toBe(
      `CodeSHA256 (${'f'.repeat(64)}) is different from current CodeSHA256 in $LATEST (${latest.CodeSha256}). Please try again with the current CodeSHA256.`
    );
    const stale = await failure(
      world.lambda.send(new PublishVersionCommand({ FunctionName: 'fn-publish', RevisionId: 'nope' }))
    );
    expect(stale?.name).toBe('PreconditionFailedException');
    expect(stale?.message).toMatch(/The Revision Id provided does not match the latest Revision Id/);

    await world.lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'fn-publish', ImageUri: images.uri('v2') })
    );
    world.at(DURATIONS.update);
    const current = await config('fn-publish');
    const two = await world.lambda.send(
      new PublishVersionCommand({
        FunctionName: 'fn-publish',
        CodeSha256: current.CodeSha256,
        RevisionId: current.RevisionId
      })
    );
    expect(two).toMatchObject({ Version: '2', CodeSha256: images.v2.slice(7), State: 'Active' });

    // Back to v1: the same code as version 1, but a change since version 2, so version 3.
    const withPublish = await world.lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: 'fn-publish', ImageUri: images.uri('v1'), Publish: true })
    );
    expect(withPublish).toMatchObject({ Version: '3', LastUpdateStatus: 'InProgress' });
    world.at(DURATIONS.update);

    const { Versions } = await world.lambda.send(
      new ListVersionsByFunctionCommand({ FunctionName: 'fn-publish' })
    );
    expect(Versions!.map((v) => [v.Version, v.FunctionArn, v.LastUpdateStatus])).toEqual([
      ['$LATEST', `${ARN}:fn-publish:$LATEST`, 'Successful'],
      ['1', `${ARN}:fn-publish:1`, 'Successful'],
      ['2', `${ARN}:fn-publish:2`, 'Successful'],
      ['3', `${ARN}:fn-publish:3`, 'Successful']
    ]);
    const v1 = await world.lambda.send(
      new GetFunctionCommand({ FunctionName: 'fn-publish', Qualifier: '1' })
    );
    expect(v1.Configuration).toMatchObject({ Version: '1', FunctionArn: `${ARN}:fn-publish:1` });
    expect(v1.Code?.ResolvedImageUri).toMatch(new RegExp(`@${images.v1}$`));
    const none = await failure(world.lambda.send(new GetFunctionCommand({ FunctionName: 'fn-publish:9' })));
    expect(none?.name).toBe('ResourceNotFoundException');
    expect(none?.message).toBe(`Function not found: ${ARN}:fn-publish:9`);
  });

  it('ListFunctions and DeleteFunction, with and without a qualifier', async () => {
    await active('fn-delete');
    await world.lambda.send(new PublishVersionCommand({ FunctionName: 'fn-delete' }));
    const { Functions } = await world.lambda.send(new ListFunctionsCommand({}));
    expect(Functions!.map((f) => f.FunctionName)).toContain('fn-delete');
    const all = await world.lambda.send(new ListFunctionsCommand({ FunctionVersion: 'ALL', MaxItems: 50 }));
    expect(all.Functions!.map((f) => f.FunctionArn)).toContain(`${ARN}:fn-delete:1`);
    const latest = await failure(
      world.lambda.send(new DeleteFunctionCommand({ FunctionName: 'fn-delete', Qualifier: '$LATEST' }))
    );
    expect(latest?.name).toBe('InvalidParameterValueException');
    expect(latest?.message).toBe('$LATEST version cannot be deleted without deleting the function.');
    await world.lambda.send(new DeleteFunctionCommand({ FunctionName: 'fn-delete', Qualifier: '1' }));
    const { Versions } = await world.lambda.send(
      new ListVersionsByFunctionCommand({ FunctionName: 'fn-delete' })
    );
    expect(Versions!.map((v) => v.Version)).toEqual(['$LATEST']);
    // Version numbers are never reused.
    world.emulator.faults.lambdaUpdateFails = undefined;
    await world.lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: 'fn-delete', MemorySize: 512 })
    );
    world.at(DURATIONS.update);
    expect((await world.lambda.send(new PublishVersionCommand({ FunctionName: 'fn-delete' }))).Version).toBe(
      '2'
    );
    await world.lambda.send(new DeleteFunctionCommand({ FunctionName: `${ARN}:fn-delete` }));
    expect((await failure(config('fn-delete')))?.name).toBe('ResourceNotFoundException');
  });

  it('the throttle fault is TooManyRequestsException (429)', async () => {
    world.emulator.faults.throttle = 1;
    try {
      const error = await failure(world.lambda.send(new ListFunctionsCommand({})));
      expect(error?.name).toBe('TooManyRequestsException');
      expect(error?.$metadata.httpStatusCode).toBe(429);
      expect((error as unknown as { Reason?: string }).Reason).toBe('CallerRateLimitExceeded');
    } finally {
      world.emulator.faults.throttle = 0;
    }
  });

  it('Invoke is routed to the invoke module and counted as a mutating call', async () => {
    await active('fn-invoke');
    await failure(world.lambda.send(new InvokeCommand({ FunctionName: 'fn-invoke', Qualifier: '$LATEST' })));
    const call = world.emulator.calls.filter((c) => c.service === 'lambda').at(-1);
    expect(call).toMatchObject({ operation: 'Invoke', mutating: true });
    expect(call?.status).not.toBe(400);
  });

  it('the call log names each operation and counts Get/List as read-only', () => {
    const byName = new Map(
      world.emulator.calls.filter((c) => c.service === 'lambda').map((c) => [c.operation, c.mutating])
    );
    expect(byName.get('GetFunctionConfiguration')).toBe(false);
    expect(byName.get('ListVersionsByFunction')).toBe(false);
    expect(byName.get('PublishVersion')).toBe(true);
    expect(byName.get('UpdateFunctionCode')).toBe(true);
  });
});

describe('emulator Lambda: state file', () => {
  it('functions, versions and the update in progress survive a restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-state-'));
    const stateFile = path.join(dir, 'state.json');
    let other = await startLambdaWorld({ stateFile });
    try {
      await other.ecr.send(new CreateRepositoryCommand({ repositoryName: images.repository }));
      await other.lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'fn-persist',
          PackageType: 'Image',
          Code: { ImageUri: images.uri('v1') },
          Role: ROLE
        })
      );
      other.at(DURATIONS.create);
      await other.lambda.send(new PublishVersionCommand({ FunctionName: 'fn-persist' }));
      await other.lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: 'fn-persist', Timeout: 9 })
      );
      await other.stop();
      other = await startLambdaWorld({ stateFile });
      const before = await other.lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: 'fn-persist' })
      );
      expect(before).toMatchObject({ State: 'Active', LastUpdateStatus: 'InProgress', Timeout: 9 });
      other.at(DURATIONS.update);
      const after = await other.lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: 'fn-persist' })
      );
      expect(after.LastUpdateStatus).toBe('Successful');
      const { Versions } = await other.lambda.send(
        new ListVersionsByFunctionCommand({ FunctionName: 'fn-persist' })
      );
      expect(Versions!.map((v) => v.Version)).toEqual(['$LATEST', '1']);
    } finally {
      await other.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
