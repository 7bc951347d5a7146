/**
 * Before the first request to a Lambda alias: the function exists, the alias exists, and every
 * version the alias routes to is Active with no update InProgress (waited for, up to the caller's
 * timeout). Each failure is one sentence, and no request has been sent. Returns the alias's routing,
 * for the log and the summary.
 */
import {
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  type FunctionConfiguration,
  type LambdaClient
} from '@aws-sdk/client-lambda';
import { orUndefined } from '../aws.js';
import { InputError, UserError } from '../errors.js';
import type { Logger } from '../report.js';
import { poll, WaitTimeout, Cancelled } from '../wait.js';
import type { LambdaTarget } from './lambda.js';

export interface LambdaReadyOptions {
  lambda: LambdaClient;
  log: Logger;
  signal?: AbortSignal;
  timeoutSeconds: number;
  scale?: number;
  /** First delay and cap of the polls, in ms (1 s and 10 s by default). */
  minDelayMs?: number;
  maxDelayMs?: number;
}

/** The versions an alias routes to, with their share of the traffic (0 to 1), main version first. */
export type Routing = Array<{ version: string; weight: number }>;

export function routingText(routing: Routing): string {
  return routing.map((r) => `version ${r.version} (${Math.round(r.weight * 10000) / 100}%)`).join(', ');
}

function ready(c: FunctionConfiguration): boolean {
  return c.State === 'Active' && c.LastUpdateStatus !== 'InProgress';
}

function describe(c: FunctionConfiguration): string {
  const reason = c.StateReason ? ` (${c.StateReason.replace(/\.$/, '')})` : '';
  return `State ${c.State ?? 'unknown'}${reason}, LastUpdateStatus ${c.LastUpdateStatus ?? 'unknown'}`;
}

export async function waitUntilActive(target: LambdaTarget, options: LambdaReadyOptions): Promise<Routing> {
  const { lambda } = options;
  const name = target.functionName;
  const fn = await orUndefined(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name })));
  if (!fn) {
    throw new InputError(
      'function-name',
      `Input "function-name" names ${name}, which does not exist in this region: check the name and region, or deploy it first.`
    );
  }
  const alias = await orUndefined(
    lambda.send(new GetAliasCommand({ FunctionName: name, Name: target.alias }))
  );
  if (!alias?.FunctionVersion) {
    throw new InputError(
      'alias',
      `Input "alias" names ${target.alias}, but function ${name} has no such alias: check the name, or deploy it first (deploy-lambda creates it).`
    );
  }
  const extra = Object.entries(alias.RoutingConfig?.AdditionalVersionWeights ?? {});
  const routing: Routing = [
    { version: alias.FunctionVersion, weight: 1 - extra.reduce((sum, [, w]) => sum + w, 0) },
    ...extra.map(([version, weight]) => ({ version, weight }))
  ];
  options.log.info(`alias ${name}:${target.alias} routes to ${routingText(routing)}.`);
  for (const { version } of routing) {
    const read = () =>
      lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name, Qualifier: version }));
    let config: FunctionConfiguration;
    try {
      config = (
        await poll({
          what: `function ${name} version ${version}`,
          read,
          done: (c) => ready(c) || c.State === 'Failed' || c.State === 'Inactive',
          describe,
          timeoutSeconds: options.timeoutSeconds,
          log: options.log,
          signal: options.signal,
          scale: options.scale,
          minDelayMs: options.minDelayMs ?? 1000,
          maxDelayMs: options.maxDelayMs ?? 10_000
        })
      ).state;
    } catch (e) {
      if (e instanceof WaitTimeout || e instanceof Cancelled)
        throw new UserError(
          `${e.message.replace(/\.$/, '')}; no request was sent: raise wait-timeout, or look at the function in the console.`
        );
      throw e;
    }
    if (!ready(config)) {
      throw new UserError(
        `Function ${name} version ${version} (behind alias ${target.alias}) is ${describe(config)}, not Active: no request was sent.`
      );
    }
  }
  return routing;
}
