/**
 * Multipart uploads: Create, UploadPart, UploadPartCopy (the CLI's copy of objects above 8 MB),
 * Complete (atomic like every write), Abort, ListParts and ListMultipartUploads.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { copySource, fieldsOf, type S3Request } from './objects.js';
import { S3Error } from './store.js';
import { elements, OWNER, sendXml } from './xml.js';

const MIN_PART = 5 * 1024 * 1024;

function partNumber(q: URLSearchParams): number {
  const n = Number(q.get('partNumber'));
  if (!Number.isInteger(n) || n < 1 || n > 10000)
    throw new S3Error(
      400,
      'InvalidArgument',
      'Part number must be an integer between 1 and 10000, inclusive',
      {
        ArgumentName: 'partNumber',
        ArgumentValue: q.get('partNumber') ?? ''
      }
    );
  return n;
}

export function createMultipartUpload({ req, res, bucket, key, store }: S3Request): string {
  const uploadId = store.createUpload(bucket, { key, ...fieldsOf(req) });
  sendXml(res, 200, 'InitiateMultipartUploadResult', { Bucket: bucket, Key: key, UploadId: uploadId });
  return 'CreateMultipartUpload';
}

export function uploadPart({ req, res, bucket, key, q, body, store }: S3Request): string {
  const uploadId = q.get('uploadId')!;
  const n = partNumber(q);
  store.upload(bucket, uploadId, key);
  if (!req.headers['x-amz-copy-source']) {
    const part = store.putPart(bucket, uploadId, n, (file) => fs.writeFileSync(file, body));
    res.writeHead(200, { etag: `"${part.etag}"` }).end();
    return 'UploadPart';
  }
  const source = copySource(req, store);
  const size = source.meta.size;
  const rangeHeader = req.headers['x-amz-copy-source-range'];
  let start = 0;
  let end = size - 1;
  if (rangeHeader !== undefined) {
    const range = /^bytes=(\d+)-(\d+)$/.exec(String(rangeHeader).trim());
    if (!range || Number(range[1]) > Number(range[2]) || Number(range[2]) >= size)
      throw new S3Error(
        400,
        'InvalidArgument',
        `Range specified is not valid for source object of size: ${size}`,
        {
          ArgumentName: 'x-amz-copy-source-range',
          ArgumentValue: String(rangeHeader)
        }
      );
    [start, end] = [Number(range[1]), Number(range[2])];
  }
  const sourceFile = store.objectFile(source.bucket, source.key);
  const part = store.putPart(bucket, uploadId, n, (file) => {
    const buffer = Buffer.alloc(end - start + 1);
    const fd = fs.openSync(sourceFile, 'r');
    try {
      fs.readSync(fd, buffer, 0, buffer.length, start);
    } finally {
      fs.closeSync(fd);
    }
    fs.writeFileSync(file, buffer);
  });
  sendXml(res, 200, 'CopyPartResult', { ETag: `"${part.etag}"`, LastModified: part.lastModified });
  return 'UploadPartCopy';
}

export function completeMultipartUpload({ req, res, bucket, key, q, body, store }: S3Request): string {
  const uploadId = q.get('uploadId')!;
  const upload = store.upload(bucket, uploadId, key);
  const text = body.toString('utf8');
  const numbers = elements(text, 'PartNumber').map(Number);
  const etags = elements(text, 'ETag').map((e) => e.replace(/"/g, ''));
  if (!numbers.length || numbers.length !== etags.length)
    throw new S3Error(
      400,
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema'
    );
  if (numbers.some((n, i) => i > 0 && n <= numbers[i - 1]))
    throw new S3Error(
      400,
      'InvalidPartOrder',
      'The list of parts was not in ascending order. Parts must be ordered by part number.',
      { UploadId: uploadId }
    );
  const stored = new Map(store.parts(bucket, uploadId).map((p) => [p.partNumber, p]));
  const parts = numbers.map((n, i) => {
    const part = stored.get(n);
    if (!part || part.etag !== etags[i])
      throw new S3Error(
        400,
        'InvalidPart',
        "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
        { UploadId: uploadId, PartNumber: n, ETag: etags[i] }
      );
    if (i < numbers.length - 1 && part.size < MIN_PART)
      throw new S3Error(
        400,
        'EntityTooSmall',
        'Your proposed upload is smaller than the minimum allowed size',
        {
          ProposedSize: part.size,
          MinSizeAllowed: MIN_PART,
          PartNumber: n,
          ETag: part.etag
        }
      );
    return part;
  });
  const md5s = Buffer.concat(parts.map((p) => Buffer.from(p.etag, 'hex')));
  const etag = `${createHash('md5').update(md5s).digest('hex')}-${parts.length}`;
  store.put(
    bucket,
    key,
    (file) => {
      const fd = fs.openSync(file, 'w');
      try {
        for (const part of parts) fs.writeSync(fd, fs.readFileSync(store.partFile(bucket, uploadId, part)));
      } finally {
        fs.closeSync(fd);
      }
    },
    upload.contentType,
    upload.metadata,
    etag,
    { system: upload.system, storageClass: upload.storageClass, tags: upload.tags }
  );
  store.removeUpload(bucket, uploadId);
  sendXml(res, 200, 'CompleteMultipartUploadResult', {
    Location: `http://${req.headers.host ?? '127.0.0.1'}/${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`,
    Bucket: bucket,
    Key: key,
    ETag: `"${etag}"`
  });
  return 'CompleteMultipartUpload';
}

export function abortMultipartUpload({ res, bucket, key, q, store }: S3Request): string {
  const uploadId = q.get('uploadId')!;
  store.upload(bucket, uploadId, key);
  store.removeUpload(bucket, uploadId);
  res.writeHead(204).end();
  return 'AbortMultipartUpload';
}

export function listParts({ res, bucket, key, q, store }: S3Request): string {
  const uploadId = q.get('uploadId')!;
  const upload = store.upload(bucket, uploadId, key);
  const marker = Number(q.get('part-number-marker') ?? 0) || 0;
  const max = Math.max(0, Math.min(Number(q.get('max-parts') ?? 1000) || 0, 1000));
  const after = store.parts(bucket, uploadId).filter((p) => p.partNumber > marker);
  const page = after.slice(0, max);
  sendXml(res, 200, 'ListPartsResult', {
    Bucket: bucket,
    Key: key,
    UploadId: uploadId,
    Initiator: OWNER,
    Owner: OWNER,
    StorageClass: upload.storageClass ?? 'STANDARD',
    PartNumberMarker: marker,
    NextPartNumberMarker: page.at(-1)?.partNumber ?? 0,
    MaxParts: max,
    IsTruncated: after.length > page.length,
    Part: page.map((p) => ({
      PartNumber: p.partNumber,
      LastModified: p.lastModified,
      ETag: `"${p.etag}"`,
      Size: p.size
    }))
  });
  return 'ListParts';
}

export function listMultipartUploads({ res, bucket, q, store }: S3Request): string {
  const prefix = q.get('prefix') ?? '';
  const keyMarker = q.get('key-marker') ?? '';
  const idMarker = q.get('upload-id-marker') ?? '';
  const max = Math.max(0, Math.min(Number(q.get('max-uploads') ?? 1000) || 0, 1000));
  const all = store
    .uploads(bucket)
    .filter((u) => u.key.startsWith(prefix))
    .filter(
      (u) => !keyMarker || u.key > keyMarker || (u.key === keyMarker && idMarker && u.uploadId > idMarker)
    );
  const page = all.slice(0, max);
  const truncated = all.length > page.length;
  sendXml(res, 200, 'ListMultipartUploadsResult', {
    Bucket: bucket,
    KeyMarker: keyMarker,
    UploadIdMarker: idMarker,
    ...(truncated ? { NextKeyMarker: page.at(-1)!.key, NextUploadIdMarker: page.at(-1)!.uploadId } : {}),
    Prefix: prefix,
    MaxUploads: max,
    IsTruncated: truncated,
    Upload: page.map((u) => ({
      Key: u.key,
      UploadId: u.uploadId,
      Initiator: OWNER,
      Owner: OWNER,
      StorageClass: u.storageClass ?? 'STANDARD',
      Initiated: u.initiated
    }))
  });
  return 'ListMultipartUploads';
}
