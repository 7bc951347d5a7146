/**
 * A pipeline stage's `dvc.lock` entry, made the way `dvc commit` makes it: `cmd`, then `deps` and
 * `outs` sorted by path (each hashed from the workspace), and `params` with the values read from the
 * params files (the default params.yaml first, keys sorted). The stage comes from dvc.yaml, or from
 * its lock entry alone when dvc.yaml does not define it.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { DvcFileError } from './dvcfiles.js';
import { compareCodePoints } from './hash.js';
import { resolveInRoot } from './paths.js';
import { isDict, record, type Dict, type RecordContext, type Recorded } from './record.js';

export const DEFAULT_PARAMS = 'params.yaml';

export interface StageSpec {
  name: string;
  /** Where it is named, for messages: `dvc.yaml:train`. */
  source: string;
  /** The stage's wdir, relative to the root ('' for the root). */
  wdir: string;
  cmd: unknown;
  deps: string[];
  /** Params file (relative to wdir) -> keys (empty: the whole file). */
  params: Map<string, string[]>;
  outs: Array<{ path: string; cache: boolean }>;
}

/** A stage of dvc.yaml that commit cannot make a lock entry for, and why. */
export function unsupportedStage(body: Dict): string | undefined {
  if ('foreach' in body || 'matrix' in body) return 'it is a foreach/matrix stage';
  if (JSON.stringify(body).includes('${')) return 'it uses ${...} templating';
  return undefined;
}

function pathsOf(list: unknown, where: string): Array<{ path: string; cache: boolean }> {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new DvcFileError(`${where} must be a list.`);
  return list.map((item) => {
    if (typeof item === 'string') return { path: item, cache: true };
    if (isDict(item) && Object.keys(item).length === 1) {
      const p = Object.keys(item)[0];
      const flags = item[p];
      return { path: p, cache: !(isDict(flags) && flags.cache === false) };
    }
    throw new DvcFileError(`${where} has an entry that is neither a path nor {path: {flags}}.`);
  });
}

function paramsOf(list: unknown, where: string): Map<string, string[]> {
  const params = new Map<string, string[]>();
  if (list === undefined || list === null) return params;
  if (!Array.isArray(list)) throw new DvcFileError(`${where} must be a list.`);
  const add = (file: string, keys: string[]) => params.set(file, [...(params.get(file) ?? []), ...keys]);
  for (const item of list) {
    if (typeof item === 'string') add(DEFAULT_PARAMS, [item]);
    else if (isDict(item)) {
      for (const [file, keys] of Object.entries(item)) {
        if (keys !== null && !Array.isArray(keys))
          throw new DvcFileError(`${where}: ${file} must list parameter names.`);
        add(file, (keys ?? []).map(String));
      }
    } else throw new DvcFileError(`${where} has an entry that is neither a name nor {file: [names]}.`);
  }
  return params;
}

/** The stage as dvc.yaml (`def`) defines it, else as its lock entry (`lock`) records it. */
export function stageSpec(
  dirRel: string,
  name: string,
  def: Dict | undefined,
  lock: Dict | undefined
): StageSpec {
  const yamlRel = dirRel ? `${dirRel}/dvc.yaml` : 'dvc.yaml';
  const where = `${yamlRel} (stage "${name}")`;
  if (def) {
    const wdir = typeof def.wdir === 'string' ? def.wdir : '.';
    const base = wdir === '.' || wdir === '' ? dirRel : resolveInRoot(dirRel, wdir, `${where} wdir`);
    const outs = ['outs', 'metrics', 'plots'].flatMap((k) => pathsOf(def[k], `${where} ${k}`));
    return {
      name,
      source: `${yamlRel}:${name}`,
      wdir: base,
      cmd: def.cmd,
      deps: pathsOf(def.deps, `${where} deps`).map((d) => d.path),
      params: paramsOf(def.params, `${where} params`),
      outs
    };
  }
  const lockRel = dirRel ? `${dirRel}/dvc.lock` : 'dvc.lock';
  const paths = (list: unknown) =>
    (Array.isArray(list) ? list : []).filter(isDict).map((e) => String(e.path));
  const params = new Map<string, string[]>();
  if (isDict(lock?.params))
    for (const [file, values] of Object.entries(lock.params))
      params.set(file, isDict(values) ? Object.keys(values) : []);
  return {
    name,
    source: `${lockRel}:${name}`,
    wdir: dirRel,
    cmd: lock?.cmd,
    deps: paths(lock?.deps),
    params,
    outs: paths(lock?.outs).map((p) => ({ path: p, cache: true }))
  };
}

