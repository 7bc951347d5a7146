/**
 * The Lambda engine end to end against an in-memory Lambda (aws-sdk-client-mock): the calls it makes
 * and their order for a first deployment, a canary, a rollback on an alarm and on the error rate,
 * provisioned concurrency, a dry run and an unchanged image (no mutating call), the worst day (an
 * update in progress, a lost UpdateAlias answer, another run moving the alias), a re-run that resumes
 * or undoes a stale canary; promote and rollback on the alias.
 */
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand
} from '@aws-sdk/client-lambda';
import { ACTIONS } from '../../src/generated/actions.js';
import { Inputs } from '../../src/inputs.js';
import { deployLambda } from '../../src/lambda/deploy.js';
import type { LambdaContext } from '../../src/lambda/engine.js';
import { tagKeys } from '../../src/lambda/history.js';
import { readLambdaDeployOptions, type LambdaDeployOptions } from '../../src/lambda/options.js';
import { promoteLambda } from '../../src/lambda/promote.js';
import { rollbackLambda } from '../../src/lambda/rollback.js';
import { lambdaDeploySummary } from '../../src/lambda/summary.js';
import { MemoryLogger } from '../../src/report.js';
import { error, FakeLambda, imageOf } from '../helpers/fake-lambda.js';

const OLD = imageOf('a');
const NEW = imageOf('b');
const ROLE = 'arn:aws:iam::123456789012:role/lambda-execution';
const SHA = '0123456789abcdef0123456789abcdef01234567';

function options(values: Record<string, string> = {}): LambdaDeployOptions {
  const all: Record<string, string> = { 'function-name': 'news', image: NEW, 'bake-time': '60s', ...values };
  return readLambdaDeployOptions(new Inputs((n) => all[n], ACTIONS['deploy-lambda'].inputs, 'deploy-lambda'));
}

function context(log = new MemoryLogger()): LambdaContext {
  return {
    log,
    scale: 0.0001,
    sha: SHA,
    runUrl: 'https://github.com/o/r/actions/runs/42',
    holder: '42.1.abcdef',
    now: () => new Date(),
    deadline: Date.now() + 60_000,
    sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 2)))
  };
}

let lambda: FakeLambda;
const cloudwatch = new CloudWatchClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' }
});
const cw = mockClient(cloudwatch);
const alarm = (state: 'OK' | 'ALARM') => ({
  MetricAlarms: [{ AlarmName: 'news-errors', StateValue: state, StateReason: 'Threshold Crossed: 3 errors' }]
});

beforeEach(() => {
  lambda = new FakeLambda();
  cw.reset();
  cw.on(DescribeAlarmsCommand).resolves(alarm('OK'));
  cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
});
afterEach(() => lambda.mock.restore());

const clients = () => ({ lambda: lambda.client, cloudwatch });
const aliasUpdates = () =>
  lambda.mock
    .commandCalls(UpdateAliasCommand)
    .map((c) => [
      c.args[0].input.FunctionVersion,
      c.args[0].input.RoutingConfig?.AdditionalVersionWeights,
      c.args[0].input.RevisionId
    ]);

