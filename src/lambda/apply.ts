/**
 * The mutating Lambda calls of a deployment, each safe to meet twice: an update in progress
 * (ResourceConflictException) is waited out and the call made again; a CreateFunction or CreateAlias
 * whose answer was lost (the SDK's retry is refused as a conflict) is read back and taken as done;
 * an UpdateAlias whose answer was lost (its retry fails the RevisionId check) is read back and taken
 * as done when the alias is already as wanted. PublishVersion is idempotent in Lambda.
 */
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetAliasCommand,
  GetProvisionedConcurrencyConfigCommand,
  PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type AliasConfiguration,
  type FunctionConfiguration
} from '@aws-sdk/client-lambda';
import { isNotFound } from '../aws.js';
import { UserError } from '../errors.js';
import { poll } from '../wait.js';
import { errorName, pollingOf, Superseded, type LambdaClients, type LambdaContext } from './engine.js';
import type { LambdaDeployOptions } from './options.js';
import type { LambdaPlan } from './plan.js';
import {
  aliasRequest,
  createAliasRequest,
  createFunctionRequest,
  provisionedRequest,
  publishRequest,
  updateCodeRequest,
  updateConfigRequest
} from './requests.js';
import { latestConfig } from './state.js';

const CONFLICT = 'ResourceConflictException';

/** Waits until the function is Active and no update is in progress; a Failed update fails the step. */
export async function waitSettled(
  clients: LambdaClients,
  functionName: string,
  ctx: LambdaContext,
  serving: string
): Promise<FunctionConfiguration> {
  const { state } = await poll({
    what: `function ${functionName}`,
    read: () => latestConfig(clients.lambda, functionName),
    done: (c) => c.State !== 'Pending' && c.LastUpdateStatus !== 'InProgress',
    describe: (c) => `${c.State ?? '?'}, last update ${c.LastUpdateStatus ?? '?'}`,
    ...pollingOf(ctx)
  });
  if (state.State === 'Failed' || state.LastUpdateStatus === 'Failed') {
    const why = state.LastUpdateStatusReason || state.StateReason || 'no reason given';
    throw new UserError(
      `Lambda could not ${state.State === 'Failed' ? 'create' : 'update'} function ${functionName}: ${why} (${state.LastUpdateStatusReasonCode ?? state.StateReasonCode ?? 'Failed'}). ${serving}`
    );
  }
  return state;
}

/** `call`, made again after the update in progress settles (ResourceConflictException), up to 5 times. */
async function afterConflicts<T>(
  call: () => Promise<T>,
  clients: LambdaClients,
  functionName: string,
  ctx: LambdaContext,
  serving: string
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      if (errorName(e) !== CONFLICT || attempt >= 5) throw e;
      ctx.log.info(`An update of ${functionName} is in progress: waiting for it, then going on.`);
      await waitSettled(clients, functionName, ctx, serving);
    }
  }
}

export async function createFunction(
  options: LambdaDeployOptions,
  clients: LambdaClients,
  ctx: LambdaContext
): Promise<void> {
  ctx.log.info(`Creating function ${options.functionName} from ${options.image}.`);
  try {
    await clients.lambda.send(new CreateFunctionCommand(createFunctionRequest(options)));
  } catch (e) {
    // A lost answer retried by the SDK: the function exists now. Read it and go on.
    if (errorName(e) !== CONFLICT) throw e;
    ctx.log.info(
      `Function ${options.functionName} exists already (a lost answer, or another run): going on.`
    );
  }
  await waitSettled(clients, options.functionName, ctx, 'Nothing was deployed.');
}

/** UpdateFunctionCode to the digest (and the configuration when it changes), then waits for Successful. */
export async function updateFunction(
  plan: LambdaPlan,
  options: LambdaDeployOptions,
  clients: LambdaClients,
  ctx: LambdaContext,
  serving: string
): Promise<void> {
  const fn = options.functionName;
  await waitSettled(clients, fn, ctx, serving);
  ctx.log.info(`Updating the code of ${fn} to ${options.image}.`);
  await afterConflicts(
    () =>
      clients.lambda.send(
        new UpdateFunctionCodeCommand(updateCodeRequest(options, plan.architecturesChange))
      ),
    clients,
    fn,
    ctx,
    serving
  );
  await waitSettled(clients, fn, ctx, serving);
  if (plan.configChange) {
    ctx.log.info(`Updating the configuration of ${fn}: ${Object.keys(plan.configChange).join(', ')}.`);
    await afterConflicts(
      () =>
        clients.lambda.send(
          new UpdateFunctionConfigurationCommand(updateConfigRequest(fn, plan.configChange!))
        ),
      clients,
      fn,
      ctx,
      serving
    );
    await waitSettled(clients, fn, ctx, serving);
  }
}

/**
 * Publishes `$LATEST` on the condition that it still runs `digest` (`sha256:<hex>`): code changed by
 * someone else since this run's update is refused (Superseded), never published as this run's version.
 */
export async function publish(
  functionName: string,
  digest: string,
  clients: LambdaClients,
  ctx: LambdaContext,
  serving: string
): Promise<string> {
  const codeSha256 = digest.replace(/^sha256:/, '');
  const request = publishRequest(functionName, codeSha256, ctx.sha, ctx.runUrl);
  const answer = await afterConflicts(
    async () => {
      try {
        return await clients.lambda.send(new PublishVersionCommand(request));
      } catch (e) {
        if (!['InvalidParameterValueException', 'PreconditionFailedException'].includes(errorName(e)))
          throw e;
        const now = await latestConfig(clients.lambda, functionName);
        if (now.CodeSha256 === codeSha256) throw e;
        throw new Superseded(
          `The code of ${functionName} changed under this run (it now runs ${now.CodeSha256 ?? 'another image'}, not ${digest}): no version was published. ${serving}`
        );
      }
    },
    clients,
    functionName,
    ctx,
    serving
  );
  ctx.log.info(`Published version ${answer.Version} of ${functionName}.`);
  return answer.Version!;
}

