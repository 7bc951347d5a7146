/**
 * An S3 remote (AWS or any S3-compatible server). Uploads read their bytes into memory so the SDK can
 * resend them on a retry; a semaphore of `jobs` slots bounds requests (and buffers) in flight, so a
 * large file's multipart parts and many small files share one limit.
 */
import fs from 'node:fs';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client
} from '@aws-sdk/client-s3';
import { retry, runPool, Semaphore } from './pool.js';
import { rangedBody, rangePlan, RANGED_THRESHOLD } from './ranged.js';
import type { ObjectSource, RemoteObject, RemoteStore } from './remote.js';
import { freeReadBuffers, handBack } from './socket-buffers.js';
import { Watchdog, type Watch } from './stall.js';

const MiB = 1024 * 1024;
/** Files above this go up in parallel multipart parts. */
export const MULTIPART_THRESHOLD = 16 * MiB;

/** 8 MiB parts, larger when a file would need more than S3's 10,000 parts. */
export function partSize(size: number): number {
  return Math.max(8 * MiB, Math.ceil(size / 10_000 / MiB) * MiB);
}

function notFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err?.name === 'NoSuchKey' || err?.name === 'NotFound' || err?.$metadata?.httpStatusCode === 404;
}

async function readRange(file: string, start: number, length: number): Promise<Buffer> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const data = Buffer.allocUnsafe(length);
    let read = 0;
    while (read < length) {
      const { bytesRead } = await handle.read(data, read, length - read, start + read);
      if (!bytesRead) throw new Error(`${file} shrank while it was uploaded.`);
      read += bytesRead;
    }
    return data;
  } finally {
    await handle.close();
  }
}

