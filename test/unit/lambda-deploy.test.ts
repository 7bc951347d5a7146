/**
 * The Lambda engine end to end against an in-memory Lambda (aws-sdk-client-mock): the calls it makes
 * and their order for a first deployment, a canary, a rollback on an alarm and on the error rate,
 * provisioned concurrency, a dry run and an unchanged image (no mutating call). The worst day is in
 * lambda-deploy-recovery.test.ts, promote and rollback in lambda-alias-moves.test.ts.
 */
import { DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
  UpdateFunctionCodeCommand
} from '@aws-sdk/client-lambda';
import { deployLambda } from '../../src/lambda/deploy.js';
import type { LambdaContext } from '../../src/lambda/engine.js';
import { tagKeys } from '../../src/lambda/history.js';
import { lambdaDeploySummary } from '../../src/lambda/summary.js';
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
  renewLambda,
  ROLE,
  SHA,
  useLambdaBench
} from '../helpers/lambda-bench.js';

useLambdaBench();

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
    renewLambda();
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
});
