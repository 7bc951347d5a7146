/**
 * DVC's hashes, byte for byte (see shared/specs/dvc.md):
 * - DVC 3 (`hash: md5`): md5 of the raw bytes;
 * - legacy DVC 2 (`md5-dos2unix`): when the first 512 bytes look like text, every `\r\n` inside each
 *   1 MiB chunk (chunks counted from the start of the file) becomes `\n` before hashing;
 * - directories: the md5 of the `.dir` manifest, serialized like Python's `json.dumps(sort_keys=True)`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';

/** DVC reads files in 1 MiB chunks; the legacy CRLF rule applies within each chunk. */
export const CHUNK_SIZE = 1024 * 1024;
const TEXT_BLOCK = 512;

const TEXT_BYTES = new Uint8Array(256);
for (let b = 32; b < 127; b++) TEXT_BYTES[b] = 1;
for (const c of '\n\r\t\f\b') TEXT_BYTES[c.charCodeAt(0)] = 1;

/** DVC's `istextfile` on the first 512 bytes: no NUL and at most 30% non-text bytes; empty is text. */
export function isText(head: Uint8Array): boolean {
  const n = Math.min(head.length, TEXT_BLOCK);
  if (n === 0) return true;
  let nonText = 0;
  for (let i = 0; i < n; i++) {
    const b = head[i];
    if (b === 0) return false;
    if (!TEXT_BYTES[b]) nonText++;
  }
  return nonText / n <= 0.3;
}

/** `chunk` with every `\r\n` replaced by `\n`. */
export function dos2unix(chunk: Buffer): Buffer {
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

/** Hashes a stream of bytes the way DVC hashes a file: `update` any pieces, then `digest`. */
export class ObjectHasher {
  private readonly md5 = crypto.createHash('md5');
  /** Legacy only: bytes of the current 1 MiB chunk not hashed yet. */
  private pending: Buffer[] = [];
  private pendingLength = 0;
  /** Legacy only: undefined until the first chunk is seen. */
  private text: boolean | undefined;
  bytes = 0;

  constructor(readonly legacy: boolean) {}

  update(data: Uint8Array): void {
    this.bytes += data.length;
    if (!this.legacy || this.text === false) {
      this.md5.update(data);
      return;
    }
    let piece = Buffer.from(data.buffer, data.byteOffset, data.length);
    while (piece.length) {
      const room = CHUNK_SIZE - this.pendingLength;
      const take = piece.length <= room ? piece : piece.subarray(0, room);
      // Copies: callers may reuse their buffer once update returns.
      this.pending.push(Buffer.from(take));
      this.pendingLength += take.length;
      piece = piece.subarray(take.length);
      if (this.pendingLength === CHUNK_SIZE) this.flushChunk();
    }
  }

  private flushChunk(): void {
    if (!this.pendingLength) return;
    const chunk = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingLength = 0;
    if (this.text === undefined) this.text = isText(chunk.subarray(0, TEXT_BLOCK));
    this.md5.update(this.text ? dos2unix(chunk) : chunk);
  }

  digest(): string {
    if (this.legacy) this.flushChunk();
    return this.md5.digest('hex');
  }
}

/** md5 of a buffer (a whole object). */
export function md5Bytes(data: Uint8Array, legacy = false): string {
  const h = new ObjectHasher(legacy);
  h.update(data);
  return h.digest();
}

/**
 * Hashes a file. Reading and hashing overlap (two buffers: the next read runs in the thread pool
 * while the current block is hashed), which keeps up with `md5sum` on large files.
 */
export async function hashFile(file: string, legacy = false): Promise<{ md5: string; size: number }> {
  const hasher = new ObjectHasher(legacy);
  // Small files: synchronous open, fstat, read, close (what md5sum does) beat four thread-pool
  // round trips.
  const fd = fs.openSync(file, 'r');
  let size: number;
  try {
    size = fs.fstatSync(fd).size;
    if (size <= CHUNK_SIZE) {
      const data = Buffer.allocUnsafe(size);
      let read = 0;
      while (read < size) {
        const n = fs.readSync(fd, data, read, size - read, read);
        if (!n) break;
        read += n;
      }
      hasher.update(data.subarray(0, read));
      return { md5: hasher.digest(), size: read };
    }
  } finally {
    fs.closeSync(fd);
  }
  const handle = await fs.promises.open(file, 'r');
  try {
    await drain(handle, hasher, 0);
    return { md5: hasher.digest(), size: hasher.bytes };
  } finally {
    await handle.close();
  }
}

async function drain(handle: fs.promises.FileHandle, hasher: ObjectHasher, start: number): Promise<void> {
  const block = 4 * CHUNK_SIZE;
  let buffers = [Buffer.allocUnsafe(block), Buffer.allocUnsafe(block)];
  let position = start;
  let reading = handle.read(buffers[0], 0, block, position);
  for (;;) {
    const { bytesRead } = await reading;
    if (!bytesRead) return;
    position += bytesRead;
    const current = buffers[0];
    reading = handle.read(buffers[1], 0, block, position);
    hasher.update(current.subarray(0, bytesRead));
    buffers = [buffers[1], buffers[0]];
  }
}

// ---------------------------------------------------------------------------------------------
// Directory manifests

export interface DirEntry {
  md5: string;
  /** POSIX path relative to the directory. */
  relpath: string;
}

const PY_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f'
};

/** A string as Python's `json.dumps(..., ensure_ascii=True)` writes it. */
export function pythonJsonString(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    const code = value.charCodeAt(i);
    const escape = PY_ESCAPES[ch];
    if (escape) out += escape;
    // UTF-16 code units: characters above U+FFFF come out as their surrogate pair, as in Python.
    else if (code < 0x20 || code > 0x7e) out += '\\u' + code.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/** Compares strings by Unicode code point (Python's order), which is the order of their UTF-8 bytes. */
export function compareCodePoints(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The manifest bytes DVC writes for these entries: sorted by relpath, Python's default JSON form. */
export function serializeManifest(entries: DirEntry[]): Buffer {
  const sorted = entries
    .map((e) => ({ e, key: Buffer.from(e.relpath, 'utf8') }))
    .sort((x, y) => Buffer.compare(x.key, y.key))
    .map(({ e }) => `{"md5": ${pythonJsonString(e.md5)}, "relpath": ${pythonJsonString(e.relpath)}}`);
  return Buffer.from(`[${sorted.join(', ')}]`, 'utf8');
}

/** The object id of a directory: md5 of its manifest bytes + `.dir`. */
export function manifestId(manifest: Uint8Array): string {
  return `${md5Bytes(manifest)}.dir`;
}

export const MD5_PATTERN = /^[0-9a-f]{32}$/;
export const OBJECT_ID_PATTERN = /^[0-9a-f]{32}(\.dir)?$/;
