import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { published, referenceFiles, repositoryOf, run, scan } from '../../scripts/published.mjs';
import { ROOT } from '../helpers/bundle.js';

const SCRIPT = path.join(ROOT, 'scripts/published.mjs');
const NAME = { repository: 'mlops-actions/mlops-actions', majorTag: 'v1' };
const SHA = '0123456789abcdef0123456789abcdef01234567';
const made: string[] = [];
afterAll(() => made.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A tiny copy of the project's layout: package.json, docs, workflows, starters, an example. */
function project(
  version = '1.2.3',
  repository: unknown = 'git+https://github.com/mlops-actions/mlops-actions.git'
) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'published-'));
  made.push(dir);
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  write(
    'package.json',
    JSON.stringify(
      { name: 'mlops-actions', version, repository: { type: 'git', url: repository } },
      null,
      2
    ) + '\n'
  );
  write('actions/train/action.yml', 'name: train\n');
  write(
    'actions/train/README.md',
    '# train\n\n```yaml\n- uses: OWNER/mlops-actions/actions/train@v1\n```\nSee also `actions/checkout@v4`.\n'
  );
  write(
    'README.md',
    [
      '# Title',
      'Use `uses: OWNER/mlops-actions@v1` with `action: train`.',
      '    uses: mlops-actions/mlops-actions/.github/workflows/ml-deploy.yml@v1',
      `  - uses: mlops-actions/mlops-actions/actions/train@${SHA} # v1.2.3`,
      '  - uses: someone/mlops-actions/actions/train@main',
      'Clone https://github.com/mlops-actions/mlops-actions@v1 is a URL, not a reference.',
      ''
    ].join('\n')
  );
  write(
    '.github/workflows/ml-deploy.yml',
    'jobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\n      - uses: OWNER/mlops-actions/actions/train@v1\n'
  );
  write(
    'workflows-templates/ml-deploy.yml',
    "jobs:\n  d:\n    uses: 'OWNER/mlops-actions/.github/workflows/ml-deploy.yml@v1'\n"
  );
  write('examples/demo/docs/guide.md', 'Pin it: `mlops-actions/mlops-actions/actions/train@v2`.\n');
  write('src/notes.md', 'OWNER/mlops-actions@v1 is not scanned here.\n');
  return dir;
}

