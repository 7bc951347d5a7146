/**
 * register-model's requests, with aws-sdk-client-mock: what it sends (and does not send) for a new
 * package, a re-run, a racing run, an existing group and a missing metrics bucket.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  AddTagsCommand,
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  ListModelPackagesCommand,
  ListTagsCommand,
  SageMakerClient,
  type CreateModelPackageInput
} from '@aws-sdk/client-sagemaker';
import { ACTIONS } from '../../src/generated/actions.js';
import { runContext } from '../../src/github/context.js';
import { Inputs } from '../../src/inputs.js';
import { MemoryLogger } from '../../src/report.js';
import { readRegisterOptions } from '../../src/registry/options.js';
import { register } from '../../src/registry/register.js';
import { clientToken, createPackageRequest, statisticsDocument } from '../../src/registry/requests.js';

const sm = mockClient(SageMakerClient);
const s3 = mockClient(S3Client);
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/news@sha256:' + 'a'.repeat(64);
const GROUP_ARN = 'arn:aws:sagemaker:us-east-1:123456789012:model-package-group/news';
const arnOf = (v: number) => `arn:aws:sagemaker:us-east-1:123456789012:model-package/news/${v}`;
const github = runContext({
  GITHUB_REPOSITORY: 'octo-org/news',
  GITHUB_SHA: 'abcdef0123456789abcdef0123456789abcdef01',
  GITHUB_RUN_ID: '77',
  GITHUB_ACTOR: 'octocat',
  GITHUB_WORKSPACE: process.cwd()
});
const RUN = 'https://github.com/octo-org/news/actions/runs/77';

function inputs(action: string, values: Record<string, string>) {
  return new Inputs((name) => values[name], ACTIONS[action].inputs, action);
}
const registerOptions = (values: Record<string, string> = {}) =>
  readRegisterOptions(
    inputs('register-model', {
      'model-package-group': 'news',
      image: IMAGE,
      'model-data': 's3://models/news/model.tar.gz',
      environment: 'MODEL_NAME=news',
      metrics: '{"accuracy": 0.97, "eval": {"f1": 0.9}}',
      'metrics-path': 's3://metrics/news/',
      ...values
    }),
    github
  );
const clients = () => ({ sagemaker: new SageMakerClient({}), s3: new S3Client({}) });

/** A described package as SageMaker answers for `request` made version `v`. */
function described(v: number, request: CreateModelPackageInput, status = 'PendingManualApproval') {
  return {
    ModelPackageGroupName: 'news',
    ModelPackageVersion: v,
    ModelPackageArn: arnOf(v),
    ModelApprovalStatus: status as never,
    InferenceSpecification: request.InferenceSpecification,
    ModelMetrics: request.ModelMetrics,
    CustomerMetadataProperties: request.CustomerMetadataProperties
  };
}

beforeEach(() => {
  sm.reset();
  s3.reset();
});

