/**
 * The emulator's S3 storage: buckets are folders under the data directory, each object a metadata
 * file `<name>.json` that points at a data file `<name>.<version>` named by a fresh version id.
 *
 * Every write is atomic against a crash (a killed process, a throwing step): the new bytes go to a
 * fresh data file nobody points at yet, then the new metadata is written beside and renamed over the
 * old one (the commit point), then the previous data file is removed. A crash before the rename
 * leaves the old object whole; after it, the new one; the worst left behind is an unreferenced data
 * file. Multipart parts are kept the same way. Not durable across a power loss (no fsync).
 * Objects stored by earlier versions of the emulator (data file `<name>` beside `<name>.json`, no
 * `data` field) are still read, and replaced by the new layout when written.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra elements of the error document (`ActualObjectSize`). */
    readonly extra: Record<string, string | number> = {},
    readonly headers: Record<string, string> = {}
  ) {
    super(message);
  }
}

/** Headers S3 keeps with an object and answers with on GET and HEAD. */
export const SYSTEM_HEADERS = [
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'expires',
  'x-amz-website-redirect-location'
];

export interface ObjectFields {
  contentType: string;
  metadata: Record<string, string>;
  /** SYSTEM_HEADERS the object was written with. */
  system?: Record<string, string>;
  storageClass?: string;
  tags?: Record<string, string>;
}

export interface ObjectMeta extends ObjectFields {
  key: string;
  size: number;
  etag: string;
  lastModified: string;
  /** The data file's name in the bucket's objects folder (absent in the legacy layout). */
  data?: string;
}

export interface UploadMeta extends ObjectFields {
  key: string;
  initiated: string;
}

export interface PartMeta {
  partNumber: number;
  size: number;
  etag: string;
  lastModified: string;
  data?: string;
}

const version = () => `${Date.now().toString(36)}${randomBytes(8).toString('hex')}`;
const readJson = <T>(file: string): T | undefined => {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
};

