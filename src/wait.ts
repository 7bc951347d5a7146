/**
 * Waiting for AWS resources: poll with capped exponential backoff and jitter, log each change of
 * state once, stop at the caller's timeout with a message that says what state the resource was
 * left in, and stop at once when the signal is aborted (a cancelled workflow).
 */
import { UserError } from './errors.js';
import { formatDuration } from './duration.js';
import { systemClock, type Clock, type Logger } from './report.js';

export class WaitTimeout extends UserError {
  override name = 'WaitTimeout';
}

export class Cancelled extends UserError {
  override name = 'Cancelled';
}

export interface PollOptions<S> {
  /** What is being waited for, e.g. `endpoint news-classifier`. */
  what: string;
  read: () => Promise<S>;
  done: (state: S) => boolean;
  /** One line of the state; logged whenever it changes. */
  describe: (state: S) => string;
  /**
   * When the state is known to change next (epoch ms), e.g. the end of a bake: the poll after it
   * comes right then instead of up to a full delay later.
   */
  expectedChange?: (state: S) => number | undefined;
  timeoutSeconds: number;
  log: Logger;
  signal?: AbortSignal;
  /** First delay and cap, in ms (5 s and 20 s by default), multiplied by `scale`. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /**
   * Multiplies every delay and the timeout: 1 against AWS, small against a time-scaled emulator
   * (`timeoutSeconds` stays in the service's time, as the user wrote it, and so does the message).
   */
  scale?: number;
  clock?: Clock;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

export interface PollResult<S> {
  state: S;
  polls: number;
  seconds: number;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export async function poll<S>(options: PollOptions<S>): Promise<PollResult<S>> {
  const { log, signal } = options;
  const clock = options.clock ?? systemClock;
  const wait = options.sleep ?? sleep;
  const random = options.random ?? Math.random;
  const scale = options.scale ?? 1;
  const minDelay = (options.minDelayMs ?? 5000) * scale;
  const maxDelay = (options.maxDelayMs ?? 20000) * scale;
  const started = clock.now();
  const deadline = started + options.timeoutSeconds * 1000 * scale;
  let delay = minDelay;
  let polls = 0;
  let last: string | undefined;
  for (;;) {
    const state = await options.read();
    polls++;
    const text = options.describe(state);
    if (text !== last) {
      log.info(`${options.what}: ${text}`);
      if (last !== undefined) delay = minDelay;
      last = text;
    }
    const seconds = (clock.now() - started) / 1000;
    if (options.done(state)) return { state, polls, seconds };
    if (signal?.aborted) {
      throw new Cancelled(`Cancelled while waiting for ${options.what}; it was left ${text}.`);
    }
    const remaining = deadline - clock.now();
    if (remaining <= 0) {
      throw new WaitTimeout(
        `Timed out after ${formatDuration(options.timeoutSeconds)} waiting for ${options.what}; it was left ${text}.`
      );
    }
    let next = delay * (0.8 + 0.4 * random());
    const expected = options.expectedChange?.(state);
    if (expected !== undefined && expected > clock.now())
      next = Math.min(next, expected - clock.now() + 1000 * scale);
    await wait(Math.min(next, remaining), signal);
    delay = Math.min(delay * 1.5, maxDelay);
  }
}
