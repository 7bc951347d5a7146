/**
 * The emulator's Lambda aliases (weighted routing, RevisionId), provisioned concurrency, tags and
 * function URL configs through the real @aws-sdk/client-lambda, on a manual clock.
 */
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  DeleteFunctionUrlConfigCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  GetFunctionUrlConfigCommand,
  GetProvisionedConcurrencyConfigCommand,
  ListAliasesCommand,
  ListProvisionedConcurrencyConfigsCommand,
  ListTagsCommand,
  PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionUrlConfigCommand
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
const FN = 'fn-alias';

beforeAll(async () => {
  world = await startLambdaWorld();
  images = await imageRepository(world);
  // Versions 1 (image v1) and 2 (image v2).
  await world.lambda.send(
    new CreateFunctionCommand({
      FunctionName: FN,
      PackageType: 'Image',
      Code: { ImageUri: images.uri('v1') },
      Role: ROLE
    })
  );
  world.at(DURATIONS.create);
  await world.lambda.send(new PublishVersionCommand({ FunctionName: FN }));
  await world.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: FN, ImageUri: images.uri('v2') }));
  world.at(DURATIONS.update);
  await world.lambda.send(new PublishVersionCommand({ FunctionName: FN }));
}, 120_000);
afterAll(async () => {
  await world.stop();
  await images.cleanup();
});

/** The exception class and message a call fails with. */
async function refusal(
  p: Promise<unknown>
): Promise<[string | undefined, string | undefined, number | undefined]> {
  const error = await failure(p);
  return [error?.name, error?.message, error?.$metadata.httpStatusCode];
}

