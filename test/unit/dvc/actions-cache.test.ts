/**
 * DvcActionsCache with an in-memory Actions cache (the real tar round trip is in
 * test/integration/dvc-actions-cache.test.ts): what the key depends on, what goes into an entry, and
 * that nothing restored is trusted: a symbolic link in the entry or a `.dvc/tmp` that is a link is
 * never followed out of the repository.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DvcActionsCache, unavailableReason, type CacheClient } from '../../../src/dvc/actions-cache.js';
import { MemoryLogger } from '../../../src/report.js';
import type { TransferReport } from '../../../src/dvc/report.js';
import { dvcAdd, initRepo, removeTempDirs, tempDir, writeFiles } from '../../helpers/dvc-repo.js';

afterAll(removeTempDirs);

/** Entries as folders: save copies the staged folder, restore copies it back (like tar would). */
class MemoryCache implements CacheClient {
  saved: string[] = [];
  constructor(
    private readonly workspace: string,
    readonly entries = new Map<string, string>()
  ) {}
  async restore(paths: string[], key: string, restoreKeys: string[]) {
    const hit =
      [...this.entries.keys()].find((k) => k === key) ??
      [...this.entries.keys()].reverse().find((k) => restoreKeys.some((p) => k.startsWith(p)));
    if (!hit) return undefined;
    fs.cpSync(this.entries.get(hit)!, path.resolve(this.workspace, paths[0]), {
      recursive: true,
      verbatimSymlinks: true
    });
    return hit;
  }
  async save(paths: string[], key: string) {
    const copy = tempDir('entry');
    fs.cpSync(path.resolve(this.workspace, paths[0]), copy, { recursive: true, verbatimSymlinks: true });
    this.entries.set(key, copy);
    this.saved.push(key);
    return 1;
  }
}

const OK: TransferReport = {
  command: 'pull',
  engine: 'native',
  outputs: [],
  files: 0,
  transferred: 0,
  skipped: 0,
  bytes: 0,
  missing: 0,
  seconds: 0,
  warnings: []
};

async function repo(
  files: Record<string, string> = { 'data/a.txt': 'a\n', 'data/b.txt': 'b\n', 'model.pkl': 'm' }
) {
  const root = tempDir('repo');
  initRepo(root, { storage: '/nowhere' });
  writeFiles(root, files);
  await dvcAdd(root, 'data');
  await dvcAdd(root, 'model.pkl');
  return root;
}

function open(root: string, client: CacheClient, targets: string[] = [], log = new MemoryLogger()) {
  return new DvcActionsCache({ root, workspace: root, targets, log, env: { RUNNER_OS: 'Linux' }, client });
}

/** A checkout of `root` without its cache. */
function fresh(root: string): string {
  const dir = tempDir('checkout');
  for (const f of ['.dvc/config', 'data.dvc', 'model.pkl.dvc'])
    writeFiles(dir, { [f]: fs.readFileSync(path.join(root, f), 'utf8') });
  return dir;
}

const cwd = process.cwd();
afterEach(() => process.chdir(cwd));

