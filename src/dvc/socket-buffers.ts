/**
 * Frees a large download's socket buffers as soon as Node's HTTP parser is done with them. The parser
 * copies each 64 KB of a body out of the socket's read buffer, which is then garbage that V8 counts as
 * external memory; on Node 24 every ~64 MB of it started a full mark-compact (about 20 per 500 MB
 * object, 0.2-0.3 s of the main thread: --trace-gc, bench/dvc.mjs large). A 'data' listener placed
 * after the parser's hands each read buffer's memory back at once (ArrayBuffer.prototype.transfer(0)
 * detaches it): one collection per object and no growth in memory. Uploads likewise hand back each
 * multipart part (8 MiB read from the file) once the server has acknowledged it (a 500 MB push: peak
 * RSS 296 -> 210 MB). Node 20 has no `transfer` (nor the collections): nothing is done there.
 *
 * Should a Node version hand on body chunks that share the read buffer's memory, those chunks arrive
 * detached (empty): `noteChunk` sees it and turns the freeing off for good, and the body, now short,
 * is resumed from its last good byte like any cut connection.
 */
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';

type Transferable = ArrayBuffer & { transfer?: (length: number) => ArrayBuffer; detached?: boolean };

let enabled = 'transfer' in ArrayBuffer.prototype && process.env.MLOPS_DVC_FREE_BUFFERS !== '0';

/** True when `chunk` is all of its ArrayBuffer (not a view into a shared one, such as Node's pool). */
export function ownsItsMemory(chunk: Uint8Array): boolean {
  return (
    // Not `instanceof`: a buffer made in another realm (a vm context) is an ArrayBuffer all the same.
    Object.prototype.toString.call(chunk.buffer) === '[object ArrayBuffer]' &&
    chunk.byteOffset === 0 &&
    chunk.byteLength === chunk.buffer.byteLength
  );
}

/** Frees the read buffers of the socket `body` (an HTTP response) arrives on, until the body ends. */
export function freeReadBuffers(body: unknown): void {
  const response = (body ?? {}) as Partial<Readable> & { socket?: Socket | null };
  const socket = response.socket;
  if (!enabled || !socket || typeof response.once !== 'function') return;
  socket.on('data', handBack);
  const stop = () => socket.off('data', handBack);
  for (const event of ['end', 'close', 'error']) response.once(event, stop);
}

/** Called with each body chunk as it is consumed: an empty, detached one means freeing is unsafe here. */
export function noteChunk(chunk: Uint8Array): void {
  if (enabled && chunk.byteLength === 0 && (chunk.buffer as Transferable).detached) enabled = false;
}

/** For tests: whether freeing is on. */
export const freeingEnabled = (): boolean => enabled;

/**
 * Hands back the memory of a buffer nothing will read again (a socket read the parser is done with, a
 * part the server has acknowledged), unless it shares that memory with others.
 */
export function handBack(buffer: Uint8Array): void {
  if (enabled && ownsItsMemory(buffer)) (buffer.buffer as Transferable).transfer!(0);
}