describe('emulator Lambda: aliases', () => {
  it('CreateAlias, GetAlias, UpdateAlias with one weighted version, ListAliases', async () => {
    const created = await world.lambda.send(
      new CreateAliasCommand({ FunctionName: FN, Name: 'live', FunctionVersion: '1', Description: 'prod' })
    );
    expect(created).toMatchObject({
      AliasArn: `${ARN}:${FN}:live`,
      Name: 'live',
      FunctionVersion: '1',
      Description: 'prod'
    });
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(created.RoutingConfig).toBeUndefined();
    const canary = await world.lambda.send(
      new UpdateAliasCommand({
        FunctionName: FN,
        Name: 'live',
        RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } },
        RevisionId: created.RevisionId
      })
    );
    expect(canary).toMatchObject({
      FunctionVersion: '1',
      RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } }
    });
    expect(canary.RevisionId).not.toBe(created.RevisionId);
    const stale = await refusal(
      world.lambda.send(
        new UpdateAliasCommand({
          FunctionName: FN,
          Name: 'live',
          FunctionVersion: '2',
          RevisionId: created.RevisionId
        })
      )
    );
    expect(stale).toEqual([
      'PreconditionFailedException',
      'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
      412
    ]);
    // Weights stay when only the description changes; an empty map clears them.
    const described = await world.lambda.send(
      new UpdateAliasCommand({ FunctionName: FN, Name: 'live', Description: 'canary' })
    );
    expect(described.RoutingConfig?.AdditionalVersionWeights).toEqual({ '2': 0.1 });
    const promoted = await world.lambda.send(
      new UpdateAliasCommand({
        FunctionName: FN,
        Name: 'live',
        FunctionVersion: '2',
        RoutingConfig: { AdditionalVersionWeights: {} }
      })
    );
    expect(promoted.FunctionVersion).toBe('2');
    expect(promoted.RoutingConfig).toBeUndefined();
    const got = await world.lambda.send(new GetAliasCommand({ FunctionName: `${ARN}:${FN}`, Name: 'live' }));
    expect(got).toMatchObject({
      FunctionVersion: '2',
      Description: 'canary',
      RevisionId: promoted.RevisionId
    });

    const viaAlias = await world.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: FN, Qualifier: 'live' })
    );
    expect(viaAlias).toMatchObject({ FunctionArn: `${ARN}:${FN}:live`, Version: '2' });
    const twice = await refusal(
      world.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: `${FN}:1`, Qualifier: '2' }))
    );
    expect(twice[0]).toBe('InvalidParameterValueException');
    await world.lambda.send(
      new CreateAliasCommand({ FunctionName: FN, Name: 'staging', FunctionVersion: '$LATEST' })
    );
    const { Aliases } = await world.lambda.send(new ListAliasesCommand({ FunctionName: FN }));
    expect(Aliases!.map((a) => [a.Name, a.FunctionVersion])).toEqual([
      ['live', '2'],
      ['staging', '$LATEST']
    ]);
    const onTwo = await world.lambda.send(new ListAliasesCommand({ FunctionName: FN, FunctionVersion: '2' }));
    expect(onTwo.Aliases!.map((a) => a.Name)).toEqual(['live']);
  });

  it('refuses bad aliases and weights with Lambda exceptions', async () => {
    const update = (FunctionVersion: string | undefined, weights: Record<string, number>) =>
      world.lambda.send(
        new UpdateAliasCommand({
          FunctionName: FN,
          Name: 'live',
          FunctionVersion,
          RoutingConfig: { AdditionalVersionWeights: weights }
        })
      );
    expect(await refusal(update('1', { '2': 1.5 }))).toEqual([
      'ValidationException',
      "1 validation error detected: Value '1.5' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0]",
      400
    ]);
    expect((await refusal(update('1', { '2': -0.1 })))[0]).toBe('ValidationException');
    expect((await refusal(update('1', { '2': 0.1, '3': 0.1 })))[0]).toBe('InvalidParameterValueException');
    expect(await refusal(update('1', { $LATEST: 0.1 }))).toEqual([
      'InvalidParameterValueException',
      '$LATEST is not supported for an alias pointing to more than 1 version',
      400
    ]);
    expect((await refusal(update('$LATEST', { '2': 0.1 })))[0]).toBe('InvalidParameterValueException');
    expect(await refusal(update('1', { '1': 0.1 }))).toEqual([
      'InvalidParameterValueException',
      'Invalid function version 1. Function version 1 is already included in routing configuration.',
      400
    ]);
    expect(await refusal(update('1', { '7': 0.1 }))).toEqual([
      'ResourceNotFoundException',
      `Function not found: ${ARN}:${FN}:7`,
      404
    ]);
    expect((await refusal(update('9', {})))[0]).toBe('ResourceNotFoundException');
    for (const name of ['123', '$LATEST', 'has space']) {
      const [code] = await refusal(
        world.lambda.send(new CreateAliasCommand({ FunctionName: FN, Name: name, FunctionVersion: '1' }))
      );
      expect([name, code]).toEqual([name, 'ValidationException']);
    }
    expect(
      await refusal(
        world.lambda.send(new CreateAliasCommand({ FunctionName: FN, Name: 'live', FunctionVersion: '1' }))
      )
    ).toEqual(['ResourceConflictException', `Alias already exists: ${ARN}:${FN}:live`, 409]);
    expect(await refusal(world.lambda.send(new GetAliasCommand({ FunctionName: FN, Name: 'nope' })))).toEqual(
      ['ResourceNotFoundException', `Cannot find alias arn: ${ARN}:${FN}:nope`, 404]
    );
    // The alias was left as it was.
    const live = await world.lambda.send(new GetAliasCommand({ FunctionName: FN, Name: 'live' }));
    expect(live.FunctionVersion).toBe('2');
  });

  it('a version an alias points at cannot be deleted; DeleteAlias frees it', async () => {
    await world.lambda.send(new CreateAliasCommand({ FunctionName: FN, Name: 'old', FunctionVersion: '1' }));
    expect(
      await refusal(world.lambda.send(new DeleteFunctionCommand({ FunctionName: FN, Qualifier: '1' })))
    ).toEqual([
      'ResourceConflictException',
      'Unable to delete version because the following aliases reference it: [old]',
      409
    ]);
    await world.lambda.send(new DeleteAliasCommand({ FunctionName: FN, Name: 'old' }));
    expect(
      (await refusal(world.lambda.send(new GetAliasCommand({ FunctionName: FN, Name: 'old' }))))[0]
    ).toBe('ResourceNotFoundException');
  });
});

