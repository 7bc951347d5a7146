/**
 * Reading what the emulator's Lambda runtime did, for the tests of a world in docker hosting: Invoke
 * with the log tail, its payload, tail and REPORT line, a metric of AWS/Lambda, the execution
 * environments of a function, provisioned concurrency configs; and `until`, polling for a condition.
 */
import {
  GetProvisionedConcurrencyConfigCommand,
  InvokeCommand,
  PutProvisionedConcurrencyConfigCommand,
  type InvokeCommandOutput
} from '@aws-sdk/client-lambda';
import { GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { environmentsOf } from '../../src/emulator/services/lambda/environments.js';
import type { LambdaWorld } from './lambda-emulator.js';

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
export const parse = (out: InvokeCommandOutput) => JSON.parse(new TextDecoder().decode(out.Payload));
export const tail = (out: InvokeCommandOutput) => Buffer.from(out.LogResult ?? '', 'base64').toString('utf8');
export const report = (out: InvokeCommandOutput) =>
  tail(out)
    .split('\n')
    .find((l) => l.startsWith('REPORT')) ?? '';

/** The first truthy value of `f`, polled every 100 ms, or its last value after `ms`. */
export async function until<T>(f: () => T | Promise<T>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await f();
    if (value || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Calls on the world `get()` gives (read when called, so a test file can assign it in beforeAll). */
export function lambdaRuns(get: () => LambdaWorld) {
  return {
    invoke: (FunctionName: string, Payload: unknown = {}, extra: Partial<InvokeCommand['input']> = {}) =>
      get().lambda.send(
        new InvokeCommand({ FunctionName, Payload: json(Payload), LogType: 'Tail', ...extra })
      ),
    /** The Sum (or Maximum) of an AWS/Lambda metric over the last ten minutes, all periods added. */
    metric: async (
      name: string,
      dimensions: Record<string, string>,
      statistic: 'Sum' | 'Maximum' = 'Sum'
    ) => {
      const out = await get().cloudwatch.send(
        new GetMetricStatisticsCommand({
          Namespace: 'AWS/Lambda',
          MetricName: name,
          Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
          StartTime: new Date(Date.now() - 600_000),
          EndTime: new Date(Date.now() + 60_000),
          Period: 60,
          Statistics: [statistic]
        })
      );
      return (out.Datapoints ?? []).reduce((sum, d) => sum + (d[statistic] ?? 0), 0);
    },
    /** The live execution environments of a function. */
    environments: (fn: string) =>
      environmentsOf(get().emulator)!
        .list()
        .filter((e) => e.fn === fn),
    provisionedConfig: (FunctionName: string, Qualifier: string) =>
      get().lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName, Qualifier })),
    putProvisioned: (FunctionName: string, Qualifier: string, n: number) =>
      get().lambda.send(
        new PutProvisionedConcurrencyConfigCommand({
          FunctionName,
          Qualifier,
          ProvisionedConcurrentExecutions: n
        })
      )
  };
}
