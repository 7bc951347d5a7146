/** What the Lambda engine is handed: its clients, the run's context, and how long it may wait. */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { UserError } from '../errors.js';
import type { Logger } from '../report.js';

export interface LambdaClients {
  lambda: LambdaClient;
  /** Alarms, the error rate and the bake's metrics; without it, none are read. */
  cloudwatch?: CloudWatchClient;
  /** The cold starts (REPORT lines); without it, "not measured". */
  logs?: CloudWatchLogsClient;
}

export interface LambdaContext {
  log: Logger;
  signal?: AbortSignal;
  /** Multiplies every wait (1 against AWS, small against a time-scaled emulator). */
  scale: number;
  sha: string;
  runUrl?: string;
  /** This run, as the `deployment` tag names it (`<run id>.<attempt>.<nonce>`). */
  holder: string;
  now: () => Date;
  /** When wait-timeout runs out (epoch ms, real clock). */
  deadline: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Another run moved the alias under this one: this run stops without touching it again. */
export class Superseded extends UserError {
  override name = 'Superseded';
}

/** The time left before wait-timeout, in service seconds (at least a tiny bit, so a poll reads once). */
export function remainingSeconds(ctx: LambdaContext): number {
  return Math.max(0.001, (ctx.deadline - Date.now()) / 1000 / ctx.scale);
}

export const errorName = (e: unknown) => (e as { name?: string })?.name ?? '';

/** How the engine polls Lambda (1 s to 5 s apart) until wait-timeout. */
export function pollingOf(ctx: LambdaContext) {
  return {
    timeoutSeconds: remainingSeconds(ctx),
    log: ctx.log,
    signal: ctx.signal,
    scale: ctx.scale,
    minDelayMs: 1000,
    maxDelayMs: 5000,
    sleep: ctx.sleep
  };
}
