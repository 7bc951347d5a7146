#!/usr/bin/env node
// npm run release -- <version> [--dry-run] [--push] [--remote origin]
//
// Releases the toolkit as GitHub Actions users consume it: the commit carries dist/ built at that
// version, `v<version>` is tagged, and the major tag `v<major>` (the `@v1` every `uses:` names) moves to
// it. Refuses, before changing anything: a dirty tree, a version that is not MAJOR.MINOR.PATCH or not
// greater than the last release tag, a CHANGELOG.md without a section for the version, a reference
// that does not follow the published name (scripts/published.mjs --check), and `npm run check-dist`
// failing. Then it sets the version in package.json and package-lock.json, re-points the references
// when the major changes, rebuilds (`npm run bundle`: src/version.ts and dist/), commits, tags (both
// annotated) and prints the `git push` commands; it runs them only with --push. --dry-run checks and
// prints the plan, changing nothing.
//
// For tests and unusual layouts: --dir DIR (the repository, default this one), --check-command CMD and
// --build-command CMD (defaults `npm run check-dist` and `npm run bundle`, run with sh in DIR).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { published, readPackage, run as checkPublished } from './published.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RELEASE = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

class Refusal extends Error {}

function parseArgs(argv) {
  const args = {
    dryRun: false,
    push: false,
    remote: 'origin',
    dir: ROOT,
    checkCommand: 'npm run check-dist',
    buildCommand: 'npm run bundle'
  };
  const valued = {
    '--remote': 'remote',
    '--dir': 'dir',
    '--check-command': 'checkCommand',
    '--build-command': 'buildCommand'
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dry-run') args.dryRun = true;
    else if (a === '--push') args.push = true;
    else if (valued[a]) {
      if (argv[i + 1] === undefined) throw new Refusal(`${a} needs a value.`);
      args[valued[a]] = argv[++i];
    } else if (a.startsWith('--'))
      throw new Refusal(
        `Unknown flag ${a} (use --dry-run, --push, --remote, --dir, --check-command, --build-command).`
      );
    else if (args.version === undefined) args.version = a.replace(/^v(?=\d)/, '');
    else throw new Refusal(`One version only, not "${args.version}" and "${a}".`);
  }
  if (args.version === undefined)
    throw new Refusal('Usage: npm run release -- <version> (e.g. 1.2.0) [--dry-run] [--push].');
  if (args.dryRun && args.push) throw new Refusal('Give --dry-run or --push, not both.');
  return { ...args, dir: path.resolve(args.dir) };
}

const parse = (v) => RELEASE.exec(v).slice(1, 4).map(Number);
const greater = (a, b) => {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return false;
};

function git(dir, ...args) {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function sh(dir, command) {
  return spawnSync('sh', ['-c', command], { cwd: dir, stdio: 'inherit' }).status === 0;
}

/** The notes of `## [version]` in CHANGELOG.md, or a Refusal saying what is missing. */
export function changelogSection(text, version) {
  const lines = text.split('\n');
  const escaped = version.replace(/\./g, '\\.');
  const start = lines.findIndex((l) => new RegExp(`^## \\[?v?${escaped}\\]?(\\s|$)`).test(l));
  if (start < 0)
    throw new Refusal(
      `CHANGELOG.md has no section for ${version}: add "## [${version}] - ${new Date().toISOString().slice(0, 10)}" ` +
        'with its notes (move them from Unreleased).'
    );
  const end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  const notes = lines
    .slice(start + 1, end < 0 ? undefined : end)
    .join('\n')
    .trim();
  if (!notes)
    throw new Refusal(`CHANGELOG.md's section for ${version} is empty: say what the release brings.`);
  return notes;
}

/** Every check that must pass before anything changes; returns what the release will do. */
function preflight(args) {
  const { dir, version } = args;
  if (!RELEASE.test(version))
    throw new Refusal(
      SEMVER.test(version)
        ? `${version} is a pre-release; release MAJOR.MINOR.PATCH versions only (the major tag must not move to a pre-release).`
        : `"${version}" is not a semver version (MAJOR.MINOR.PATCH, e.g. 1.2.0).`
    );
  try {
    git(dir, 'rev-parse', '--show-toplevel');
  } catch {
    throw new Refusal(`${dir} is not a git repository.`);
  }
  const dirty = git(dir, 'status', '--porcelain', '--untracked-files=all');
  if (dirty) {
    const files = dirty.split('\n').map((l) => l.slice(3));
    throw new Refusal(
      `The working tree is not clean (${files.slice(0, 5).join(', ')}${files.length > 5 ? ', …' : ''}): commit or stash first.`
    );
  }
  const branch = git(dir, 'branch', '--show-current');
  if (!branch) throw new Refusal('HEAD is detached: check out the branch you release from.');
  const tags = git(dir, 'tag', '--list', 'v*')
    .split('\n')
    .map((t) => t.slice(1))
    .filter((t) => RELEASE.test(t))
    .sort((a, b) => (greater(parse(a), parse(b)) ? -1 : 1));
  const last = tags[0];
  if (last && !greater(parse(version), parse(last)))
    throw new Refusal(`${version} is not greater than the last release, v${last}.`);
  const changelog = path.join(dir, 'CHANGELOG.md');
  if (!fs.existsSync(changelog))
    throw new Refusal('CHANGELOG.md is missing: the release notes come from it.');
  const notes = changelogSection(fs.readFileSync(changelog, 'utf8'), version);
  const pkg = readPackage(dir);
  const { repository, majorTag: currentMajorTag } = published(pkg);
  const { problems } = checkPublished({ dir });
  if (problems.length)
    throw new Refusal(
      `${problems.length} reference(s) do not name ${repository}@${currentMajorTag} ` +
        `(first: ${problems[0].file}:${problems[0].line} ${problems[0].found}); run npm run published -- --fix and commit.`
    );
  console.log(`$ ${args.checkCommand}`);
  if (!sh(dir, args.checkCommand))
    throw new Refusal(`${args.checkCommand} failed: rebuild (npm run bundle), commit, and release again.`);
  const majorTag = `v${parse(version)[0]}`;
  return {
    ...args,
    branch,
    last,
    notes,
    repository,
    from: pkg.version,
    majorTag,
    newMajor: majorTag !== currentMajorTag
  };
}

function setVersion(dir, version) {
  for (const name of ['package.json', 'package-lock.json']) {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) continue;
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    json.version = version;
    if (json.packages?.['']) json.packages[''].version = version;
    fs.writeFileSync(file, JSON.stringify(json, null, 2) + '\n');
  }
}