function lookup(doc: unknown, key: string): unknown {
  if (isDict(doc) && key in doc) return doc[key];
  let value: unknown = doc;
  for (const part of key.split('.')) {
    if (!isDict(value) || !(part in value)) return undefined;
    value = value[part];
  }
  return value;
}

function paramValues(root: string, spec: StageSpec): Dict {
  const files = [...spec.params.keys()].sort(compareCodePoints);
  const ordered = files.includes(DEFAULT_PARAMS)
    ? [DEFAULT_PARAMS, ...files.filter((f) => f !== DEFAULT_PARAMS)]
    : files;
  const result: Dict = {};
  for (const file of ordered) {
    const rel = resolveInRoot(spec.wdir, file, `${spec.source} params`);
    let doc: unknown;
    try {
      doc = YAML.parse(fs.readFileSync(path.join(root, rel), 'utf8'));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new DvcFileError(
        `${spec.source}: its params file ${rel} ${code ? `cannot be read (${code})` : 'is not valid YAML or JSON'}.`
      );
    }
    const keys = spec.params.get(file)!;
    if (!keys.length) {
      result[file] = doc;
      continue;
    }
    const values: Dict = {};
    for (const key of [...new Set(keys)].sort(compareCodePoints)) {
      const value = lookup(doc, key);
      if (value === undefined)
        throw new DvcFileError(`${spec.source}: the parameter ${key} is not in ${rel}; add it there.`);
      values[key] = value;
    }
    result[file] = values;
  }
  return result;
}

export interface StageRecord {
  entry: Dict;
  outs: Array<Recorded & { cache: boolean }>;
}

/** The stage's lock entry made from the workspace; `old` is its current entry, if any. */
export async function lockEntry(
  ctx: RecordContext,
  spec: StageSpec,
  old: Dict | undefined
): Promise<StageRecord> {
  const oldList = (key: string) => (Array.isArray(old?.[key]) ? (old[key] as unknown[]).filter(isDict) : []);
  const refresh = async (defPath: string, kind: 'deps' | 'outs') => {
    const where = `${spec.source} (${kind === 'deps' ? 'dependency' : 'output'} ${defPath})`;
    const rel = resolveInRoot(spec.wdir, defPath, where);
    const clean = (p: unknown) => String(p).replace(/^\.\//, '');
    const before = oldList(kind).find((e) => clean(e.path) === clean(defPath));
    return record(ctx, rel, defPath, before, 'lock', where);
  };
  const byPath = <T extends { path: string }>(list: T[]) =>
    [...list].sort((a, b) => compareCodePoints(a.path, b.path));
  const deps: Recorded[] = [];
  for (const d of byPath(spec.deps.map((p) => ({ path: p })))) deps.push(await refresh(d.path, 'deps'));
  const outs: Array<Recorded & { cache: boolean }> = [];
  for (const o of byPath(spec.outs)) outs.push({ ...(await refresh(o.path, 'outs')), cache: o.cache });
  const entry: Dict = { cmd: spec.cmd };
  if (deps.length) entry.deps = deps.map((d) => d.entry);
  const params = paramValues(ctx.root, spec);
  if (Object.keys(params).length) entry.params = params;
  if (outs.length) entry.outs = outs.map((o) => o.entry);
  return { entry, outs };
}
