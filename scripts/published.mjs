#!/usr/bin/env node
// The published name of the toolkit, and a check that every reference to it follows.
//
// ONE place names it: package.json. `repository` is the GitHub repository (npm's usual form,
// {"type": "git", "url": "git+https://github.com/<owner>/<name>.git"}) and the major tag is the major
// of `version` (1.4.2 -> v1), the tag `npm run release` moves. Every `uses:` in the workflows and the
// starters, and every reference in the docs, must read `<owner>/<name>[/path]@v<major>` (or a pinned
// 40-character commit SHA).
//
//   node scripts/published.mjs --check [--dir DIR] [FILE...]
//       lists, as file:line, each reference that names another repository or ref; exit 1 if any.
//   node scripts/published.mjs --fix [--repository OWNER/NAME] [--dir DIR] [FILE...]
//       rewrites them; with --repository, package.json's repository is set to it first (a fork).
// FILE... limits the scan to those files (relative to DIR); by default every file listed below.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPOSITORY = /^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9_.-]+$/;
const SHA = /^[0-9a-f]{40}$/;
// owner/name[/path]@ref, not inside a URL or a longer word; the ref ends on a letter or digit so that a
// full stop or comma after it stays out.
const REFERENCE =
  /(?<![\w./-])([A-Za-z0-9][A-Za-z0-9_.-]*)\/([A-Za-z0-9_.-]+)((?:\/[^\s@'"`<>()[\]]*)?)@([A-Za-z0-9_./-]*[A-Za-z0-9_])/g;

/** `owner/name` from package.json's repository in any of npm's forms; undefined when there is none. */
export function repositoryOf(pkg) {
  const value = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
  if (!value) return undefined;
  const match =
    /^(?:github:)?([^/:\s]+\/[^/\s]+?)(?:\.git)?$/.exec(value) ??
    /[/:]([^/:\s]+\/[^/\s]+?)(?:\.git)?\/?$/.exec(value);
  return match && REPOSITORY.test(match[1]) ? match[1] : undefined;
}

/** The published name: { repository: 'owner/name', majorTag: 'v1' }, or an Error saying what to fix. */
export function published(pkg) {
  const repository = repositoryOf(pkg);
  if (!repository)
    throw new Error(
      'package.json needs "repository" naming the GitHub repository, e.g. ' +
        '{"type": "git", "url": "git+https://github.com/owner/name.git"}.'
    );
  const major = /^(\d+)\.\d+\.\d+(?:[-+].*)?$/.exec(String(pkg.version ?? ''));
  if (!major)
    throw new Error(`package.json "version" must be semver (MAJOR.MINOR.PATCH), not "${pkg.version}".`);
  return { repository, majorTag: `v${major[1]}` };
}

export function readPackage(dir = ROOT) {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
}

/** Sets package.json's repository (npm's usual form), keeping the file's layout. */
export function setRepository(dir, repository) {
  if (!REPOSITORY.test(repository)) throw new Error(`--repository must be OWNER/NAME, not "${repository}".`);
  const file = path.join(dir, 'package.json');
  const pkg = readPackage(dir);
  pkg.repository = { type: 'git', url: `git+https://github.com/${repository}.git` };
  fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
}

/** The files whose references must follow the published name, relative to dir. */
export function referenceFiles(dir = ROOT) {
  const files = [];
  const add = (rel) => fs.existsSync(path.join(dir, rel)) && files.push(rel);
  const list = (rel, pattern) =>
    fs.existsSync(path.join(dir, rel))
      ? fs
          .readdirSync(path.join(dir, rel))
          .filter((f) => pattern.test(f))
          .sort()
          .map((f) => path.posix.join(rel, f))
      : [];
  add('README.md');
  for (const name of list('actions', /^[^.]/)) add(`${name}/README.md`);
  files.push(...list('.github/workflows', /\.ya?ml$/), ...list('workflows-templates', /\.ya?ml$/));
  files.push(...walk(dir, 'docs', /\.md$/), ...walk(dir, 'examples', /\.(md|ya?ml)$/));
  return files;
}

function walk(dir, rel, pattern) {
  const full = path.join(dir, rel);
  if (!fs.existsSync(full) || !fs.statSync(full).isDirectory()) return [];
  const out = [];
  for (const entry of fs
    .readdirSync(full, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const child = path.posix.join(rel, entry.name);
    if (entry.isDirectory() && !['node_modules', '.git', '.dvc'].includes(entry.name))
      out.push(...walk(dir, child, pattern));
    else if (entry.isFile() && pattern.test(entry.name)) out.push(child);
  }
  return out;
}

/** What makes a reference one to this toolkit: its name, or a path only this toolkit has. */
export function knownPaths(dir = ROOT) {
  const actions = fs.existsSync(path.join(dir, 'actions'))
    ? fs
        .readdirSync(path.join(dir, 'actions'))
        .filter((n) => fs.existsSync(path.join(dir, 'actions', n, 'action.yml')))
    : [];
  const workflows = fs.existsSync(path.join(dir, '.github/workflows'))
    ? fs.readdirSync(path.join(dir, '.github/workflows'))
    : [];
  return new Set([
    ...actions.map((a) => `/actions/${a}`),
    ...workflows.map((w) => `/.github/workflows/${w}`)
  ]);
}

/**
 * The references to the toolkit in a text that do not follow `expected`, each with its line, the
 * reference found and what it should be. `names` are other repositories that also mean this toolkit
 * (the one package.json named before a fork re-pointed it).
 */
export function scan(text, expected, { paths = new Set(), names = [] } = {}) {
  const ours = new Set([expected.repository, ...names].map((n) => n.toLowerCase()));
  const found = [];
  text.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(REFERENCE)) {
      const [whole, owner, name, rest, ref] = m;
      const full = `${owner}/${name}`;
      const isOurs =
        name.toLowerCase() === 'mlops-actions' || ours.has(full.toLowerCase()) || paths.has(rest);
      if (!isOurs) continue;
      const wanted = `${expected.repository}${rest}@${SHA.test(ref) ? ref : expected.majorTag}`;
      if (whole !== wanted) found.push({ line: i + 1, column: m.index + 1, found: whole, wanted });
    }
  });
  return found;
}

/** Rewrites every reference scan() finds; returns the new text. */
export function rewrite(text, expected, options) {
  const lines = text.split('\n');
  for (const hit of scan(text, expected, options).reverse()) {
    const line = lines[hit.line - 1];
    const at = hit.column - 1;
    lines[hit.line - 1] = line.slice(0, at) + hit.wanted + line.slice(at + hit.found.length);
  }
  return lines.join('\n');
}

/** Runs the check or the fix over dir; returns { expected, problems, changed }. */
export function run({ dir = ROOT, fix = false, repository, files } = {}) {
  const before = repositoryOf(readPackage(dir));
  if (repository) {
    if (!fix) throw new Error('--repository re-points the references, so it goes with --fix.');
    setRepository(dir, repository);
  }
  const expected = published(readPackage(dir));
  const options = { paths: knownPaths(dir), names: before ? [before] : [] };
  const problems = [];
  const changed = [];
  for (const rel of files ?? referenceFiles(dir)) {
    const file = path.join(dir, rel);
    if (!fs.existsSync(file)) throw new Error(`${rel} does not exist.`);
    const text = fs.readFileSync(file, 'utf8');
    const hits = scan(text, expected, options);
    problems.push(...hits.map((h) => ({ file: rel, ...h })));
    if (fix && hits.length) {
      fs.writeFileSync(file, rewrite(text, expected, options));
      changed.push(rel);
    }
  }
  return { expected, problems, changed };
}

function parseArgs(argv) {
  const args = { fix: false, check: false, files: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--fix') args.fix = true;
    else if (a === '--check') args.check = true;
    else if (a === '--dir' || a === '--repository') {
      if (argv[i + 1] === undefined) throw new Error(`${a} needs a value.`);
      args[a.slice(2)] = argv[++i];
    } else if (a.startsWith('--'))
      throw new Error(`Unknown flag ${a} (use --check, --fix, --repository, --dir).`);
    else args.files.push(a);
  }
  if (args.fix && args.check) throw new Error('Give --check or --fix, not both.');
  return { ...args, files: args.files.length ? args.files : undefined };
}

function main() {
  try {
    const args = parseArgs(process.argv.slice(2));
    const dir = path.resolve(args.dir ?? ROOT);
    const { expected, problems, changed } = run({ ...args, dir });
    const name = `${expected.repository}@${expected.majorTag}`;
    if (args.repository) console.log(`package.json: repository is now ${expected.repository}.`);
    for (const p of problems) console.log(`${p.file}:${p.line}: ${p.found} -> ${p.wanted}`);
    if (args.fix) {
      console.log(`${problems.length} reference(s) rewritten to ${name} in ${changed.length} file(s).`);
      return;
    }
    if (problems.length) {
      console.error(
        `${problems.length} reference(s) do not name ${name} (package.json's repository and the major of ` +
          'its version); run `npm run published -- --fix`.'
      );
      process.exit(1);
    }
    console.log(`Every reference names ${name}.`);
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
