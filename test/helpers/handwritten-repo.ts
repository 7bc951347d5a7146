/**
 * The hand-written-style fixture (test/fixtures/handwritten-repo) as a user's repository: copied into
 * a temporary folder, `git init` with one commit on `main`, its data and model made by the fixture's
 * own deterministic scripts and uploaded to an S3 endpoint in DVC 2 layout (s3://handwritten-dvc/store,
 * objects under store/XX/REST) with the toolkit's own engine; then the workspace is left as a fresh
 * clone: no data, no model, no cache. The toolkit's dvc-pull there brings back what dvc.lock names.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, HeadBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { awsClient } from '../../src/aws.js';
import { transfer } from '../../src/dvc/engine.js';
import { remoteOpener } from '../../src/dvc/open.js';
import { ROOT } from './bundle.js';

export const HANDWRITTEN_FIXTURE = path.join(ROOT, 'test/fixtures/handwritten-repo');
export const HANDWRITTEN_BUCKET = 'handwritten-dvc';

export interface HandwrittenRepo {
  /** The repository (a git work tree on main, one commit). */
  root: string;
  /** The S3 keys uploaded (DVC 2 layout), sorted. */
  keys: string[];
  /** Removes the folder. */
  remove(): void;
}

export interface HandwrittenOptions {
  /** An S3 endpoint (the emulator's or s3rver's URL). */
  endpoint: string;
  /** Variables for the SDK: region and keys (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY). */
  env: Record<string, string>;
  /** Where to make the repository (default: a new temporary folder). */
  dir?: string;
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Hand Writer',
  GIT_AUTHOR_EMAIL: 'team@example.com',
  GIT_COMMITTER_NAME: 'Hand Writer',
  GIT_COMMITTER_EMAIL: 'team@example.com',
  GIT_AUTHOR_DATE: '2024-06-11T09:00:00Z',
  GIT_COMMITTER_DATE: '2024-06-11T09:00:00Z'
};

function run(cwd: string, command: string, args: string[]): string {
  return execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...GIT_ENV }
  });
}

async function ensureBucket(client: S3Client): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: HANDWRITTEN_BUCKET }));
  } catch {
    await client.send(new CreateBucketCommand({ Bucket: HANDWRITTEN_BUCKET }));
  }
}

export async function makeHandwrittenRepo(options: HandwrittenOptions): Promise<HandwrittenRepo> {
  const root = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'handwritten-repo-'));
  fs.cpSync(HANDWRITTEN_FIXTURE, root, { recursive: true });
  run(root, 'git', ['init', '-q', '-b', 'main']);
  run(root, 'git', ['add', '-A']);
  run(root, 'git', [
    'commit',
    '-q',
    '-m',
    'The model service, trained and deployed by hand-written workflows'
  ]);

  // The data and the model, as the team made them before recording dvc.lock.
  run(root, 'make', ['data', 'train']);
  const env: Record<string, string> = { ...options.env, AWS_ENDPOINT_URL_S3: options.endpoint };
  const credentials = {
    accessKeyId: options.env.AWS_ACCESS_KEY_ID ?? 'test',
    secretAccessKey: options.env.AWS_SECRET_ACCESS_KEY ?? 'test'
  };
  const client = awsClient(S3Client, 'S3', {
    action: 'test',
    region: env.AWS_REGION ?? 'us-east-1',
    endpoint: options.endpoint,
    credentials
  });
  const opener = remoteOpener({ action: 'handwritten-repo', env });
  await ensureBucket(client);
  const report = await transfer('push', {
    engine: 'native',
    root,
    targets: [],
    jobs: 4,
    // The endpoint and keys as a .dvc/config.local would give them (the checked-in config names none).
    openRemote: (spec, jobs) =>
      opener(
        spec.type === 's3'
          ? {
              ...spec,
              options: {
                ...spec.options,
                endpointurl: options.endpoint,
                access_key_id: credentials.accessKeyId,
                secret_access_key: credentials.secretAccessKey
              }
            }
          : spec,
        jobs
      )
  });
  if (report.failure) throw new Error(`Uploading the fixture's data failed: ${report.failure}`);
  // The md5s in dvc.lock and data/raw.dvc are the fixture's contract with its scripts.
  if (report.missing) throw new Error('The fixture data no longer matches dvc.lock or data/raw.dvc.');

  for (const made of ['data/raw', 'data/model', '.dvc/cache', '.dvc/tmp'])
    fs.rmSync(path.join(root, made), { recursive: true, force: true });
  const status = run(root, 'git', ['status', '--porcelain']);
  if (status.trim()) throw new Error(`The fixture repository is not clean after setup:\n${status}`);

  return {
    root,
    keys: await listKeys(client),
    remove: () => fs.rmSync(root, { recursive: true, force: true })
  };
}

async function listKeys(client: S3Client): Promise<string[]> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: HANDWRITTEN_BUCKET }));
  return (listed.Contents ?? []).map((o) => o.Key!).sort();
}
