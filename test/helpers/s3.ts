/**
 * An S3 server (s3rver) in a child process on a free 127.0.0.1 port, with the variables that point the
 * AWS SDK at it, and an SDK client for checking what arrived. Reusable by any test that needs S3.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { awsClient } from '../../src/aws.js';
import { ROOT } from './bundle.js';

export interface RunningS3 {
  url: string;
  port: number;
  /** The server's data folder. */
  directory: string;
  /** AWS_ENDPOINT_URL_S3, region and dummy keys: pass to runBundle's env. */
  env: Record<string, string>;
  client: S3Client;
  /** Every key in `bucket` under `prefix`, sorted. */
  keys(bucket: string, prefix?: string): Promise<string[]>;
  stop(): Promise<void>;
}

export const S3_SERVER_SCRIPT = path.join(ROOT, 'test/helpers/s3rver-process.mjs');

export async function startS3(buckets: string[] = ['bucket']): Promise<RunningS3> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 's3rver-'));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--openssl-legacy-provider', S3_SERVER_SCRIPT, directory, ...buckets],
    { stdio: ['ignore', 'pipe', 'pipe'] }
  );
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const line = /^(\{.*\})\n/m.exec(out);
      if (line) resolve(JSON.parse(line[1]).port);
    });
    child.on('exit', (code) => reject(new Error(`s3rver exited (${code}): ${stderr}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const env = {
    AWS_ENDPOINT_URL_S3: url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_EC2_METADATA_DISABLED: 'true'
  };
  const client = awsClient(S3Client, 'S3', {
    action: 'test',
    region: 'us-east-1',
    endpoint: url,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }
  });
  return {
    url,
    port,
    directory,
    env,
    client,
    async keys(bucket, prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token })
        );
        keys.push(...(page.Contents ?? []).map((c) => c.Key!));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys.sort();
    },
    async stop() {
      client.destroy();
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(directory, { recursive: true, force: true });
    }
  };
}