function plan(p) {
  const tag = `v${p.version}`;
  return [
    p.from === p.version
      ? `keep version ${p.version} (package.json already says it)`
      : `set version ${p.from} -> ${p.version} in package.json and package-lock.json`,
    ...(p.newMajor
      ? [`re-point every reference to ${p.repository}@${p.majorTag} (scripts/published.mjs --fix)`]
      : []),
    `rebuild: ${p.buildCommand}`,
    `commit "Release ${tag}" on ${p.branch} (when the steps above changed anything)`,
    `tag ${tag} (annotated, with the CHANGELOG notes)`,
    `move ${p.majorTag} to ${tag} (annotated)`
  ];
}

function pushCommands(p) {
  return [
    ['push', p.remote, p.branch],
    ['push', p.remote, `refs/tags/v${p.version}`],
    ['push', '--force', p.remote, `refs/tags/${p.majorTag}`]
  ];
}

function release(p) {
  const { dir, version } = p;
  const tag = `v${version}`;
  const start = git(dir, 'rev-parse', 'HEAD');
  try {
    setVersion(dir, version);
    if (p.newMajor) checkPublished({ dir, fix: true });
    console.log(`$ ${p.buildCommand}`);
    if (!sh(dir, p.buildCommand)) throw new Refusal(`${p.buildCommand} failed.`);
    git(dir, 'add', '--all');
    if (git(dir, 'status', '--porcelain')) git(dir, 'commit', '--quiet', '-m', `Release ${tag}`);
    git(dir, 'tag', '--annotate', '--cleanup=verbatim', tag, '-m', `${tag}\n\n${p.notes}\n`);
  } catch (error) {
    // Nothing was tagged; put the tree back as it was (it was clean, so this removes only our changes).
    git(dir, 'reset', '--quiet', '--hard', start);
    git(dir, 'clean', '--quiet', '-fd');
    throw error;
  }
  let previous = '';
  try {
    previous = git(dir, 'rev-parse', '--short', `${p.majorTag}^{commit}`);
  } catch {
    /* the first release of this major */
  }
  git(
    dir,
    'tag',
    '--force',
    '--annotate',
    p.majorTag,
    '-m',
    `${p.majorTag}: the latest ${p.majorTag.slice(1)}.x release, ${tag}`,
    tag + '^{commit}'
  );
  const sha = git(dir, 'rev-parse', '--short', 'HEAD');
  console.log(
    `Released ${tag} at ${sha}; ${p.majorTag} ${previous ? `moved from ${previous} to ${sha}` : `created at ${sha}`}.`
  );
}

function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
    const p = preflight(args);
    console.log(
      `${args.dryRun ? 'Would release' : 'Releasing'} ${p.repository} ${p.version} (last release: ${p.last ? `v${p.last}` : 'none'}):`
    );
    for (const step of plan(p)) console.log(`  - ${step}`);
    if (!args.dryRun) release(p);
    const commands = pushCommands(p);
    if (args.push) {
      for (const [i, c] of commands.entries()) {
        console.log(`$ git ${c.join(' ')}`);
        if (spawnSync('git', c, { cwd: p.dir, stdio: 'inherit' }).status !== 0)
          throw new Refusal(
            `git ${c.join(' ')} failed; the release is made here, so push the rest by hand: ` +
              commands
                .slice(i)
                .map((rest) => `git ${rest.join(' ')}`)
                .join('; ')
          );
      }
      console.log(`Pushed. Users of @${p.majorTag} get ${p.version} on their next run.`);
    } else {
      console.log(args.dryRun ? 'Then push with:' : 'Push with:');
      for (const c of commands) console.log(`  git ${c.join(' ')}`);
    }
  } catch (error) {
    const expected = error instanceof Refusal || /^package\.json /.test(error.message);
    console.error(expected ? error.message : error.stack);
    process.exit(1);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
