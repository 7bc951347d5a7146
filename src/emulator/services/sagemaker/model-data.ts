/**
 * A model's `ModelDataUrl` as SageMaker hosting uses it: the `model.tar.gz` at an S3 URI (here: the
 * emulator's own S3) extracted into a folder that becomes /opt/ml/model, read-only, before `serve`
 * starts. A missing object or an archive that does not extract fails the fleet with SageMaker's kind
 * of FailureReason.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { S3Store } from '../s3/index.js';

const run = promisify(execFile);
const S3_URI = /^s3:\/\/([^/]+)\/(.+)$/;

export class ModelDataError extends Error {}

/** Extracts the archive at `url` into `dir` (made fresh); throws ModelDataError with the reason. */
export async function extractModelData(s3Root: string, url: string, dir: string): Promise<void> {
  const match = S3_URI.exec(url);
  if (!match)
    throw new ModelDataError(
      `Could not access model data at ${url}. The emulator serves model data from its own S3 only (s3://bucket/key).`
    );
  const [, bucket, key] = match;
  const store = new S3Store(s3Root);
  const file = store.bucketExists(bucket) ? store.objectFile(bucket, key) : undefined;
  if (!file || !fs.existsSync(file))
    throw new ModelDataError(
      `Could not access model data at ${url}. Please ensure that the role has access to the object and that it exists.`
    );
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  try {
    // GNU tar refuses members that climb out of the folder (`..`, absolute names) by default.
    await run('tar', ['-xzf', file, '-C', dir, '--no-same-owner', '--no-same-permissions']);
  } catch {
    throw new ModelDataError(
      `Failed to extract model data archive from URL "${url}". Please ensure that the object located at the URL is a valid tar.gz archive.`
    );
  }
  // Readable by whatever user the serving image runs as.
  await run('chmod', ['-R', 'a+rX', dir]).catch(() => undefined);
}

export function modelDir(dataDir: string, fleet: string): string {
  return path.join(dataDir, 'hosting', fleet, 'model');
}
