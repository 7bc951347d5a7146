/**
 * The send loop: `concurrency` workers share one queue of requests, the set of cases sent `count`
 * times in order, or over and over until `durationSeconds` have passed on the clock (no request
 * starts after that; those under way are awaited). The invoke function and the clock are injected.
 * An invoke that throws (credentials refused, a bug) stops every worker and the loop rethrows it.
 */
import { formatDuration } from '../duration.js';
import { systemClock, type Clock, type Logger } from '../report.js';
import { judgeAnswer, type Answer } from './expect.js';
import type { SmokeCase } from './requests.js';
import { Tally, type Stats } from './stats.js';

export interface SendRequest {
  body: Uint8Array;
  contentType: string;
  targetVariant?: string;
}

export type Invoke = (request: SendRequest) => Promise<Answer>;

export interface SendOptions {
  cases: SmokeCase[];
  invoke: Invoke;
  concurrency: number;
  /** How many times the set is sent (default 1); ignored when durationSeconds is given. */
  count?: number;
  durationSeconds?: number;
  targetVariant?: string;
  log: Logger;
  signal?: AbortSignal;
  clock?: Clock;
  /** A progress line this often (5 s by default). */
  progressMs?: number;
  /** Calls `fn` every `ms` until the returned function is called (setInterval by default). */
  every?: (fn: () => void, ms: number) => () => void;
}

export interface SendResult {
  stats: Stats;
  seconds: number;
  /** The loop stopped early because the signal was aborted. */
  cancelled: boolean;
}

const interval = (fn: () => void, ms: number) => {
  const timer = setInterval(fn, ms);
  return () => clearInterval(timer);
};

export async function sendAll(options: SendOptions): Promise<SendResult> {
  const { cases, log, signal } = options;
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const timed = options.durationSeconds !== undefined;
  const deadline = started + (options.durationSeconds ?? 0) * 1000;
  const total = timed ? undefined : (options.count ?? 1) * cases.length;
  const tally = new Tally();
  let next = 0;
  let failed: { error: unknown } | undefined;

  const take = (): SmokeCase | undefined => {
    if (failed || signal?.aborted) return undefined;
    if (total !== undefined ? next >= total : clock.now() >= deadline) return undefined;
    return cases[next++ % cases.length];
  };

  const worker = async () => {
    for (let c = take(); c; c = take()) {
      const sent = clock.now();
      let answer: Answer;
      try {
        answer = await options.invoke({
          body: c.body,
          contentType: c.contentType,
          targetVariant: options.targetVariant
        });
      } catch (error) {
        failed ??= { error };
        return;
      }
      const ms = Math.max(0, clock.now() - sent);
      tally.add({ case: c, variant: answer.variant, ms, verdict: judgeAnswer(c.expect, answer) });
    }
  };

  const progress = () => {
    const seconds = (clock.now() - started) / 1000;
    const of = timed
      ? `${formatDuration(seconds)} of ${formatDuration(options.durationSeconds!)}`
      : `${tally.requests}/${total}`;
    log.info(`smoke-test: ${tally.requests} requests, ${tally.errorCount} errors, ${of}`);
  };
  const stop = (options.every ?? interval)(progress, options.progressMs ?? 5000);
  try {
    const workers = Math.max(1, Math.min(options.concurrency, total ?? options.concurrency));
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    stop();
  }
  if (failed) throw failed.error;
  return {
    stats: tally.stats(),
    seconds: (clock.now() - started) / 1000,
    cancelled: Boolean(signal?.aborted)
  };
}
