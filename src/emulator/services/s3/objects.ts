/** Object operations: PutObject, GetObject and HeadObject (ranges, conditions), CopyObject, tagging. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import { S3Error, SYSTEM_HEADERS, type ObjectFields, type ObjectMeta, type S3Store } from './store.js';
import { elements, sendXml } from './xml.js';

export interface S3Request {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  method: string;
  bucket: string;
  key: string;
  q: URLSearchParams;
  body: Buffer;
  store: S3Store;
  now: number;
}

const header = (req: http.IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return value === undefined ? undefined : String(value);
};

function parseTags(query: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(query));
}

/** What a write request says about the object: Content-Type, x-amz-meta-*, system headers, class, tags. */
export function fieldsOf(req: http.IncomingMessage): ObjectFields {
  const system: Record<string, string> = {};
  for (const name of SYSTEM_HEADERS) {
    let value = header(req, name);
    if (name === 'content-encoding' && value)
      value = value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s && s !== 'aws-chunked')
        .join(',');
    if (value) system[name] = value;
  }
  const storageClass = header(req, 'x-amz-storage-class');
  const tagging = header(req, 'x-amz-tagging');
  return {
    contentType: header(req, 'content-type') ?? 'binary/octet-stream',
    metadata: Object.fromEntries(
      Object.entries(req.headers)
        .filter(([h]) => h.startsWith('x-amz-meta-'))
        .map(([h, v]) => [h.slice(11), String(v)])
    ),
    ...(Object.keys(system).length ? { system } : {}),
    ...(storageClass && storageClass !== 'STANDARD' ? { storageClass } : {}),
    ...(tagging ? { tags: parseTags(tagging) } : {})
  };
}

function objectHeaders(meta: ObjectMeta): Record<string, string | number> {
  return {
    'content-type': meta.contentType,
    etag: `"${meta.etag}"`,
    'last-modified': new Date(meta.lastModified).toUTCString(),
    'accept-ranges': 'bytes',
    ...(meta.storageClass ? { 'x-amz-storage-class': meta.storageClass } : {}),
    ...(meta.tags && Object.keys(meta.tags).length
      ? { 'x-amz-tagging-count': Object.keys(meta.tags).length }
      : {}),
    ...meta.system,
    ...Object.fromEntries(Object.entries(meta.metadata).map(([k, v]) => [`x-amz-meta-${k}`, v]))
  };
}

export function noSuchKey(key: string): S3Error {
  return new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
}

export function putObject(request: S3Request): string {
  const { req, res, bucket, key, body, store } = request;
  if (req.headers['x-amz-copy-source']) return copyObject(request);
  const md5 = header(req, 'content-md5');
  if (md5 && createHash('md5').update(body).digest('base64') !== md5)
    throw new S3Error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
  const fields = fieldsOf(req);
  const meta = store.put(bucket, key, body, fields.contentType, fields.metadata, undefined, fields);
  res.writeHead(200, { etag: `"${meta.etag}"` }).end();
  return 'PutObject';
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` over an object of `size` bytes; undefined: the whole object. */
export function byteRange(
  range: string | undefined,
  size: number
): { start: number; end: number } | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(range?.trim() ?? '');
  if (!match || (!match[1] && !match[2])) return undefined;
  const unsatisfiable = () =>
    new S3Error(
      416,
      'InvalidRange',
      'The requested range is not satisfiable',
      { RangeRequested: range!, ActualObjectSize: size },
      { 'content-range': `bytes */${size}` }
    );
  if (!match[1]) {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) throw unsatisfiable();
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] ? Math.min(Number(match[2]), size - 1) : size - 1;
  if (start >= size) throw unsatisfiable();
  return end < start ? undefined : { start, end };
}

/** 304 or 412 per If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since; undefined: go on. */
function preconditions(req: http.IncomingMessage, meta: ObjectMeta): 304 | undefined {
  const etags = (value: string) => value.split(',').map((s) => s.trim().replace(/^W\//, ''));
  const matches = (value: string) =>
    etags(value).some((e) => e === '*' || e === `"${meta.etag}"` || e === meta.etag);
  const modified = Math.floor(Date.parse(meta.lastModified) / 1000) * 1000;
  const ifMatch = header(req, 'if-match');
  const ifNoneMatch = header(req, 'if-none-match');
  const since = Date.parse(header(req, 'if-modified-since') ?? '');
  const unmodifiedSince = Date.parse(header(req, 'if-unmodified-since') ?? '');
  const failed = (condition: string) =>
    new S3Error(412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
      Condition: condition
    });
  if (ifMatch !== undefined && !matches(ifMatch)) throw failed('If-Match');
  if (ifMatch === undefined && unmodifiedSince && modified > unmodifiedSince)
    throw failed('If-Unmodified-Since');
  if (ifNoneMatch !== undefined && matches(ifNoneMatch)) return 304;
  if (ifNoneMatch === undefined && since && modified <= since) return 304;
  return undefined;
}

const RESPONSE_OVERRIDES = [
  'content-type',
  'content-language',
  'expires',
  'cache-control',
  'content-disposition',
  'content-encoding'
];

export function getObject({ req, res, method, bucket, key, q, store }: S3Request): string {
  const operation = method === 'HEAD' ? 'HeadObject' : 'GetObject';
  const opened = store.open(bucket, key);
  if (!opened) throw noSuchKey(key);
  const { meta, fd } = opened;
  let streaming = false;
  try {
    const headers = objectHeaders(meta);
    for (const name of RESPONSE_OVERRIDES) {
      const value = q.get(`response-${name}`);
      if (value) headers[name] = value;
    }
    if (preconditions(req, meta) === 304) {
      res
        .writeHead(304, {
          etag: `"${meta.etag}"`,
          'last-modified': new Date(meta.lastModified).toUTCString()
        })
        .end();
      return operation;
    }
    const range = byteRange(header(req, 'range'), meta.size);
    if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${meta.size}`;
    headers['content-length'] = range ? range.end - range.start + 1 : meta.size;
    res.writeHead(range ? 206 : 200, headers);
    if (method === 'HEAD' || meta.size === 0) {
      res.end();
      return operation;
    }
    streaming = true;
    fs.createReadStream('', { fd, start: range?.start ?? 0, end: range?.end ?? meta.size - 1 }).pipe(res);
    return operation;
  } finally {
    if (!streaming) fs.closeSync(fd);
  }
}

