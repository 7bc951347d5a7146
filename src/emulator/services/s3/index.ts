/**
 * S3 (path-style REST) for the emulator, faithful enough for the SDK, the AWS CLI (`aws s3 ls, mb,
 * rb, cp, mv, sync, rm, presign`) and users' scripts: buckets, objects with ranges and conditions,
 * copies (CopyObject, UploadPartCopy), listings (v1 and v2), multipart uploads, batch deletes, object
 * tags and presigned URLs, with S3's error codes and statuses. Objects are files under the
 * emulator's data directory, written atomically (see store.ts). aws-chunked bodies are decoded.
 * Signatures, header-signed or presigned, are not verified; a presigned URL's expiry is, on the
 * emulator's clock. Anything else answers 501 NotImplemented naming the operation.
 */
import path from 'node:path';
import type { Emulator, ServiceDefinition } from '../../server.js';
import {
  completeMultipartUpload,
  createMultipartUpload,
  listMultipartUploads,
  listParts,
  uploadPart,
  abortMultipartUpload
} from './multipart.js';
import { deleteObject, getObject, objectTagging, putObject, type S3Request } from './objects.js';
import { checkPresigned } from './presign.js';
import { S3Error, S3Store } from './store.js';
import { elements, listing, OWNER, sendError, sendXml } from './xml.js';

export { S3Error, S3Store, type ObjectMeta } from './store.js';

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

// Subresources S3 has and the emulator does not serve: they are refused by name, never taken for a
// plain GET (a listing) or PUT (an empty object).
const UNSERVED = [
  'accelerate',
  'acl',
  'analytics',
  'attributes',
  'cors',
  'encryption',
  'intelligent-tiering',
  'inventory',
  'legal-hold',
  'lifecycle',
  'logging',
  'metrics',
  'notification',
  'object-lock',
  'ownershipControls',
  'policy',
  'policyStatus',
  'publicAccessBlock',
  'replication',
  'requestPayment',
  'restore',
  'retention',
  'select',
  'torrent',
  'versioning',
  'versions',
  'website'
];
const SPECIAL: Record<string, string> = {
  versions: 'ListObjectVersions',
  restore: 'RestoreObject',
  select: 'SelectObjectContent'
};
const VERB: Record<string, string> = { GET: 'Get', HEAD: 'Get', PUT: 'Put', DELETE: 'Delete', POST: 'Post' };

function unserved(method: string, q: URLSearchParams, onKey: boolean): string | undefined {
  const sub = UNSERVED.find((s) => q.has(s));
  if (!sub) return undefined;
  const pascal = sub
    .replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase())
    .replace(/^./, (c) => c.toUpperCase());
  return SPECIAL[sub] ?? `${VERB[method] ?? method}${onKey ? 'Object' : 'Bucket'}${pascal}`;
}

const notServed = (operation: string) => () => {
  throw new S3Error(501, 'NotImplemented', `The emulator does not emulate S3 ${operation}.`);
};

type Handler = (r: S3Request) => unknown;

/** The operation a request is, and what answers it. */
function route(
  method: string,
  bucket: string,
  key: string,
  q: URLSearchParams,
  copy: boolean
): [string, Handler] {
  if (!bucket)
    return method === 'GET' ? ['ListBuckets', listBuckets] : [`${method}Service`, notServed(`${method} /`)];
  const other = unserved(method, q, !!key);
  if (other) return [other, notServed(other)];
  if (!key) {
    if (method === 'PUT') return ['CreateBucket', createBucket];
    if (method === 'DELETE') return ['DeleteBucket', deleteBucket];
    if (method === 'HEAD') return ['HeadBucket', headBucket];
    if (method === 'POST' && q.has('delete')) return ['DeleteObjects', deleteObjects];
    if (method === 'GET' && q.has('location')) return ['GetBucketLocation', getBucketLocation];
    if (method === 'GET' && q.has('uploads')) return ['ListMultipartUploads', listMultipartUploads];
    if (method === 'GET' && q.has('tagging')) return ['GetBucketTagging', notServed('GetBucketTagging')];
    if (method === 'GET')
      return q.get('list-type') === '2' ? ['ListObjectsV2', listObjects] : ['ListObjects', listObjects];
    return [`${method}Bucket`, notServed(`${method} on a bucket`)];
  }
  if (q.has('tagging') && ['GET', 'PUT', 'DELETE'].includes(method))
    return [`${VERB[method]}ObjectTagging`, objectTagging];
  if (method === 'POST' && q.has('uploads')) return ['CreateMultipartUpload', createMultipartUpload];
  if (q.has('uploadId')) {
    if (method === 'PUT') return [copy ? 'UploadPartCopy' : 'UploadPart', uploadPart];
    if (method === 'POST') return ['CompleteMultipartUpload', completeMultipartUpload];
    if (method === 'DELETE') return ['AbortMultipartUpload', abortMultipartUpload];
    if (method === 'GET') return ['ListParts', listParts];
  }
  if (method === 'PUT') return [copy ? 'CopyObject' : 'PutObject', putObject];
  if (method === 'GET') return ['GetObject', getObject];
  if (method === 'HEAD') return ['HeadObject', getObject];
  if (method === 'DELETE') return ['DeleteObject', deleteObject];
  return [`${method}Object`, notServed(`${method} on an object`)];
}