function cli(dir: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [SCRIPT, '--dir', dir, ...args], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

const read = (dir: string, rel: string) => fs.readFileSync(path.join(dir, rel), 'utf8');

describe('the published name', () => {
  it('comes from package.json: repository in any of npm forms, the major of version', () => {
    expect(repositoryOf({ repository: { url: 'git+https://github.com/a-b/c.d.git' } })).toBe('a-b/c.d');
    expect(repositoryOf({ repository: 'github:a/b' })).toBe('a/b');
    expect(repositoryOf({ repository: 'a/b' })).toBe('a/b');
    expect(repositoryOf({ repository: { url: 'git@github.com:x/y.git' } })).toBe('x/y');
    expect(published({ repository: 'a/b', version: '2.10.0' })).toEqual({
      repository: 'a/b',
      majorTag: 'v2'
    });
    expect(() => published({ version: '1.0.0' })).toThrow(/package.json needs "repository"/);
    expect(() => published({ repository: 'a/b', version: 'next' })).toThrow(/"version" must be semver/);
  });

  it("this repository's package.json names mlops-actions/mlops-actions at v1", () => {
    const pkg = JSON.parse(read(ROOT, 'package.json'));
    expect(published(pkg)).toEqual(NAME);
    expect(pkg.scripts['check-dist']).toContain('node scripts/published.mjs --check');
    expect(pkg.files).toEqual(
      expect.arrayContaining(['.github/workflows/ml-*.yml', 'LICENSE', 'CHANGELOG.md'])
    );
  });

  it("this repository's docs already follow it", () => {
    const docs = referenceFiles(ROOT).filter((f) => f.endsWith('.md'));
    expect(docs).toEqual(expect.arrayContaining(['README.md', 'actions/train/README.md']));
    expect(run({ dir: ROOT, files: docs }).problems).toEqual([]);
  });
});

describe('scan', () => {
  it('finds the toolkit by name or by a path only it has, and leaves other actions alone', () => {
    const text = [
      'uses: OWNER/mlops-actions/actions/train@v1',
      'uses: acme/ml-toolkit/actions/train@v1 and acme/ml-toolkit/.github/workflows/ml-deploy.yml@v1.',
      'uses: actions/checkout@v4, aws-actions/configure-aws-credentials@v4, acme/other@v1',
      `ok: mlops-actions/mlops-actions@v1 and mlops-actions/mlops-actions/actions/x@${SHA}`
    ].join('\n');
    const paths = new Set(['/actions/train', '/.github/workflows/ml-deploy.yml']);
    expect(scan(text, NAME, { paths })).toEqual([
      {
        line: 1,
        column: 7,
        found: 'OWNER/mlops-actions/actions/train@v1',
        wanted: 'mlops-actions/mlops-actions/actions/train@v1'
      },
      {
        line: 2,
        column: 7,
        found: 'acme/ml-toolkit/actions/train@v1',
        wanted: 'mlops-actions/mlops-actions/actions/train@v1'
      },
      {
        line: 2,
        column: 44,
        found: 'acme/ml-toolkit/.github/workflows/ml-deploy.yml@v1',
        wanted: 'mlops-actions/mlops-actions/.github/workflows/ml-deploy.yml@v1'
      }
    ]);
  });
});

describe('scripts/published.mjs', () => {
  it('--check lists each reference that names another repository or ref as file:line, exit 1', () => {
    const dir = project();
    const r = cli(dir, '--check');
    expect(r.status).toBe(1);
    expect(r.out.trim().split('\n')).toEqual([
      'README.md:2: OWNER/mlops-actions@v1 -> mlops-actions/mlops-actions@v1',
      'README.md:5: someone/mlops-actions/actions/train@main -> mlops-actions/mlops-actions/actions/train@v1',
      'actions/train/README.md:4: OWNER/mlops-actions/actions/train@v1 -> mlops-actions/mlops-actions/actions/train@v1',
      '.github/workflows/ml-deploy.yml:5: OWNER/mlops-actions/actions/train@v1 -> mlops-actions/mlops-actions/actions/train@v1',
      'workflows-templates/ml-deploy.yml:3: OWNER/mlops-actions/.github/workflows/ml-deploy.yml@v1 -> ' +
        'mlops-actions/mlops-actions/.github/workflows/ml-deploy.yml@v1',
      'examples/demo/docs/guide.md:1: mlops-actions/mlops-actions/actions/train@v2 -> mlops-actions/mlops-actions/actions/train@v1'
    ]);
    expect(r.err).toMatch(
      /^6 reference\(s\) do not name mlops-actions\/mlops-actions@v1 .*npm run published -- --fix/
    );
  });

  it('--fix rewrites them in place, leaving everything else as it was; then --check passes', () => {
    const dir = project();
    const before = read(dir, 'README.md');
    const r = cli(dir, '--fix');
    expect(r.status).toBe(0);
    expect(r.out).toContain('6 reference(s) rewritten to mlops-actions/mlops-actions@v1 in 5 file(s).');
    expect(read(dir, 'README.md')).toBe(
      before
        .replace('OWNER/mlops-actions@v1', 'mlops-actions/mlops-actions@v1')
        .replace('someone/mlops-actions/actions/train@main', 'mlops-actions/mlops-actions/actions/train@v1')
    );
    expect(read(dir, 'workflows-templates/ml-deploy.yml')).toBe(
      "jobs:\n  d:\n    uses: 'mlops-actions/mlops-actions/.github/workflows/ml-deploy.yml@v1'\n"
    );
    expect(read(dir, 'actions/train/README.md')).toContain('See also `actions/checkout@v4`.');
    expect(read(dir, 'src/notes.md')).toBe('OWNER/mlops-actions@v1 is not scanned here.\n');
    expect(cli(dir, '--check')).toMatchObject({
      status: 0,
      out: 'Every reference names mlops-actions/mlops-actions@v1.\n'
    });
    expect(cli(dir, '--fix').out).toContain('0 reference(s) rewritten');
  });

  it('--fix on named files touches only those', () => {
    const dir = project();
    expect(cli(dir, '--fix', 'README.md').status).toBe(0);
    expect(read(dir, 'README.md')).not.toContain('OWNER/');
    expect(read(dir, '.github/workflows/ml-deploy.yml')).toContain('OWNER/mlops-actions/actions/train@v1');
    expect(cli(dir, '--check', 'README.md').status).toBe(0);
  });

  it('a fork: --fix --repository sets package.json and re-points everything, again after a rename', () => {
    const dir = project();
    const first = cli(dir, '--fix', '--repository', 'acme/ml-toolkit');
    expect(first.status).toBe(0);
    expect(first.out).toContain('package.json: repository is now acme/ml-toolkit.');
    expect(JSON.parse(read(dir, 'package.json')).repository).toEqual({
      type: 'git',
      url: 'git+https://github.com/acme/ml-toolkit.git'
    });
    expect(read(dir, 'README.md')).toContain('Use `uses: acme/ml-toolkit@v1`');
    expect(read(dir, 'README.md')).toContain(`acme/ml-toolkit/actions/train@${SHA} # v1.2.3`);
    expect(read(dir, '.github/workflows/ml-deploy.yml')).toContain('uses: acme/ml-toolkit/actions/train@v1');
    expect(read(dir, '.github/workflows/ml-deploy.yml')).toContain('uses: actions/checkout@v4');
    expect(cli(dir, '--check').status).toBe(0);

    expect(cli(dir, '--fix', '--repository', 'acme2/toolkit').status).toBe(0);
    expect(read(dir, 'README.md')).toContain('Use `uses: acme2/toolkit@v1`');
    expect(read(dir, 'workflows-templates/ml-deploy.yml')).toContain(
      "'acme2/toolkit/.github/workflows/ml-deploy.yml@v1'"
    );
    expect(cli(dir, '--check').status).toBe(0);
  });

  it('a fork that edits package.json by hand, then runs --fix, is re-pointed as well', () => {
    const dir = project('1.0.0', 'https://github.com/acme/mlops-actions');
    expect(cli(dir, '--fix').status).toBe(0);
    expect(read(dir, 'README.md')).toContain('Use `uses: acme/mlops-actions@v1`');
    expect(read(dir, 'README.md')).toContain('uses: acme/mlops-actions/.github/workflows/ml-deploy.yml@v1');
  });

  it('a new major: every @v1 becomes @v2 (commit SHA pins stay pinned)', () => {
    const dir = project('2.0.0');
    expect(cli(dir, '--fix').status).toBe(0);
    expect(read(dir, 'README.md')).toContain(
      'uses: mlops-actions/mlops-actions/.github/workflows/ml-deploy.yml@v2'
    );
    expect(read(dir, 'README.md')).toContain(`mlops-actions/mlops-actions/actions/train@${SHA}`);
  });

  it.each([
    [['--check', '--repository', 'a/b'], '--repository re-points the references, so it goes with --fix.'],
    [['--fix', '--repository', 'not a repo'], '--repository must be OWNER/NAME, not "not a repo".'],
    [['--fix', '--check'], 'Give --check or --fix, not both.'],
    [['--force'], 'Unknown flag --force (use --check, --fix, --repository, --dir).'],
    [['--check', 'missing.md'], 'missing.md does not exist.']
  ])('refuses %j with one sentence, exit 1, nothing written', (args, message) => {
    const dir = project();
    const before = read(dir, 'package.json') + read(dir, 'README.md');
    const r = cli(dir, ...args);
    expect([r.status, r.err.trim()]).toEqual([1, message]);
    expect(read(dir, 'package.json') + read(dir, 'README.md')).toBe(before);
  });

  it('refuses a package.json without a repository, naming the field', () => {
    const dir = project();
    fs.writeFileSync(path.join(dir, 'package.json'), '{"version": "1.0.0"}\n');
    const r = cli(dir, '--check');
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/^package.json needs "repository" naming the GitHub repository/);
  });
});