describe('deploy', () => {
  it('first deployment: CreateFunction with the role, PublishVersion with the commit, CreateAlias', async () => {
    const result = await deployLambda(options({ 'role-arn': ROLE }), clients(), context());
    expect(result).toMatchObject({
      status: 'deployed',
      version: '1',
      aliasArn: expect.stringMatching(/:function:news:live$/)
    });
    expect(lambda.mock.commandCalls(CreateFunctionCommand)[0].args[0].input).toMatchObject({
      PackageType: 'Image',
      Role: ROLE,
      Code: { ImageUri: NEW }
    });
    expect(lambda.mock.commandCalls(PublishVersionCommand)[0].args[0].input.Description).toBe(
      `mlops-actions ${SHA} https://github.com/o/r/actions/runs/42`
    );
    expect(lambda.mock.commandCalls(CreateAliasCommand)[0].args[0].input).toMatchObject({
      Name: 'live',
      FunctionVersion: '1'
    });
    expect(lambda.fn!.tags[tagKeys('live').live]).toBe('1');
    expect(lambda.fn!.tags[tagKeys('live').deployment]).toBeUndefined();
  });

  it('refuses a first deployment without role-arn before any mutating call', async () => {
    await expect(deployLambda(options(), clients(), context())).rejects.toThrow(
      'Input "role-arn" is required on the first deployment'
    );
    expect(lambda.mutatingCalls()).toEqual([]);
  });

  it('canary: 10% with the RevisionId read before, a bake, then the new version alone', async () => {
    lambda.seed([OLD]);
    const result = await deployLambda(options({ alarms: 'news-errors' }), clients(), context());
    expect(result).toMatchObject({
      status: 'deployed',
      version: '2',
      previousVersion: '1',
      shifts: [0.1, 1]
    });
    expect(aliasUpdates()).toEqual([
      ['1', { '2': 0.1 }, 'rev-1'],
      ['2', {}, 'rev-2']
    ]);
    expect(lambda.mock.commandCalls(UpdateFunctionCodeCommand)[0].args[0].input).toEqual({
      FunctionName: 'news',
      ImageUri: NEW
    });
    expect(result.bakes).toHaveLength(1);
    expect(lambda.fn!.tags[tagKeys('live').live]).toBe('2');
    const summary = lambdaDeploySummary(result, NEW, 'us-east-1', 3);
    expect(summary).toContain('xychart-beta');
    expect(summary).toContain('line [0, 10, 100]');
    expect(summary).toContain('| Old version | 1 |');
  });

  it('the calls a 5-minute canary costs: a check every 30 s, the last right at the end of the bake', async () => {
    lambda.seed([OLD]);
    // A virtual clock at scale 1: each sleep moves it on, so the checks fall where the engine puts them.
    let now = Date.parse('2026-01-02T03:00:00Z');
    const checks: number[] = [];
    cw.on(DescribeAlarmsCommand).callsFake(async () => (checks.push(now), alarm('OK')));
    const ctx: LambdaContext = {
      ...context(),
      scale: 1,
      now: () => new Date(now),
      sleep: async (ms) => void (now += ms)
    };
    const result = await deployLambda(
      options({ 'bake-time': '5m', alarms: 'news-errors', 'max-error-rate': '5%' }),
      clients(),
      ctx
    );
    const bakeStart = result.bakes[0].start.valueOf();
    expect(checks.slice(1).map((t) => (t - bakeStart) / 1000)).toEqual([
      30, 60, 90, 120, 150, 180, 210, 240, 270, 300
    ]);
    expect(result.status).toBe('deployed');
    const count = (calls: Array<{ args: [object] }>) => {
      const byName: Record<string, number> = {};
      for (const c of calls)
        byName[c.args[0].constructor.name] = (byName[c.args[0].constructor.name] ?? 0) + 1;
      return byName;
    };
    // 10 checks of 30 s (the last at the bake's end), plus the alarms' existence before anything.
    expect(count(cw.calls() as never)).toEqual({ DescribeAlarmsCommand: 11, GetMetricDataCommand: 11 });
    const lambdaCalls = count(lambda.mock.calls() as never);
    // 29 Lambda calls in all: reads, the lease (3 tag writes), update, publish, 2 alias moves, clean-up.
    expect(lambdaCalls).toEqual({
      GetFunctionCommand: 4,
      ListTagsCommand: 7,
      GetAliasCommand: 4,
      TagResourceCommand: 3,
      GetFunctionConfigurationCommand: 2,
      UpdateFunctionCodeCommand: 1,
      PublishVersionCommand: 1,
      UpdateAliasCommand: 2,
      DeleteProvisionedConcurrencyConfigCommand: 1,
      UntagResourceCommand: 1,
      ListVersionsByFunctionCommand: 1,
      ListAliasesCommand: 1,
      ListProvisionedConcurrencyConfigsCommand: 1
    });
  });

  it('linear and all-at-once move the alias in their steps', async () => {
    lambda.seed([OLD]);
    await deployLambda(options({ strategy: 'linear', 'linear-step': '40%' }), clients(), context());
    expect(aliasUpdates().map((u) => u[1])).toEqual([{ '2': 0.4 }, { '2': 0.8 }, {}]);
    lambda.mock.restore();
    lambda = new FakeLambda();
    lambda.seed([OLD]);
    const result = await deployLambda(options({ strategy: 'all-at-once' }), clients(), context());
    expect(aliasUpdates()).toEqual([['2', {}, 'rev-1']]);
    expect(result.bakes).toHaveLength(1);
  });

  it('an alarm in ALARM rolls back: the old version alone, rolled-back tag, the reason names the alarm', async () => {
    lambda.seed([OLD]);
    cw.on(DescribeAlarmsCommand).resolvesOnce(alarm('OK')).resolves(alarm('ALARM'));
    const result = await deployLambda(
      options({ alarms: 'news-errors', 'provisioned-concurrency': '2' }),
      clients(),
      context()
    );
    expect(result.status).toBe('rolled-back');
    expect(result.reason).toBe(
      'Rolled back to version 1: alarm news-errors went into ALARM (Threshold Crossed: 3 errors).'
    );
    expect(aliasUpdates().map((u) => [u[0], u[1]])).toEqual([
      ['1', { '2': 0.1 }],
      ['1', {}]
    ]);
    expect(lambda.fn!.tags[tagKeys('live').rolledBack]).toBe('2');
    expect(lambda.fn!.provisioned.has('2')).toBe(false);
  });

  it('the error rate above max-error-rate rolls back, naming the rate', async () => {
    lambda.seed([OLD]);
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'inv_0', Values: [10] },
        { Id: 'err_0', Values: [4] }
      ]
    });
    const result = await deployLambda(options({ 'max-error-rate': '10%' }), clients(), context());
    expect(result.status).toBe('rolled-back');
    expect(result.reason).toContain(
      'the error rate of version 2 was 40% (4 errors in 10 invocations), above max-error-rate 10%'
    );
    expect(lambda.fn!.aliases.get('live')).toMatchObject({
      FunctionVersion: '1',
      RoutingConfig: { AdditionalVersionWeights: {} }
    });
  });

  it('provisioned concurrency READY on the new version before the first shift; the old one removed at the end', async () => {
    const fn = lambda.seed([OLD]);
    fn.provisioned.set('1', 2);
    await deployLambda(options({ 'provisioned-concurrency': '2' }), clients(), context());
    const order = lambda.mock.calls().map((c) => c.args[0].constructor.name);
    expect(order.indexOf('PutProvisionedConcurrencyConfigCommand')).toBeLessThan(
      order.indexOf('UpdateAliasCommand')
    );
    expect(order.indexOf('GetProvisionedConcurrencyConfigCommand')).toBeLessThan(
      order.indexOf('UpdateAliasCommand')
    );
    expect(lambda.mock.commandCalls(PutProvisionedConcurrencyConfigCommand)[0].args[0].input).toEqual({
      FunctionName: 'news',
      Qualifier: '2',
      ProvisionedConcurrentExecutions: 2
    });
    expect([...fn.provisioned.keys()]).toEqual(['2']);
  });

  it('alarms that cannot be read while baking roll back: a deployment nobody can watch does not go on', async () => {
    lambda.seed([OLD]);
    cw.on(DescribeAlarmsCommand)
      .resolvesOnce(alarm('OK'))
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    const result = await deployLambda(options({ alarms: 'news-errors' }), clients(), context());
    expect(result.status).toBe('rolled-back');
    expect(result.reason).toContain('could not be read from CloudWatch (Rate exceeded)');
    expect(lambda.fn!.aliases.get('live')!.FunctionVersion).toBe('1');
  });

  it("a dry run shows the plan without the environment's values", async () => {
    lambda.seed([OLD]);
    const result = await deployLambda(
      options({ 'dry-run': 'true', environment: 'API_KEY=s3cr3t' }),
      clients(),
      context()
    );
    const summary = lambdaDeploySummary(result, NEW, 'us-east-1', 1);
    expect(summary).toContain('"API_KEY": "***"');
    expect(summary).not.toContain('s3cr3t');
    expect(summary).toContain('line [0, 10, 100]');
  });

  it('dry-run and an image already live make no mutating call', async () => {
    lambda.seed([OLD]);
    expect((await deployLambda(options({ 'dry-run': 'true' }), clients(), context())).status).toBe('planned');
    expect((await deployLambda(options({ image: OLD }), clients(), context())).status).toBe('unchanged');
    expect(lambda.mutatingCalls()).toEqual([]);
  });

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

