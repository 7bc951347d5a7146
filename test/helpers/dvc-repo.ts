/**
 * Builds DVC repositories the way `dvc init`, `dvc remote add` and `dvc add` leave them: .dvc/config,
 * .dvc files (DVC 3 with `hash: md5`, or legacy DVC 2 without), objects in .dvc/cache (0444).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { hashFile, manifestId, serializeManifest, type DirEntry } from '../../src/dvc/hash.js';
import { objectKey } from '../../src/dvc/remote.js';

let tempRoot: string | undefined;

/** A fresh folder, under one folder per test file that `removeTempDirs` (in afterAll) deletes. */
export function tempDir(prefix: string): string {
  tempRoot ??= fs.mkdtempSync(path.join(os.tmpdir(), 'dvc-tests-'));
  return fs.mkdtempSync(path.join(tempRoot, `${prefix}-`));
}

export function removeTempDirs(): void {
  if (tempRoot) fs.rmSync(tempRoot, { recursive: true, force: true });
  tempRoot = undefined;
}

/** Writes files (POSIX paths relative to `root`). */
export function writeFiles(root: string, files: Record<string, string | Buffer>): void {
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}

/** `.dvc/config` with these remotes (name -> url or settings), the first (or `core`) as default. */
export function initRepo(
  root: string,
  remotes: Record<string, string | Record<string, string>>,
  options: { core?: string; local?: string } = {}
): void {
  const lines: string[] = [];
  const names = Object.keys(remotes);
  if (options.core ?? names[0]) lines.push('[core]', `    remote = ${options.core ?? names[0]}`);
  for (const [name, spec] of Object.entries(remotes)) {
    lines.push(`['remote "${name}"']`);
    for (const [k, v] of Object.entries(typeof spec === 'string' ? { url: spec } : spec))
      lines.push(`    ${k} = ${v}`);
  }
  writeFiles(root, {
    '.dvc/config': lines.join('\n') + '\n',
    '.dvc/.gitignore': '/config.local\n/tmp\n/cache\n'
  });
  if (options.local) writeFiles(root, { '.dvc/config.local': options.local });
}

async function toCache(
  root: string,
  file: string,
  id: string,
  legacy: boolean,
  data?: Buffer
): Promise<void> {
  const target = path.join(root, '.dvc/cache', objectKey({ id, legacy }));
  if (fs.existsSync(target)) return;
  fs.mkdirSync(path.dirname(target), { recursive: true });
  if (data) fs.writeFileSync(target, data);
  else fs.copyFileSync(file, target);
  fs.chmodSync(target, 0o444);
}

export interface AddOptions {
  legacy?: boolean;
  /** Leave the cache empty (data only in the workspace). */
  noCache?: boolean;
  /** Extra fields of the out entry (remote, push, cache, isexec). */
  fields?: Record<string, unknown>;
}

/** Like `dvc add <rel>`: hashes the file or folder, writes <rel>.dvc and fills the cache. */
export async function dvcAdd(
  root: string,
  rel: string,
  options: AddOptions = {}
): Promise<{ id: string; entries?: DirEntry[] }> {
  const legacy = options.legacy ?? false;
  const abs = path.join(root, rel);
  const out: Record<string, unknown> = {};
  let id: string;
  let entries: DirEntry[] | undefined;
  if (fs.statSync(abs).isDirectory()) {
    entries = [];
    let size = 0;
    const walk = (dir: string, prefix: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(path.join(dir, e.name), `${prefix}${e.name}/`);
        else entries!.push({ relpath: `${prefix}${e.name}`, md5: '' });
      }
    };
    walk(abs, '');
    for (const e of entries) {
      const file = path.join(abs, e.relpath);
      const h = await hashFile(file, legacy);
      e.md5 = h.md5;
      size += h.size;
      if (!options.noCache) await toCache(root, file, h.md5, legacy);
    }
    const manifest = serializeManifest(entries);
    id = manifestId(manifest);
    if (!options.noCache) await toCache(root, '', id, legacy, manifest);
    Object.assign(out, { md5: id, size, nfiles: entries.length });
  } else {
    const h = await hashFile(abs, legacy);
    id = h.md5;
    if (!options.noCache) await toCache(root, abs, id, legacy);
    Object.assign(out, { md5: id, size: h.size });
  }
  if (!legacy) out.hash = 'md5';
  out.path = path.posix.basename(rel);
  Object.assign(out, options.fields);
  writeFiles(root, { [`${rel}.dvc`]: YAML.stringify({ outs: [out] }) });
  return { id, entries };
}

/** Every file under `dir` (POSIX relative path -> content as text, or md5 for large files). */
export function tree(dir: string): Record<string, string> {
  const result: Record<string, string> = {};
  if (!fs.existsSync(dir)) return result;
  const walk = (d: string, prefix: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const file = path.join(d, e.name);
      if (e.isDirectory()) walk(file, `${prefix}${e.name}/`);
      else if (e.isSymbolicLink()) result[`${prefix}${e.name}`] = `-> ${fs.readlinkSync(file)}`;
      else result[`${prefix}${e.name}`] = fs.readFileSync(file).toString('latin1');
    }
  };
  walk(dir, '');
  return result;
}
