/**
 * Progress of a transfer on a timer: every few seconds a line with objects, bytes (counted as they
 * stream, so one large object moves the line too), the rate since the last line and the time left.
 * A long transfer is never silent; a stalled one shows 0 B/s until the stall timeout names it.
 */
import { formatDuration } from '../duration.js';
import { formatBytes, systemClock, type Clock, type Logger } from '../report.js';

/** Seconds between lines: 5, or MLOPS_DVC_PROGRESS_SECONDS (tests set it low). */
export function progressIntervalMs(env: NodeJS.ProcessEnv = process.env): number {
  const seconds = Number(env.MLOPS_DVC_PROGRESS_SECONDS);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 5000;
}

export class TransferProgress {
  private items = 0;
  private bytes = 0;
  private readonly started: number;
  private last: { at: number; bytes: number };
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly label: string,
    private readonly totals: { items: number; bytes?: number },
    private readonly log: Logger,
    private readonly clock: Clock = systemClock,
    intervalMs = progressIntervalMs()
  ) {
    this.started = clock.now();
    this.last = { at: this.started, bytes: 0 };
    if (totals.items) {
      this.timer = setInterval(() => this.log.info(this.line()), intervalMs);
      this.timer.unref();
    }
  }

  /** Bytes that arrived (or went out); negative to take back those of a failed try. */
  count(bytes: number): void {
    this.bytes += bytes;
  }

  /** One object finished. */
  item(): void {
    this.items++;
  }

  /** Counts `body`'s bytes as they pass; a body that fails takes its bytes back (a retry sends them again). */
  async *counted(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    let seen = 0;
    try {
      for await (const chunk of body) {
        seen += chunk.length;
        this.bytes += chunk.length;
        yield chunk;
      }
    } catch (e) {
      this.bytes -= seen;
      throw e;
    }
  }

  /** Stops the timer and logs the final line. */
  done(): { items: number; bytes: number; seconds: number } {
    clearInterval(this.timer);
    this.timer = undefined;
    this.log.info(this.line(true));
    return { items: this.items, bytes: this.bytes, seconds: (this.clock.now() - this.started) / 1000 };
  }

  /** Stops the timer without a line (the transfer failed). */
  stop(): void {
    clearInterval(this.timer);
  }

  line(final = false): string {
    const now = this.clock.now();
    const elapsed = Math.max((now - this.started) / 1000, 0.001);
    const { items: totalItems, bytes: totalBytes } = this.totals;
    const parts = [`${this.label}: ${this.items}/${totalItems} objects`];
    parts.push(`${formatBytes(this.bytes)}${totalBytes ? ` of ${formatBytes(totalBytes)}` : ''}`);
    if (totalBytes) parts.push(`${Math.min(100, Math.floor((this.bytes / totalBytes) * 100))}%`);
    // While running: the rate since the last line (a stall shows as 0 B/s); at the end, the average.
    const window = Math.max((now - this.last.at) / 1000, 0.001);
    const rate = final ? this.bytes / elapsed : Math.max(0, this.bytes - this.last.bytes) / window;
    parts.push(`${formatBytes(Math.round(rate))}/s`);
    const average = this.bytes / elapsed;
    if (!final && totalBytes && average > 0) {
      parts.push(`about ${formatDuration(Math.max(0, totalBytes - this.bytes) / average)} left`);
    }
    parts.push(formatDuration(elapsed));
    this.last = { at: now, bytes: this.bytes };
    return parts.join(', ');
  }
}
