/**
 * deploy-lambda's engine: read the function, plan, then (under the `deployment` tag) update or
 * create, publish, make provisioned concurrency ready, shift the alias step by step while baking,
 * and end with the alias on the new version alone, or back on the old one.
 */
import { checkAlarmsExist } from '../cloudwatch/alarms.js';
import { InputError, UserError } from '../errors.js';
import { WaitTimeout } from '../wait.js';
import {
  createAlias,
  createFunction,
  provision,
  publish,
  shiftAlias,
  unprovision,
  updateFunction,
  type AliasTarget
} from './apply.js';
import { bake, type BakeOutcome } from './bake.js';
import { cleanupVersions } from './cleanup.js';
import { Superseded, type LambdaClients, type LambdaContext } from './engine.js';
import { markLive, markRolledBack, readTags, takeLambdaLease, writeTags, type LambdaLease } from './lease.js';
import type { LambdaDeployOptions } from './options.js';
import { pct, planLambda, type LambdaPlan } from './plan.js';
import { lambdaStrategyText } from './summary.js';
import { aliasFor } from './requests.js';
import { readFunctionState, unqualified, type FunctionState } from './state.js';

export type LambdaStatus =
  'deployed' | 'rolled-back' | 'unchanged' | 'planned' | 'superseded' | 'in-progress';

export interface LambdaDeployResult {
  plan: LambdaPlan;
  status: LambdaStatus;
  /** The version published (or found live, when unchanged). */
  version?: string;
  previousVersion?: string;
  aliasArn?: string;
  /** Why it did not succeed: one sentence. */
  reason?: string;
  /** The alias's moves: the new version's weight, in order. */
  shifts: number[];
  bakes: BakeOutcome[];
  deleted: string[];
  /** Seconds from PutProvisionedConcurrencyConfig to READY, when provisioned-concurrency was given. */
  provisionedReadySeconds?: number;
}

function aliasArnOf(state: FunctionState, alias: string): string | undefined {
  if (state.alias?.AliasArn) return state.alias.AliasArn;
  return state.config?.FunctionArn ? `${unqualified(state.config.FunctionArn)}:${alias}` : undefined;
}