function listBuckets({ res, store }: S3Request): void {
  sendXml(res, 200, 'ListAllMyBucketsResult', {
    Owner: OWNER,
    Buckets: {
      Bucket: store.buckets().map((Name) => ({ Name, CreationDate: store.bucketInfo(Name).created }))
    }
  });
}

function signingRegion(r: S3Request): string {
  const credential =
    /Credential=([^,\s]+)/.exec(String(r.req.headers.authorization ?? ''))?.[1] ??
    r.q.get('X-Amz-Credential') ??
    '';
  return credential.split('/')[2] || 'us-east-1';
}

function createBucket(r: S3Request): void {
  const region = elements(r.body.toString('utf8'), 'LocationConstraint')[0] || 'us-east-1';
  if (r.store.bucketExists(r.bucket) && signingRegion(r) !== 'us-east-1')
    throw new S3Error(
      409,
      'BucketAlreadyOwnedByYou',
      'Your previous request to create the named bucket succeeded and you already own it.',
      { BucketName: r.bucket }
    );
  r.store.createBucket(r.bucket, region);
  r.res.writeHead(200, { location: `/${r.bucket}` }).end();
}

function deleteBucket({ res, bucket, store }: S3Request): void {
  for (const upload of store.uploads(bucket)) store.removeUpload(bucket, upload.uploadId);
  store.deleteBucket(bucket);
  res.writeHead(204).end();
}

function headBucket({ res, bucket, store }: S3Request): void {
  const { region } = store.bucketInfo(bucket);
  res.writeHead(200, { 'x-amz-bucket-region': region }).end();
}

function getBucketLocation({ res, bucket, store }: S3Request): void {
  const { region } = store.bucketInfo(bucket);
  sendXml(res, 200, 'LocationConstraint', region === 'us-east-1' ? '' : region);
}

function listObjects({ res, bucket, q, store }: S3Request): void {
  sendXml(res, 200, 'ListBucketResult', listing(store.list(bucket), bucket, q, q.get('list-type') === '2'));
}

function deleteObjects({ res, bucket, body, store }: S3Request): void {
  store.requireBucket(bucket);
  const text = body.toString('utf8');
  const keys = elements(text, 'Key');
  if (!keys.length || keys.length > 1000)
    throw new S3Error(
      400,
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema'
    );
  const quiet = /<Quiet>\s*true\s*<\/Quiet>/i.test(text);
  keys.forEach((k) => store.delete(bucket, k));
  sendXml(res, 200, 'DeleteResult', quiet ? '' : { Deleted: keys.map((Key) => ({ Key })) });
}

export function s3(emulator: Emulator): ServiceDefinition {
  const store = new S3Store(path.join(emulator.dataDir, 's3'), () => emulator.now());
  return {
    name: 's3',
    signingName: 's3',
    protocol: 'query',
    operations: {},
    raw: async (req, res, rawBody) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const q = url.searchParams;
      const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
      let key: string;
      try {
        key = decodeURIComponent(rest.join('/'));
      } catch {
        key = rest.join('/');
      }
      const streaming =
        String(req.headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-') ||
        /aws-chunked/.test(String(req.headers['content-encoding'] ?? ''));
      const body = streaming ? decodeAwsChunked(rawBody) : rawBody;
      const method = req.method ?? 'GET';
      const [operation, handler] = route(
        method,
        bucket,
        key,
        q,
        req.headers['x-amz-copy-source'] !== undefined
      );
      try {
        checkPresigned(q, emulator.now());
        handler({ req, res, method, bucket, key, q, body, store, now: emulator.now() });
      } catch (e) {
        const error =
          e instanceof S3Error ? e : new S3Error(500, 'InternalError', String((e as Error)?.stack ?? e));
        if (res.headersSent) res.destroy();
        else sendError(res, error, url.pathname, method === 'HEAD');
      }
      return operation;
    }
  };
}
