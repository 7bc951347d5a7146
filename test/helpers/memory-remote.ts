/** An in-memory RemoteStore that records calls and can fail or corrupt chosen keys. */
import fs from 'node:fs';
import type { ObjectSource, RemoteObject, RemoteStore } from '../../src/dvc/remote.js';

export class MemoryRemote implements RemoteStore {
  readonly url = 'mem://remote';
  readonly objects = new Map<string, Buffer>();
  readonly calls: string[] = [];
  /** Keys whose put fails (every time). */
  readonly failPut = new Set<string>();
  /** Keys whose get returns other bytes. */
  readonly corrupt = new Set<string>();

  async get(key: string): Promise<RemoteObject | undefined> {
    this.calls.push(`get ${key}`);
    const data = this.objects.get(key);
    if (!data) return undefined;
    const body = this.corrupt.has(key) ? Buffer.from(data.map((b) => b ^ 0xff)) : data;
    return {
      body: (async function* () {
        yield body;
      })(),
      size: body.length
    };
  }

  async exists(key: string): Promise<boolean> {
    this.calls.push(`exists ${key}`);
    return this.objects.has(key);
  }

  async *list(prefix: string): AsyncIterable<string[]> {
    this.calls.push(`list ${prefix}`);
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    for (let i = 0; i < keys.length || i === 0; i += 1000) yield keys.slice(i, i + 1000);
  }

  async put(key: string, source: ObjectSource): Promise<void> {
    this.calls.push(`put ${key}`);
    if (this.failPut.has(key)) throw Object.assign(new Error('injected failure'), { name: 'PermanentError' });
    this.objects.set(key, source.data ?? fs.readFileSync(source.file!));
  }

  count(kind: 'get' | 'exists' | 'list' | 'put'): number {
    return this.calls.filter((c) => c.startsWith(`${kind} `)).length;
  }
}