describe('emulator Lambda: provisioned concurrency', () => {
  it('IN_PROGRESS, then READY after 30 s in simulated hosting, on an alias or a version', async () => {
    const put = await world.lambda.send(
      new PutProvisionedConcurrencyConfigCommand({
        FunctionName: FN,
        Qualifier: 'live',
        ProvisionedConcurrentExecutions: 2
      })
    );
    expect(put).toMatchObject({
      RequestedProvisionedConcurrentExecutions: 2,
      AllocatedProvisionedConcurrentExecutions: 0,
      Status: 'IN_PROGRESS'
    });
    expect(put.$metadata.httpStatusCode).toBe(202);
    const get = () =>
      world.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: FN, Qualifier: 'live' }));
    world.at(DURATIONS.provisioned - 0.001);
    expect((await get()).Status).toBe('IN_PROGRESS');
    world.at(0.001);
    expect(await get()).toMatchObject({
      Status: 'READY',
      RequestedProvisionedConcurrentExecutions: 2,
      AllocatedProvisionedConcurrentExecutions: 2,
      AvailableProvisionedConcurrentExecutions: 2
    });
    await world.lambda.send(
      new PutProvisionedConcurrencyConfigCommand({
        FunctionName: `${FN}:1`,
        Qualifier: '1',
        ProvisionedConcurrentExecutions: 1
      })
    );
    const { ProvisionedConcurrencyConfigs } = await world.lambda.send(
      new ListProvisionedConcurrencyConfigsCommand({ FunctionName: FN })
    );
    expect(ProvisionedConcurrencyConfigs!.map((c) => [c.FunctionArn, c.Status])).toEqual([
      [`${ARN}:${FN}:1`, 'IN_PROGRESS'],
      [`${ARN}:${FN}:live`, 'READY']
    ]);
    await world.lambda.send(
      new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: FN, Qualifier: '1' })
    );
    expect(
      await refusal(
        world.lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: FN, Qualifier: '1' }))
      )
    ).toEqual([
      'ProvisionedConcurrencyConfigNotFoundException',
      'No Provisioned Concurrency Config found for this function',
      404
    ]);
  });

  it('not on $LATEST, not on a missing alias, at least 1', async () => {
    const put = (Qualifier: string, n = 1) =>
      world.lambda.send(
        new PutProvisionedConcurrencyConfigCommand({
          FunctionName: FN,
          Qualifier,
          ProvisionedConcurrentExecutions: n
        })
      );
    expect(await refusal(put('$LATEST'))).toEqual([
      'InvalidParameterValueException',
      'Provisioned Concurrency Configs cannot be applied to unpublished function versions.',
      400
    ]);
    expect((await refusal(put('ghost')))[0]).toBe('ResourceNotFoundException');
    expect((await refusal(put('9')))[0]).toBe('ResourceNotFoundException');
    expect((await refusal(put('live', 0)))[0]).toBe('ValidationException');
  });

  it('stays IN_PROGRESS with Docker hosting, for the environments to mark', async () => {
    const docker = await startLambdaWorld({ hosting: 'docker' });
    try {
      const { CreateRepositoryCommand } = await import('@aws-sdk/client-ecr');
      await docker.ecr.send(new CreateRepositoryCommand({ repositoryName: images.repository }));
      await docker.lambda.send(
        new CreateFunctionCommand({
          FunctionName: 'fn-pc',
          PackageType: 'Image',
          Code: { ImageUri: images.uri('v1') },
          Role: ROLE
        })
      );
      docker.at(DURATIONS.create);
      await docker.lambda.send(new PublishVersionCommand({ FunctionName: 'fn-pc' }));
      await docker.lambda.send(
        new PutProvisionedConcurrencyConfigCommand({
          FunctionName: 'fn-pc',
          Qualifier: '1',
          ProvisionedConcurrentExecutions: 1
        })
      );
      docker.at(DURATIONS.provisioned * 10);
      const got = await docker.lambda.send(
        new GetProvisionedConcurrencyConfigCommand({ FunctionName: 'fn-pc', Qualifier: '1' })
      );
      // The scaled clock never marks it READY here: the environments do, or FAILED when they cannot start.
      expect(['IN_PROGRESS', 'FAILED']).toContain(got.Status);
    } finally {
      await docker.stop();
    }
  });
});

