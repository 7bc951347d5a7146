/**
 * One large object as parallel ranged GETs, handed on in order: the caller hashes and writes it as one
 * stream (so the md5 is computed in order, as the bytes arrive). The first part is the head of the
 * plain GET that discovered the size; the next parts are fetched `concurrency` ahead, each retried on
 * its own from the byte where it stopped, so a cut connection costs only the rest of its range.
 * Memory is bounded by `concurrency` parts.
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../report.js';
import { PermanentError, retry, type Semaphore } from './pool.js';

const MiB = 1024 * 1024;

/** Objects above this size are fetched as parallel ranges (measured: see bench/dvc.mjs, large). */
export const RANGED_THRESHOLD = 32 * MiB;

/** Part size and parts in flight per object; MLOPS_DVC_RANGE_PART (bytes) overrides the size for tests. */
export function rangePlan(env: NodeJS.ProcessEnv = process.env): { partSize: number; concurrency: number } {
  const part = Number(env.MLOPS_DVC_RANGE_PART);
  const conc = Number(env.MLOPS_DVC_RANGE_CONCURRENCY);
  return {
    partSize: Number.isSafeInteger(part) && part > 0 ? part : 16 * MiB,
    concurrency: Number.isSafeInteger(conc) && conc > 0 ? conc : 8
  };
}

/** A range that failed every try: the whole object is not tried again (its other ranges were fine). */
export class RangeFailedError extends PermanentError {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentError';
  }
}

export interface RangedOptions {
  size: number;
  partSize: number;
  concurrency: number;
  /** The bytes [start, end) of the object (a fresh, watched request). */
  fetch: (start: number, end: number, signal?: AbortSignal) => Promise<AsyncIterable<Uint8Array>>;
  /** Bounds ranged requests across objects. */
  slots: Semaphore;
  attempts?: number;
  signal?: AbortSignal;
  /** The object, for messages. */
  what: string;
  log?: Logger;
}

/** One range's bytes as they arrive, until the consumer takes them. */
class Part {
  chunks: Uint8Array[] = [];
  received = 0;
  done = false;
  error?: unknown;
  private wake?: () => void;

  constructor(
    readonly start: number,
    readonly end: number
  ) {}

  get length(): number {
    return this.end - this.start;
  }

  add(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.received += chunk.length;
    this.notify();
  }

  finish(error?: unknown): void {
    this.done = true;
    this.error = error;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async *drain(): AsyncGenerator<Uint8Array> {
    for (;;) {
      if (this.chunks.length) {
        const chunks = this.chunks;
        this.chunks = [];
        yield* chunks;
        continue;
      }
      if (this.error) throw this.error;
      if (this.done) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

/**
 * The object's bytes in order. `first` is the first part's body (at most `partSize` bytes); when it
 * fails, that part is fetched again as a range like the others.
 */
export async function* rangedBody(
  first: AsyncIterable<Uint8Array>,
  options: RangedOptions
): AsyncGenerator<Uint8Array> {
  const { size, partSize } = options;
  const parts: Part[] = [];
  for (let start = 0; start < size; start += partSize)
    parts.push(new Part(start, Math.min(size, start + partSize)));
  const stop = new AbortController();
  const onAbort = () => stop.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const load = async (part: Part, index: number): Promise<void> => {
    const range = `bytes ${part.start}-${part.end - 1} of ${options.size}`;
    let tries = 0;
    try {
      await retry(
        async (attempt) => {
          tries = attempt;
          const from = part.start + part.received;
          const body =
            attempt === 1 && index === 0 ? first : await options.fetch(from, part.end, stop.signal);
          for await (const chunk of body) {
            const room = part.length - part.received;
            part.add(chunk.length > room ? chunk.subarray(0, room) : chunk);
            if (part.received === part.length) break;
          }
          if (part.received < part.length) {
            throw new Error(`${range} ended ${part.length - part.received} bytes short`);
          }
        },
        {
          attempts: options.attempts,
          signal: stop.signal,
          onRetry: (e, n) =>
            options.log?.debug(
              `${options.what} (${range}): try ${n} failed (${errorMessage(e)}), trying again.`
            )
        }
      );
      part.finish();
    } catch (e) {
      part.finish(
        stop.signal.aborted
          ? e
          : new RangeFailedError(`${errorMessage(e)} (${range}, ${tries} ${tries === 1 ? 'try' : 'tries'})`)
      );
    }
  };

  let next = 0;
  const launch = () => {
    const index = next++;
    const part = parts[index];
    if (index === 0) void load(part, 0);
    else void options.slots.with(() => (stop.signal.aborted ? Promise.resolve() : load(part, index)));
  };
  try {
    while (next < Math.min(parts.length, options.concurrency)) launch();
    for (let i = 0; i < parts.length; i++) {
      yield* parts[i].drain();
      parts[i].chunks = [];
      if (next < parts.length) launch();
    }
  } finally {
    // Done, failed, or the consumer stopped reading: nothing keeps running.
    stop.abort(new Error('the download ended'));
    options.signal?.removeEventListener('abort', onAbort);
  }
}
