/**
 * One large object, handed on in order, resumable: the caller hashes and writes it as one stream (so
 * the md5 is computed in order, as the bytes arrive). The first part is the head of the plain GET
 * that discovered the size. By default that is the only part (one stream, measured fastest against
 * s3rver on two cores: see bench/dvc.mjs); with MLOPS_DVC_RANGE_CONCURRENCY above 1 the object is cut
 * into parts fetched that many at a time as ranged GETs (what pays where one connection is slower than
 * the link, as on S3 over a WAN). Either way a part cut short or stalled is fetched again **from the
 * byte where it stopped**. Memory is bounded by `concurrency` parts (one stream: 16 MiB ahead).
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../report.js';
import { PermanentError, retry, type Semaphore } from './pool.js';
import { StallError } from './stall.js';

const MiB = 1024 * 1024;

/** Objects above this size are fetched resumably (smaller ones are simply fetched again). */
export const RANGED_THRESHOLD = 32 * MiB;
/** A part's loader waits when this much of it is waiting for the consumer. */
const AHEAD = 16 * MiB;

/**
 * Parts in flight per object (MLOPS_DVC_RANGE_CONCURRENCY, default 1) and their size
 * (MLOPS_DVC_RANGE_PART bytes, default 16 MiB; the whole object when one at a time).
 */
export function rangePlan(
  size: number,
  env: NodeJS.ProcessEnv = process.env
): { partSize: number; concurrency: number } {
  const part = Number(env.MLOPS_DVC_RANGE_PART);
  const conc = Number(env.MLOPS_DVC_RANGE_CONCURRENCY);
  const concurrency = Number.isSafeInteger(conc) && conc > 0 ? conc : 1;
  if (concurrency === 1) return { partSize: size, concurrency };
  return { partSize: Number.isSafeInteger(part) && part > 0 ? part : 16 * MiB, concurrency };
}

/** A range that failed every try: the whole object is not tried again (its other ranges were fine). */
export class RangeFailedError extends PermanentError {}

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

  /** Bytes received and not yet taken. */
  private waiting = 0;
  private room?: () => void;

  /** Adds a chunk; resolves once the consumer has taken enough that less than `limit` waits. */
  add(chunk: Uint8Array, limit: number): Promise<void> | undefined {
    this.chunks.push(chunk);
    this.received += chunk.length;
    this.waiting += chunk.length;
    this.notify();
    if (this.waiting < limit) return undefined;
    return new Promise<void>((resolve) => (this.room = resolve));
  }

  finish(error?: unknown): void {
    this.done = true;
    this.error = error;
    this.notify();
  }

  /** Lets a waiting loader go on (the consumer stopped). */
  release(): void {
    this.room?.();
    this.room = undefined;
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
        this.waiting = 0;
        const room = this.room;
        this.room = undefined;
        room?.();
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

  // A part ahead of the consumer is kept whole (it cannot be handed on yet); the head streams through.
  const limit = options.concurrency > 1 ? Math.max(AHEAD, partSize) : AHEAD;
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
            await part.add(chunk.length > room ? chunk.subarray(0, room) : chunk, limit);
            if (stop.signal.aborted) throw stop.signal.reason;
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
          : new RangeFailedError(
              `${e instanceof StallError ? e.reason : errorMessage(e)} (${range}, ${tries} ${tries === 1 ? 'try' : 'tries'})`
            )
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
    for (const part of parts) part.release();
    options.signal?.removeEventListener('abort', onAbort);
  }
}
