/**
 * S3 (path-style REST) for the emulator: buckets, objects with ranges, listings (v1 and v2),
 * multipart uploads and batch deletes, stored as files under the emulator's data directory. Enough
 * for the SDK, the AWS CLI and the actions; aws-chunked request bodies are decoded.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import type { Emulator, ServiceDefinition } from '../server.js';
import { toXml } from '../protocol.js';

interface ObjectMeta {
  key: string;
  size: number;
  etag: string;
  contentType: string;
  lastModified: string;
  metadata: Record<string, string>;
}

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string
  ) {
    super(message);
  }
}

/** Decodes an aws-chunked body (`<hex size>;chunk-signature=...\r\n<data>\r\n ... 0;...\r\n`). */
export function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < body.length) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(body.subarray(at, eol).toString('latin1').split(';')[0], 16);
    if (!size) break;
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

export class S3Store {
  constructor(readonly root: string) {}

  private bucketDir(bucket: string): string {
    return path.join(this.root, bucket);
  }
  objectFile(bucket: string, key: string): string {
    return path.join(
      this.bucketDir(bucket),
      'objects',
      Buffer.from(key, 'utf8').toString('hex').slice(0, 200) +
        '-' +
        createHash('sha1').update(key).digest('hex')
    );
  }

  bucketExists(bucket: string): boolean {
    return fs.existsSync(this.bucketDir(bucket));
  }
  createBucket(bucket: string): void {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
      throw new S3Error(400, 'InvalidBucketName', `The bucket name ${bucket} is not valid.`);
    fs.mkdirSync(path.join(this.bucketDir(bucket), 'objects'), { recursive: true });
    fs.mkdirSync(path.join(this.bucketDir(bucket), 'uploads'), { recursive: true });
  }
  buckets(): string[] {
    return fs.existsSync(this.root) ? fs.readdirSync(this.root).sort() : [];
  }
  private requireBucket(bucket: string): void {
    if (!this.bucketExists(bucket))
      throw new S3Error(404, 'NoSuchBucket', `The bucket ${bucket} does not exist.`);
  }

  put(
    bucket: string,
    key: string,
    data: Buffer,
    contentType = 'binary/octet-stream',
    metadata: Record<string, string> = {},
    etag?: string
  ): ObjectMeta {
    this.requireBucket(bucket);
    const file = this.objectFile(bucket, key);
    const meta: ObjectMeta = {
      key,
      size: data.length,
      etag: etag ?? createHash('md5').update(data).digest('hex'),
      contentType,
      lastModified: new Date().toISOString(),
      metadata
    };
    fs.writeFileSync(`${file}.tmp`, data);
    fs.writeFileSync(`${file}.json.tmp`, JSON.stringify(meta));
    fs.renameSync(`${file}.tmp`, file);
    fs.renameSync(`${file}.json.tmp`, `${file}.json`);
    return meta;
  }
  head(bucket: string, key: string): ObjectMeta | undefined {
    this.requireBucket(bucket);
    const file = `${this.objectFile(bucket, key)}.json`;
    return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as ObjectMeta) : undefined;
  }
  read(bucket: string, key: string): Buffer {
    return fs.readFileSync(this.objectFile(bucket, key));
  }
  delete(bucket: string, key: string): void {
    this.requireBucket(bucket);
    const file = this.objectFile(bucket, key);
    fs.rmSync(file, { force: true });
    fs.rmSync(`${file}.json`, { force: true });
  }
  list(bucket: string): ObjectMeta[] {
    this.requireBucket(bucket);
    const dir = path.join(this.bucketDir(bucket), 'objects');
    return fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as ObjectMeta)
      .sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  }
  uploadDir(bucket: string, uploadId: string): string {
    return path.join(this.bucketDir(bucket), 'uploads', uploadId.replace(/[^a-zA-Z0-9-]/g, ''));
  }
}

function sendXml(
  res: http.ServerResponse,
  status: number,
  root: string,
  body: unknown,
  headers: Record<string, string> = {}
): void {
  const xml = `<?xml version="1.0" encoding="UTF-8"?><${root} xmlns="${NS}">${toXml(body)}</${root}>`;
  res.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(xml),
    ...headers
  });
  res.end(xml);
}