describe('emulator Lambda: tags and function URLs', () => {
  it('TagResource, ListTags, UntagResource on the function ARN; a qualified ARN is refused', async () => {
    const arn = `${ARN}:${FN}`;
    await world.lambda.send(
      new TagResourceCommand({ Resource: arn, Tags: { team: 'ml', 'mlops:live': '2' } })
    );
    expect((await world.lambda.send(new ListTagsCommand({ Resource: arn }))).Tags).toEqual({
      team: 'ml',
      'mlops:live': '2'
    });
    await world.lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: ['team'] }));
    expect((await world.lambda.send(new ListTagsCommand({ Resource: arn }))).Tags).toEqual({
      'mlops:live': '2'
    });
    expect(
      await refusal(world.lambda.send(new TagResourceCommand({ Resource: `${arn}:live`, Tags: { a: 'b' } })))
    ).toEqual([
      'InvalidParameterValueException',
      'Tags on function aliases and versions are not supported. Please specify a function ARN.',
      400
    ]);
    expect((await refusal(world.lambda.send(new ListTagsCommand({ Resource: `${ARN}:ghost` }))))[0]).toBe(
      'ResourceNotFoundException'
    );
    expect((await refusal(world.lambda.send(new ListTagsCommand({ Resource: FN }))))[0]).toBe(
      'ValidationException'
    );
  });

  it('Create/Get/Update/DeleteFunctionUrlConfig on an alias, with the emulator URL', async () => {
    const created = await world.lambda.send(
      new CreateFunctionUrlConfigCommand({ FunctionName: FN, Qualifier: 'live', AuthType: 'NONE' })
    );
    expect(created).toMatchObject({
      FunctionUrl: `${world.emulator.url}/lambda-url/${FN}/live/`,
      FunctionArn: `${ARN}:${FN}:live`,
      AuthType: 'NONE',
      InvokeMode: 'BUFFERED'
    });
    expect(created.$metadata.httpStatusCode).toBe(201);
    expect(
      (
        await refusal(
          world.lambda.send(
            new CreateFunctionUrlConfigCommand({ FunctionName: FN, Qualifier: 'live', AuthType: 'NONE' })
          )
        )
      )[0]
    ).toBe('ResourceConflictException');
    const updated = await world.lambda.send(
      new UpdateFunctionUrlConfigCommand({ FunctionName: FN, Qualifier: 'live', AuthType: 'AWS_IAM' })
    );
    expect(updated.AuthType).toBe('AWS_IAM');
    const got = await world.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: `${FN}:live` }));
    expect(got).toMatchObject({ AuthType: 'AWS_IAM', FunctionUrl: created.FunctionUrl });
    expect(got.LastModifiedTime).toBeDefined();
    const unqualified = await world.lambda.send(
      new CreateFunctionUrlConfigCommand({ FunctionName: FN, AuthType: 'NONE' })
    );
    expect(unqualified.FunctionUrl).toBe(`${world.emulator.url}/lambda-url/${FN}/$LATEST/`);
    await world.lambda.send(new DeleteFunctionUrlConfigCommand({ FunctionName: FN, Qualifier: 'live' }));
    expect(
      await refusal(
        world.lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: FN, Qualifier: 'live' }))
      )
    ).toEqual(['ResourceNotFoundException', 'The resource you requested does not exist.', 404]);
    expect(
      (
        await refusal(
          world.lambda.send(
            new CreateFunctionUrlConfigCommand({ FunctionName: FN, Qualifier: '1', AuthType: 'NONE' })
          )
        )
      )[0]
    ).toBe('InvalidParameterValueException');
    expect(
      (
        await refusal(
          world.lambda.send(
            new CreateFunctionUrlConfigCommand({
              FunctionName: FN,
              Qualifier: 'live',
              AuthType: 'OPEN' as never
            })
          )
        )
      )[0]
    ).toBe('ValidationException');
  });
});
