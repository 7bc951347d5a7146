/**
 * The emulator's SageMaker Model Registry through the real SDK: groups, versioned packages, their
 * approval, listings, tags, a model made from a package and (docker hosting) an endpoint serving it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  AddTagsCommand,
  CreateEndpointCommand,
  CreateModelCommand,
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  DeleteModelPackageCommand,
  DeleteModelPackageGroupCommand,
  DeleteTagsCommand,
  DescribeEndpointCommand,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  ListModelPackageGroupsCommand,
  ListModelPackagesCommand,
  ListTagsCommand,
  UpdateModelPackageCommand,
  type CreateModelPackageCommandInput
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { S3Store } from '../../src/emulator/services/s3/index.js';
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';
import {
  buildServingImage,
  clientsFor,
  createConfig,
  createEndpoint,
  emulatorContainers,
  ROLE,
  SERVING_IMAGE
} from '../helpers/serving.js';

const ARN = 'arn:aws:sagemaker:us-east-1:123456789012';
let now = 1_700_000_000_000;
let emu: RunningEmulator;
let c: ReturnType<typeof clientsFor>;

const spec = (image = 'img:1', env: Record<string, string> = {}) => ({
  Containers: [{ Image: image, ModelDataUrl: 's3://models/m/model.tar.gz', Environment: env }],
  SupportedContentTypes: ['application/json'],
  SupportedResponseMIMETypes: ['application/json'],
  SupportedRealtimeInferenceInstanceTypes: ['ml.m5.large' as const]
});

async function group(name: string, description?: string) {
  now += 1000;
  return c.sagemaker.send(
    new CreateModelPackageGroupCommand({
      ModelPackageGroupName: name,
      ModelPackageGroupDescription: description
    })
  );
}

async function register(input: Partial<CreateModelPackageCommandInput> & { ModelPackageGroupName: string }) {
  now += 1000;
  const out = await c.sagemaker.send(
    new CreateModelPackageCommand({ InferenceSpecification: spec(), ...input })
  );
  return out.ModelPackageArn!;
}

/** The error a call fails with: its name and message. */
async function failure(p: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return { name: (e as Error).name, message: (e as Error).message };
  }
  throw new Error('expected the call to fail');
}

