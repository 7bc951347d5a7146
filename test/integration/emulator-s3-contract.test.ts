/** Contract tests of the emulator's S3 through the real SDK, configured as src/aws.ts does. */
import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand
} from '@aws-sdk/client-s3';
import { awsClient } from '../../src/aws.js';
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';

let emu: RunningEmulator;
let s3: S3Client;
const MiB = 1024 * 1024;

beforeAll(async () => {
  emu = await startEmulator();
  s3 = awsClient(S3Client as never, 'S3', {
    action: 'test',
    region: 'us-east-1',
    endpoint: emu.url,
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' }
  }) as S3Client;
});
afterAll(() => emu.stop());

const text = async (bucket: string, key: string, range?: string) =>
  (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: range }))).Body!.transformToString();

it('ListBuckets has Owner and Buckets, also when there are none', async () => {
  const none = await s3.send(new ListBucketsCommand({}));
  expect(none.Buckets).toEqual([]);
  expect(none.Owner?.ID).toBeTruthy();
  await s3.send(new CreateBucketCommand({ Bucket: 'contract-b' }));
  await s3.send(new CreateBucketCommand({ Bucket: 'contract-a' }));
  const some = await s3.send(new ListBucketsCommand({}));
  expect(some.Buckets?.map((b) => b.Name)).toEqual(['contract-a', 'contract-b']);
  expect(some.Buckets?.[0].CreationDate).toBeInstanceOf(Date);
});

it('CopyObject copies bytes and metadata (COPY), or takes new ones (REPLACE); a copy to itself needs a change', async () => {
  await s3.send(
    new PutObjectCommand({
      Bucket: 'contract-a',
      Key: 'src key+é.txt',
      Body: 'copy me',
      ContentType: 'text/plain',
      Metadata: { a: '1' }
    })
  );
  const copied = await s3.send(
    new CopyObjectCommand({
      Bucket: 'contract-b',
      Key: 'dst.txt',
      CopySource: encodeURI('contract-a/src key+é.txt').replace(/\+/g, '%2B')
    })
  );
  expect(copied.CopyObjectResult?.ETag).toBe(`"${createHash('md5').update('copy me').digest('hex')}"`);
  expect(copied.CopyObjectResult?.LastModified).toBeInstanceOf(Date);
  expect(await text('contract-b', 'dst.txt')).toBe('copy me');
  expect(await s3.send(new HeadObjectCommand({ Bucket: 'contract-b', Key: 'dst.txt' }))).toMatchObject({
    ContentType: 'text/plain',
    Metadata: { a: '1' },
    ETag: (await s3.send(new HeadObjectCommand({ Bucket: 'contract-a', Key: 'src key+é.txt' }))).ETag
  });

  await s3.send(
    new CopyObjectCommand({
      Bucket: 'contract-b',
      Key: 'dst.txt',
      CopySource: 'contract-b/dst.txt',
      MetadataDirective: 'REPLACE',
      Metadata: { b: '2' },
      ContentType: 'application/json'
    })
  );
  expect(await s3.send(new HeadObjectCommand({ Bucket: 'contract-b', Key: 'dst.txt' }))).toMatchObject({
    ContentType: 'application/json',
    Metadata: { b: '2' },
    ContentLength: 7
  });
  expect(await text('contract-b', 'dst.txt')).toBe('copy me');

  await expect(
    s3.send(new CopyObjectCommand({ Bucket: 'contract-b', Key: 'dst.txt', CopySource: 'contract-b/dst.txt' }))
  ).rejects.toMatchObject({
    name: 'InvalidRequest',
    message: expect.stringContaining('trying to copy an object to itself'),
    $metadata: { httpStatusCode: 400 }
  });
  await expect(
    s3.send(new CopyObjectCommand({ Bucket: 'contract-b', Key: 'x', CopySource: 'contract-a/missing' }))
  ).rejects.toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
  await expect(
    s3.send(new CopyObjectCommand({ Bucket: 'nobucket', Key: 'x', CopySource: 'contract-a/src key+é.txt' }))
  ).rejects.toMatchObject({ name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } });
});

it('ranges: bounded, open, suffix, past the end (416 InvalidRange with the size)', async () => {
  await s3.send(new PutObjectCommand({ Bucket: 'contract-a', Key: 'digits', Body: '0123456789' }));
  const part = await s3.send(
    new GetObjectCommand({ Bucket: 'contract-a', Key: 'digits', Range: 'bytes=2-4' })
  );
  expect(part.ContentRange).toBe('bytes 2-4/10');
  expect(part.$metadata.httpStatusCode).toBe(206);
  expect(await part.Body!.transformToString()).toBe('234');
  expect(await text('contract-a', 'digits', 'bytes=7-')).toBe('789');
  expect(await text('contract-a', 'digits', 'bytes=-3')).toBe('789');
  expect(await text('contract-a', 'digits', 'bytes=-30')).toBe('0123456789');
  expect(await text('contract-a', 'digits', 'bytes=8-100')).toBe('89');
  const suffix = await s3.send(
    new HeadObjectCommand({ Bucket: 'contract-a', Key: 'digits', Range: 'bytes=-4' })
  );
  expect(suffix).toMatchObject({ ContentRange: 'bytes 6-9/10', ContentLength: 4 });
  const error = await s3
    .send(new GetObjectCommand({ Bucket: 'contract-a', Key: 'digits', Range: 'bytes=10-' }))
    .catch((e) => e);
  expect(error).toMatchObject({ name: 'InvalidRange', $metadata: { httpStatusCode: 416 } });
  expect(error.ActualObjectSize).toBe('10');
  await expect(
    s3.send(new HeadObjectCommand({ Bucket: 'contract-a', Key: 'digits', Range: 'bytes=11-20' }))
  ).rejects.toMatchObject({ $metadata: { httpStatusCode: 416 } });
});

