/**
 * approve-model's requests and resolvePackage (what deploy-canary's model-package and the promotion
 * flow call), with aws-sdk-client-mock: the approval sent, the no-op not sent, the lookups.
 */
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeModelPackageCommand,
  ListModelPackagesCommand,
  SageMakerClient,
  UpdateModelPackageCommand
} from '@aws-sdk/client-sagemaker';
import { ACTIONS } from '../../src/generated/actions.js';
import { runContext } from '../../src/github/context.js';
import { Inputs } from '../../src/inputs.js';
import { MemoryLogger } from '../../src/report.js';
import { approve } from '../../src/registry/approve.js';
import { readApproveOptions } from '../../src/registry/options.js';
import { listPackages, resolvePackage } from '../../src/registry/reference.js';

const sm = mockClient(SageMakerClient);
const arnOf = (v: number) => `arn:aws:sagemaker:us-east-1:123456789012:model-package/news/${v}`;
const github = runContext({
  GITHUB_REPOSITORY: 'octo-org/news',
  GITHUB_SHA: 'abcdef0123456789abcdef0123456789abcdef01',
  GITHUB_RUN_ID: '77',
  GITHUB_ACTOR: 'octocat',
  GITHUB_WORKSPACE: process.cwd()
});
const RUN = 'https://github.com/octo-org/news/actions/runs/77';
const inputs = (values: Record<string, string>) =>
  new Inputs((name) => values[name], ACTIONS['approve-model'].inputs, 'approve-model');

beforeEach(() => sm.reset());

describe('approve', () => {
  const approveOptions = (values: Record<string, string>) => readApproveOptions(inputs(values), github);

  it('UpdateModelPackage with the decision and who and why, the run URL added', async () => {
    sm.on(DescribeModelPackageCommand)
      .resolvesOnce({
        ModelPackageArn: arnOf(3),
        ModelPackageGroupName: 'news',
        ModelPackageVersion: 3,
        ModelApprovalStatus: 'PendingManualApproval'
      })
      .resolves({
        ModelPackageArn: arnOf(3),
        ModelPackageGroupName: 'news',
        ModelPackageVersion: 3,
        ModelApprovalStatus: 'Approved',
        ApprovalDescription: 'x'
      });
    sm.on(UpdateModelPackageCommand).resolves({ ModelPackageArn: arnOf(3) });
    const options = approveOptions({
      'model-package': 'news',
      version: '3',
      decision: 'Approved',
      description: 'Looks good\nto me'
    });

    const result = await approve(options, new SageMakerClient({}), new MemoryLogger());

    expect(sm.commandCalls(DescribeModelPackageCommand)[0].args[0].input).toEqual({
      ModelPackageName: 'news/3'
    });
    expect(sm.commandCalls(UpdateModelPackageCommand)[0].args[0].input).toEqual({
      ModelPackageArn: arnOf(3),
      ModelApprovalStatus: 'Approved',
      ApprovalDescription: `Looks good to me (run ${RUN})`
    });
    expect(result).toMatchObject({
      arn: arnOf(3),
      status: 'Approved',
      previousStatus: 'PendingManualApproval',
      changed: true
    });
  });

  it('a package in that status already: no UpdateModelPackage, and the log says so', async () => {
    sm.on(DescribeModelPackageCommand).resolves({
      ModelPackageArn: arnOf(3),
      ModelPackageGroupName: 'news',
      ModelPackageVersion: 3,
      ModelApprovalStatus: 'Rejected'
    });
    const log = new MemoryLogger();
    const result = await approve(
      approveOptions({ 'model-package': arnOf(3), decision: 'rejected' }),
      new SageMakerClient({}),
      log
    );
    expect(sm.commandCalls(UpdateModelPackageCommand)).toEqual([]);
    expect(result).toMatchObject({ status: 'Rejected', previousStatus: 'Rejected', changed: false });
    expect(log.text()).toContain(`${arnOf(3)} is Rejected already: nothing to do`);
  });

  it("an ARN's region is the default region", () => {
    const arn = 'arn:aws:sagemaker:eu-west-1:123456789012:model-package/news/2';
    expect(approveOptions({ 'model-package': arn, decision: 'Approved' }).region).toBe('eu-west-1');
    expect(approveOptions({ 'model-package': arn, decision: 'Approved', region: 'us-east-1' }).region).toBe(
      'us-east-1'
    );
  });
});

describe('resolvePackage and listPackages', () => {
  it('<group> with approvedOnly: the newest Approved package', async () => {
    sm.on(ListModelPackagesCommand).resolves({
      ModelPackageSummaryList: [{ ModelPackageArn: arnOf(5) }] as never
    });
    sm.on(DescribeModelPackageCommand).resolves({
      ModelPackageArn: arnOf(5),
      ModelPackageGroupName: 'news',
      ModelPackageVersion: 5,
      ModelApprovalStatus: 'Approved'
    });
    const found = await resolvePackage(new SageMakerClient({}), 'news', { approvedOnly: true });
    expect(found).toMatchObject({ arn: arnOf(5), group: 'news', version: 5, status: 'Approved' });
    expect(sm.commandCalls(ListModelPackagesCommand)[0].args[0].input).toEqual({
      ModelPackageGroupName: 'news',
      ModelApprovalStatus: 'Approved',
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
      MaxResults: 1,
      NextToken: undefined
    });
  });

  it('refuses a package that is not Approved, naming its status; a group with none says so', async () => {
    sm.on(DescribeModelPackageCommand).resolves({
      ModelPackageArn: arnOf(2),
      ModelPackageGroupName: 'news',
      ModelPackageVersion: 2,
      ModelApprovalStatus: 'PendingManualApproval'
    });
    await expect(resolvePackage(new SageMakerClient({}), arnOf(2), { approvedOnly: true })).rejects.toThrow(
      `Input "model-package" names ${arnOf(2)}, which is PendingManualApproval, not Approved: approve it with approve-model first.`
    );
    sm.on(ListModelPackagesCommand).resolves({ ModelPackageSummaryList: [] });
    await expect(resolvePackage(new SageMakerClient({}), 'news', { approvedOnly: true })).rejects.toThrow(
      'Input "model-package" names the group news, which has no Approved model package: register one with register-model and approve it with approve-model.'
    );
  });

  it('listPackages follows NextToken', async () => {
    sm.on(ListModelPackagesCommand, { NextToken: undefined }).resolves({
      ModelPackageSummaryList: [{ ModelPackageArn: arnOf(2) }] as never,
      NextToken: 't'
    });
    sm.on(ListModelPackagesCommand, { NextToken: 't' }).resolves({
      ModelPackageSummaryList: [{ ModelPackageArn: arnOf(1) }] as never
    });
    const all = await listPackages(new SageMakerClient({}), 'news');
    expect(all.map((p) => p.ModelPackageArn)).toEqual([arnOf(2), arnOf(1)]);
  });
});