describe('model registry (simulated hosting)', () => {
  beforeEach(async () => {
    emu = await startEmulator({ now: () => now });
    c = clientsFor(emu.url);
  });
  afterEach(() => emu.stop());

  it('creates, describes, lists and deletes groups', async () => {
    const made = await group('churn', 'Churn models');
    expect(made.ModelPackageGroupArn).toBe(`${ARN}:model-package-group/churn`);
    const described = await c.sagemaker.send(
      new DescribeModelPackageGroupCommand({ ModelPackageGroupName: 'churn' })
    );
    expect(described).toMatchObject({
      ModelPackageGroupName: 'churn',
      ModelPackageGroupArn: made.ModelPackageGroupArn,
      ModelPackageGroupDescription: 'Churn models',
      ModelPackageGroupStatus: 'Completed'
    });
    expect(described.CreationTime).toEqual(new Date(now));
    const byArn = await c.sagemaker.send(
      new DescribeModelPackageGroupCommand({ ModelPackageGroupName: made.ModelPackageGroupArn })
    );
    expect(byArn.ModelPackageGroupName).toBe('churn');
    expect(await failure(group('churn'))).toEqual({
      name: 'ValidationException',
      message: `Model Package Group already exists: ${ARN}:model-package-group/churn`
    });
    expect((await failure(group('bad_name'))).message).toMatch(
      /at 'modelPackageGroupName' failed to satisfy constraint/
    );
    await c.sagemaker.send(new DeleteModelPackageGroupCommand({ ModelPackageGroupName: 'churn' }));
    expect(
      await failure(
        c.sagemaker.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: 'churn' }))
      )
    ).toEqual({
      name: 'ValidationException',
      message: `ModelPackageGroup ${ARN}:model-package-group/churn does not exist.`
    });
    expect(
      (
        await failure(
          c.sagemaker.send(new DeleteModelPackageGroupCommand({ ModelPackageGroupName: 'churn' }))
        )
      ).name
    ).toBe('ValidationException');
  });

  it('lists groups by name filter, sort order and pages', async () => {
    for (const name of ['b-churn', 'a-churn', 'fraud', 'c-churn']) await group(name);
    const list = (input: object) => c.sagemaker.send(new ListModelPackageGroupsCommand(input));
    const names = (out: Awaited<ReturnType<typeof list>>) =>
      out.ModelPackageGroupSummaryList!.map((g) => g.ModelPackageGroupName);
    expect(names(await list({}))).toEqual(['b-churn', 'a-churn', 'fraud', 'c-churn']); // oldest first
    expect(names(await list({ SortOrder: 'Descending' }))).toEqual([
      'c-churn',
      'fraud',
      'a-churn',
      'b-churn'
    ]);
    expect(names(await list({ SortBy: 'Name' }))).toEqual(['a-churn', 'b-churn', 'c-churn', 'fraud']);
    expect(names(await list({ NameContains: 'churn', SortBy: 'Name' }))).toEqual([
      'a-churn',
      'b-churn',
      'c-churn'
    ]);
    const first = await list({ SortBy: 'Name', MaxResults: 3 });
    expect(names(first)).toEqual(['a-churn', 'b-churn', 'c-churn']);
    const second = await list({ SortBy: 'Name', MaxResults: 3, NextToken: first.NextToken });
    expect(names(second)).toEqual(['fraud']);
    expect(second.NextToken).toBeUndefined();
    expect((await list({}))!.ModelPackageGroupSummaryList![0]).toMatchObject({
      ModelPackageGroupArn: `${ARN}:model-package-group/b-churn`,
      ModelPackageGroupStatus: 'Completed'
    });
    expect((await failure(list({ SortBy: 'Size' }))).message).toMatch(
      /at 'sortBy' failed to satisfy constraint/
    );
    expect((await failure(list({ MaxResults: 101 }))).name).toBe('ValidationException');
  });

  it('versions packages per group, with their specification, metrics and default approval', async () => {
    await group('churn');
    await group('fraud');
    const metrics = {
      ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: 's3://reports/eval.json' } }
    };
    const v1 = await register({
      ModelPackageGroupName: 'churn',
      ModelPackageDescription: 'first',
      ModelMetrics: metrics,
      CustomerMetadataProperties: { commit: 'abc123' }
    });
    const v2 = await register({ ModelPackageGroupName: 'churn', ModelApprovalStatus: 'Approved' });
    // The group by its ARN works as well as by its name.
    const f1 = await register({ ModelPackageGroupName: `${ARN}:model-package-group/fraud` });
    expect([v1, v2, f1]).toEqual([
      `${ARN}:model-package/churn/1`,
      `${ARN}:model-package/churn/2`,
      `${ARN}:model-package/fraud/1`
    ]);
    const d1 = await c.sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: v1 }));
    expect(d1).toMatchObject({
      ModelPackageGroupName: 'churn',
      ModelPackageVersion: 1,
      ModelPackageArn: v1,
      ModelPackageDescription: 'first',
      ModelPackageStatus: 'Completed',
      ModelApprovalStatus: 'PendingManualApproval',
      InferenceSpecification: spec(),
      ModelMetrics: metrics,
      CustomerMetadataProperties: { commit: 'abc123' }
    });
    expect(d1.CreationTime).toEqual(new Date(now - 2000));
    expect(d1.LastModifiedTime).toBeUndefined();
    // SageMaker also names a version `<group>/<version>`; a bare group name is no versioned package.
    const short = await c.sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: 'churn/1' }));
    expect(short.ModelPackageArn).toBe(v1);
    expect(
      await failure(c.sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: 'churn' })))
    ).toEqual({ name: 'ValidationException', message: 'Model package churn not found' });
    expect(
      (await failure(c.sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: 'churn/1/x' }))))
        .message
    ).toMatch(/at 'modelPackageName' failed to satisfy constraint: Member must satisfy regular expression/);
    const d2 = await c.sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: v2 }));
    expect(d2.ModelApprovalStatus).toBe('Approved');
    // A deleted version's number is not given again.
    await c.sagemaker.send(new DeleteModelPackageCommand({ ModelPackageName: v2 }));
    expect(await register({ ModelPackageGroupName: 'churn' })).toBe(`${ARN}:model-package/churn/3`);
    expect(
      await failure(c.sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: v2 })))
    ).toEqual({ name: 'ValidationException', message: `Model package ${v2} not found` });
  });

  it('a ClientToken makes CreateModelPackage idempotent', async () => {
    await group('churn');
    const first = await register({ ModelPackageGroupName: 'churn', ClientToken: 'run-42' });
    expect(await register({ ModelPackageGroupName: 'churn', ClientToken: 'run-42' })).toBe(first);
    expect(await register({ ModelPackageGroupName: 'churn', ClientToken: 'run-43' })).toBe(
      `${ARN}:model-package/churn/2`
    );
  });

  it.each([
    ['no group', { ModelPackageGroupName: 'nope' }, 'Model Package Group does not exist.'],
    [
      'a name and a group',
      { ModelPackageGroupName: 'churn', ModelPackageName: 'x' },
      /Both ModelPackageName and ModelPackageGroupName/
    ],
    [
      'a bad approval status',
      { ModelPackageGroupName: 'churn', ModelApprovalStatus: 'Maybe' },
      "1 validation error detected: Value 'Maybe' at 'modelApprovalStatus' failed to satisfy constraint: Member must satisfy enum value set: [PendingManualApproval, Approved, Rejected]"
    ],
    [
      'no container',
      { ModelPackageGroupName: 'churn', InferenceSpecification: { Containers: [] } },
      /inferenceSpecification.containers/
    ],
    [
      'a container without an image',
      { ModelPackageGroupName: 'churn', InferenceSpecification: { Containers: [{ Image: '' }] } },
      /inferenceSpecification.containers.member.image/
    ],
    [
      'a model data URL not on S3',
      {
        ModelPackageGroupName: 'churn',
        InferenceSpecification: { Containers: [{ Image: 'i', ModelDataUrl: 'ftp://x/m.tar.gz' }] }
      },
      /modelDataUrl/
    ],
    [
      'an unknown instance type',
      {
        ModelPackageGroupName: 'churn',
        InferenceSpecification: { ...spec(), SupportedRealtimeInferenceInstanceTypes: ['ml.huge'] }
      },
      /supportedRealtimeInferenceInstanceTypes/
    ],
    [
      'a metrics report without an S3 URI',
      {
        ModelPackageGroupName: 'churn',
        ModelMetrics: {
          ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: 'file:///x' } }
        }
      },
      /modelMetrics.modelQuality.statistics.s3Uri/
    ],
    [
      'empty metadata values',
      { ModelPackageGroupName: 'churn', CustomerMetadataProperties: { commit: '' } },
      /customerMetadataProperties.value/
    ],
    ['a bad client token', { ModelPackageGroupName: 'churn', ClientToken: 'a b' }, /clientToken/],
    [
      'tags (a version uses its group’s)',
      { ModelPackageGroupName: 'churn', Tags: [{ Key: 'a', Value: 'b' }] },
      /^Tags cannot be supplied with ModelPackageGroupName/
    ]
  ])('CreateModelPackage refuses %s', async (_what, input, message) => {
    await group('churn');
    const error = await failure(
      c.sagemaker.send(new CreateModelPackageCommand(input as CreateModelPackageCommandInput))
    );
    expect(error.name).toBe('ValidationException');
    if (typeof message === 'string') expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
    const listed = await c.sagemaker.send(new ListModelPackagesCommand({ ModelPackageGroupName: 'churn' }));
    expect(listed.ModelPackageSummaryList).toEqual([]);
  });

  it('lists packages of a group by approval status, in order and by pages', async () => {
    await group('churn');
    await group('fraud');
    const a = await register({ ModelPackageGroupName: 'churn', ModelApprovalStatus: 'Approved' });
    const b = await register({ ModelPackageGroupName: 'churn' });
    const d = await register({ ModelPackageGroupName: 'churn', ModelApprovalStatus: 'Approved' });
    await register({ ModelPackageGroupName: 'fraud', ModelApprovalStatus: 'Approved' });
    const list = (input: object) => c.sagemaker.send(new ListModelPackagesCommand(input));
    const arns = (out: Awaited<ReturnType<typeof list>>) =>
      out.ModelPackageSummaryList!.map((p) => p.ModelPackageArn);
    expect(arns(await list({ ModelPackageGroupName: 'churn' }))).toEqual([a, b, d]);
    const latest = await list({
      ModelPackageGroupName: 'churn',
      ModelApprovalStatus: 'Approved',
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 1
    });
    expect(latest.ModelPackageSummaryList).toEqual([
      {
        ModelPackageName: 'churn',
        ModelPackageGroupName: 'churn',
        ModelPackageVersion: 3,
        ModelPackageArn: d,
        CreationTime: expect.any(Date),
        ModelPackageStatus: 'Completed',
        ModelApprovalStatus: 'Approved'
      }
    ]);
    const next = await list({
      ModelPackageGroupName: 'churn',
      ModelApprovalStatus: 'Approved',
      SortOrder: 'Descending',
      MaxResults: 1,
      NextToken: latest.NextToken
    });
    expect(arns(next)).toEqual([a]);
    expect(next.NextToken).toBeUndefined();
    expect(
      arns(
        await list({
          ModelPackageGroupName: `${ARN}:model-package-group/churn`,
          ModelApprovalStatus: 'PendingManualApproval'
        })
      )
    ).toEqual([b]);
    // Without a group SageMaker lists unversioned packages unless asked for versioned ones.
    expect(arns(await list({}))).toEqual([]);
    expect(
      await list({ ModelPackageType: 'Versioned', SortBy: 'Name' }).then(
        (o) => o.ModelPackageSummaryList!.length
      )
    ).toBe(4);
    expect(arns(await list({ ModelPackageGroupName: 'nope' }))).toEqual([]);
    expect((await failure(list({ ModelApprovalStatus: 'Yes' }))).message).toMatch(/modelApprovalStatus/);
    expect((await failure(list({ ModelPackageType: 'Some' }))).message).toMatch(/modelPackageType/);
  });

  it('updates approval, keeps its description and merges metadata', async () => {
    await group('churn');
    const arn = await register({
      ModelPackageGroupName: 'churn',
      CustomerMetadataProperties: { commit: 'abc', run: '1' }
    });
    now += 5000;
    const update = (input: object) =>
      c.sagemaker.send(new UpdateModelPackageCommand({ ModelPackageArn: arn, ...input }));
    expect(
      (await update({ ModelApprovalStatus: 'Approved', ApprovalDescription: 'looks good' })).ModelPackageArn
    ).toBe(arn);
    const describe = () => c.sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }));
    let d = await describe();
    expect(d).toMatchObject({ ModelApprovalStatus: 'Approved', ApprovalDescription: 'looks good' });
    expect(d.LastModifiedTime).toEqual(new Date(now));
    await update({
      CustomerMetadataProperties: { accuracy: '0.93' },
      CustomerMetadataPropertiesToRemove: ['run']
    });
    d = await describe();
    expect(d.CustomerMetadataProperties).toEqual({ commit: 'abc', accuracy: '0.93' });
    expect(d).toMatchObject({ ModelApprovalStatus: 'Approved', ApprovalDescription: 'looks good' });
    await update({ ModelApprovalStatus: 'Rejected' });
    expect((await describe()).ModelApprovalStatus).toBe('Rejected');
    expect((await failure(update({ ModelApprovalStatus: 'Fine' }))).message).toMatch(/'modelApprovalStatus'/);
    // UpdateModelPackage takes the ARN only.
    expect(
      (
        await failure(
          c.sagemaker.send(
            new UpdateModelPackageCommand({ ModelPackageArn: 'churn/1', ModelApprovalStatus: 'Approved' })
          )
        )
      ).message
    ).toMatch(/at 'modelPackageArn' failed to satisfy constraint/);
    expect(
      await failure(
        c.sagemaker.send(
          new UpdateModelPackageCommand({ ModelPackageArn: `${arn}0`, ModelApprovalStatus: 'Approved' })
        )
      )
    ).toEqual({
      name: 'ValidationException',
      message: `Model package ${arn}0 not found`
    });
  });

  it('refuses to delete a group that still has packages', async () => {
    await group('churn');
    const arn = await register({ ModelPackageGroupName: 'churn' });
    const error = await failure(
      c.sagemaker.send(new DeleteModelPackageGroupCommand({ ModelPackageGroupName: 'churn' }))
    );
    expect(error.name).toBe('ConflictException');
    expect(error.message).toMatch(/contains model packages/);
    await c.sagemaker.send(new DeleteModelPackageCommand({ ModelPackageName: arn }));
    expect(
      (await failure(c.sagemaker.send(new DeleteModelPackageCommand({ ModelPackageName: arn })))).name
    ).toBe('ValidationException');
    await c.sagemaker.send(new DeleteModelPackageGroupCommand({ ModelPackageGroupName: 'churn' }));
  });

  it('tags groups and packages through AddTags, ListTags and DeleteTags', async () => {
    const groupArn = (
      await c.sagemaker.send(
        new CreateModelPackageGroupCommand({
          ModelPackageGroupName: 'churn',
          Tags: [{ Key: 'team', Value: 'ml' }]
        })
      )
    ).ModelPackageGroupArn!;
    const arn = await register({ ModelPackageGroupName: 'churn' });
    await c.sagemaker.send(new AddTagsCommand({ ResourceArn: arn, Tags: [{ Key: 'commit', Value: 'abc' }] }));
    const tags = async (resource: string) =>
      (await c.sagemaker.send(new ListTagsCommand({ ResourceArn: resource }))).Tags;
    expect(await tags(groupArn)).toEqual([{ Key: 'team', Value: 'ml' }]);
    await c.sagemaker.send(new AddTagsCommand({ ResourceArn: arn, Tags: [{ Key: 'stage', Value: 'prod' }] }));
    expect(await tags(arn)).toEqual([
      { Key: 'commit', Value: 'abc' },
      { Key: 'stage', Value: 'prod' }
    ]);
    await c.sagemaker.send(new DeleteTagsCommand({ ResourceArn: arn, TagKeys: ['commit'] }));
    expect(await tags(arn)).toEqual([{ Key: 'stage', Value: 'prod' }]);
    await c.sagemaker.send(new DeleteModelPackageCommand({ ModelPackageName: arn }));
    expect((await failure(tags(arn))).name).toBe('ResourceNotFound');
  });

  it('CreateModel from an approved package; refuses a pending or unknown one', async () => {
    await group('churn');
    const pending = await register({
      ModelPackageGroupName: 'churn',
      InferenceSpecification: spec('img:1', { A: '1' })
    });
    const create = (name: string, pkg: string) =>
      c.sagemaker.send(
        new CreateModelCommand({
          ModelName: name,
          ExecutionRoleArn: ROLE,
          Containers: [{ ModelPackageName: pkg }]
        })
      );
    expect(await failure(create('m1', pending))).toEqual({
      name: 'ValidationException',
      message: `Model package ${pending} cannot be used to create a model: its ModelApprovalStatus is PendingManualApproval, not Approved.`
    });
    expect((await failure(create('m1', `${ARN}:model-package/churn/9`))).message).toBe(
      `Model package ${ARN}:model-package/churn/9 not found`
    );
    await c.sagemaker.send(
      new UpdateModelPackageCommand({ ModelPackageArn: pending, ModelApprovalStatus: 'Approved' })
    );
    await create('m1', pending);
    const model = await c.sagemaker.send(new DescribeModelCommand({ ModelName: 'm1' }));
    expect(model.Containers).toEqual([{ ModelPackageName: pending }]);
    // Endpoints made from it deploy the package's image.
    await createConfig(c.sagemaker, 'c1', [{ VariantName: 'AllTraffic', ModelName: 'm1' }]);
    await c.sagemaker.send(new CreateEndpointCommand({ EndpointName: 'e1', EndpointConfigName: 'c1' }));
    now += 3_600_000;
    const endpoint = await c.sagemaker.send(new DescribeEndpointCommand({ EndpointName: 'e1' }));
    expect(endpoint.EndpointStatus).toBe('InService');
    expect(endpoint.ProductionVariants?.[0].DeployedImages?.[0].SpecifiedImage).toBe('img:1');
  });

  it('keeps the registry in the state file across restarts', async () => {
    const stateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'registry-')), 'state.json');
    await emu.stop();
    emu = await startEmulator({ now: () => now, stateFile });
    c = clientsFor(emu.url);
    await group('churn');
    const arn = await register({ ModelPackageGroupName: 'churn' });
    await emu.stop();
    emu = await startEmulator({ now: () => now, stateFile });
    c = clientsFor(emu.url);
    expect(
      (await c.sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }))).ModelPackageVersion
    ).toBe(1);
    expect(await register({ ModelPackageGroupName: 'churn' })).toBe(`${ARN}:model-package/churn/2`);
  });
});

