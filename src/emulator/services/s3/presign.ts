/**
 * Presigned URLs (query-string SigV4: `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`,
 * `X-Amz-Expires`, `X-Amz-SignedHeaders`, `X-Amz-Signature`). The emulator checks their form and
 * their expiry on its own clock; like every request here, the signature itself is not verified.
 */
import { S3Error } from './store.js';

const WEEK = 604800;

/** Throws S3's error when `q` carries a presigned request that is malformed or expired at `now`. */
export function checkPresigned(q: URLSearchParams, now: number): void {
  if (!q.has('X-Amz-Algorithm')) return;
  const fail = (message: string) => {
    throw new S3Error(400, 'AuthorizationQueryParametersError', message);
  };
  if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256')
    fail('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  for (const name of ['X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date'])
    if (!q.get(name))
      fail(
        'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.'
      );
  if (!/^[^/]+\/\d{8}\/[^/]+\/s3\/aws4_request$/.test(q.get('X-Amz-Credential')!))
    fail(
      `Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`
    );
  const date = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(q.get('X-Amz-Date')!);
  if (!date) fail("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
  const expires = Number(q.get('X-Amz-Expires') ?? WEEK);
  if (!Number.isInteger(expires) || expires < 0) fail('X-Amz-Expires should be a number');
  if (expires > WEEK) fail('X-Amz-Expires must be less than a week (in seconds) that is; 604800');
  const [, y, mo, d, h, mi, s] = date!.map(Number);
  const signed = Date.UTC(y, mo - 1, d, h, mi, s);
  if (now > signed + expires * 1000)
    throw new S3Error(403, 'AccessDenied', 'Request has expired', {
      'X-Amz-Expires': expires,
      Expires: new Date(signed + expires * 1000).toISOString().replace('.000Z', 'Z'),
      ServerTime: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z')
    });
}
