/**
 * The pieces behind large transfers, without a network: ranged reassembly (order, resume from the byte
 * where a range stopped, a range that fails every try names itself), the progress line (bytes, rate,
 * time left, taken back on a failed try) and the stall watchdog (a silent body becomes a StallError).
 */
import crypto from 'node:crypto';
import { PassThrough } from 'node:stream';
import { MemoryLogger } from '../../../src/report.js';
import { isPermanent, Semaphore } from '../../../src/dvc/pool.js';
import { rangedBody } from '../../../src/dvc/ranged.js';
import { TransferProgress } from '../../../src/dvc/progress.js';
import { StallError, Watchdog } from '../../../src/dvc/stall.js';
import { WorkerHasher } from '../../../src/dvc/hash-worker.js';

async function* chunks(data: Buffer, size = 1000): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < data.length; at += size) {
    await new Promise((r) => setImmediate(r));
    yield data.subarray(at, Math.min(data.length, at + size));
  }
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of body) parts.push(c);
  return Buffer.concat(parts);
}

const data = crypto.randomBytes(10_500);

describe('ranged reassembly', () => {
  it('hands the bytes on in order, whatever order the ranges finish in, at most `concurrency` at once', async () => {
    const asked: string[] = [];
    let inFlight = 0;
    let most = 0;
    const body = rangedBody(chunks(data.subarray(0, 3000)), {
      size: data.length,
      partSize: 3000,
      concurrency: 2,
      slots: new Semaphore(8),
      what: 'obj',
      attempts: 1,
      fetch: async (start, end) => {
        asked.push(`${start}-${end}`);
        most = Math.max(most, ++inFlight);
        // Later ranges answer first.
        await new Promise((r) => setTimeout(r, (10_500 - start) / 500));
        return (async function* () {
          try {
            yield* chunks(data.subarray(start, end));
          } finally {
            inFlight--;
          }
        })();
      }
    });
    expect((await collect(body)).equals(data)).toBe(true);
    expect(asked).toEqual(['3000-6000', '6000-9000', '9000-10500']);
    expect(most).toBeLessThanOrEqual(2);
  });

  it('a range cut short is asked again only from the byte where it stopped', async () => {
    const asked: string[] = [];
    let cut = true;
    const body = rangedBody(chunks(data.subarray(0, 5000)), {
      size: data.length,
      partSize: 5000,
      concurrency: 4,
      slots: new Semaphore(8),
      what: 'obj',
      fetch: async (start, end) => {
        asked.push(`${start}-${end}`);
        if (start === 5000 && cut) {
          cut = false;
          return (async function* () {
            yield data.subarray(5000, 6200);
            throw new Error('socket hang up');
          })();
        }
        return chunks(data.subarray(start, end));
      }
    });
    expect((await collect(body)).equals(data)).toBe(true);
    expect(asked).toEqual(['5000-10000', '10000-10500', '6200-10000']);
  });

  it('a range that fails every try fails the object naming the range, and is not retried as a whole', async () => {
    const body = rangedBody(chunks(data.subarray(0, 5000)), {
      size: data.length,
      partSize: 5000,
      concurrency: 4,
      slots: new Semaphore(8),
      what: 'obj',
      attempts: 2,
      fetch: async (start, end) => {
        if (start === 10_000) throw new Error('connection reset');
        return chunks(data.subarray(start, end));
      }
    });
    const error = await collect(body).catch((e: Error) => e);
    expect((error as Error).message).toBe('connection reset (bytes 10000-10499 of 10500, 2 tries)');
    expect(isPermanent(error)).toBe(true);
  });
});

describe('ranged stalls', () => {
  it('a range that stalls on every try names the stall and the range once', async () => {
    const body = rangedBody(chunks(data.subarray(0, 5000)), {
      size: data.length,
      partSize: 5000,
      concurrency: 4,
      slots: new Semaphore(8),
      what: 's3://b/k',
      attempts: 2,
      fetch: async (start, end) => {
        if (start === 10_000) throw new StallError(`s3://b/k (bytes ${start}-${end - 1})`, 1000);
        return chunks(data.subarray(start, end));
      }
    });
    const error = await collect(body).catch((e: Error) => e);
    expect((error as Error).message).toBe('no byte moved for 1s (bytes 10000-10499 of 10500, 2 tries)');
  });
});