/** MD5 of a file, read in chunks. */
export function md5File(file: string): string {
  const hash = createHash('md5');
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(1024 * 1024);
    for (let n; (n = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0;)
      hash.update(buffer.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * Writes `<dir>/<base>.json` atomically with data of its own: `fill` writes the bytes to a fresh
 * file, `describe` gives the metadata (pointing at it) that is renamed into place; the data file the
 * old metadata pointed at is removed last.
 */
function commit<T extends { data?: string }>(
  dir: string,
  base: string,
  fill: (file: string) => void,
  describe: (file: string, data: string) => T
): T {
  const id = version();
  const data = `${base}.${id}`;
  const file = path.join(dir, data);
  const metaFile = path.join(dir, `${base}.json`);
  try {
    fill(file);
    const meta = describe(file, data);
    const old = readJson<T>(metaFile);
    fs.writeFileSync(`${metaFile}.${id}.tmp`, JSON.stringify(meta));
    fs.renameSync(`${metaFile}.${id}.tmp`, metaFile);
    const previous = old ? (old.data ?? base) : undefined;
    if (previous && previous !== data) fs.rmSync(path.join(dir, previous), { force: true });
    return meta;
  } catch (e) {
    // Best effort: a real crash leaves these, and they are never read.
    if (!fs.existsSync(metaFile) || readJson<T>(metaFile)?.data !== data) {
      fs.rmSync(file, { force: true });
      fs.rmSync(`${metaFile}.${id}.tmp`, { force: true });
    }
    throw e;
  }
}

export class S3Store {
  constructor(
    readonly root: string,
    private readonly now: () => number = Date.now
  ) {}

  private bucketDir(bucket: string): string {
    return path.join(this.root, bucket);
  }
  private objectsDir(bucket: string): string {
    return path.join(this.bucketDir(bucket), 'objects');
  }
  private base(key: string): string {
    return (
      Buffer.from(key, 'utf8').toString('hex').slice(0, 200) +
      '-' +
      createHash('sha1').update(key).digest('hex')
    );
  }
  private metaFile(bucket: string, key: string): string {
    return path.join(this.objectsDir(bucket), `${this.base(key)}.json`);
  }

  /**
   * The file that holds the object's bytes now (it changes with each write of the key: read it
   * before the next one). A path that does not exist when there is no such object.
   */
  objectFile(bucket: string, key: string): string {
    const meta = this.bucketExists(bucket) ? this.head(bucket, key) : undefined;
    return path.join(this.objectsDir(bucket), meta?.data ?? this.base(key));
  }

  bucketExists(bucket: string): boolean {
    return /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) && fs.existsSync(this.objectsDir(bucket));
  }
  /** Creates the bucket; a bucket that exists is left as it is. */
  createBucket(bucket: string, region = 'us-east-1'): void {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || bucket.includes('..'))
      throw new S3Error(400, 'InvalidBucketName', `The bucket name ${bucket} is not valid.`);
    if (this.bucketExists(bucket)) return;
    fs.mkdirSync(path.join(this.bucketDir(bucket), 'uploads'), { recursive: true });
    const info = path.join(this.bucketDir(bucket), 'bucket.json');
    fs.writeFileSync(`${info}.tmp`, JSON.stringify({ created: new Date(this.now()).toISOString(), region }));
    fs.renameSync(`${info}.tmp`, info);
    fs.mkdirSync(this.objectsDir(bucket)); // last: the bucket exists once this does
  }
  bucketInfo(bucket: string): { created: string; region: string } {
    this.requireBucket(bucket);
    const info = readJson<{ created: string; region: string }>(
      path.join(this.bucketDir(bucket), 'bucket.json')
    );
    return info ?? { created: fs.statSync(this.bucketDir(bucket)).mtime.toISOString(), region: 'us-east-1' };
  }
  buckets(): string[] {
    return fs.existsSync(this.root)
      ? fs
          .readdirSync(this.root)
          .filter((b) => this.bucketExists(b))
          .sort()
      : [];
  }
  deleteBucket(bucket: string): void {
    this.requireBucket(bucket);
    if (fs.readdirSync(this.objectsDir(bucket)).some((f) => f.endsWith('.json')))
      throw new S3Error(409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty');
    // The objects folder goes first: from then on the bucket does not exist.
    fs.rmSync(this.objectsDir(bucket), { recursive: true, force: true });
    fs.rmSync(this.bucketDir(bucket), { recursive: true, force: true });
  }
  requireBucket(bucket: string): void {
    if (!this.bucketExists(bucket))
      throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
  }

  /** Writes an object: its bytes from `data` (a buffer, or a function that fills the given file). */
  put(
    bucket: string,
    key: string,
    data: Buffer | ((file: string) => void),
    contentType = 'binary/octet-stream',
    metadata: Record<string, string> = {},
    etag?: string,
    extra: Partial<ObjectFields> = {}
  ): ObjectMeta {
    this.requireBucket(bucket);
    return commit<ObjectMeta>(
      this.objectsDir(bucket),
      this.base(key),
      (file) => (typeof data === 'function' ? data(file) : fs.writeFileSync(file, data)),
      (file, name) => ({
        key,
        size: fs.statSync(file).size,
        etag: etag ?? (Buffer.isBuffer(data) ? createHash('md5').update(data).digest('hex') : md5File(file)),
        contentType,
        lastModified: new Date(this.now()).toISOString(),
        metadata,
        ...extra,
        data: name
      })
    );
  }
  /** Rewrites an object's metadata (tags), keeping its data file. */
  update(bucket: string, key: string, change: (meta: ObjectMeta) => ObjectMeta): void {
    const meta = this.head(bucket, key);
    if (!meta) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
    const file = this.metaFile(bucket, key);
    const temp = `${file}.${version()}.tmp`;
    fs.writeFileSync(temp, JSON.stringify({ ...change(meta), data: meta.data }));
    fs.renameSync(temp, file);
  }
  head(bucket: string, key: string): ObjectMeta | undefined {
    this.requireBucket(bucket);
    return readJson<ObjectMeta>(this.metaFile(bucket, key));
  }
  read(bucket: string, key: string): Buffer {
    return fs.readFileSync(this.objectFile(bucket, key));
  }
  /** The object's metadata and an open descriptor of its bytes (still readable if a write replaces it). */
  open(bucket: string, key: string): { meta: ObjectMeta; fd: number } | undefined {
    for (let attempt = 0; ; attempt++) {
      const meta = this.head(bucket, key);
      if (!meta) return undefined;
      try {
        return {
          meta,
          fd: fs.openSync(path.join(this.objectsDir(bucket), meta.data ?? this.base(key)), 'r')
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || attempt > 3) throw e;
      }
    }
  }
  delete(bucket: string, key: string): void {
    const meta = this.head(bucket, key);
    if (!meta) return;
    fs.rmSync(this.metaFile(bucket, key), { force: true }); // the commit point
    fs.rmSync(path.join(this.objectsDir(bucket), meta.data ?? this.base(key)), { force: true });
  }
  list(bucket: string): ObjectMeta[] {
    this.requireBucket(bucket);
    const dir = this.objectsDir(bucket);
    return fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => readJson<ObjectMeta>(path.join(dir, f)))
      .filter((m): m is ObjectMeta => !!m)
      .sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  }

  // Multipart uploads: uploads/<id>/upload.json, and per part p00001.json pointing at its data.
  uploadDir(bucket: string, uploadId: string): string {
    return path.join(this.bucketDir(bucket), 'uploads', uploadId.replace(/[^a-zA-Z0-9-]/g, ''));
  }
  createUpload(bucket: string, fields: Omit<UploadMeta, 'initiated'>): string {
    this.requireBucket(bucket);
    const id = version();
    const dir = this.uploadDir(bucket, id);
    fs.mkdirSync(`${dir}.tmp`, { recursive: true });
    fs.writeFileSync(
      path.join(`${dir}.tmp`, 'upload.json'),
      JSON.stringify({ ...fields, initiated: new Date(this.now()).toISOString() })
    );
    fs.renameSync(`${dir}.tmp`, dir);
    return id;
  }
  upload(bucket: string, uploadId: string, key?: string): UploadMeta {
    this.requireBucket(bucket);
    const meta = readJson<UploadMeta>(path.join(this.uploadDir(bucket, uploadId), 'upload.json'));
    if (!meta || (key !== undefined && meta.key !== key))
      throw new S3Error(
        404,
        'NoSuchUpload',
        'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
        { UploadId: uploadId }
      );
    return meta;
  }
  uploads(bucket: string): Array<UploadMeta & { uploadId: string }> {
    this.requireBucket(bucket);
    const dir = path.join(this.bucketDir(bucket), 'uploads');
    return fs
      .readdirSync(dir)
      .filter((id) => !id.endsWith('.tmp'))
      .flatMap((uploadId) => {
        const meta = readJson<UploadMeta>(path.join(dir, uploadId, 'upload.json'));
        return meta ? [{ ...meta, uploadId }] : [];
      })
      .sort(
        (a, b) =>
          Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)) || a.initiated.localeCompare(b.initiated)
      );
  }
  putPart(bucket: string, uploadId: string, partNumber: number, fill: (file: string) => void): PartMeta {
    const dir = this.uploadDir(bucket, uploadId);
    return commit<PartMeta>(dir, `p${String(partNumber).padStart(5, '0')}`, fill, (file, data) => ({
      partNumber,
      size: fs.statSync(file).size,
      etag: md5File(file),
      lastModified: new Date(this.now()).toISOString(),
      data
    }));
  }
  parts(bucket: string, uploadId: string): PartMeta[] {
    const dir = this.uploadDir(bucket, uploadId);
    return fs
      .readdirSync(dir)
      .filter((f) => /^p\d{5}\.json$/.test(f))
      .map((f) => readJson<PartMeta>(path.join(dir, f)))
      .filter((p): p is PartMeta => !!p)
      .sort((a, b) => a.partNumber - b.partNumber);
  }
  partFile(bucket: string, uploadId: string, part: PartMeta): string {
    return path.join(this.uploadDir(bucket, uploadId), part.data!);
  }
  removeUpload(bucket: string, uploadId: string): void {
    const dir = this.uploadDir(bucket, uploadId);
    // Renamed away first, so a crash half-way through leaves no half upload behind.
    const gone = `${dir}.${version()}.tmp`;
    fs.renameSync(dir, gone);
    fs.rmSync(gone, { recursive: true, force: true });
  }
}