function listing(store: S3Store, bucket: string, q: URLSearchParams, v2: boolean): Record<string, unknown> {
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const maxKeys = Math.min(Number(q.get('max-keys') ?? 1000), 1000);
  const after = v2
    ? q.get('continuation-token')
      ? Buffer.from(q.get('continuation-token')!, 'base64').toString('utf8')
      : (q.get('start-after') ?? '')
    : (q.get('marker') ?? '');
  const contents: ObjectMeta[] = [];
  const prefixes: string[] = [];
  let truncated = false;
  let last = '';
  for (const object of store.list(bucket)) {
    if (!object.key.startsWith(prefix) || (after && object.key <= after)) continue;
    let entry = object.key;
    if (delimiter) {
      const i = object.key.indexOf(delimiter, prefix.length);
      if (i >= 0) entry = object.key.slice(0, i + delimiter.length);
    }
    if (entry !== object.key && prefixes.includes(entry)) continue;
    if (contents.length + prefixes.length >= maxKeys) {
      truncated = true;
      break;
    }
    if (entry !== object.key) prefixes.push(entry);
    else contents.push(object);
    last = entry !== object.key ? entry : object.key;
  }
  const body: Record<string, unknown> = {
    Name: bucket,
    Prefix: prefix,
    ...(delimiter ? { Delimiter: delimiter } : {}),
    MaxKeys: maxKeys,
    IsTruncated: truncated
  };
  if (v2) {
    body.KeyCount = contents.length + prefixes.length;
    if (truncated) body.NextContinuationToken = Buffer.from(last, 'utf8').toString('base64');
  } else if (truncated) body.NextMarker = last;
  return { body, contents, prefixes };
}

function listXml(store: S3Store, bucket: string, q: URLSearchParams, v2: boolean): string {
  const { body, contents, prefixes } = listing(store, bucket, q, v2) as {
    body: Record<string, unknown>;
    contents: ObjectMeta[];
    prefixes: string[];
  };
  return (
    toXml(body) +
    contents
      .map(
        (o) =>
          `<Contents>${toXml({ Key: o.key, LastModified: o.lastModified, ETag: `"${o.etag}"`, Size: o.size, StorageClass: 'STANDARD' })}</Contents>`
      )
      .join('') +
    prefixes.map((p) => `<CommonPrefixes><Prefix>${toXml(p)}</Prefix></CommonPrefixes>`).join('')
  );
}

