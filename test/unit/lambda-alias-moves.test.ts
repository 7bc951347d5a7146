/** promote and rollback on a Lambda alias, against an in-memory Lambda. */
import { tagKeys } from '../../src/lambda/history.js';
import { promoteLambda } from '../../src/lambda/promote.js';
import { rollbackLambda } from '../../src/lambda/rollback.js';
import { imageOf } from '../helpers/fake-lambda.js';
import { lambda, NEW, OLD, useLambdaBench } from '../helpers/lambda-bench.js';

useLambdaBench();

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
