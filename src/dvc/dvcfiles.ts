/**
 * The files that name data: `.dvc` files, and `dvc.lock` with the `dvc.yaml` beside it (which holds
 * the `cache`/`push`/`remote` flags and each stage's `wdir`). Targets narrow the set the way `dvc pull`
 * takes them: a `.dvc` file, `dvc.yaml`, `dvc.yaml:stage`, a stage name, or a tracked path.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { UserError } from '../errors.js';
import { OBJECT_ID_PATTERN } from './hash.js';
import { resolveInRoot } from './paths.js';

export interface Output {
  /** POSIX path relative to the root. */
  path: string;
  /** Where it is named: `data.dvc`, `dvc.lock:train`. */
  source: string;
  /** `md5` or `md5.dir`. */
  id: string;
  /** A DVC 2 entry (no `hash: md5`): md5-dos2unix and the legacy layout. */
  legacy: boolean;
  isDir: boolean;
  size?: number;
  nfiles?: number;
  isexec: boolean;
  cache: boolean;
  push: boolean;
  remote?: string;
  /** A granular target: only these paths inside the folder (POSIX, relative to it); unset, all of it. */
  within?: string[];
}

export class DvcFileError extends UserError {
  override name = 'DvcFileError';
}

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

function readYaml(root: string, rel: string): unknown {
  const file = path.join(root, rel);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new DvcFileError(`${rel} cannot be read (${(e as NodeJS.ErrnoException).code}).`);
  }
  try {
    return YAML.parse(text, { uniqueKeys: true }) ?? {};
  } catch (e) {
    const where = (e as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    const reason = String((e as Error).message)
      .split('\n')[0]
      .replace(/ at line \d+, column \d+:?$/, '');
    throw new DvcFileError(
      `${rel} is not valid YAML${where ? ` (line ${where}: ${reason})` : ''}; fix it or regenerate it with dvc.`
    );
  }
}

const posixDir = (rel: string) => (path.posix.dirname(rel) === '.' ? '' : path.posix.dirname(rel));

interface Flags {
  cache: boolean;
  push: boolean;
  remote?: string;
  isexec: boolean;
}

function flag(value: unknown, name: string, where: string, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean')
    throw new DvcFileError(`${where}: "${name}" must be true or false, but is ${JSON.stringify(value)}.`);
  return value;
}

function outFlags(entry: Dict, where: string): Flags {
  const remote = entry.remote;
  if (remote !== undefined && remote !== null && typeof remote !== 'string') {
    throw new DvcFileError(`${where}: "remote" must be a remote name, but is ${JSON.stringify(remote)}.`);
  }
  return {
    cache: flag(entry.cache, 'cache', where, true),
    push: flag(entry.push, 'push', where, true),
    remote: remote ? remote.toLowerCase() : undefined,
    isexec: flag(entry.isexec, 'isexec', where, false)
  };
}

/** The hash fields of one out entry (`.dvc` out or `dvc.lock` out); undefined when it has no md5. */
function hashOf(
  entry: Dict,
  where: string
): Pick<Output, 'id' | 'legacy' | 'isDir' | 'size' | 'nfiles'> | undefined {
  const md5 = entry.md5;
  if (md5 === undefined || md5 === null) return undefined;
  if (typeof md5 !== 'string' || !OBJECT_ID_PATTERN.test(md5.toLowerCase())) {
    throw new DvcFileError(
      `${where}: md5 ${JSON.stringify(md5)} is not an md5 hash (32 hex digits, ".dir" for a folder).`
    );
  }
  const algo = entry.hash;
  if (algo !== undefined && algo !== 'md5') {
    throw new DvcFileError(`${where}: hash ${JSON.stringify(algo)} is not supported (only md5).`);
  }
  const id = md5.toLowerCase();
  const num = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined);
  return {
    id,
    legacy: algo === undefined,
    isDir: id.endsWith('.dir'),
    size: num(entry.size),
    nfiles: num(entry.nfiles)
  };
}

