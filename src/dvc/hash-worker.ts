/**
 * md5 of large downloads on a worker thread, so the main thread only receives and writes while the
 * other core hashes (see bench/dvc.mjs, large). Each batch is handed over once it is written: a chunk
 * that is the whole of its memory (a socket read is) moves to the worker without a copy; any other is
 * copied once. Moving instead of copying took a 500 MB pull from 3.5 s to 1.9 s on Node 24 (bench/dvc.mjs,
 * step by step, against s3rver on two cores). DVC 3 objects only: the legacy dos2unix hash stays on
 * the main thread.
 */
import { Worker } from 'node:worker_threads';
import { ownsItsMemory } from './socket-buffers.js';

// Plain JavaScript, run with eval: a bundle has no separate worker file to point at.
const SOURCE = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const hashes = new Map();
parentPort.on('message', ({ id, chunks, end }) => {
  let h = hashes.get(id);
  if (!h) hashes.set(id, (h = crypto.createHash('md5')));
  // Each chunk's memory goes back once hashed (transfer(0): Node 24), not at the next full collection.
  if (chunks) for (const c of chunks) { h.update(c); if (c.buffer.transfer) c.buffer.transfer(0); }
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

  /**
   * Hands `chunks` over, in order. The caller gives them up: a chunk that spans its whole ArrayBuffer
   * (and is not from Node's shared pool) is transferred and so detached here; the others are copied
   * together into one new buffer. Call only once nothing else reads them (after they are written).
   */
  update(chunks: Uint8Array[]): void {
    const out: Uint8Array[] = [];
    let copied: Uint8Array[] = [];
    const flushCopies = () => {
      if (copied.length) out.push(copyOf(copied));
      copied = [];
    };
    for (const c of chunks) {
      if (!ownsItsMemory(c)) copied.push(c);
      else {
        flushCopies();
        out.push(c);
      }
    }
    flushCopies();
    if (!out.length) return;
    const transfer = new Set(out.map((c) => c.buffer as ArrayBuffer));
    this.worker.postMessage({ id: this.id, chunks: out }, [...transfer]);
  }

  digest(): Promise<string> {
    return new Promise((resolve) => {
      waiting.set(this.id, resolve);
      this.worker.ref();
      this.worker.postMessage({ id: this.id, end: true });
    });
  }
}

/** One new buffer holding `chunks`, end to end. */
function copyOf(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