describe('DvcActionsCache', () => {
  it('is keyed by the targets and the object ids, the same in any checkout', async () => {
    const a = await repo();
    const client = new MemoryCache(a);
    const key = open(a, client).key;
    expect(key).toMatch(/^dvc-Linux-[0-9a-f]{8}-[0-9a-f]{64}$/);
    expect(open(fresh(a), client).key).toBe(key);
    expect(open(a, client, ['data.dvc']).key).not.toBe(key);
    const b = await repo({ 'data/a.txt': 'a\n', 'data/b.txt': 'changed\n', 'model.pkl': 'm' });
    const other = open(b, client);
    expect(other.key).not.toBe(key);
    expect(other.restoreKeys).toEqual([key.slice(0, 'dvc-Linux-12345678-'.length), 'dvc-Linux-']);
  });

  it('saves only the objects the pull needs, and restores them md5-checked into a fresh cache', async () => {
    const root = await repo();
    // An object the targets do not name stays out of the entry.
    writeFiles(root, { 'other.bin': 'not pulled' });
    await dvcAdd(root, 'other.bin');
    const client = new MemoryCache(root);
    process.chdir(root);
    await open(root, client, ['data.dvc', 'model.pkl.dvc']).save(OK);
    const entry = client.entries.get(client.saved[0])!;
    const staged = fs
      .readdirSync(entry, { recursive: true })
      .filter((f) => fs.statSync(path.join(entry, String(f))).isFile());
    expect(staged).toHaveLength(4); // a, b, data's .dir, model
    expect(fs.existsSync(path.join(root, '.dvc/tmp/actions-cache'))).toBe(false);

    const clone = fresh(root);
    process.chdir(clone);
    const cache = open(clone, new MemoryCache(clone, client.entries), ['data.dvc', 'model.pkl.dvc']);
    const outcome = await cache.restore();
    expect(outcome).toMatchObject({ matched: cache.key, restored: 4, present: 0, dropped: [] });
    expect(
      fs
        .readdirSync(path.join(clone, '.dvc/cache/files/md5'), { recursive: true })
        .filter((f) => String(f).length > 3)
    ).toHaveLength(4);
  });

  it('a symbolic link in the entry is dropped, never followed', async () => {
    const root = await repo();
    const client = new MemoryCache(root);
    process.chdir(root);
    const cache = open(root, client);
    await cache.save(OK);
    const entry = client.entries.get(cache.key)!;
    const model = /md5: ([0-9a-f]{32})/.exec(fs.readFileSync(path.join(root, 'model.pkl.dvc'), 'utf8'))![1];
    const object = path.join(entry, 'files/md5', model.slice(0, 2), model.slice(2));
    // Outside the repository, with exactly the bytes the name promises.
    const outside = path.join(tempDir('outside'), 'secret');
    fs.writeFileSync(outside, 'm');
    fs.rmSync(object);
    fs.symlinkSync(outside, object);

    const clone = fresh(root);
    process.chdir(clone);
    const log = new MemoryLogger();
    const again = open(clone, new MemoryCache(clone, client.entries), [], log);
    const outcome = await again.restore();
    expect(outcome.dropped).toEqual([`files/md5/${model.slice(0, 2)}/${model.slice(2)}`]);
    expect(outcome.restored).toBe(3);
    expect(log.text()).toContain('is not a plain file; it is downloaded instead.');
    expect(fs.existsSync(path.join(clone, '.dvc/cache/files/md5', model.slice(0, 2), model.slice(2)))).toBe(
      false
    );
  });

  it('a .dvc/tmp that is a symbolic link turns the cache off, touching nothing it points at', async () => {
    const root = await repo();
    const elsewhere = tempDir('elsewhere');
    writeFiles(elsewhere, { 'actions-cache/keep.txt': 'keep' });
    fs.symlinkSync(elsewhere, path.join(root, '.dvc/tmp'));
    const calls: string[] = [];
    const client: CacheClient = {
      restore: async () => void calls.push('restore') as undefined,
      save: async () => (calls.push('save'), 1)
    };
    const log = new MemoryLogger();
    const cache = open(root, client, [], log);
    await cache.restore();
    const outcome = await cache.save(OK);
    expect(calls).toEqual([]);
    expect(outcome.saved).toBeUndefined();
    expect(fs.readFileSync(path.join(elsewhere, 'actions-cache/keep.txt'), 'utf8')).toBe('keep');
    expect(log.lines.filter((l) => l.startsWith('warning:'))).toEqual([
      'warning: actions-cache: .dvc/tmp is not a plain folder; the Actions cache is not used.'
    ]);
  });

  it('says why it is unavailable off GitHub or without a cache service', () => {
    expect(unavailableReason({})).toBe('this is not a GitHub Actions runner');
    expect(unavailableReason({ GITHUB_ACTIONS: 'true' })).toMatch(/no cache service/);
    expect(
      unavailableReason({
        GITHUB_ACTIONS: 'true',
        ACTIONS_RUNTIME_TOKEN: 't',
        ACTIONS_RESULTS_URL: 'http://x/'
      })
    ).toBeUndefined();
  });
});
