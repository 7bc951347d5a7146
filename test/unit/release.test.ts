import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers/bundle.js';

// scripts/release.mjs on a tiny git repository laid out like this one: a package.json naming the
// published repository, a lock file, a CHANGELOG, a doc with `uses:` references, a "dist" that a build
// command writes from the version and a check command that fails when it is stale (as check-dist does).
const SCRIPT = path.join(ROOT, 'scripts/release.mjs');
const made: string[] = [];
afterAll(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

const CHANGELOG = `# Changelog

## [Unreleased]

## [1.1.0] - 2026-12-06
### Added
- The thing users asked for.

## [1.0.0] - 2026-11-24
- First release.
`;

function temp(prefix: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

const gitConfig = path.join(temp('release-gitconfig-'), 'config');
fs.writeFileSync(gitConfig, '[init]\n\tdefaultBranch = main\n');
const ENV = {
  ...process.env,
  GIT_CONFIG_GLOBAL: gitConfig,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Release Test',
  GIT_AUTHOR_EMAIL: 'release@example.invalid',
  GIT_COMMITTER_NAME: 'Release Test',
  GIT_COMMITTER_EMAIL: 'release@example.invalid'
};

const git = (dir: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd: dir,
    env: ENV,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe']
  }).trim();

function write(dir: string, rel: string, text: string) {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
}
const read = (dir: string, rel: string) => fs.readFileSync(path.join(dir, rel), 'utf8');

/** The tiny repository at 1.0.0, released (v1.0.0 and v1 tagged). */
function repo() {
  const dir = temp('release-repo-');
  const pkg = { name: 'tiny', version: '1.0.0', repository: 'github:acme/tiny' };
  write(dir, 'package.json', JSON.stringify(pkg, null, 2) + '\n');
  write(
    dir,
    'package-lock.json',
    JSON.stringify({ ...pkg, lockfileVersion: 3, packages: { '': pkg } }, null, 2) + '\n'
  );
  write(dir, 'CHANGELOG.md', CHANGELOG);
  write(dir, 'actions/train/action.yml', 'name: train\n');
  write(dir, 'README.md', '- uses: acme/tiny/actions/train@v1\n- uses: actions/checkout@v4\n');
  write(
    dir,
    'build.mjs',
    "import fs from 'node:fs';\nfs.writeFileSync('dist.txt', JSON.parse(fs.readFileSync('package.json')).version + '\\n');\n"
  );
  write(
    dir,
    'check.mjs',
    "import fs from 'node:fs';\nconst v = JSON.parse(fs.readFileSync('package.json')).version;\n" +
      "if (fs.readFileSync('dist.txt', 'utf8') !== v + '\\n') { console.error('dist.txt is stale'); process.exit(1); }\n"
  );
  write(dir, 'dist.txt', '1.0.0\n');
  git(dir, 'init', '--quiet');
  git(dir, 'add', '--all');
  git(dir, 'commit', '--quiet', '-m', 'First');
  git(dir, 'tag', '-a', 'v1.0.0', '-m', 'v1.0.0');
  git(dir, 'tag', '-a', 'v1', '-m', 'v1');
  return dir;
}

function release(dir: string, ...args: string[]) {
  const r = spawnSync(
    process.execPath,
    [SCRIPT, ...args, '--dir', dir, '--check-command', 'node check.mjs', '--build-command', 'node build.mjs'],
    { encoding: 'utf8', env: ENV }
  );
  return { status: r.status, out: r.stdout, err: r.stderr };
}

/** Everything a release could change: HEAD, tags and where they point, the files. */
function state(dir: string) {
  return {
    head: git(dir, 'rev-parse', 'HEAD'),
    tags: git(dir, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/tags'),
    status: git(dir, 'status', '--porcelain'),
    files: ['package.json', 'package-lock.json', 'README.md', 'dist.txt'].map((f) => read(dir, f))
  };
}

describe('npm run release', () => {
  it('commits the version with dist rebuilt, tags it and moves the major tag, both annotated', () => {
    const dir = repo();
    const r = release(dir, '1.1.0');
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(read(dir, 'package.json')).version).toBe('1.1.0');
    const lock = JSON.parse(read(dir, 'package-lock.json'));
    expect([lock.version, lock.packages[''].version]).toEqual(['1.1.0', '1.1.0']);
    expect(read(dir, 'dist.txt')).toBe('1.1.0\n');
    expect(git(dir, 'status', '--porcelain')).toBe('');
    expect(git(dir, 'log', '-1', '--format=%s')).toBe('Release v1.1.0');
    const head = git(dir, 'rev-parse', 'HEAD');
    expect(git(dir, 'rev-parse', 'v1.1.0^{commit}')).toBe(head);
    expect(git(dir, 'rev-parse', 'v1^{commit}')).toBe(head);
    expect([git(dir, 'cat-file', '-t', 'v1.1.0'), git(dir, 'cat-file', '-t', 'v1')]).toEqual(['tag', 'tag']);
    expect(git(dir, 'tag', '-l', '--format=%(contents)', 'v1.1.0')).toBe(
      'v1.1.0\n\n### Added\n- The thing users asked for.'
    );
    expect(r.out).toContain('Releasing acme/tiny 1.1.0 (last release: v1.0.0):');
    expect(r.out).toMatch(/Released v1\.1\.0 at [0-9a-f]+; v1 moved from [0-9a-f]+ to [0-9a-f]+\./);
    expect(r.out).toContain(
      '  git push origin main\n  git push origin refs/tags/v1.1.0\n  git push --force origin refs/tags/v1\n'
    );
  });

  it('the first release of the version package.json already says tags the commit as it is', () => {
    const dir = repo();
    git(dir, 'tag', '-d', 'v1.0.0', 'v1');
    const head = git(dir, 'rev-parse', 'HEAD');
    const r = release(dir, '1.0.0');
    expect(r.status).toBe(0);
    expect(r.out).toContain('Releasing acme/tiny 1.0.0 (last release: none):');
    expect(r.out).toContain('  - keep version 1.0.0 (package.json already says it)');
    expect(r.out).toContain(`v1 created at ${head.slice(0, 7)}.`);
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(dir, 'rev-parse', 'v1.0.0^{commit}')).toBe(head);
  });

  it('--dry-run runs the checks and prints the plan, changing nothing', () => {
    const dir = repo();
    const before = state(dir);
    const r = release(dir, '1.1.0', '--dry-run');
    expect(r.status).toBe(0);
    expect(r.out).toContain('$ node check.mjs');
    expect(r.out).toContain(
      [
        'Would release acme/tiny 1.1.0 (last release: v1.0.0):',
        '  - set version 1.0.0 -> 1.1.0 in package.json and package-lock.json',
        '  - rebuild: node build.mjs',
        '  - commit "Release v1.1.0" on main (when the steps above changed anything)',
        '  - tag v1.1.0 (annotated, with the CHANGELOG notes)',
        '  - move v1 to v1.1.0 (annotated)',
        'Then push with:'
      ].join('\n')
    );
    expect(state(dir)).toEqual(before);
  });

  it('a new major re-points every reference to @v2 and creates v2, leaving v1 where it was', () => {
    const dir = repo();
    write(
      dir,
      'CHANGELOG.md',
      CHANGELOG.replace('## [Unreleased]\n', '## [Unreleased]\n\n## [2.0.0]\n- Breaking.\n')
    );
    git(dir, 'commit', '--quiet', '-am', 'Notes');
    const v1 = git(dir, 'rev-parse', 'v1^{commit}');
    const r = release(dir, '2.0.0');
    expect(r.status).toBe(0);
    expect(r.out).toContain('re-point every reference to acme/tiny@v2');
    expect(read(dir, 'README.md')).toBe('- uses: acme/tiny/actions/train@v2\n- uses: actions/checkout@v4\n');
    expect(git(dir, 'rev-parse', 'v2^{commit}')).toBe(git(dir, 'rev-parse', 'HEAD'));
    expect(git(dir, 'rev-parse', 'v1^{commit}')).toBe(v1);
  });

  it('--push pushes the branch and the tags, and moves the major tag on the remote', () => {
    const dir = repo();
    const remote = temp('release-remote-');
    git(remote, 'init', '--quiet', '--bare');
    git(dir, 'remote', 'add', 'origin', remote);
    git(dir, 'push', '--quiet', 'origin', 'main', '--tags');
    write(
      dir,
      'CHANGELOG.md',
      CHANGELOG.replace('## [Unreleased]\n', '## [Unreleased]\n\n## [1.2.0]\n- More.\n')
    );
    git(dir, 'commit', '--quiet', '-am', 'Notes');
    expect(release(dir, '1.1.0', '--push').status).toBe(0);
    expect(release(dir, '1.2.0', '--push').status).toBe(0);
    const head = git(dir, 'rev-parse', 'HEAD');
    expect(git(remote, 'rev-parse', 'main')).toBe(head);
    expect(git(remote, 'rev-parse', 'v1^{commit}')).toBe(head);
    expect(git(remote, 'rev-parse', 'v1.1.0^{commit}')).toBe(git(dir, 'rev-parse', 'HEAD~1'));
  });

  it('a push that fails says what is left to push by hand; the release stays made', () => {
    const dir = repo();
    git(dir, 'remote', 'add', 'origin', path.join(dir, 'no-such-remote'));
    const r = release(dir, '1.1.0', '--push');
    expect(r.status).toBe(1);
    expect(r.err.trim().split('\n').pop()).toBe(
      'git push origin main failed; the release is made here, so push the rest by hand: git push origin main; ' +
        'git push origin refs/tags/v1.1.0; git push --force origin refs/tags/v1'
    );
    expect(git(dir, 'rev-parse', 'v1^{commit}')).toBe(git(dir, 'rev-parse', 'HEAD'));
  });

  const refusals: Array<[string, (dir: string) => void, string[], string | RegExp]> = [
    [
      'a dirty tree',
      (d) => write(d, 'notes.txt', 'x'),
      ['1.1.0'],
      'The working tree is not clean (notes.txt): commit or stash first.'
    ],
    [
      'a version that is not semver',
      () => {},
      ['1.1'],
      '"1.1" is not a semver version (MAJOR.MINOR.PATCH, e.g. 1.2.0).'
    ],
    [
      'a pre-release',
      () => {},
      ['1.1.0-rc.1'],
      /^1\.1\.0-rc\.1 is a pre-release; release MAJOR\.MINOR\.PATCH/
    ],
    ['the last release again', () => {}, ['1.0.0'], '1.0.0 is not greater than the last release, v1.0.0.'],
    ['an older version', () => {}, ['0.9.0'], '0.9.0 is not greater than the last release, v1.0.0.'],
    [
      'no CHANGELOG section',
      () => {},
      ['1.3.0'],
      /^CHANGELOG\.md has no section for 1\.3\.0: add "## \[1\.3\.0\] - \d{4}-\d\d-\d\d"/
    ],
    [
      'an empty CHANGELOG section',
      (d) => {
        write(d, 'CHANGELOG.md', CHANGELOG.replace('## [Unreleased]\n', '## [Unreleased]\n\n## [1.3.0]\n'));
        git(d, 'commit', '--quiet', '-am', 'Notes');
      },
      ['1.3.0'],
      "CHANGELOG.md's section for 1.3.0 is empty: say what the release brings."
    ],
    [
      'a reference to another repository',
      (d) => {
        write(d, 'README.md', '- uses: OWNER/tiny/actions/train@v1\n');
        git(d, 'commit', '--quiet', '-am', 'Doc');
      },
      ['1.1.0'],
      '1 reference(s) do not name acme/tiny@v1 (first: README.md:1 OWNER/tiny/actions/train@v1); run npm run published -- --fix and commit.'
    ],
    [
      'a stale dist (the check command fails)',
      (d) => {
        write(d, 'dist.txt', 'old\n');
        git(d, 'commit', '--quiet', '-am', 'Stale');
      },
      ['1.1.0'],
      'node check.mjs failed: rebuild (npm run bundle), commit, and release again.'
    ],
    ['an unknown flag', () => {}, ['1.1.0', '--force'], /^Unknown flag --force/],
    ['no version', () => {}, [], 'Usage: npm run release -- <version> (e.g. 1.2.0) [--dry-run] [--push].']
  ];
  it.each(refusals)('refuses %s: one sentence, exit 1, nothing changed', (_, arrange, args, message) => {
    const dir = repo();
    arrange(dir);
    const before = state(dir);
    const r = release(dir, ...args);
    expect(r.status).toBe(1);
    expect(r.err.trim().split('\n').pop()).toEqual(
      typeof message === 'string' ? message : expect.stringMatching(message)
    );
    expect(state(dir)).toEqual(before);
  });

  it('a failing build puts the tree back and tags nothing', () => {
    const dir = repo();
    const before = state(dir);
    const r = spawnSync(
      process.execPath,
      [
        SCRIPT,
        '1.1.0',
        '--dir',
        dir,
        '--check-command',
        'node check.mjs',
        '--build-command',
        'node build.mjs && false'
      ],
      { encoding: 'utf8', env: ENV }
    );
    expect([r.status, r.stderr.trim()]).toEqual([1, 'node build.mjs && false failed.']);
    expect(state(dir)).toEqual(before);
  });
});
