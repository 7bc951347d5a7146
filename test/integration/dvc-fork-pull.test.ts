/**
 * The fork flow through the dvc-pull bundle, both halves of workflows-templates/dvc-data.yml: the
 * trusted run (push to main, credentials) leaves main's objects in the Actions cache (the loopback
 * stand-in); the pull request run has no credentials at all (no keys, no profile, no instance role),
 * takes its objects from that entry, never contacts the remote (its endpoint here is a closed port:
 * any request would fail the run) and names the outputs it could not get.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { runBundle } from '../helpers/bundle.js';
import { startS3, type RunningS3 } from '../helpers/s3.js';
import { startActionsCache, type ActionsCacheStandIn } from '../helpers/actions-cache-stand-in.js';
import { dvcAdd, initRepo, removeTempDirs, tempDir, tree, writeFiles } from '../helpers/dvc-repo.js';

afterAll(removeTempDirs);

let s3: RunningS3;
let service: ActionsCacheStandIn;
beforeAll(async () => {
  [s3, service] = await Promise.all([startS3(['dvc']), startActionsCache()]);
});
afterAll(async () => {
  await service?.stop();
  await s3?.stop();
});

const DATA = { 'data/a.txt': 'a\n', 'data/sub/b.txt': 'b\n', 'model.pkl': Buffer.alloc(50_000, 3) };

async function pushCache(root: string, prefix: string): Promise<void> {
  const cache = path.join(root, '.dvc/cache');
  for (const f of fs.readdirSync(cache, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())) {
    const rel = path.relative(cache, path.join(f.parentPath, f.name)).split(path.sep).join('/');
    const Body = fs.readFileSync(path.join(cache, rel));
    await s3.client.send(new PutObjectCommand({ Bucket: 'dvc', Key: `${prefix}/${rel}`, Body }));
  }
}

function checkout(root: string, endpoint = s3.url): string {
  const clone = tempDir('checkout');
  for (const f of ['data.dvc', 'model.pkl.dvc'])
    writeFiles(clone, { [f]: fs.readFileSync(path.join(root, f)) });
  initRepo(clone, { storage: { url: 's3://dvc/fork', endpointurl: endpoint } });
  return clone;
}

/** A pull request from a fork: no AWS variables, an empty home (no ~/.aws), no instance metadata. */
function forkEnv(): Record<string, string | undefined> {
  const home = tempDir('home');
  return {
    ...service.env(),
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    HOME: home,
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'none'),
    AWS_CONFIG_FILE: path.join(home, 'none'),
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_REF: 'refs/pull/12/merge'
  };
}

/** Nothing listens here: a pull that contacted the remote would fail. */
const CLOSED = 'http://127.0.0.1:9';

describe('dvc-pull for a pull request from a fork (no credentials)', () => {
  let main: string;
  beforeAll(async () => {
    main = tempDir('main');
    initRepo(main, { storage: { url: 's3://dvc/fork', endpointurl: s3.url } });
    writeFiles(main, DATA);
    await dvcAdd(main, 'data');
    await dvcAdd(main, 'model.pkl');
    await pushCache(main, 'fork');
    // The trusted half: a push to main, with credentials, publishes main's objects.
    const published = await runBundle(
      'dvc-pull',
      {},
      { workspace: checkout(main), env: { ...s3.env, ...service.env() } }
    );
    expect(published.errors).toEqual([]);
    expect(published.outputs).toMatchObject({ downloaded: '4', missing: '0' });
    expect(service.entries()).toHaveLength(1);
  });

  it('gets every output from the published entry, without contacting the remote', async () => {
    const clone = checkout(main, CLOSED);
    const started = Date.now();
    const run = await runBundle('dvc-pull', {}, { workspace: clone, env: forkEnv() });
    const seconds = (Date.now() - started) / 1000;
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ files: '3', downloaded: '0', missing: '0' });
    expect(tree(path.join(clone, 'data'))).toEqual(tree(path.join(main, 'data')));
    expect(run.log).toContain(
      'actions-cache: no credentials for s3://dvc/fork: it is not contacted; objects come only from the Actions cache.'
    );
    expect(run.summary).toContain('**No credentials** for `s3://dvc/fork`');
    expect(run.summary).toContain('Every output was got from the Actions cache.');
    // Finding that there are no credentials costs no time worth noting.
    expect(seconds).toBeLessThan(30);
  });

  it('with allow-missing, pulls what the entry holds and names the outputs it could not get', async () => {
    // The pull request changed the model: main has not published it.
    const pr = checkout(main, CLOSED);
    writeFiles(pr, { 'model.pkl': 'a model only the fork has\n' });
    await dvcAdd(pr, 'model.pkl', { noCache: true });
    fs.rmSync(path.join(pr, 'model.pkl'));
    const run = await runBundle('dvc-pull', { 'allow-missing': 'true' }, { workspace: pr, env: forkEnv() });
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ files: '2', downloaded: '0', missing: '1' });
    expect(tree(path.join(pr, 'data'))).toEqual(tree(path.join(main, 'data')));
    expect(fs.existsSync(path.join(pr, 'model.pkl'))).toBe(false);
    expect(run.log).toMatch(
      /::warning::1 output could not be got \(model\.pkl\): there are no credentials for s3:\/\/dvc\/fork/
    );
    expect(run.summary).toContain('Could not get: `model.pkl`.');
    expect(run.summary).toContain('| Saved | no: the pull is incomplete');
  });

  it('without allow-missing, fails in one sentence naming the output and the way out', async () => {
    const pr = checkout(main, CLOSED);
    writeFiles(pr, { 'model.pkl': 'a model only the fork has\n' });
    await dvcAdd(pr, 'model.pkl', { noCache: true });
    fs.rmSync(path.join(pr, 'model.pkl'));
    const run = await runBundle('dvc-pull', {}, { workspace: pr, env: forkEnv() });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      '1 output could not be got (model.pkl): there are no credentials for s3://dvc/fork (a pull request from a fork gets none), and the Actions cache entry published by the trusted workflow does not hold it. Run the trusted workflow on the base branch, or set allow-missing: true to pull the rest.'
    ]);
    // Whole outputs only: the folder main published is still checked out.
    expect(tree(path.join(pr, 'data'))).toEqual(tree(path.join(main, 'data')));
  });
});
