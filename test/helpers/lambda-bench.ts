/**
 * The Lambda engine's unit-test bench: an in-memory Lambda (FakeLambda) and a mocked CloudWatch
 * reset before each test, deploy-lambda's options read as the action reads them, and a fast context.
 */
import { afterEach, beforeEach } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { UpdateAliasCommand } from '@aws-sdk/client-lambda';
import { ACTIONS } from '../../src/generated/actions.js';
import { Inputs } from '../../src/inputs.js';
import type { LambdaContext } from '../../src/lambda/engine.js';
import { readLambdaDeployOptions, type LambdaDeployOptions } from '../../src/lambda/options.js';
import { MemoryLogger } from '../../src/report.js';
import { FakeLambda, imageOf } from './fake-lambda.js';

export const OLD = imageOf('a');
export const NEW = imageOf('b');
export const ROLE = 'arn:aws:iam::123456789012:role/lambda-execution';
export const SHA = '0123456789abcdef0123456789abcdef01234567';

export function options(values: Record<string, string> = {}): LambdaDeployOptions {
  const all: Record<string, string> = { 'function-name': 'news', image: NEW, 'bake-time': '60s', ...values };
  return readLambdaDeployOptions(new Inputs((n) => all[n], ACTIONS['deploy-lambda'].inputs, 'deploy-lambda'));
}

export function context(log = new MemoryLogger()): LambdaContext {
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

/** The fake Lambda of the running test (a live binding: a new one before each test). */
export let lambda: FakeLambda;
export const cloudwatch = new CloudWatchClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' }
});
export const cw = mockClient(cloudwatch);
export const alarm = (state: 'OK' | 'ALARM') => ({
  MetricAlarms: [{ AlarmName: 'news-errors', StateValue: state, StateReason: 'Threshold Crossed: 3 errors' }]
});

/** A fresh fake Lambda in the middle of a test (a second deployment from scratch). */
export function renewLambda(): void {
  lambda.mock.restore();
  lambda = new FakeLambda();
}

/** Registers the bench's beforeEach/afterEach in the calling test file. */
export function useLambdaBench(): void {
  beforeEach(() => {
    lambda = new FakeLambda();
    cw.reset();
    cw.on(DescribeAlarmsCommand).resolves(alarm('OK'));
    cw.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
  });
  afterEach(() => lambda.mock.restore());
}

export const clients = () => ({ lambda: lambda.client, cloudwatch });
export const aliasUpdates = () =>
  lambda.mock
    .commandCalls(UpdateAliasCommand)
    .map((c) => [
      c.args[0].input.FunctionVersion,
      c.args[0].input.RoutingConfig?.AdditionalVersionWeights,
      c.args[0].input.RevisionId
    ]);