/** Outputs of a `.dvc` file (`rel`, POSIX relative to the root). Entries without md5 are reported. */
export function loadDvcFile(root: string, rel: string, warnings: string[]): Output[] {
  const doc = readYaml(root, rel);
  if (!isDict(doc) || (doc.outs !== undefined && !Array.isArray(doc.outs))) {
    throw new DvcFileError(`${rel} must be a mapping with an "outs" list, as dvc add writes it.`);
  }
  const outs: Output[] = [];
  for (const [i, entry] of ((doc.outs as unknown[]) ?? []).entries()) {
    const where = `${rel} (outs[${i}])`;
    if (!isDict(entry)) throw new DvcFileError(`${where} must be a mapping with path and md5.`);
    const outPath = resolveInRoot(posixDir(rel), entry.path as string, where);
    const hash = hashOf(entry, where);
    const flags = outFlags(entry, where);
    if (!hash) {
      if (flags.cache)
        warnings.push(`${rel}: ${outPath} has no md5 (not committed yet: run dvc commit), skipped.`);
      continue;
    }
    outs.push({ path: outPath, source: rel, ...hash, ...flags });
  }
  return outs;
}

interface StageDef {
  wdir: string;
  /** Declared outs with their flags: [path pattern, flags]. */
  outs: Array<[RegExp, Flags]>;
}

