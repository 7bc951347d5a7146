#!/usr/bin/env node
// Builds one ncc bundle per action (dist/<name>/index.js) and the CLI (dist/cli/index.js), each
// with a package.json saying "type": "module". With --check it builds into memory and exits 1 when
// dist/ differs from what the sources give (CI's guard against a stale bundle).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ncc from '@vercel/ncc';
import { loadActions } from './generate.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// ncc resolves TypeScript files with CommonJS conditions, which the ESM-only @actions packages do not
// export; so tsc compiles src/ to ESM JavaScript first and ncc bundles that.
export function compile(outDir) {
  fs.rmSync(outDir, { recursive: true, force: true });
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--outDir', outDir], {
    stdio: 'inherit'
  });
}

export function actionEntry(name) {
  return (
    `import { run } from './actions/${name}.js';\n` +
    "import { runAction } from './runner.js';\n\n" +
    `const result = await runAction('${name}', run);\nprocess.exit(result.exitCode);\n`
  );
}

/** Bundles the ESM file `entry` into { file name: contents } for one dist/ folder. */
export async function bundle(entry) {
  const { code, assets } = await ncc(entry, {
    minify: true,
    sourceMap: false,
    target: 'es2022',
    quiet: true,
    license: 'licenses.txt'
  });
  const files = { 'index.js': code, 'package.json': '{ "type": "module" }\n' };
  for (const [file, asset] of Object.entries(assets ?? {})) files[file] = asset.source.toString();
  return files;
}

function listFiles(dir, prefix = '') {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((d) =>
      d.isDirectory() ? listFiles(path.join(dir, d.name), `${prefix}${d.name}/`) : [`${prefix}${d.name}`]
    );
}

async function main() {
  const check = process.argv.includes('--check');
  const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const dist = path.join(root, 'dist');
  const lib = path.join(root, '.bundle', 'lib');
  const names = ['cli', ...loadActions().map((a) => a.name)].filter((n) => !only.length || only.includes(n));
  const stale = [];
  compile(lib);
  for (const name of names) {
    const started = Date.now();
    const entry = path.join(lib, `entry-${name}.js`);
    fs.writeFileSync(
      entry,
      name === 'cli'
        ? "import { main } from './cli.js';\n\nprocess.exit(await main(process.argv.slice(2)));\n"
        : actionEntry(name)
    );
    const files = await bundle(entry);
    const out = path.join(dist, name);
    for (const [file, text] of Object.entries(files)) {
      const target = path.join(out, file);
      if (fs.existsSync(target) && fs.readFileSync(target, 'utf8') === text) continue;
      if (check) stale.push(`dist/${name}/${file}`);
      else {
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, text);
      }
    }
    for (const file of listFiles(out)) {
      if (file in files) continue;
      if (check) stale.push(`dist/${name}/${file} (not built any more)`);
      else fs.rmSync(path.join(out, file));
    }
    if (!check)
      console.log(
        `dist/${name}/index.js  ${(files['index.js'].length / 1024).toFixed(0)} KiB  ${Date.now() - started} ms`
      );
  }
  if (!only.length) {
    for (const dir of fs.existsSync(dist) ? fs.readdirSync(dist) : []) {
      if (names.includes(dir)) continue;
      if (check) stale.push(`dist/${dir}/ (no such action)`);
      else fs.rmSync(path.join(dist, dir), { recursive: true });
    }
  }
  fs.rmSync(path.join(root, '.bundle'), { recursive: true, force: true });
  if (check) {
    if (stale.length) {
      console.error(`dist/ is stale; run npm run bundle and commit:\n  ${stale.join('\n  ')}`);
      process.exit(1);
    }
    console.log(`dist/ is up to date (${names.length} bundles).`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
