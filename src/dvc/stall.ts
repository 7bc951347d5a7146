/**
 * Stall detection: a request that moves no byte for `stall-timeout` is aborted, named in the log and
 * thrown as a StallError, which the retry policy retries like any cut connection. Nothing hangs
 * silently.
 */
import type { Readable } from 'node:stream';
import { formatDuration } from '../duration.js';
import type { Logger } from '../report.js';
import { noteChunk } from './socket-buffers.js';

/** The default `stall-timeout`: a minute without a byte. */
export const DEFAULT_STALL_MS = 60_000;

export class StallError extends Error {
  override name = 'StallError';
  constructor(
    readonly what: string,
    readonly ms: number
  ) {
    super(`no byte moved for ${formatDuration(ms / 1000)} on ${what}`);
  }

  /** The message without the object (when the caller names it already). */
  get reason(): string {
    return `no byte moved for ${formatDuration(this.ms / 1000)}`;
  }
}

/** What a transfer needs to watch itself: the stall timeout and where to say a stall happened. */
export interface Watch {
  stallMs?: number;
  log?: Logger;
  /** Uploads: bytes sent, told once each request is done. */
  onBytes?: (bytes: number) => void;
}

/**
 * One request's watchdog. `poke` on every byte; when none comes for `ms`, the request's own abort
 * controller fires (the caller's `signal`, when it aborts, aborts the request too).
 */
export class Watchdog {
  readonly controller = new AbortController();
  stalled = false;
  private timer?: NodeJS.Timeout;
  private readonly unlink: () => void;

  constructor(
    private readonly what: string,
    private readonly watch: Watch,
    signal?: AbortSignal
  ) {
    const onAbort = () => this.controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    this.unlink = () => signal?.removeEventListener('abort', onAbort);
    this.poke();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  poke(): void {
    const ms = this.watch.stallMs;
    if (!ms || this.stalled) return;
    if (this.timer) this.timer.refresh();
    else this.timer = setTimeout(() => this.fire(), ms);
  }

  private fire(): void {
    this.stalled = true;
    const error = new StallError(this.what, this.watch.stallMs!);
    this.watch.log?.warning(`Stalled: ${error.message}; aborting that request and trying again.`);
    this.controller.abort(error);
  }

  /** The error to throw for `e`: a StallError when the watchdog fired (the SDK's abort looks permanent). */
  error(e: unknown): unknown {
    return this.stalled ? new StallError(this.what, this.watch.stallMs!) : e;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.unlink();
  }

  /** Runs `fn` (a request) under the watchdog; it counts as one byte when it returns. */
  async run<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      const out = await fn(this.signal);
      this.poke();
      return out;
    } catch (e) {
      this.stop();
      throw this.error(e);
    }
  }

  /**
   * Yields `body`'s chunks (at most `limit` bytes, then the body is closed), poking on each. A stall
   * destroys the body, and the error thrown is a StallError. Stops the watchdog when done.
   */
  async *stream(body: AsyncIterable<Uint8Array>, limit = Infinity): AsyncGenerator<Uint8Array> {
    const destroy = () =>
      (body as Partial<Readable>).destroy?.(new StallError(this.what, this.watch.stallMs!));
    this.controller.signal.addEventListener('abort', destroy, { once: true });
    let left = limit;
    try {
      for await (const chunk of body) {
        this.poke();
        noteChunk(chunk);
        if (chunk.length >= left) {
          yield chunk.subarray(0, left);
          return;
        }
        left -= chunk.length;
        yield chunk;
      }
    } catch (e) {
      throw this.error(e);
    } finally {
      this.controller.signal.removeEventListener('abort', destroy);
      this.stop();
    }
  }
}