describe('register', () => {
  it('a new group: PutObject of the statistics, CreateModelPackageGroup, CreateModelPackage', async () => {
    const options = registerOptions();
    const request = createPackageRequest(options, statisticsDocument(options));
    sm.on(DescribeModelPackageGroupCommand).rejects({
      name: 'ValidationException',
      message: `ModelPackageGroup ${GROUP_ARN} does not exist.`
    });
    sm.on(CreateModelPackageGroupCommand).resolves({ ModelPackageGroupArn: GROUP_ARN });
    sm.on(CreateModelPackageCommand).resolves({ ModelPackageArn: arnOf(1) });
    sm.on(DescribeModelPackageCommand).resolves(described(1, request));
    s3.on(PutObjectCommand).resolves({});

    const result = await register(options, clients(), new MemoryLogger());

    expect(result).toMatchObject({
      arn: arnOf(1),
      version: 1,
      status: 'PendingManualApproval',
      created: true,
      groupCreated: true
    });
    const body = JSON.stringify({ accuracy: 0.97, eval: { f1: 0.9 } }, null, 2) + '\n';
    const sha = (await import('node:crypto')).createHash('sha256').update(body).digest('hex');
    expect(s3.commandCalls(PutObjectCommand)[0].args[0].input).toEqual({
      Bucket: 'metrics',
      Key: `news/${sha}.json`,
      Body: body,
      ContentType: 'application/json'
    });
    expect(sm.commandCalls(CreateModelPackageGroupCommand)[0].args[0].input).toEqual({
      ModelPackageGroupName: 'news',
      ModelPackageGroupDescription:
        'Model packages of octo-org/news, registered by mlops-actions register-model.',
      Tags: [{ Key: 'mlops-actions:repository', Value: 'octo-org/news' }]
    });
    expect(sm.commandCalls(CreateModelPackageCommand)[0].args[0].input).toEqual({
      ModelPackageGroupName: 'news',
      ModelPackageDescription: 'octo-org/news at abcdef0, registered by mlops-actions register-model.',
      InferenceSpecification: {
        Containers: [
          { Image: IMAGE, ModelDataUrl: 's3://models/news/model.tar.gz', Environment: { MODEL_NAME: 'news' } }
        ],
        SupportedContentTypes: ['application/json'],
        SupportedResponseMIMETypes: ['application/json'],
        SupportedRealtimeInferenceInstanceTypes: ['ml.m5.large']
      },
      ModelApprovalStatus: 'PendingManualApproval',
      ModelMetrics: {
        ModelQuality: {
          Statistics: { ContentType: 'application/json', S3Uri: `s3://metrics/news/${sha}.json` }
        }
      },
      MetadataProperties: {
        CommitId: 'abcdef0123456789abcdef0123456789abcdef01',
        Repository: 'octo-org/news',
        GeneratedBy: RUN
      },
      CustomerMetadataProperties: {
        'mlops-actions:git-sha': 'abcdef0123456789abcdef0123456789abcdef01',
        'mlops-actions:repository': 'octo-org/news',
        'mlops-actions:run-url': RUN,
        'mlops-actions:image-digest': 'sha256:' + 'a'.repeat(64),
        'mlops-actions:metrics': 'accuracy=0.97 eval.f1=0.9'
      },
      ClientToken: expect.stringMatching(/^[a-f0-9]{32}$/)
    });
    expect(sm.commandCalls(AddTagsCommand)).toEqual([]);
    expect(sm.commandCalls(ListModelPackagesCommand)).toEqual([]);
  });

  it('a re-run finds the same package among newer ones and sends nothing that changes anything', async () => {
    const options = registerOptions({ approval: 'Approved', description: 'again' });
    const request = createPackageRequest(options, statisticsDocument(options));
    const other = createPackageRequest(
      registerOptions({ environment: 'MODEL_NAME=other' }),
      statisticsDocument(options)
    );
    sm.on(DescribeModelPackageGroupCommand).resolves({
      ModelPackageGroupArn: GROUP_ARN,
      ModelPackageGroupName: 'news'
    });
    sm.on(ListModelPackagesCommand).resolves({
      ModelPackageSummaryList: [3, 2, 1].map((v) => ({ ModelPackageArn: arnOf(v) })) as never
    });
    sm.on(DescribeModelPackageCommand, { ModelPackageName: arnOf(3) }).resolves(described(3, other));
    sm.on(DescribeModelPackageCommand, { ModelPackageName: arnOf(2) }).resolves(described(2, request));
    const log = new MemoryLogger();

    const result = await register(options, clients(), log);

    expect(result).toMatchObject({
      arn: arnOf(2),
      version: 2,
      status: 'PendingManualApproval',
      created: false
    });
    expect(sm.commandCalls(ListModelPackagesCommand)[0].args[0].input).toEqual({
      ModelPackageGroupName: 'news',
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 100,
      NextToken: undefined
    });
    expect(sm.commandCalls(DescribeModelPackageCommand).map((c) => c.args[0].input.ModelPackageName)).toEqual(
      [arnOf(3), arnOf(2)]
    );
    expect(sm.commandCalls(CreateModelPackageCommand)).toEqual([]);
    expect(sm.commandCalls(CreateModelPackageGroupCommand)).toEqual([]);
    expect(sm.commandCalls(AddTagsCommand)).toEqual([]);
    expect(s3.commandCalls(PutObjectCommand)).toEqual([]);
    expect(log.text()).toContain('approval Approved applies to a new package');
  });

  it('an existing group: tags it lacks are added, a racing group creation is not an error', async () => {
    const options = registerOptions({ tags: 'team: ml\nowner: data', metrics: '', 'metrics-path': '' });
    const request = createPackageRequest(options);
    sm.on(DescribeModelPackageGroupCommand).resolves({ ModelPackageGroupArn: GROUP_ARN });
    sm.on(ListModelPackagesCommand).resolves({ ModelPackageSummaryList: [] });
    sm.on(ListTagsCommand).resolves({ Tags: [{ Key: 'team', Value: 'ml' }] });
    sm.on(CreateModelPackageCommand).resolves({ ModelPackageArn: arnOf(4) });
    sm.on(DescribeModelPackageCommand).resolves(described(4, request, 'PendingManualApproval'));

    const result = await register(options, clients(), new MemoryLogger());

    expect(result).toMatchObject({ version: 4, created: true, groupCreated: false });
    expect(sm.commandCalls(AddTagsCommand)[0].args[0].input).toEqual({
      ResourceArn: GROUP_ARN,
      Tags: [{ Key: 'owner', Value: 'data' }]
    });
    const create = sm.commandCalls(CreateModelPackageCommand)[0].args[0].input;
    expect(create.ModelMetrics).toBeUndefined();
    expect(Object.keys(create.CustomerMetadataProperties ?? {})).not.toContain('mlops-actions:metrics');

    sm.reset();
    sm.on(DescribeModelPackageGroupCommand).rejects({
      name: 'ValidationException',
      message: 'ModelPackageGroup x does not exist.'
    });
    sm.on(CreateModelPackageGroupCommand).rejects({
      name: 'ValidationException',
      message: `Model Package Group already exists: ${GROUP_ARN}`
    });
    sm.on(CreateModelPackageCommand).resolves({ ModelPackageArn: arnOf(1) });
    sm.on(DescribeModelPackageCommand).resolves(described(1, request));
    expect(await register(options, clients(), new MemoryLogger())).toMatchObject({
      version: 1,
      groupCreated: false
    });
  });

  it('a metrics bucket that does not exist stops before the group or package is created, naming metrics-path', async () => {
    sm.on(DescribeModelPackageGroupCommand).rejects({
      name: 'ValidationException',
      message: 'ModelPackageGroup x does not exist.'
    });
    s3.on(PutObjectCommand).rejects({ name: 'NoSuchBucket', message: 'The specified bucket does not exist' });
    await expect(register(registerOptions(), clients(), new MemoryLogger())).rejects.toThrow(
      'Input "metrics-path" names the bucket metrics, which does not exist (The specified bucket does not exist): create it, or give another metrics-path.'
    );
    expect(sm.commandCalls(CreateModelPackageGroupCommand)).toEqual([]);
    expect(sm.commandCalls(CreateModelPackageCommand)).toEqual([]);
  });

  it('the token and the statistics key are made of the contents: the same package, the same token', () => {
    const a = registerOptions();
    const b = registerOptions({
      description: 'other words',
      approval: 'Approved',
      'metrics-path': 's3://metrics/news'
    });
    const c = registerOptions({ metrics: '{"accuracy": 0.96}' });
    const req = (o: typeof a) => createPackageRequest(o, statisticsDocument(o));
    expect(req(a).ClientToken).toBe(req(b).ClientToken);
    expect(statisticsDocument(a)!.uri).toBe(statisticsDocument(b)!.uri);
    expect(req(c).ClientToken).not.toBe(req(a).ClientToken);
    expect(statisticsDocument(c)!.uri).not.toBe(statisticsDocument(a)!.uri);
    const spec = req(a).InferenceSpecification!;
    expect(clientToken('other-group', spec)).not.toBe(clientToken('news', spec));
  });
});