describe('model registry (docker hosting)', () => {
  beforeAll(() => buildServingImage());
  beforeEach(async () => {
    emu = await startEmulator({ hosting: 'docker', timeScale: 0.01 });
    c = clientsFor(emu.url);
  });
  afterEach(async () => {
    await emu.stop();
    expect(emulatorContainers()).toEqual([]);
  });

  it('an endpoint from a package-made model serves the package image and model data', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-'));
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ trees: 11 }));
    const tar = path.join(dir, 'model.tar.gz');
    execFileSync('tar', ['-czf', tar, '-C', dir, 'model.json']);
    const store = new S3Store(path.join(emu.emulator.dataDir, 's3'));
    store.createBucket('models');
    store.put('models', 'm/model.tar.gz', fs.readFileSync(tar));
    await c.sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'churn' }));
    const arn = (
      await c.sagemaker.send(
        new CreateModelPackageCommand({
          ModelPackageGroupName: 'churn',
          ModelApprovalStatus: 'Approved',
          InferenceSpecification: spec(SERVING_IMAGE, { ANSWER: 'from-package' })
        })
      )
    ).ModelPackageArn!;
    await c.sagemaker.send(
      new CreateModelCommand({
        ModelName: 'm1',
        ExecutionRoleArn: ROLE,
        PrimaryContainer: { ModelPackageName: arn }
      })
    );
    await createConfig(c.sagemaker, 'c1', [{ VariantName: 'AllTraffic', ModelName: 'm1' }]);
    expect((await createEndpoint(c.sagemaker, 'e1', 'c1')).EndpointStatus).toBe('InService');
    const answer = await c.runtime.send(
      new InvokeEndpointCommand({
        EndpointName: 'e1',
        Body: new TextEncoder().encode('{}'),
        ContentType: 'application/json'
      })
    );
    const body = JSON.parse(new TextDecoder().decode(answer.Body));
    expect(body).toMatchObject({ answer: 'from-package', model: { trees: 11 } });
  });
});
