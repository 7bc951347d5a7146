/**
 * The Lambda engine on the worst day, against an in-memory Lambda: an update in progress, lost
 * answers, another run moving the alias or the code, the lease, a re-run that resumes or undoes a
 * stale canary, wait-timeout mid-bake; and what keep-versions deletes.
 */
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand
} from '@aws-sdk/client-lambda';
import { deployLambda } from '../../src/lambda/deploy.js';
import { tagKeys } from '../../src/lambda/history.js';
import { rollbackLambda } from '../../src/lambda/rollback.js';
import { MemoryLogger } from '../../src/report.js';
import { error, imageOf } from '../helpers/fake-lambda.js';
import {
  alarm,
  aliasUpdates,
  clients,
  context,
  cw,
  lambda,
  NEW,
  OLD,
  options,
  ROLE,
  useLambdaBench
} from '../helpers/lambda-bench.js';

useLambdaBench();

describe('deploy: the worst day', () => {
  it('an update in progress (ResourceConflictException) is waited out, then the update goes on', async () => {
    lambda.seed([OLD]);
    lambda.failOnce(
      UpdateFunctionCodeCommand,
      error('ResourceConflictException', 'An update is in progress')
    );
    const log = new MemoryLogger();
    expect((await deployLambda(options(), clients(), context(log))).status).toBe('deployed');
    expect(lambda.mock.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(2);
    expect(log.text()).toContain('An update of news is in progress: waiting for it, then going on.');
  });

  it('a lost UpdateAlias answer (applied, the retry refused on its RevisionId) is read back and goes on', async () => {
    lambda.seed([OLD]);
    lambda.failOnce(
      UpdateAliasCommand,
      error('PreconditionFailedException', 'The Revision Id provided does not match'),
      true
    );
    const result = await deployLambda(options(), clients(), context());
    expect(result.status).toBe('deployed');
    expect(lambda.fn!.aliases.get('live')!.FunctionVersion).toBe('2');
  });

  it('a lost CreateFunction answer (the retry conflicts) reads the function and goes on', async () => {
    lambda.failOnce(
      CreateFunctionCommand,
      error('ResourceConflictException', 'Function already exist'),
      true
    );
    expect((await deployLambda(options({ 'role-arn': ROLE }), clients(), context())).status).toBe('deployed');
  });

  it('another run moving the alias mid-deployment: superseded, the alias left as it found it', async () => {
    lambda.seed([OLD]);
    cw.on(DescribeAlarmsCommand).callsFake(async () => {
      const a = lambda.fn!.aliases.get('live')!;
      lambda.fn!.aliases.set('live', {
        ...a,
        FunctionVersion: '1',
        RoutingConfig: { AdditionalVersionWeights: {} },
        RevisionId: 'other'
      });
      return alarm('OK');
    });
    const result = await deployLambda(options({ alarms: 'news-errors' }), clients(), context());
    expect(result.status).toBe('superseded');
    expect(result.reason).toContain('Another run moved alias live of news');
    expect(lambda.fn!.aliases.get('live')!.RevisionId).toBe('other');
  });

  it('an alias on $LATEST: refused before any mutating call ($LATEST cannot be weighted)', async () => {
    const fn = lambda.seed([OLD]);
    fn.aliases.set('live', { ...fn.aliases.get('live')!, FunctionVersion: '$LATEST' });
    await expect(deployLambda(options(), clients(), context())).rejects.toThrow(
      'Alias live of news points at $LATEST, which every code update changes at once'
    );
    expect(lambda.mutatingCalls()).toEqual([]);
  });

  it('code changed by someone else before PublishVersion: superseded, nothing published as ours', async () => {
    lambda.seed([OLD]);
    lambda.beforeOnce(PublishVersionCommand, () => {
      lambda.fn!.latest = {
        ...lambda.fn!.latest,
        image: imageOf('c'),
        CodeSha256: imageOf('c').split('@sha256:')[1]
      };
    });
    const result = await deployLambda(options(), clients(), context());
    expect(result.status).toBe('superseded');
    expect(result.reason).toContain('The code of news changed under this run');
    expect(lambda.fn!.versions.size).toBe(1);
    expect(lambda.fn!.aliases.get('live')!.FunctionVersion).toBe('1');
  });

  it("another run's live deployment tag is waited for, then the run fails without deploying", async () => {
    const fn = lambda.seed([OLD]);
    fn.tags[tagKeys('live').deployment] =
      `version=- from=1 by=77.1.ffffff at=${new Date().toISOString()} strategy=canary`;
    const ctx = { ...context(), scale: 1, deadline: Date.now() + 200 };
    await expect(deployLambda(options(), clients(), ctx)).rejects.toThrow(
      'Alias live was still being deployed by run 77.1.ffffff when wait-timeout ran out: nothing was deployed; run again when it has finished.'
    );
    expect(lambda.mutatingCalls()).toEqual([]);
  });

  it("an earlier attempt's deployment tag is taken over at once; the user's tags are written", async () => {
    const fn = lambda.seed([OLD]);
    fn.tags[tagKeys('live').deployment] =
      `version=2 from=1 by=42.0.aaaaaa at=${new Date().toISOString()} strategy=canary`;
    const log = new MemoryLogger();
    const result = await deployLambda(options({ tags: 'team=ml' }), clients(), context(log));
    expect(result.status).toBe('deployed');
    expect(log.text()).toContain('an earlier attempt of this run');
    expect(fn.tags).toMatchObject({ team: 'ml' });
    expect(fn.tags[tagKeys('live').deployment]).toBeUndefined();
  });

  it('a re-run of the same image resumes the canary left at a weight', async () => {
    lambda.seed([OLD, NEW], 'live', { version: '2', weight: 0.1 });
    const result = await deployLambda(options(), clients(), context());
    expect(result).toMatchObject({ status: 'deployed', version: '2', plan: { action: 'resume' } });
    expect(lambda.mock.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(0);
    expect(aliasUpdates().map((u) => u[1])).toEqual([{}]);
  });

  it('a re-run of another image first puts the alias back on the old version alone', async () => {
    lambda.seed([OLD, imageOf('c')], 'live', { version: '2', weight: 0.3 });
    const result = await deployLambda(options(), clients(), context());
    expect(result).toMatchObject({ status: 'deployed', version: '3' });
    expect(aliasUpdates().map((u) => [u[0], u[1]])).toEqual([
      ['1', {}],
      ['1', { '3': 0.1 }],
      ['3', {}]
    ]);
  });

  it('wait-timeout running out mid-bake: in-progress, the alias still routes the rest to the old version', async () => {
    lambda.seed([OLD]);
    const ctx = { ...context(), scale: 1, deadline: Date.now() + 300 };
    const result = await deployLambda(options(), clients(), ctx);
    expect(result.status).toBe('in-progress');
    expect(result.reason).toContain('the alias still routes the rest to version 1');
    expect(lambda.fn!.aliases.get('live')!.RoutingConfig!.AdditionalVersionWeights).toEqual({ '2': 0.1 });
  });

  it('all-at-once stopped mid-bake says the new version serves alone; a re-run bakes it again and records it live', async () => {
    lambda.seed([OLD]);
    lambda.fn!.tags[tagKeys('live').live] = '1';
    const stopped = await deployLambda(options({ strategy: 'all-at-once' }), clients(), {
      ...context(),
      scale: 1,
      deadline: Date.now() + 300
    });
    expect(stopped.status).toBe('in-progress');
    expect(stopped.reason).toContain('it serves all of live, version 1 kept to roll back to');
    expect(lambda.fn!.tags[tagKeys('live').live]).toBe('1');
    const rerun = await deployLambda(options({ strategy: 'all-at-once' }), clients(), context());
    expect(rerun).toMatchObject({ status: 'deployed', version: '2', previousVersion: '1' });
    expect(rerun.plan.action).toBe('resume');
    expect(rerun.bakes).toHaveLength(1);
    expect(lambda.mock.commandCalls(PublishVersionCommand)).toHaveLength(1);
    expect(lambda.fn!.tags[tagKeys('live').live]).toBe('2 1');
  });

  it('keep-versions deletes old versions, never the aliased or provisioned ones', async () => {
    const fn = lambda.seed([imageOf('1'), imageOf('2'), imageOf('3'), OLD]);
    fn.aliases.set('live', { ...fn.aliases.get('live')!, FunctionVersion: '4' });
    fn.aliases.set('staging', { Name: 'staging', FunctionVersion: '1', RevisionId: 'x' });
    const result = await deployLambda(options({ 'keep-versions': '2' }), clients(), context());
    expect(result.deleted).toEqual(['3', '2']);
    expect([...fn.versions.keys()]).toEqual(['1', '4', '5']);
  });

  it('keep-versions 1 leaves rollback its target: the version live before stays', async () => {
    const fn = lambda.seed([imageOf('1'), imageOf('2'), OLD]);
    fn.aliases.set('live', { ...fn.aliases.get('live')!, FunctionVersion: '3' });
    fn.tags[tagKeys('live').live] = '3 2 1';
    const result = await deployLambda(
      options({ 'keep-versions': '1', 'bake-time': '0s' }),
      clients(),
      context()
    );
    expect(result.status).toBe('deployed');
    expect(result.deleted).toEqual(['2', '1']);
    expect([...fn.versions.keys()]).toEqual(['3', '4']);
    const back = await rollbackLambda(
      { functionName: 'news', alias: 'live', waitTimeoutSeconds: 60 },
      clients()
    );
    expect(back).toMatchObject({ status: 'rolled-back', version: '3', from: '4' });
  });
});
