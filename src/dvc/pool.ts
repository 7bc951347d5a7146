/** Bounded concurrency and retries for transfers. */
import { isUserError } from '../errors.js';

/** Runs `fn` over `items` with at most `concurrency` at once. `fn` handles its own errors. */
export async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<void>,
  signal?: AbortSignal
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      signal?.throwIfAborted();
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** A counting semaphore: bounds the requests (and their buffers) in flight across all transfers. */
export class Semaphore {
  private waiting: Array<() => void> = [];
  constructor(private free: number) {}

  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }

  async with<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}

/** Errors that another try will not fix. */
export class PermanentError extends Error {
  override name = 'PermanentError';
}

const PERMANENT_NAMES = new Set([
  'PermanentError',
  'UserError',
  'InputError',
  'PathEscapeError',
  'NoSuchBucket',
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'CredentialsProviderError',
  'AbortError'
]);

export function isPermanent(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  // An error the user must fix (a bad manifest, a path that escapes) comes back on every try.
  if (PERMANENT_NAMES.has(e.name) || isUserError(e)) return true;
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429;
}

export interface RetryOptions {
  attempts?: number;
  /** First delay in ms; doubles each time, with jitter. */
  delayMs?: number;
  signal?: AbortSignal;
  /** Called before each new try with the error that ended the last one. */
  onRetry?: (error: unknown, attempt: number) => void;
}

/**
 * Tries `fn` until it succeeds, fails permanently or runs out of attempts. Sits above the SDK's own
 * retries: it also covers bodies cut short and connections reset mid-stream, which the SDK cannot
 * retry, and it does not spend the SDK's retry quota.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 5;
  let delay = options.delayMs ?? 200;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (attempt >= attempts || isPermanent(e) || options.signal?.aborted) throw e;
      options.onRetry?.(e, attempt);
      await new Promise((r) => setTimeout(r, delay * (0.5 + Math.random())));
      delay = Math.min(delay * 2, 5000);
    }
  }
}