describe('progress on a timer', () => {
  it('shows bytes as they stream, percent, the rate since the last line and the time left', () => {
    let now = 0;
    const log = new MemoryLogger();
    const progress = new TransferProgress('Downloaded', { items: 1, bytes: 100 * 1024 * 1024 }, log, {
      now: () => now
    });
    progress.count(25 * 1024 * 1024);
    now = 5000;
    expect(progress.line()).toBe(
      'Downloaded: 0/1 objects, 25.0 MB of 100 MB, 25%, 5.0 MB/s, about 15s left, 5s'
    );
    now = 10_000;
    expect(progress.line()).toBe(
      'Downloaded: 0/1 objects, 25.0 MB of 100 MB, 25%, 0 B/s, about 30s left, 10s'
    );
    progress.count(75 * 1024 * 1024);
    progress.item();
    now = 20_000;
    progress.done();
    expect(log.lines).toEqual(['Downloaded: 1/1 objects, 100 MB of 100 MB, 100%, 5.0 MB/s, 20s']);
  });

  it('a body that fails mid-way takes its bytes back (the retry sends them again)', async () => {
    const progress = new TransferProgress('Downloaded', { items: 1, bytes: 2000 }, new MemoryLogger());
    const failing = (async function* () {
      yield Buffer.alloc(1500);
      throw new Error('cut');
    })();
    await expect(collect(progress.counted(failing))).rejects.toThrow('cut');
    await collect(progress.counted(chunks(Buffer.alloc(2000))));
    expect(progress.done().bytes).toBe(2000);
  });

  it('logs on its own while nothing finishes', async () => {
    const log = new MemoryLogger();
    const progress = new TransferProgress('Uploaded', { items: 1, bytes: 10 }, log, undefined, 20);
    // Two lines without any count or item (polled: a loaded machine delays timers).
    for (let waited = 0; log.lines.length < 2 && waited < 5000; waited += 10)
      await new Promise((r) => setTimeout(r, 10));
    progress.stop();
    expect(log.lines.length).toBeGreaterThanOrEqual(2);
    expect(log.lines[0]).toMatch(/^Uploaded: 0\/1 objects, 0 B of 10 B, 0%, 0 B\/s, /);
  });
});

describe('stall watchdog', () => {
  it('a body that goes quiet is destroyed and becomes a StallError naming the object, with a warning', async () => {
    const log = new MemoryLogger();
    const warnings: string[] = [];
    log.warning = (m: string) => void warnings.push(m);
    const body = new PassThrough();
    body.write(Buffer.alloc(10));
    const dog = new Watchdog('s3://b/k (bytes 0-9)', { stallMs: 50, log });
    const error = await collect(dog.stream(body)).catch((e: Error) => e);
    expect(error).toBeInstanceOf(StallError);
    expect((error as Error).message).toBe('no byte moved for 0.1s on s3://b/k (bytes 0-9)');
    expect(isPermanent(error)).toBe(false);
    expect(body.destroyed).toBe(true);
    expect(warnings).toEqual([
      'Stalled: no byte moved for 0.1s on s3://b/k (bytes 0-9); aborting that request and trying again.'
    ]);
  });

  it('a request that never answers is aborted as a StallError, not as a permanent abort', async () => {
    const dog = new Watchdog('s3://b/k', { stallMs: 30 });
    const error = await dog
      .run(
        (signal) =>
          new Promise((_, reject) =>
            signal.addEventListener('abort', () =>
              reject(Object.assign(new Error('aborted'), { name: 'AbortError' }))
            )
          )
      )
      .catch((e: Error) => e);
    expect(error).toBeInstanceOf(StallError);
    expect(isPermanent(error)).toBe(false);
  });
});

describe('md5 on a worker thread', () => {
  it('gives the md5 of the bytes handed over, for objects hashed at the same time', async () => {
    const a = crypto.randomBytes(3 * 1024 * 1024);
    const b = crypto.randomBytes(1024 * 1024 + 7);
    const md5 = (d: Uint8Array) => crypto.createHash('md5').update(d).digest('hex');
    const want = [md5(a), md5(b)];
    const ha = new WorkerHasher();
    const hb = new WorkerHasher();
    ha.update([a.subarray(0, 1000), a.subarray(1000, 2_000_000)]);
    hb.update([b]);
    ha.update([a.subarray(2_000_000)]);
    ha.update([]);
    expect(await Promise.all([ha.digest(), hb.digest()])).toEqual(want);
  });

  it('moves chunks that are all of their memory (no copy) and copies the rest, in order', async () => {
    // As a socket hands them: each read its own buffer; beside them views into a larger buffer and
    // small chunks from Node's shared pool, which must never be moved (other data lives there).
    const own = () => new Uint8Array(crypto.randomBytes(64 * 1024)).slice();
    const shared = crypto.randomBytes(300_000);
    const pooled = Buffer.from('small, from the pool');
    const chunks = [own(), shared.subarray(0, 100_000), pooled, own(), shared.subarray(100_000), own()];
    const md5 = crypto.createHash('md5');
    for (const c of chunks) md5.update(c);
    const want = md5.digest('hex');
    const hasher = new WorkerHasher();
    hasher.update(chunks);
    // Moved: detached here. Copied: untouched, still readable by whoever shares their memory.
    expect(chunks.map((c) => c.byteLength)).toEqual([0, 100_000, pooled.length, 0, 200_000, 0]);
    expect(pooled.toString()).toBe('small, from the pool');
    expect(await hasher.digest()).toBe(want);
  });
});