function stageDefs(root: string, yamlRel: string): Map<string, StageDef> {
  const defs = new Map<string, StageDef>();
  if (!fs.existsSync(path.join(root, yamlRel))) return defs;
  const doc = readYaml(root, yamlRel);
  if (!isDict(doc)) throw new DvcFileError(`${yamlRel} must be a mapping with "stages".`);
  const stages = doc.stages ?? {};
  if (!isDict(stages)) throw new DvcFileError(`${yamlRel}: "stages" must be a mapping of stage names.`);
  for (const [name, raw] of Object.entries(stages)) {
    if (!isDict(raw)) throw new DvcFileError(`${yamlRel}: stage "${name}" must be a mapping.`);
    const body = isDict(raw.do) ? raw.do : raw;
    const outs: Array<[RegExp, Flags]> = [];
    for (const kind of ['outs', 'metrics', 'plots']) {
      const list = body[kind];
      if (list === undefined || list === null) continue;
      if (!Array.isArray(list)) throw new DvcFileError(`${yamlRel}: stage "${name}" ${kind} must be a list.`);
      for (const item of list) {
        let p: string | undefined;
        let entry: Dict = {};
        if (typeof item === 'string') p = item;
        else if (isDict(item) && Object.keys(item).length === 1) {
          p = Object.keys(item)[0];
          entry = isDict(item[p]) ? (item[p] as Dict) : {};
        }
        if (!p) continue;
        const where = `${yamlRel} (stage "${name}", ${kind} ${p})`;
        // ${item} templates (foreach/matrix) match any text.
        const pattern = p
          .replace(/^\.\//, '')
          .split(/\$\{[^}]*\}/)
          .map((s) => s.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&'))
          .join('.+');
        outs.push([new RegExp(`^${pattern}$`), { ...outFlags(entry, where), isexec: false }]);
      }
    }
    const wdir = typeof body.wdir === 'string' && !body.wdir.includes('${') ? body.wdir : '.';
    defs.set(name, { wdir, outs });
  }
  return defs;
}

/** Outputs of the pipeline in folder `dirRel` (dvc.lock, flags from dvc.yaml), by stage name. */
export function loadPipeline(root: string, dirRel: string, warnings: string[]): Map<string, Output[]> {
  const yamlRel = dirRel ? `${dirRel}/dvc.yaml` : 'dvc.yaml';
  const lockRel = dirRel ? `${dirRel}/dvc.lock` : 'dvc.lock';
  const defs = stageDefs(root, yamlRel);
  const result = new Map<string, Output[]>();
  if (!fs.existsSync(path.join(root, lockRel))) {
    if (defs.size)
      warnings.push(`${yamlRel} has no ${lockRel} beside it (run dvc repro), so it names no data.`);
    return result;
  }
  const lock = readYaml(root, lockRel);
  if (!isDict(lock))
    throw new DvcFileError(`${lockRel} must be a mapping of stages, as dvc repro writes it.`);
  // schema 2.0 keeps stages under "stages"; DVC 1's lock files are the mapping of stages itself.
  const stages = lock.schema !== undefined ? (lock.stages ?? {}) : lock;
  if (!isDict(stages)) throw new DvcFileError(`${lockRel}: "stages" must be a mapping.`);
  for (const [name, stage] of Object.entries(stages)) {
    if (!isDict(stage)) throw new DvcFileError(`${lockRel}: stage "${name}" must be a mapping.`);
    const def = defs.get(name) ?? defs.get(name.split('@')[0]);
    const base = resolveWdir(dirRel, def?.wdir ?? '.', `${yamlRel} (stage "${name}" wdir)`);
    const outs: Output[] = [];
    const list = stage.outs ?? [];
    if (!Array.isArray(list)) throw new DvcFileError(`${lockRel}: stage "${name}" outs must be a list.`);
    for (const [i, entry] of list.entries()) {
      const where = `${lockRel} (stage "${name}", outs[${i}])`;
      if (!isDict(entry)) throw new DvcFileError(`${where} must be a mapping with path and md5.`);
      const outPath = resolveInRoot(base, entry.path as string, where);
      const hash = hashOf(entry, where);
      const rawPath = String(entry.path).replace(/^\.\//, '');
      const flags = def?.outs.find(([re]) => re.test(rawPath))?.[1] ?? {
        cache: true,
        push: true,
        isexec: false
      };
      if (!hash) {
        if (flags.cache) warnings.push(`${where}: ${outPath} has no md5, skipped.`);
        continue;
      }
      outs.push({
        path: outPath,
        source: `${lockRel}:${name}`,
        ...hash,
        ...flags,
        isexec: entry.isexec === true
      });
    }
    result.set(name, outs);
  }
  return result;
}

function resolveWdir(dirRel: string, wdir: string, where: string): string {
  if (wdir === '.' || wdir === '') return dirRel;
  const parts = dirRel ? dirRel.split('/') : [];
  for (const part of wdir.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (!parts.length)
        throw new DvcFileError(`${where} ${JSON.stringify(wdir)} leaves the working directory.`);
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

const SKIP_DIRS = new Set(['.git', '.dvc', 'node_modules']);

/** Every `.dvc` file and pipeline folder (one holding dvc.yaml or dvc.lock) under the root. */
export function findDvcFiles(root: string): { dvcFiles: string[]; pipelines: string[] } {
  const dvcFiles: string[] = [];
  const pipelines: string[] = [];
  const walk = (rel: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    let pipeline = false;
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(child);
      } else if (e.isFile()) {
        if (e.name.endsWith('.dvc') && e.name !== '.dvc') dvcFiles.push(child);
        else if (e.name === 'dvc.lock' || e.name === 'dvc.yaml') pipeline = true;
      }
    }
    if (pipeline) pipelines.push(rel);
  };
  walk('');
  return { dvcFiles: dvcFiles.sort(), pipelines: pipelines.sort() };
}

function allOutputs(root: string, warnings: string[]): Output[] {
  const { dvcFiles, pipelines } = findDvcFiles(root);
  const outs = dvcFiles.flatMap((f) => loadDvcFile(root, f, warnings));
  for (const dir of pipelines)
    for (const list of loadPipeline(root, dir, warnings).values()) outs.push(...list);
  return outs;
}

export class TargetError extends UserError {
  override name = 'TargetError';
}

/** A target as given (relative to the root) in POSIX form, or an error naming the `targets` input. */
function normalizeTarget(root: string, target: string): string {
  const abs = path.resolve(root, target);
  const rel = path.relative(root, abs).split(path.sep).join('/');
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new TargetError(
      `Input "targets" names ${JSON.stringify(target)}, which is outside the working directory.`
    );
  }
  return rel;
}

/**
 * The outputs named by `targets` (every `.dvc` file and `dvc.lock` when empty), de-duplicated, with
 * any warnings about entries that name no data. Overlapping or contradicting outputs are an error.
 */
export function collectOutputs(root: string, targets: string[]): { outputs: Output[]; warnings: string[] } {
  const warnings: string[] = [];
  let outs: Output[] = [];
  let everything: Output[] | undefined;
  const all = () => (everything ??= allOutputs(root, warnings));
  if (!targets.length) outs = all();
  for (const target of targets) {
    const colon = /^(.*(?:^|\/)dvc\.(?:yaml|lock)):([^/]+)$/.exec(target);
    const rel = normalizeTarget(root, colon ? colon[1] : target);
    const base = path.posix.basename(rel);
    if (
      base.endsWith('.dvc') &&
      fs.existsSync(path.join(root, rel)) &&
      fs.statSync(path.join(root, rel)).isFile()
    ) {
      outs.push(...loadDvcFile(root, rel, warnings));
      continue;
    }
    if (base === 'dvc.yaml' || base === 'dvc.lock') {
      const dir = posixDir(rel);
      if (!fs.existsSync(path.join(root, rel)))
        throw new TargetError(`Input "targets" names ${target}, which does not exist.`);
      const stages = loadPipeline(root, dir, warnings);
      if (colon) {
        const stage = stages.get(colon[2]);
        if (!stage)
          throw new TargetError(
            `Input "targets" names the stage ${JSON.stringify(colon[2])}, which ${dir ? `${dir}/` : ''}dvc.lock does not have.`
          );
        outs.push(...stage);
      } else for (const list of stages.values()) outs.push(...list);
      continue;
    }
    const matches = all().filter((o) => rel === '' || o.path === rel || o.path.startsWith(`${rel}/`));
    if (matches.length) {
      outs.push(...matches);
      continue;
    }
    const parent = all().find((o) => rel.startsWith(`${o.path}/`));
    if (parent?.isDir) {
      outs.push({ ...parent, within: [rel.slice(parent.path.length + 1)] });
      continue;
    }
    if (parent) {
      throw new TargetError(
        `Input "targets" names ${target}, a path below ${parent.path}, which is a tracked file (${parent.source}), not a folder.`
      );
    }
    const rootStages = fs.existsSync(path.join(root, 'dvc.yaml'))
      ? loadPipeline(root, '', warnings)
      : undefined;
    const stage = rootStages?.get(target);
    if (stage) {
      outs.push(...stage);
      continue;
    }
    throw new TargetError(
      `Input "targets" names ${JSON.stringify(target)}, which is not a .dvc file, a dvc.yaml stage or a path tracked by DVC.`
    );
  }
  return { outputs: dedupe(outs), warnings };
}

/** Two selections of one folder: the union, or the whole folder when either is whole. */
const mergeWithin = (a?: string[], b?: string[]) => (a && b ? [...new Set([...a, ...b])].sort() : undefined);

function dedupe(outs: Output[]): Output[] {
  const byPath = new Map<string, Output>();
  for (const o of outs) {
    const seen = byPath.get(o.path);
    if (seen && (seen.id !== o.id || seen.legacy !== o.legacy)) {
      throw new DvcFileError(
        `${o.path} is tracked twice with different data: by ${seen.source} and by ${o.source}; keep one.`
      );
    }
    if (!seen) byPath.set(o.path, o);
    else byPath.set(o.path, { ...seen, within: mergeWithin(seen.within, o.within) });
  }
  const list = [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (let i = 1; i < list.length; i++) {
    const prev = list.slice(0, i).find((p) => list[i].path.startsWith(`${p.path}/`));
    if (prev) {
      throw new DvcFileError(
        `${list[i].path} (${list[i].source}) lies inside ${prev.path} (${prev.source}), which is tracked too; DVC outputs may not overlap.`
      );
    }
  }
  return list;
}