export async function deployLambda(
  options: LambdaDeployOptions,
  clients: LambdaClients,
  ctx: LambdaContext
): Promise<LambdaDeployResult> {
  const lambda = clients.lambda;
  let state = await readFunctionState(lambda, options.functionName, options.alias);
  let plan = planLambda(state, options);
  ctx.log.info(`Plan for ${plan.functionName}:${plan.alias}: ${plan.action}, ${lambdaStrategyText(plan)}.`);
  if (plan.action === 'create' && !options.roleArn)
    throw new InputError(
      'role-arn',
      `Input "role-arn" is required on the first deployment: function ${options.functionName} does not exist yet, give the role it runs as.`
    );
  if (state.primary?.version === '$LATEST')
    throw new UserError(
      `Alias ${options.alias} of ${options.functionName} points at $LATEST, which every code update changes at once and which cannot take part in a weighted alias: point it at a published version first (aws lambda update-alias --function-version <n>), then deploy.`
    );
  await checkAlarmsExist(clients.cloudwatch, options.alarms);
  const result: LambdaDeployResult = {
    plan,
    status: 'planned',
    previousVersion: plan.previousVersion,
    aliasArn: aliasArnOf(state, options.alias),
    shifts: [],
    bakes: [],
    deleted: []
  };
  if (options.dryRun) return result;
  if (plan.action === 'unchanged') return { ...result, status: 'unchanged', version: state.primary?.version };

  let lease: LambdaLease | undefined;
  const serving = () =>
    plan.previousVersion
      ? `Alias ${options.alias} still serves version ${plan.previousVersion}.`
      : 'Nothing was deployed.';
  try {
    if (plan.action === 'create') {
      await createFunction(options, clients, ctx);
      state = await readFunctionState(lambda, options.functionName, options.alias);
    }
    const arn = unqualified(state.config!.FunctionArn!);
    lease = await takeLambdaLease(
      lambda,
      arn,
      options.alias,
      { version: '', from: plan.previousVersion ?? '', strategy: options.strategy },
      ctx
    );
    // Planned again under the lease: another run may have deployed meanwhile.
    state = await readFunctionState(lambda, options.functionName, options.alias);
    plan = result.plan = planLambda(state, options);
    result.previousVersion = plan.previousVersion;
    result.aliasArn = aliasArnOf(state, options.alias);
    if (plan.action === 'unchanged')
      return { ...result, status: 'unchanged', version: state.primary?.version };
    for (const note of plan.notes) ctx.log.info(note);

    const previous = plan.previousVersion;
    let at: AliasTarget | undefined = state.primary ? { primary: state.primary.version } : undefined;
    if (state.weighted) at!.weighted = { version: state.weighted.version, weight: state.weighted.weight };
    if (plan.staleCanary) {
      ctx.log.info(`Putting ${options.alias} back on version ${previous} alone first.`);
      at = { primary: previous! };
      await shiftAlias(options.functionName, options.alias, at, undefined, clients);
    }
    if (plan.action !== 'create' && Object.keys(options.tags).length)
      await writeTags(lambda, arn, options.tags);
    let version = plan.resumeVersion;
    if (!version) {
      if (plan.action !== 'create') await updateFunction(plan, options, clients, ctx, serving());
      version = await publish(options.functionName, options.digest, clients, ctx, serving());
    }
    result.version = version;
    await lease.update({ version });
    if (options.provisionedConcurrency > 0)
      result.provisionedReadySeconds = await provision(
        options.functionName,
        version,
        options.provisionedConcurrency,
        clients,
        ctx,
        serving()
      );

    if (!plan.aliasExists) {
      const alias = await createAlias(options.functionName, options.alias, version, clients);
      result.aliasArn = alias.AliasArn ?? result.aliasArn;
      result.shifts.push(1);
    } else {
      for (const step of plan.steps) {
        const want = aliasFor(previous, version, step.weight);
        await shiftAlias(options.functionName, options.alias, want, at, clients);
        at = want;
        result.shifts.push(step.weight);
        ctx.log.info(
          `Alias ${options.alias}: version ${version} takes ${Math.round(step.weight * 10000) / 100}% of the traffic.`
        );
        if (!step.bakeSeconds || !previous) continue;
        const outcome = await bake(
          {
            functionName: options.functionName,
            alias: options.alias,
            oldVersion: previous,
            newVersion: version,
            weight: step.weight,
            bakeSeconds: step.bakeSeconds,
            alarms: options.alarms,
            maxErrorRate: options.maxErrorRate,
            provisioned: options.provisionedConcurrency,
            onCheck: () => lease!.renew()
          },
          clients,
          ctx
        );
        result.bakes.push(outcome);
        if (outcome.failure) {
          await shiftAlias(options.functionName, options.alias, { primary: previous }, at, clients);
          result.shifts.push(0);
          await markRolledBack(lambda, arn, options.alias, version);
          await unprovision(options.functionName, version, clients);
          ctx.log.info(`Rolled back: alias ${options.alias} is on version ${previous} alone again.`);
          return {
            ...result,
            status: 'rolled-back',
            reason: `Rolled back to version ${previous}: ${outcome.failure}.`
          };
        }
        if (outcome.timedOut)
          return {
            ...result,
            status: 'in-progress',
            reason: `${ctx.signal?.aborted ? 'The run was cancelled' : 'The wait-timeout ran out'} while version ${version} baked at ${pct(step.weight)}: ${step.weight < 1 ? `the alias still routes the rest to version ${previous}` : `it serves all of ${options.alias}, version ${previous} kept to roll back to`}; run again to resume, or run rollback.`
          };
      }
    }
    await markLive(lambda, arn, options.alias, version);
    if (previous && previous !== version) await unprovision(options.functionName, previous, clients);
    await lease.release();
    lease = undefined;
    result.deleted = await cleanupVersions(
      lambda,
      options.functionName,
      options.alias,
      await readTags(lambda, arn),
      options.keepVersions,
      ctx.log
    );
    return { ...result, status: 'deployed' };
  } catch (e) {
    if (e instanceof Superseded) return { ...result, status: 'superseded', reason: e.message };
    if (e instanceof WaitTimeout)
      return { ...result, status: 'in-progress', reason: `${e.message} ${serving()}` };
    throw e;
  } finally {
    await lease?.release().catch(() => undefined);
  }
}
