/** S3's XML: documents the operations answer with, and the few request bodies they read. */
import type http from 'node:http';
import { S3Error, type ObjectMeta } from './store.js';

export const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
export const OWNER = {
  ID: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a',
  DisplayName: 'emulator'
};

export function escape(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!
  );
}
export function unescape(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|lt|gt|quot|apos|amp);/gi, (_, e: string) =>
    e[0] === '#'
      ? String.fromCodePoint(e[1].toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : Number(e.slice(1)))
      : { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' }[e.toLowerCase()]!
  );
}

type Xml = string | number | boolean | undefined | Xml[] | { [name: string]: Xml };
/** `{A: 1, B: [{C: 2}, {C: 3}]}` -> `<A>1</A><B><C>2</C></B><B><C>3</C></B>`: an array repeats its element. */
export function xml(value: Xml, name?: string): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => xml(v, name)).join('');
  const inner =
    typeof value === 'object'
      ? Object.entries(value)
          .map(([k, v]) => xml(v, k))
          .join('')
      : escape(String(value));
  return name ? `<${name}>${inner}</${name}>` : inner;
}

export function sendXml(
  res: http.ServerResponse,
  status: number,
  root: string,
  body: Xml,
  headers: Record<string, string | number> = {}
): void {
  const doc = `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${NS}">${xml(body)}</${root}>`;
  res.writeHead(status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(doc),
    ...headers
  });
  res.end(doc);
}

export function sendError(res: http.ServerResponse, error: S3Error, resource: string, head: boolean): void {
  const requestId = Math.random().toString(16).slice(2, 18).toUpperCase();
  const headers = { 'x-amz-request-id': requestId, ...error.headers };
  if (head) {
    res.writeHead(error.status, headers).end();
    return;
  }
  const doc =
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    xml(
      { Code: error.code, Message: error.message, ...error.extra, Resource: resource, RequestId: requestId },
      'Error'
    );
  res.writeHead(error.status, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(doc),
    ...headers
  });
  res.end(doc);
}

/** The text of every `<name>` element in a request body. */
export function elements(body: string, name: string): string[] {
  return [...body.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((m) => unescape(m[1]));
}

const compare = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** ListObjects (v1) and ListObjectsV2 over the bucket's objects, in S3's order and paging. */
export function listing(objects: ObjectMeta[], bucket: string, q: URLSearchParams, v2: boolean): Xml {
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const maxKeys = Math.max(0, Math.min(Number(q.get('max-keys') ?? 1000) || 0, 1000));
  const token = q.get('continuation-token');
  if (v2 && token !== null && !/^[A-Za-z0-9+/=]+$/.test(token))
    throw new S3Error(400, 'InvalidArgument', 'The continuation token provided is incorrect');
  // A continuation token or marker may name a common prefix: everything under it was listed.
  const resume = v2 ? (token ? Buffer.from(token, 'base64').toString('utf8') : '') : (q.get('marker') ?? '');
  const startAfter = v2 ? (q.get('start-after') ?? '') : '';
  const url = q.get('encoding-type') === 'url';
  const enc = (s: string) => (url ? encodeURIComponent(s).replace(/%2F/g, '/') : s);
  const contents: ObjectMeta[] = [];
  const prefixes: string[] = [];
  let truncated = false;
  let last = '';
  for (const object of objects) {
    if (!object.key.startsWith(prefix)) continue;
    if (startAfter && compare(object.key, startAfter) <= 0) continue;
    let entry = object.key;
    if (delimiter) {
      const i = object.key.indexOf(delimiter, prefix.length);
      if (i >= 0) entry = object.key.slice(0, i + delimiter.length);
    }
    if (resume && (compare(object.key, resume) <= 0 || compare(entry, resume) <= 0)) continue;
    if (entry !== object.key && prefixes.at(-1) === entry) continue;
    if (contents.length + prefixes.length >= maxKeys) {
      truncated = true;
      break;
    }
    if (entry !== object.key) prefixes.push(entry);
    else contents.push(object);
    last = entry;
  }
  return {
    Name: bucket,
    Prefix: enc(prefix),
    ...(v2
      ? {
          ...(token !== null ? { ContinuationToken: token } : {}),
          ...(startAfter ? { StartAfter: enc(startAfter) } : {}),
          KeyCount: contents.length + prefixes.length
        }
      : { Marker: enc(resume) }),
    ...(delimiter ? { Delimiter: enc(delimiter) } : {}),
    MaxKeys: maxKeys,
    ...(url ? { EncodingType: 'url' } : {}),
    IsTruncated: truncated,
    ...(truncated && v2 ? { NextContinuationToken: Buffer.from(last, 'utf8').toString('base64') } : {}),
    ...(truncated && !v2 && delimiter ? { NextMarker: enc(last) } : {}),
    Contents: contents.map((o) => ({
      Key: enc(o.key),
      LastModified: o.lastModified,
      ETag: `"${o.etag}"`,
      Size: o.size,
      ...(v2 && q.get('fetch-owner') !== 'true' ? {} : { Owner: OWNER }),
      StorageClass: o.storageClass ?? 'STANDARD'
    })),
    CommonPrefixes: prefixes.map((p) => ({ Prefix: enc(p) }))
  };
}
