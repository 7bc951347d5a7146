/**
 * One bake of a traffic step: for `bake-time` (scaled by the runner's time scale) the alarms are read
 * (DescribeAlarms; any in ALARM rolls back) and, with `max-error-rate`, the new version's own error
 * rate (its ExecutedVersion metrics since the step began). Then what each version served, for the
 * summary. CloudWatch errors while judging fail the step (a deployment nobody can watch must not go
 * on); errors while reporting are warnings.
 */
import { alarmStates } from '../cloudwatch/alarms.js';
import { errorMessage } from '../errors.js';
import { sleep as realSleep } from '../wait.js';
import { coldStartText, readColdStarts, type ColdStarts } from './coldstart.js';
import type { LambdaClients, LambdaContext } from './engine.js';
import { errorRateVerdict, readVersionMetrics, type VersionMetrics } from './metrics.js';

export interface BakeInput {
  functionName: string;
  alias: string;
  oldVersion: string;
  newVersion: string;
  /** The new version's share during this bake, 0-1. */
  weight: number;
  bakeSeconds: number;
  alarms: string[];
  maxErrorRate?: number;
  /** Provisioned environments on the new version (for the cold-start row). */
  provisioned: number;
  /** Called between checks (the lease's renewal). */
  onCheck?: () => Promise<void>;
}

export interface BakeOutcome {
  weight: number;
  start: Date;
  end: Date;
  /** Why it rolls back (an alarm in ALARM, or the error rate), one clause; undefined: it passed. */
  failure?: string;
  /** wait-timeout ran out during the bake. */
  timedOut?: boolean;
  versions?: VersionMetrics[];
  coldStarts?: ColdStarts;
  provisioned: number;
  warnings: string[];
}

/** Between checks, in service seconds. */
export const CHECK_SECONDS = 30;

export async function judgeOnce(
  input: BakeInput,
  clients: LambdaClients,
  start: Date,
  ctx: LambdaContext
): Promise<string | undefined> {
  if (!clients.cloudwatch) return undefined;
  const firing = (await alarmStates(clients.cloudwatch, input.alarms)).find((a) => a.state === 'ALARM');
  if (firing) return `alarm ${firing.name} went into ALARM${firing.reason ? ` (${firing.reason})` : ''}`;
  if (input.maxErrorRate === undefined) return undefined;
  const [m] = (
    await readVersionMetrics(
      clients.cloudwatch,
      input.functionName,
      input.alias,
      [input.newVersion],
      { start, end: ctx.now() },
      ctx.scale
    )
  ).versions;
  return errorRateVerdict(m, input.maxErrorRate);
}

export async function bake(
  input: BakeInput,
  clients: LambdaClients,
  ctx: LambdaContext
): Promise<BakeOutcome> {
  const wait = ctx.sleep ?? realSleep;
  const start = ctx.now();
  const ends = start.valueOf() + input.bakeSeconds * 1000 * ctx.scale;
  const outcome: BakeOutcome = {
    weight: input.weight,
    start,
    end: start,
    provisioned: input.provisioned,
    warnings: []
  };
  ctx.log.info(
    `Baking ${Math.round(input.weight * 10000) / 100}% on version ${input.newVersion} for ${input.bakeSeconds} s` +
      `${input.alarms.length ? `, watching ${input.alarms.join(', ')}` : ''}${input.maxErrorRate !== undefined ? `, error rate at most ${input.maxErrorRate}` : ''}.`
  );
  for (;;) {
    const left = ends - ctx.now().valueOf();
    if (left > 0) {
      if (ctx.deadline <= Date.now()) {
        outcome.timedOut = true;
        break;
      }
      await wait(
        Math.min(left, CHECK_SECONDS * 1000 * ctx.scale, Math.max(0, ctx.deadline - Date.now())),
        ctx.signal
      );
      if (ctx.signal?.aborted) {
        outcome.timedOut = true;
        break;
      }
    }
    await input.onCheck?.();
    try {
      outcome.failure = await judgeOnce(input, clients, start, ctx);
    } catch (e) {
      // A deployment nobody can watch does not go on: it is rolled back, saying why.
      outcome.failure = `the alarms or the error rate could not be read from CloudWatch (${errorMessage(e).replace(/\s+/g, ' ').trim()})`;
    }
    if (outcome.failure || ctx.now().valueOf() >= ends) break;
  }
  outcome.end = ctx.now();
  await report(outcome, input, clients, ctx);
  return outcome;
}

/** What each version served during the bake and the new version's cold starts; never throws. */
async function report(
  outcome: BakeOutcome,
  input: BakeInput,
  clients: LambdaClients,
  ctx: LambdaContext
): Promise<void> {
  const window = { start: outcome.start, end: outcome.end };
  const versions = [input.oldVersion, input.newVersion].filter(Boolean);
  if (clients.cloudwatch) {
    try {
      outcome.versions = (
        await readVersionMetrics(
          clients.cloudwatch,
          input.functionName,
          input.alias,
          versions,
          window,
          ctx.scale
        )
      ).versions;
    } catch (e) {
      outcome.warnings.push(`The versions' metrics could not be read from CloudWatch (${errorMessage(e)}).`);
    }
  }
  if (clients.logs) {
    try {
      outcome.coldStarts = await readColdStarts(clients.logs, input.functionName, input.newVersion, window);
      ctx.log.info(`Cold starts of version ${input.newVersion}: ${coldStartText(outcome.coldStarts)}.`);
    } catch (e) {
      outcome.warnings.push(`The cold starts could not be read from CloudWatch Logs (${errorMessage(e)}).`);
    }
  }
  for (const w of outcome.warnings) ctx.log.warning(w);
}
