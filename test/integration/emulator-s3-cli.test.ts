/**
 * The emulator's S3 with Debian's AWS CLI (v2, /usr/bin/aws) as a real client: each `aws s3`
 * command's exit code, and what the next command sees.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';

const AWS = '/usr/bin/aws';
let emu: RunningEmulator;
let skew = 0;
let work: string;
const env = {
  ...process.env,
  AWS_ACCESS_KEY_ID: 'a',
  AWS_SECRET_ACCESS_KEY: 'b',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_PAGER: '',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null'
};

/** Runs the CLI asynchronously (the emulator answers from this process); never throws. */
async function aws(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(AWS, ['--endpoint-url', emu.url, ...args], {
      env,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof err.code === 'number' ? err.code : 255,
      stdout: err.stdout ?? '',
      stderr: err.stderr ?? ''
    };
  }
}
async function ok(...args: string[]): Promise<string> {
  const result = await aws(...args);
  if (result.code !== 0) throw new Error(`aws ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}
const bytes = (size: number, seed: number) => {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed + (i >> 10)) & 0xff;
  return b;
};

beforeAll(async () => {
  emu = await startEmulator({ now: () => Date.now() + skew });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 's3-cli-'));
});
afterAll(() => emu.stop());

const describeCli = fs.existsSync(AWS) ? describe : describe.skip;

describeCli('aws s3 against the emulator', () => {
  it('mb, ls buckets, cp up and down, ls objects', async () => {
    expect((await aws('s3', 'ls')).code).toBe(0);
    await ok('s3', 'mb', 's3://one');
    await ok('s3', 'mb', 's3://two');
    expect(await ok('s3', 'ls')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d one\n.* two\n$/);
    const small = path.join(work, 'small.txt');
    fs.writeFileSync(small, 'hello, s3\n');
    await ok('s3', 'cp', small, 's3://one/dir/small.txt');
    await ok('s3', 'cp', 's3://one/dir/small.txt', path.join(work, 'small.back'));
    expect(fs.readFileSync(path.join(work, 'small.back'), 'utf8')).toBe('hello, s3\n');
    expect(await ok('s3', 'ls', 's3://one')).toContain('PRE dir/');
    expect(await ok('s3', 'ls', 's3://one/dir/')).toMatch(/ 10 small\.txt/);
    expect((await aws('s3', 'ls', 's3://nope')).code).not.toBe(0);
  });

  it('cp bucket to bucket, small and above 8 MB (multipart copy), and in place with new metadata', async () => {
    const big = path.join(work, 'big.bin');
    const data = bytes(20 * 1024 * 1024 + 123, 5);
    fs.writeFileSync(big, data);
    await ok('s3', 'cp', big, 's3://one/big.bin', '--metadata', 'origin=upload');
    await ok('s3', 'cp', 's3://one/dir/small.txt', 's3://two/copied/small.txt');
    await ok('s3', 'cp', 's3://one/big.bin', 's3://two/big.bin');
    const calls = emu.emulator.calls.filter((c) => c.operation === 'UploadPartCopy');
    expect(calls.length).toBeGreaterThanOrEqual(3);
    await ok('s3', 'cp', 's3://two/big.bin', path.join(work, 'big.back'));
    expect(fs.readFileSync(path.join(work, 'big.back')).equals(data)).toBe(true);
    await ok('s3', 'cp', 's3://two/copied/small.txt', path.join(work, 'copied.back'));
    expect(fs.readFileSync(path.join(work, 'copied.back'), 'utf8')).toBe('hello, s3\n');
    // The multipart copy carried the source's metadata over.
    expect(
      JSON.parse(await ok('s3api', 'head-object', '--bucket', 'two', '--key', 'big.bin')).Metadata
    ).toEqual({
      origin: 'upload'
    });

    await ok(
      's3',
      'cp',
      's3://one/dir/small.txt',
      's3://one/dir/small.txt',
      '--metadata',
      'k=v',
      '--metadata-directive',
      'REPLACE'
    );
    const head = JSON.parse(await ok('s3api', 'head-object', '--bucket', 'one', '--key', 'dir/small.txt'));
    expect(head).toMatchObject({ Metadata: { k: 'v' }, ContentLength: 10 });
    await ok('s3', 'cp', 's3://one/dir/small.txt', path.join(work, 'inplace.back'));
    expect(fs.readFileSync(path.join(work, 'inplace.back'), 'utf8')).toBe('hello, s3\n');
    // Without a change, S3 refuses the copy to itself.
    const same = await aws(
      's3api',
      'copy-object',
      '--bucket',
      'one',
      '--key',
      'dir/small.txt',
      '--copy-source',
      'one/dir/small.txt'
    );
    expect(same.code).not.toBe(0);
    expect(same.stderr).toContain('InvalidRequest');
  });

  it('mv moves: the destination has the bytes, the source is gone', async () => {
    await ok('s3', 'mv', 's3://one/dir/small.txt', 's3://two/moved.txt');
    expect((await aws('s3api', 'head-object', '--bucket', 'one', '--key', 'dir/small.txt')).code).not.toBe(0);
    await ok('s3', 'cp', 's3://two/moved.txt', path.join(work, 'moved.back'));
    expect(fs.readFileSync(path.join(work, 'moved.back'), 'utf8')).toBe('hello, s3\n');
  });

  it('sync up and down, then again with nothing to do', async () => {
    const up = path.join(work, 'tree');
    fs.mkdirSync(path.join(up, 'a', 'b'), { recursive: true });
    fs.writeFileSync(path.join(up, 'top.txt'), 'top');
    fs.writeFileSync(path.join(up, 'a', 'one.txt'), 'one');
    fs.writeFileSync(path.join(up, 'a', 'b', 'two.bin'), bytes(9 * 1024 * 1024, 2));
    await ok('s3', 'sync', up, 's3://one/tree');
    expect((await ok('s3', 'ls', '--recursive', 's3://one/tree/')).trim().split('\n')).toHaveLength(3);
    expect(await ok('s3', 'sync', up, 's3://one/tree')).toBe('');
    const down = path.join(work, 'tree.back');
    await ok('s3', 'sync', 's3://one/tree', down);
    for (const file of ['top.txt', 'a/one.txt', 'a/b/two.bin'])
      expect(fs.readFileSync(path.join(down, file)).equals(fs.readFileSync(path.join(up, file)))).toBe(true);
    expect(await ok('s3', 'sync', 's3://one/tree', down)).toBe('');
  });

  it('presign gives a URL a plain fetch reads; an expired one answers 403', async () => {
    const url = (await ok('s3', 'presign', 's3://two/moved.txt', '--expires-in', '600')).trim();
    expect(url).toContain('X-Amz-Signature=');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('hello, s3\n');
    skew = 3600_000;
    try {
      const expired = await fetch(url);
      expect(expired.status).toBe(403);
      const text = await expired.text();
      expect(text).toContain('<Code>AccessDenied</Code>');
      expect(text).toContain('Request has expired');
    } finally {
      skew = 0;
    }
  });

  it('rm --recursive, then rb --force empties and removes a bucket', async () => {
    await ok('s3', 'rm', '--recursive', 's3://one/tree');
    // `ls` of nothing exits 1 with no output, as with AWS.
    expect(await aws('s3', 'ls', '--recursive', 's3://one/tree/')).toMatchObject({ code: 1, stdout: '' });
    const notEmpty = await aws('s3', 'rb', 's3://two');
    expect(notEmpty.code).not.toBe(0);
    expect(notEmpty.stderr).toContain('BucketNotEmpty');
    await ok('s3', 'rb', '--force', 's3://two');
    await ok('s3', 'rb', '--force', 's3://one');
    expect(await ok('s3', 'ls')).toBe('');
    expect((await aws('s3', 'ls', 's3://two')).stderr).toContain('NoSuchBucket');
  });
});
