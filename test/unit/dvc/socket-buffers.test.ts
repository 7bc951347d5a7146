/**
 * Freeing a large transfer's buffers: each read buffer the parser is done with is detached
 * (its memory handed back) by a listener placed after the parser's, only while the body lasts; a
 * view into shared memory is left alone; an empty, detached body chunk (a Node that shares read
 * buffers with body chunks) turns the freeing off for good. Where ArrayBuffers have no `transfer`
 * (Node 20), nothing is attached.
 */
import { EventEmitter } from 'node:events';
import {
  freeingEnabled,
  freeReadBuffers,
  handBack,
  noteChunk,
  ownsItsMemory
} from '../../../src/dvc/socket-buffers.js';

const canTransfer = 'transfer' in ArrayBuffer.prototype;

/** A response whose socket already has the HTTP parser's listener, which sees every read first. */
function response() {
  const socket = new EventEmitter();
  const parsed: number[] = [];
  socket.on('data', (d: Buffer) => parsed.push(d.byteLength));
  const body = Object.assign(new EventEmitter(), { socket });
  return { socket, body, parsed };
}

it('detaches each read after the parser has seen it, until the body ends', () => {
  const { socket, body, parsed } = response();
  freeReadBuffers(body);
  const read = Buffer.alloc(65536, 1);
  socket.emit('data', read);
  expect(parsed).toEqual([65536]); // the parser saw every byte
  expect(read.byteLength).toBe(canTransfer ? 0 : 65536);
  expect(socket.listenerCount('data')).toBe(canTransfer ? 2 : 1);
  body.emit('end');
  expect(socket.listenerCount('data')).toBe(1);
  const later = Buffer.alloc(65536, 2);
  socket.emit('data', later); // the next response on a kept-alive socket is not touched
  expect(later.byteLength).toBe(65536);
});

it('leaves a view into shared memory alone (Node pool, subarray)', () => {
  const { socket, body } = response();
  freeReadBuffers(body);
  const pooled = Buffer.from('small');
  const whole = Buffer.alloc(1024, 3);
  const view = whole.subarray(0, 512);
  socket.emit('data', pooled);
  socket.emit('data', view);
  expect(ownsItsMemory(pooled)).toBe(false);
  expect(pooled.toString()).toBe('small');
  expect(view.byteLength).toBe(512);
  expect(whole.byteLength).toBe(1024);
  body.emit('close');
});

it('does nothing without a socket (a local remote) or where freeing is off', () => {
  expect(() => freeReadBuffers({})).not.toThrow();
  expect(() => freeReadBuffers(undefined)).not.toThrow();
  expect(freeingEnabled()).toBe(canTransfer && process.env.MLOPS_DVC_FREE_BUFFERS !== '0');
});

it('hands back an acknowledged upload part, never a view into shared memory', () => {
  const part = Buffer.allocUnsafe(8 * 1024 * 1024);
  handBack(part);
  expect(part.byteLength).toBe(canTransfer ? 0 : 8 * 1024 * 1024);
  const pooled = Buffer.from('tiny part');
  handBack(pooled);
  expect(pooled.toString()).toBe('tiny part');
});

it('an empty, detached body chunk turns the freeing off for good', () => {
  noteChunk(Buffer.alloc(0)); // empty but not detached: nothing changes
  expect(freeingEnabled()).toBe(canTransfer);
  if (!canTransfer) return;
  const shared = Buffer.alloc(65536, 4);
  (shared.buffer as ArrayBuffer & { transfer(n: number): ArrayBuffer }).transfer(0);
  noteChunk(shared);
  expect(freeingEnabled()).toBe(false);
  const { socket, body } = response();
  freeReadBuffers(body);
  expect(socket.listenerCount('data')).toBe(1);
});
