/**
 * md5 of large downloads on a worker thread, so the main thread only receives and writes while the
 * other core hashes (see bench/dvc.mjs, large). Bytes are handed over by transferring a copy of each
 * written batch (no second copy). DVC 3 objects only: the legacy dos2unix hash stays on the main thread.
 */
import { Worker } from 'node:worker_threads';

// Plain JavaScript, run with eval: a bundle has no separate worker file to point at.
const SOURCE = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const hashes = new Map();
parentPort.on('message', ({ id, data, end }) => {
  let h = hashes.get(id);
  if (!h) hashes.set(id, (h = crypto.createHash('md5')));
  if (data) h.update(new Uint8Array(data));
  if (end) {
    hashes.delete(id);
    parentPort.postMessage({ id, md5: h.digest('hex') });
  }
});`;

let worker: Worker | undefined;
let nextId = 0;
const waiting = new Map<number, (md5: string) => void>();

function shared(): Worker {
  if (!worker) {
    worker = new Worker(SOURCE, { eval: true });
    worker.unref();
    worker.on('message', ({ id, md5 }: { id: number; md5: string }) => {
      waiting.get(id)?.(md5);
      waiting.delete(id);
      // Only an awaited digest keeps the process alive.
      if (!waiting.size) worker?.unref();
    });
  }
  return worker;
}

/** Hashes on the worker: `update` with batches the caller no longer needs, then `digest`. */
export class WorkerHasher {
  private readonly id = nextId++;
  private readonly worker = shared();

  /** Hands `chunks` over (copied once into one transferable buffer). */
  update(chunks: Uint8Array[]): void {
    const length = chunks.reduce((n, c) => n + c.length, 0);
    if (!length) return;
    const data = new ArrayBuffer(length);
    const view = new Uint8Array(data);
    let at = 0;
    for (const c of chunks) {
      view.set(c, at);
      at += c.length;
    }
    this.worker.postMessage({ id: this.id, data }, [data]);
  }

  digest(): Promise<string> {
    return new Promise((resolve) => {
      waiting.set(this.id, resolve);
      this.worker.ref();
      this.worker.postMessage({ id: this.id, end: true });
    });
  }
}