export class S3Remote implements RemoteStore {
  private readonly slots: Semaphore;
  /** Ranged GETs of large objects, beside the `jobs` whole-object requests (the agent allows both). */
  private readonly rangeSlots: Semaphore;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
    jobs: number
  ) {
    this.slots = new Semaphore(jobs);
    this.rangeSlots = new Semaphore(jobs);
  }

  get url(): string {
    return `s3://${this.bucket}${this.prefix ? `/${this.prefix}` : ''}`;
  }

  private key(key: string): string {
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  /**
   * Reads an object. Each request is watched: no byte for `watch.stallMs` aborts it (a StallError,
   * retried). A large object continues as parallel ranged GETs after the first part (see ranged.ts).
   */
  async get(key: string, signal?: AbortSignal, watch: Watch = {}): Promise<RemoteObject | undefined> {
    const what = `${this.url}/${key}`;
    const dog = new Watchdog(what, watch, signal);
    let out;
    try {
      out = await dog.run((abortSignal) =>
        this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }), { abortSignal })
      );
    } catch (e) {
      if (notFound(e)) return undefined;
      throw e;
    }
    const body = out.Body as AsyncIterable<Uint8Array>;
    const size = out.ContentLength;
    if (size === undefined || size <= RANGED_THRESHOLD) {
      return { body: dog.stream(body), size };
    }
    freeReadBuffers(body);
    const plan = rangePlan(size);
    const ranged = rangedBody(dog.stream(body, plan.partSize), {
      ...plan,
      size,
      slots: this.rangeSlots,
      signal,
      what,
      log: watch.log,
      fetch: (start, end, rangeSignal) => this.range(key, start, end, watch, rangeSignal)
    });
    return { body: ranged, size };
  }

  /** The bytes [start, end) of an object, as one watched request. */
  private async range(
    key: string,
    start: number,
    end: number,
    watch: Watch,
    signal?: AbortSignal
  ): Promise<AsyncIterable<Uint8Array>> {
    const dog = new Watchdog(`${this.url}/${key} (bytes ${start}-${end - 1})`, watch, signal);
    const out = await dog.run((abortSignal) =>
      this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key), Range: `bytes=${start}-${end - 1}` }),
        { abortSignal }
      )
    );
    freeReadBuffers(out.Body);
    return dog.stream(out.Body as AsyncIterable<Uint8Array>);
  }

  async exists(key: string, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(key) }), {
        abortSignal: signal
      });
      return true;
    } catch (e) {
      if (notFound(e)) return false;
      throw e;
    }
  }

  async *list(prefix: string, signal?: AbortSignal): AsyncIterable<string[]> {
    const full = this.key(prefix);
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    let token: string | undefined;
    do {
      const page = await retry(
        () =>
          this.client.send(
            new ListObjectsV2Command({ Bucket: this.bucket, Prefix: full, ContinuationToken: token }),
            { abortSignal: signal }
          ),
        { signal }
      );
      yield (page.Contents ?? []).map((c) => (c.Key ?? '').slice(strip));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /**
   * Stores an object: one PUT, or parallel multipart parts. The SDK sends a body in one write, so an
   * upload's watchdog sees requests, not bytes: a request (at most one 8 MiB part) that does not
   * finish within `watch.stallMs` is a stall. `watch.onBytes` hears each request's bytes once it is done.
   */
  async put(key: string, source: ObjectSource, signal?: AbortSignal, watch: Watch = {}): Promise<void> {
    const what = `${this.url}/${key}`;
    if (source.data || source.size <= MULTIPART_THRESHOLD) {
      await this.slots.with(async () => {
        // Small files in one synchronous read: per-file overhead, not bytes, is their cost.
        const body =
          source.data ??
          (source.size <= 1024 * 1024
            ? fs.readFileSync(source.file!)
            : await readRange(source.file!, 0, source.size));
        await this.watched(what, watch, signal, (abortSignal) =>
          this.client.send(
            new PutObjectCommand({
              Bucket: this.bucket,
              Key: this.key(key),
              Body: body,
              ContentLength: body.length
            }),
            { abortSignal }
          )
        );
        watch.onBytes?.(body.length);
      });
      return;
    }
    await this.multipart(key, source.file!, source.size, signal, watch);
  }

  /** One request under its own watchdog. */
  private watched<T>(
    what: string,
    watch: Watch,
    signal: AbortSignal | undefined,
    fn: (signal: AbortSignal) => Promise<T>
  ): Promise<T> {
    const dog = new Watchdog(what, watch, signal);
    return dog.run(fn).finally(() => dog.stop());
  }

  private async multipart(
    key: string,
    file: string,
    size: number,
    signal: AbortSignal | undefined,
    watch: Watch
  ): Promise<void> {
    const Key = this.key(key);
    const what = `${this.url}/${key}`;
    const { UploadId } = await retry(
      () =>
        this.watched(what, watch, signal, (abortSignal) =>
          this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key }), { abortSignal })
        ),
      { signal }
    );
    const part = partSize(size);
    const count = Math.ceil(size / part);
    const etags: string[] = new Array(count);
    try {
      // Every part waits for a slot; the pool only keeps the part list moving.
      await runPool(
        Array.from({ length: count }, (_, i) => i),
        count,
        (i) =>
          this.slots.with(() =>
            retry(
              async () => {
                const start = i * part;
                const body = await readRange(file, start, Math.min(part, size - start));
                const out = await this.watched(
                  `${what} (part ${i + 1} of ${count}, bytes ${start}-${start + body.length - 1})`,
                  watch,
                  signal,
                  (abortSignal) =>
                    this.client.send(
                      new UploadPartCommand({
                        Bucket: this.bucket,
                        Key,
                        UploadId,
                        PartNumber: i + 1,
                        Body: body,
                        ContentLength: body.length
                      }),
                      { abortSignal }
                    )
                );
                etags[i] = out.ETag ?? '';
                watch.onBytes?.(body.length);
                handBack(body);
              },
              { signal }
            )
          ),
        signal
      );
      await retry(
        () =>
          this.watched(what, watch, signal, (abortSignal) =>
            this.client.send(
              new CompleteMultipartUploadCommand({
                Bucket: this.bucket,
                Key,
                UploadId,
                MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) }
              }),
              { abortSignal }
            )
          ),
        { signal }
      );
    } catch (e) {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId }))
        .catch(() => undefined);
      throw e;
    }
  }
}
