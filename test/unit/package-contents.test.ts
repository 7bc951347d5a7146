import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/bundle.js';

// What `npm install mlops-actions` puts on a machine: the bundles, the actions, the reusable workflows
// (the local workflow runner reads them from the installed package), the licence and the changelog.
describe('the npm package', () => {
  const files: string[] = JSON.parse(
    execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe']
    })
  )[0].files.map((f: { path: string }) => f.path);

  it('ships the CLI, every action, every reusable workflow, LICENSE and CHANGELOG.md', () => {
    // The reusable workflows (ml-*.yml), which `mlops-actions workflow` resolves from the package;
    // the project's own CI workflow stays out.
    const workflows = fs
      .readdirSync(path.join(ROOT, '.github/workflows'))
      .filter((f) => f.startsWith('ml-'))
      .map((f) => `.github/workflows/${f}`);
    const actions = fs.readdirSync(path.join(ROOT, 'actions')).map((a) => `actions/${a}/action.yml`);
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/cli/index.js',
        'action.yml',
        'LICENSE',
        'CHANGELOG.md',
        'README.md',
        ...workflows,
        ...actions
      ])
    );
    expect(workflows).toEqual(expect.arrayContaining(['.github/workflows/ml-deploy.yml']));
    expect(files).not.toContain('.github/workflows/ci.yml');
  });

  it('leaves the sources, tests and examples out', () => {
    expect(files.filter((f) => /^(src|test|examples|scripts|bench)\//.test(f))).toEqual([]);
  });

  it('the licence is MIT, as package.json says', () => {
    expect(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).license).toBe('MIT');
    const licence = fs.readFileSync(path.join(ROOT, 'LICENSE'), 'utf8');
    expect(licence).toMatch(/^MIT License\n\nCopyright \(c\) 2026 mlops-actions contributors\n/);
  });

  it('CHANGELOG.md is in Keep a Changelog form, with an Unreleased section first', () => {
    const changelog = fs.readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8');
    expect(changelog).toMatch(/^# Changelog\n/);
    expect(changelog.match(/^## .*/m)![0]).toBe('## [Unreleased]');
  });
});