/**
 * Provisioned concurrency on `version`, READY before any traffic moves; FAILED fails the step.
 * Resolves to the seconds (real time) from the request to READY: the inits users will not meet.
 */
export async function provision(
  functionName: string,
  version: string,
  count: number,
  clients: LambdaClients,
  ctx: LambdaContext,
  serving: string
): Promise<number> {
  ctx.log.info(`Provisioning ${count} environment${count === 1 ? '' : 's'} on version ${version}.`);
  const asked = Date.now();
  await clients.lambda.send(
    new PutProvisionedConcurrencyConfigCommand(provisionedRequest(functionName, version, count))
  );
  const { state } = await poll({
    what: `provisioned concurrency of ${functionName}:${version}`,
    read: () =>
      clients.lambda.send(
        new GetProvisionedConcurrencyConfigCommand({ FunctionName: functionName, Qualifier: version })
      ),
    done: (c) => c.Status === 'READY' || c.Status === 'FAILED',
    describe: (c) => `${c.Status} (${c.AvailableProvisionedConcurrentExecutions ?? 0}/${count} ready)`,
    ...pollingOf(ctx)
  });
  if (state.Status === 'FAILED')
    throw new UserError(
      `Provisioned concurrency on version ${version} FAILED (${state.StatusReason ?? 'no reason given'}): no traffic was moved to it. ${serving}`
    );
  const seconds = (Date.now() - asked) / 1000;
  ctx.log.info(`Provisioned concurrency on version ${version} READY after ${seconds.toFixed(1)} s.`);
  return seconds;
}

/** Removes the provisioned concurrency of `version`, if any. */
export async function unprovision(
  functionName: string,
  version: string | undefined,
  clients: LambdaClients
): Promise<void> {
  if (!version) return;
  try {
    await clients.lambda.send(
      new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: functionName, Qualifier: version })
    );
  } catch (e) {
    // None there (Lambda's own name for it, or the function's version gone): nothing to remove.
    if (errorName(e) !== 'ProvisionedConcurrencyConfigNotFoundException' && !isNotFound(e)) throw e;
  }
}

export interface AliasTarget {
  primary: string;
  weighted?: { version: string; weight: number };
}

export function aliasIs(alias: AliasConfiguration | undefined, want: AliasTarget): boolean {
  if (!alias || alias.FunctionVersion !== want.primary) return false;
  const weights = Object.entries(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).filter(
    ([, w]) => w > 0
  );
  if (!want.weighted || want.weighted.weight <= 0) return weights.length === 0;
  return (
    weights.length === 1 &&
    weights[0][0] === want.weighted.version &&
    Math.abs(weights[0][1] - want.weighted.weight) < 1e-6
  );
}

/**
 * Moves the alias to `want`, with the RevisionId read just before. `expected` is where this run left
 * it: an alias found elsewhere was moved by another run (Superseded). A refused RevisionId (another
 * change, or this very request applied with its answer lost) is read back: as wanted, it is done.
 */
export async function shiftAlias(
  functionName: string,
  aliasName: string,
  want: AliasTarget,
  expected: AliasTarget | undefined,
  clients: LambdaClients
): Promise<AliasConfiguration> {
  const read = () =>
    clients.lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: aliasName }));
  const now = await read();
  if (aliasIs(now, want)) return now;
  if (expected && !aliasIs(now, expected))
    throw new Superseded(
      `Another run moved alias ${aliasName} of ${functionName} (it now routes to ${describeAlias(now)}): this run stopped without touching it.`
    );
  const request = aliasRequest(functionName, aliasName, want.primary, now.RevisionId, want.weighted);
  try {
    return await clients.lambda.send(new UpdateAliasCommand(request));
  } catch (e) {
    if (errorName(e) !== 'PreconditionFailedException') throw e;
    const after = await read();
    if (aliasIs(after, want)) return after;
    throw new Superseded(
      `Another run changed alias ${aliasName} of ${functionName} at the same moment (it now routes to ${describeAlias(after)}): this run stopped without touching it.`
    );
  }
}

export async function createAlias(
  functionName: string,
  aliasName: string,
  version: string,
  clients: LambdaClients
): Promise<AliasConfiguration> {
  try {
    return await clients.lambda.send(
      new CreateAliasCommand(createAliasRequest(functionName, aliasName, version))
    );
  } catch (e) {
    if (errorName(e) !== CONFLICT) throw e;
    // A lost answer retried, or the alias made meanwhile: put it on the version.
    return shiftAlias(functionName, aliasName, { primary: version }, undefined, clients);
  }
}

export function describeAlias(alias: AliasConfiguration | undefined): string {
  if (!alias) return 'nothing';
  const weights = Object.entries(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).filter(
    ([, w]) => w > 0
  );
  if (!weights.length) return `version ${alias.FunctionVersion} alone`;
  const [v, w] = weights[0];
  return `version ${alias.FunctionVersion} and ${Math.round(w * 10000) / 100}% to version ${v}`;
}
