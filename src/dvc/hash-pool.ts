/**
 * Hashing files on every core: a pool of worker threads (one per core, os.availableParallelism()),
 * each reading a file in DVC's 1 MiB chunks and hashing it, so many mid-size files hash in parallel
 * as `md5sum` under `xargs -P` does. The worker is a small self-contained script (no bundler or
 * loader has to find a second file); test/unit/dvc/hash-pool.test.ts holds it equal to hash.ts,
 * the DVC 2 (dos2unix) rule included.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';

/** The worker: reads `file` in 1 MiB chunks; `legacy` applies DVC 2's text rule (see hash.ts). */
const WORKER_SOURCE = String.raw`
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const crypto = require('node:crypto');
const CHUNK = 1024 * 1024;
const TEXT = new Uint8Array(256);
for (let b = 32; b < 127; b++) TEXT[b] = 1;
for (const c of '\n\r\t\f\b') TEXT[c.charCodeAt(0)] = 1;
function isText(head) {
  const n = Math.min(head.length, 512);
  if (n === 0) return true;
  let nonText = 0;
  for (let i = 0; i < n; i++) {
    if (head[i] === 0) return false;
    if (!TEXT[head[i]]) nonText++;
  }
  return nonText / n <= 0.3;
}
function dos2unix(chunk) {
  let at = chunk.indexOf('\r\n');
  if (at < 0) return chunk;
  const out = Buffer.allocUnsafe(chunk.length);
  let written = 0;
  let from = 0;
  while (at >= 0) {
    written += chunk.copy(out, written, from, at);
    out[written++] = 0x0a;
    from = at + 2;
    at = chunk.indexOf('\r\n', from);
  }
  written += chunk.copy(out, written, from);
  return out.subarray(0, written);
}
const buffer = Buffer.allocUnsafe(CHUNK);
function hash(file, legacy) {
  const fd = fs.openSync(file, 'r');
  try {
    const md5 = crypto.createHash('md5');
    let size = 0;
    let text;
    for (;;) {
      let n = 0;
      while (n < CHUNK) {
        const got = fs.readSync(fd, buffer, n, CHUNK - n, null);
        if (!got) break;
        n += got;
      }
      if (!n) break;
      size += n;
      let chunk = buffer.subarray(0, n);
      if (legacy) {
        if (text === undefined) text = isText(chunk);
        if (text) chunk = dos2unix(chunk);
      }
      md5.update(chunk);
      if (n < CHUNK) break;
    }
    return { md5: md5.digest('hex'), size };
  } finally {
    fs.closeSync(fd);
  }
}
parentPort.on('message', ({ id, file, legacy }) => {
  try {
    parentPort.postMessage({ id, ...hash(file, legacy) });
  } catch (e) {
    parentPort.postMessage({ id, error: { message: e.message, code: e.code, name: e.name } });
  }
});
`;

interface Task {
  id: number;
  file: string;
  legacy: boolean;
  resolve: (r: { md5: string; size: number }) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  tasks: Map<number, Task>;
}

/** Tasks sent to one worker ahead of its answer, so it never waits for the main thread. */
const AHEAD = 2;

export class HashPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 0;

  constructor(readonly size = os.availableParallelism()) {}

  /** md5 (DVC 2's when `legacy`) and size of `file`, hashed on a worker thread. */
  hash(file: string, legacy: boolean): Promise<{ md5: string; size: number }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, file, legacy, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length) {
      const slot =
        this.slots.find((s) => !s.tasks.size) ??
        (this.slots.length < this.size ? this.spawn() : this.slots.find((s) => s.tasks.size < AHEAD));
      if (!slot) return;
      const task = this.queue.shift()!;
      slot.tasks.set(task.id, task);
      // A busy worker keeps the process alive; an idle one does not.
      slot.worker.ref();
      slot.worker.postMessage({ id: task.id, file: task.file, legacy: task.legacy });
    }
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    const slot: Slot = { worker, tasks: new Map() };
    worker.on('message', (m: { id: number; md5?: string; size?: number; error?: Record<string, string> }) => {
      const task = slot.tasks.get(m.id);
      if (!task) return;
      slot.tasks.delete(m.id);
      if (!slot.tasks.size) worker.unref();
      if (m.error) {
        const e = Object.assign(new Error(m.error.message), { code: m.error.code }) as NodeJS.ErrnoException;
        task.reject(e);
      } else task.resolve({ md5: m.md5!, size: m.size! });
      this.dispatch();
    });
    const fail = (e: Error) => {
      // A dead worker fails its own tasks only; the next hash spawns a fresh one.
      this.slots.splice(this.slots.indexOf(slot), 1);
      for (const t of slot.tasks.values()) t.reject(e);
      slot.tasks.clear();
      this.dispatch();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.slots.includes(slot)) fail(new Error(`a hashing thread stopped (exit code ${code})`));
    });
    this.slots.push(slot);
    return slot;
  }

  /** Stops the threads (tests; a finished process does not wait for idle ones). */
  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}

let shared: HashPool | undefined;

/** The process's pool, made on first use. */
export function hashPool(): HashPool {
  return (shared ??= new HashPool());
}