export function s3(emulator: Emulator): ServiceDefinition {
  const store = new S3Store(path.join(emulator.dataDir, 's3'));
  return {
    name: 's3',
    signingName: 's3',
    protocol: 'query',
    operations: {},
    raw: async (req, res, rawBody) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const q = url.searchParams;
      const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
      const key = decodeURIComponent(rest.join('/'));
      const streaming =
        String(req.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-') ||
        /aws-chunked/.test(String(req.headers['content-encoding'] ?? ''));
      const body = streaming ? decodeAwsChunked(rawBody) : rawBody;
      const method = req.method ?? 'GET';
      let operation = 'Unknown';
      try {
        if (!bucket) {
          operation = 'ListBuckets';
          sendXml(res, 200, 'ListAllMyBucketsResult', { Owner: { ID: 'emulator' } }, {});
          return operation;
        }
        if (!key) {
          if (method === 'PUT') {
            operation = 'CreateBucket';
            store.createBucket(bucket);
            res.writeHead(200, { location: `/${bucket}` }).end();
          } else if (method === 'HEAD') {
            operation = 'HeadBucket';
            res.writeHead(store.bucketExists(bucket) ? 200 : 404).end();
          } else if (method === 'POST' && q.has('delete')) {
            operation = 'DeleteObjects';
            const keys = [...body.toString('utf8').matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) =>
              m[1]
                .replace(/&lt;/g, '<')
                .replace(/&gt;/g, '>')
                .replace(/&quot;/g, '"')
                .replace(/&amp;/g, '&')
            );
            keys.forEach((k) => store.delete(bucket, k));
            const deleted = keys.map((k) => `<Deleted><Key>${toXml(k)}</Key></Deleted>`).join('');
            const xml = `<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="${NS}">${deleted}</DeleteResult>`;
            res.writeHead(200, { 'content-type': 'application/xml' }).end(xml);
          } else if (method === 'GET' && q.has('location')) {
            operation = 'GetBucketLocation';
            store.list(bucket);
            sendXml(res, 200, 'LocationConstraint', '');
          } else if (method === 'GET') {
            const v2 = q.get('list-type') === '2';
            operation = v2 ? 'ListObjectsV2' : 'ListObjects';
            store.list(bucket);
            const xml = `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="${NS}">${listXml(store, bucket, q, v2)}</ListBucketResult>`;
            res
              .writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(xml) })
              .end(xml);
          } else throw new S3Error(405, 'MethodNotAllowed', `${method} on a bucket is not emulated.`);
          return operation;
        }
        if (method === 'POST' && q.has('uploads')) {
          operation = 'CreateMultipartUpload';
          store.list(bucket);
          const uploadId = `${Date.now().toString(36)}-${createHash('sha1')
            .update(key + Math.random())
            .digest('hex')
            .slice(0, 16)}`;
          fs.mkdirSync(store.uploadDir(bucket, uploadId), { recursive: true });
          fs.writeFileSync(
            path.join(store.uploadDir(bucket, uploadId), 'meta.json'),
            JSON.stringify({ key, contentType: req.headers['content-type'] })
          );
          sendXml(res, 200, 'InitiateMultipartUploadResult', {
            Bucket: bucket,
            Key: key,
            UploadId: uploadId
          });
        } else if (method === 'PUT' && q.has('uploadId')) {
          operation = 'UploadPart';
          const dir = store.uploadDir(bucket, q.get('uploadId')!);
          if (!fs.existsSync(dir)) throw new S3Error(404, 'NoSuchUpload', 'The upload does not exist.');
          fs.writeFileSync(
            path.join(dir, `part-${String(Number(q.get('partNumber'))).padStart(5, '0')}`),
            body
          );
          res.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` }).end();
        } else if (method === 'POST' && q.has('uploadId')) {
          operation = 'CompleteMultipartUpload';
          const dir = store.uploadDir(bucket, q.get('uploadId')!);
          if (!fs.existsSync(dir)) throw new S3Error(404, 'NoSuchUpload', 'The upload does not exist.');
          const numbers = [...body.toString('utf8').matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) =>
            Number(m[1])
          );
          const parts = numbers.map((n) => {
            const file = path.join(dir, `part-${String(n).padStart(5, '0')}`);
            if (!fs.existsSync(file)) throw new S3Error(400, 'InvalidPart', `Part ${n} was not uploaded.`);
            return fs.readFileSync(file);
          });
          const md5s = Buffer.concat(parts.map((p) => createHash('md5').update(p).digest()));
          const etag = `${createHash('md5').update(md5s).digest('hex')}-${parts.length}`;
          const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
          store.put(bucket, key, Buffer.concat(parts), meta.contentType, {}, etag);
          fs.rmSync(dir, { recursive: true, force: true });
          sendXml(res, 200, 'CompleteMultipartUploadResult', { Bucket: bucket, Key: key, ETag: `"${etag}"` });
        } else if (method === 'DELETE' && q.has('uploadId')) {
          operation = 'AbortMultipartUpload';
          fs.rmSync(store.uploadDir(bucket, q.get('uploadId')!), { recursive: true, force: true });
          res.writeHead(204).end();
        } else if (method === 'PUT') {
          operation = 'PutObject';
          const metadata = Object.fromEntries(
            Object.entries(req.headers)
              .filter(([h]) => h.startsWith('x-amz-meta-'))
              .map(([h, v]) => [h.slice(11), String(v)])
          );
          const meta = store.put(
            bucket,
            key,
            body,
            String(req.headers['content-type'] ?? 'binary/octet-stream'),
            metadata
          );
          res.writeHead(200, { etag: `"${meta.etag}"` }).end();
        } else if (method === 'GET' || method === 'HEAD') {
          operation = method === 'GET' ? 'GetObject' : 'HeadObject';
          const meta = store.head(bucket, key);
          if (!meta) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.');
          const headers: Record<string, string | number> = {
            'content-type': meta.contentType,
            etag: `"${meta.etag}"`,
            'last-modified': new Date(meta.lastModified).toUTCString(),
            'accept-ranges': 'bytes',
            ...Object.fromEntries(Object.entries(meta.metadata).map(([k, v]) => [`x-amz-meta-${k}`, v]))
          };
          const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ''));
          if (range && meta.size > 0) {
            const start = range[1] ? Number(range[1]) : Math.max(0, meta.size - Number(range[2]));
            const end = range[1] && range[2] ? Math.min(Number(range[2]), meta.size - 1) : meta.size - 1;
            headers['content-range'] = `bytes ${start}-${end}/${meta.size}`;
            headers['content-length'] = end - start + 1;
            res.writeHead(206, headers);
            if (method === 'HEAD') res.end();
            else fs.createReadStream(store.objectFile(bucket, key), { start, end }).pipe(res);
          } else {
            headers['content-length'] = meta.size;
            res.writeHead(200, headers);
            if (method === 'HEAD') res.end();
            else fs.createReadStream(store.objectFile(bucket, key)).pipe(res);
          }
        } else if (method === 'DELETE') {
          operation = 'DeleteObject';
          store.delete(bucket, key);
          res.writeHead(204).end();
        } else throw new S3Error(405, 'MethodNotAllowed', `${method} on an object is not emulated.`);
        return operation;
      } catch (e) {
        const error =
          e instanceof S3Error ? e : new S3Error(500, 'InternalError', String((e as Error)?.stack ?? e));
        if (method === 'HEAD') res.writeHead(error.status).end();
        else
          sendXml(res, error.status, 'Error', {
            Code: error.code,
            Message: error.message,
            Resource: url.pathname
          });
        return operation;
      }
    }
  };
}