/** The bucket and key of `x-amz-copy-source` (`[/]bucket/key[?versionId=...]`, URL-encoded). */
export function copySource(
  req: http.IncomingMessage,
  store: S3Store
): { bucket: string; key: string; meta: ObjectMeta } {
  const raw = header(req, 'x-amz-copy-source') ?? '';
  const [location, query = ''] = raw.split('?');
  let decoded: string;
  try {
    decoded = decodeURIComponent(location).replace(/^\//, '');
  } catch {
    decoded = '';
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1)
    throw new S3Error(
      400,
      'InvalidArgument',
      'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
      {
        ArgumentName: 'x-amz-copy-source',
        ArgumentValue: raw
      }
    );
  const bucket = decoded.slice(0, slash);
  const key = decoded.slice(slash + 1);
  const versionId = new URLSearchParams(query).get('versionId');
  const meta = store.head(bucket, key);
  if (versionId !== null && versionId !== 'null')
    throw new S3Error(404, 'NoSuchVersion', 'The specified version does not exist.', {
      Key: key,
      VersionId: versionId
    });
  if (!meta) throw noSuchKey(key);
  return { bucket, key, meta };
}

function copyObject({ req, res, bucket, key, store }: S3Request): string {
  store.requireBucket(bucket);
  const source = copySource(req, store);
  const directive = header(req, 'x-amz-metadata-directive') ?? 'COPY';
  const tagging = header(req, 'x-amz-tagging-directive') ?? 'COPY';
  if (!['COPY', 'REPLACE'].includes(directive) || !['COPY', 'REPLACE'].includes(tagging))
    throw new S3Error(400, 'InvalidArgument', `Unknown metadata directive.`);
  const requested = fieldsOf(req);
  const changes =
    directive === 'REPLACE' ||
    (requested.storageClass ?? 'STANDARD') !== (source.meta.storageClass ?? 'STANDARD') ||
    !!req.headers['x-amz-website-redirect-location'] ||
    !!req.headers['x-amz-server-side-encryption'];
  if (source.bucket === bucket && source.key === key && !changes)
    throw new S3Error(
      400,
      'InvalidRequest',
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."
    );
  const from = source.meta;
  const fields: ObjectFields =
    directive === 'REPLACE'
      ? { ...requested, tags: undefined }
      : {
          contentType: from.contentType,
          metadata: from.metadata,
          system: from.system,
          storageClass: requested.storageClass
        };
  fields.tags = tagging === 'REPLACE' ? requested.tags : from.tags;
  const sourceFile = store.objectFile(source.bucket, source.key);
  const meta = store.put(
    bucket,
    key,
    (file) => fs.copyFileSync(sourceFile, file),
    fields.contentType,
    fields.metadata,
    from.etag.includes('-') ? undefined : from.etag,
    fields
  );
  sendXml(res, 200, 'CopyObjectResult', { ETag: `"${meta.etag}"`, LastModified: meta.lastModified });
  return 'CopyObject';
}

export function deleteObject({ res, bucket, key, store }: S3Request): string {
  store.delete(bucket, key);
  res.writeHead(204).end();
  return 'DeleteObject';
}

export function objectTagging({ res, method, bucket, key, body, store }: S3Request): string {
  const meta = store.head(bucket, key);
  if (!meta) throw noSuchKey(key);
  if (method === 'GET') {
    const tags = Object.entries(meta.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
    sendXml(res, 200, 'Tagging', { TagSet: { Tag: tags } });
    return 'GetObjectTagging';
  }
  const text = body.toString('utf8');
  const keys = method === 'PUT' ? elements(text, 'Key') : [];
  const values = method === 'PUT' ? elements(text, 'Value') : [];
  if (keys.length > 10) throw new S3Error(400, 'BadRequest', 'Object tags cannot be greater than 10');
  store.update(bucket, key, (m) => ({
    ...m,
    tags: Object.fromEntries(keys.map((k, i) => [k, values[i] ?? '']))
  }));
  res.writeHead(method === 'PUT' ? 200 : 204).end();
  return method === 'PUT' ? 'PutObjectTagging' : 'DeleteObjectTagging';
}