it('DeleteBucket: 409 BucketNotEmpty, 204, then 404 NoSuchBucket', async () => {
  await s3.send(new CreateBucketCommand({ Bucket: 'contract-del' }));
  await s3.send(new PutObjectCommand({ Bucket: 'contract-del', Key: 'k', Body: 'x' }));
  await expect(s3.send(new DeleteBucketCommand({ Bucket: 'contract-del' }))).rejects.toMatchObject({
    name: 'BucketNotEmpty',
    $metadata: { httpStatusCode: 409 }
  });
  await s3
    .send(new GetObjectCommand({ Bucket: 'contract-del', Key: 'k' }))
    .then((r) => r.Body!.transformToString());
  await s3.send(new DeleteObjectCommand({ Bucket: 'contract-del', Key: 'k' }));
  const deleted = await s3.send(new DeleteBucketCommand({ Bucket: 'contract-del' }));
  expect(deleted.$metadata.httpStatusCode).toBe(204);
  await expect(s3.send(new DeleteBucketCommand({ Bucket: 'contract-del' }))).rejects.toMatchObject({
    name: 'NoSuchBucket',
    $metadata: { httpStatusCode: 404 }
  });
});

it('multipart: ListParts, ListMultipartUploads, UploadPartCopy ranges, Abort', async () => {
  const big = Buffer.alloc(6 * MiB, 3);
  await s3.send(new PutObjectCommand({ Bucket: 'contract-a', Key: 'big', Body: big }));
  const { UploadId } = await s3.send(
    new CreateMultipartUploadCommand({ Bucket: 'contract-a', Key: 'assembled', ContentType: 'x/y' })
  );
  const one = await s3.send(
    new UploadPartCopyCommand({
      Bucket: 'contract-a',
      Key: 'assembled',
      UploadId,
      PartNumber: 1,
      CopySource: 'contract-a/big',
      CopySourceRange: `bytes=0-${5 * MiB - 1}`
    })
  );
  const two = await s3.send(
    new UploadPartCommand({ Bucket: 'contract-a', Key: 'assembled', UploadId, PartNumber: 2, Body: 'tail' })
  );
  const parts = await s3.send(new ListPartsCommand({ Bucket: 'contract-a', Key: 'assembled', UploadId }));
  expect(parts.Parts?.map((p) => [p.PartNumber, p.Size, p.ETag])).toEqual([
    [1, 5 * MiB, one.CopyPartResult?.ETag],
    [2, 4, two.ETag]
  ]);
  const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'contract-a' }));
  expect(uploads.Uploads?.map((u) => [u.Key, u.UploadId])).toEqual([['assembled', UploadId]]);
  await expect(
    s3.send(
      new UploadPartCopyCommand({
        Bucket: 'contract-a',
        Key: 'assembled',
        UploadId,
        PartNumber: 3,
        CopySource: 'contract-a/big',
        CopySourceRange: `bytes=0-${6 * MiB}`
      })
    )
  ).rejects.toMatchObject({ name: 'InvalidArgument', $metadata: { httpStatusCode: 400 } });
  await s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: 'contract-a',
      Key: 'assembled',
      UploadId,
      MultipartUpload: {
        Parts: [
          { PartNumber: 1, ETag: one.CopyPartResult?.ETag },
          { PartNumber: 2, ETag: two.ETag }
        ]
      }
    })
  );
  const got = Buffer.from(
    await (
      await s3.send(new GetObjectCommand({ Bucket: 'contract-a', Key: 'assembled' }))
    ).Body!.transformToByteArray()
  );
  expect(got.equals(Buffer.concat([big.subarray(0, 5 * MiB), Buffer.from('tail')]))).toBe(true);
  await expect(
    s3.send(new ListPartsCommand({ Bucket: 'contract-a', Key: 'assembled', UploadId }))
  ).rejects.toMatchObject({ name: 'NoSuchUpload', $metadata: { httpStatusCode: 404 } });

  const small = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'contract-a', Key: 'tiny' }));
  const a = await s3.send(
    new UploadPartCommand({
      Bucket: 'contract-a',
      Key: 'tiny',
      UploadId: small.UploadId,
      PartNumber: 1,
      Body: 'a'
    })
  );
  const b = await s3.send(
    new UploadPartCommand({
      Bucket: 'contract-a',
      Key: 'tiny',
      UploadId: small.UploadId,
      PartNumber: 2,
      Body: 'b'
    })
  );
  await expect(
    s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'contract-a',
        Key: 'tiny',
        UploadId: small.UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: a.ETag },
            { PartNumber: 2, ETag: b.ETag }
          ]
        }
      })
    )
  ).rejects.toMatchObject({ name: 'EntityTooSmall', $metadata: { httpStatusCode: 400 } });
  await s3.send(
    new AbortMultipartUploadCommand({ Bucket: 'contract-a', Key: 'tiny', UploadId: small.UploadId })
  );
  await expect(
    s3.send(new AbortMultipartUploadCommand({ Bucket: 'contract-a', Key: 'tiny', UploadId: small.UploadId }))
  ).rejects.toMatchObject({ name: 'NoSuchUpload' });
  expect((await s3.send(new ListMultipartUploadsCommand({ Bucket: 'contract-a' }))).Uploads ?? []).toEqual(
    []
  );
});

it('an operation the emulator does not serve is refused by name', async () => {
  await expect(s3.send(new GetBucketVersioningCommand({ Bucket: 'contract-a' }))).rejects.toMatchObject({
    name: 'NotImplemented',
    message: 'The emulator does not emulate S3 GetBucketVersioning.',
    $metadata: { httpStatusCode: 501 }
  });
});