describe('promote and rollback on the alias', () => {
  const target = { functionName: 'news', alias: 'live', waitTimeoutSeconds: 60 };
  it('promote ends a canary left at a weight', async () => {
    const fn = lambda.seed([OLD, NEW], 'live', { version: '2', weight: 0.1 });
    fn.provisioned.set('1', 1);
    const result = await promoteLambda(target, { lambda: lambda.client });
    expect(result).toMatchObject({ status: 'promoted', version: '2', from: '1' });
    expect(fn.aliases.get('live')).toMatchObject({
      FunctionVersion: '2',
      RoutingConfig: { AdditionalVersionWeights: {} }
    });
    expect(fn.tags[tagKeys('live').live]).toBe('2');
    expect(fn.provisioned.has('1')).toBe(false);
  });
  it('promote without a canary: unchanged, nothing moved', async () => {
    lambda.seed([OLD]);
    expect((await promoteLambda(target, { lambda: lambda.client })).status).toBe('unchanged');
    expect(lambda.mutatingCalls()).toEqual([]);
  });
  it('rollback returns to the previous version that went live', async () => {
    const fn = lambda.seed([OLD, NEW, imageOf('c')]);
    fn.aliases.set('live', { ...fn.aliases.get('live')!, FunctionVersion: '3' });
    fn.tags[tagKeys('live').live] = '3 2 1';
    fn.tags[tagKeys('live').rolledBack] = '2';
    const result = await rollbackLambda(target, { lambda: lambda.client });
    expect(result).toMatchObject({ status: 'rolled-back', version: '1', from: '3' });
    expect(fn.aliases.get('live')!.FunctionVersion).toBe('1');
    expect(fn.tags[tagKeys('live').rolledBack]).toBe('3 2');
  });
  it('rollback of a canary left at a weight: its primary version alone', async () => {
    const fn = lambda.seed([OLD, NEW], 'live', { version: '2', weight: 0.5 });
    expect(await rollbackLambda(target, { lambda: lambda.client })).toMatchObject({
      status: 'rolled-back',
      version: '1',
      from: '2'
    });
    expect(fn.aliases.get('live')!.RoutingConfig!.AdditionalVersionWeights).toEqual({});
  });
  it('rollback without history says what to give', async () => {
    lambda.seed([OLD]);
    await expect(rollbackLambda(target, { lambda: lambda.client })).rejects.toThrow(
      'give the version in "to"'
    );
  });
});
