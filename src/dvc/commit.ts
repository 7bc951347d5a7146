/**
 * Native `dvc commit`: for the outputs the targets name, workspace content that differs from what
 * its `.dvc` file or `dvc.lock` entry records is hashed, put into the local cache (unless the output
 * says `cache: false`), and recorded in place: the rest of the file keeps its text and order. A
 * dvc.yaml stage is recorded as a whole lock entry (cmd, deps, params, outs), as dvc does, and one
 * with no entry yet gets one. Everything is hashed and checked before the first byte is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import YAML from 'yaml';
import { silentLogger, type Logger } from '../report.js';
import { LocalCache } from './cache.js';
import { cacheDir, loadConfig } from './config.js';
import { DvcFileError, findDvcFiles, TargetError } from './dvcfiles.js';
import { MissingPathError, storeInCache, type Measured } from './measure.js';
import { ParentGuard, resolveInRoot } from './paths.js';
import { isDict, record, recordedId, type Dict, type RecordContext } from './record.js';
import { lockEntry, stageSpec, unsupportedStage } from './stage.js';
import { WorkspaceHashes } from './state.js';

export interface CommittedOutput {
  path: string;
  /** `data.dvc` or `dvc.lock:train`. */
  source: string;
  /** The md5 recorded before (undefined: none). */
  old?: string;
  new: string;
  cached: boolean;
}

export interface CommitReport {
  /** The .dvc / dvc.lock files rewritten, relative to the root. */
  files: string[];
  outputs: CommittedOutput[];
  /** Objects added to the cache. */
  cachedObjects: number;
  warnings: string[];
  /** Workspace files read and hashed, and those trusted from the state in .dvc/tmp. */
  hashed: number;
  trusted: number;
}

export interface CommitOptions {
  root: string;
  targets: string[];
  jobs?: number;
  log?: Logger;
  /** Default, the repository's own state, saved at the end. */
  hashes?: WorkspaceHashes;
}

type Unit = { kind: 'file'; rel: string } | { kind: 'stage'; dir: string; name: string };

function readDoc(root: string, rel: string): YAML.Document.Parsed | undefined {
  const file = path.join(root, rel);
  if (!fs.existsSync(file)) return undefined;
  const doc = YAML.parseDocument(fs.readFileSync(file, 'utf8'), { uniqueKeys: true });
  if (doc.errors.length)
    throw new DvcFileError(`${rel} is not valid YAML; fix it or regenerate it with dvc.`);
  return doc;
}

const dict = (v: unknown): Dict | undefined => (isDict(v) ? v : undefined);
const join = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);
const dirOf = (rel: string) => (path.posix.dirname(rel) === '.' ? '' : path.posix.dirname(rel));

/** A pipeline folder's stages: dvc.yaml definitions and dvc.lock entries, as plain data. */
function pipeline(root: string, dir: string): { defs: Dict; locks: Dict } {
  const yaml = readDoc(root, join(dir, 'dvc.yaml'))?.toJS();
  const lock = readDoc(root, join(dir, 'dvc.lock'))?.toJS();
  const defs: Dict = isDict(yaml) && isDict(yaml.stages) ? yaml.stages : {};
  const locks: Dict = isDict(lock) && isDict(lock.stages) ? lock.stages : {};
  return { defs, locks };
}

function stageNames(root: string, dir: string): string[] {
  const { defs, locks } = pipeline(root, dir);
  return [...new Set([...Object.keys(defs), ...Object.keys(locks)])];
}

/** Output paths (relative to the root) of a unit, for matching path targets. */
function unitPaths(root: string, unit: Unit): string[] {
  if (unit.kind === 'file') {
    const doc = readDoc(root, unit.rel)?.toJS();
    const outs = isDict(doc) && Array.isArray(doc.outs) ? doc.outs.filter(isDict) : [];
    return outs.map((o, i) => resolveInRoot(dirOf(unit.rel), o.path as string, `${unit.rel} (outs[${i}])`));
  }
  const { defs, locks } = pipeline(root, unit.dir);
  const def = dict(defs[unit.name]);
  if (def && unsupportedStage(def)) return [];
  const spec = stageSpec(unit.dir, unit.name, def, dict(locks[unit.name]));
  return spec.outs.map((o) => resolveInRoot(spec.wdir, o.path, spec.source));
}

/** The .dvc files and stages the targets name (all of them when there are none). */
export function commitUnits(root: string, targets: string[]): Unit[] {
  const { dvcFiles, pipelines } = findDvcFiles(root);
  const all: Unit[] = [
    ...dvcFiles.map((rel): Unit => ({ kind: 'file', rel })),
    ...pipelines.flatMap((dir) => stageNames(root, dir).map((name): Unit => ({ kind: 'stage', dir, name })))
  ];
  if (!targets.length) return all;
  const units: Unit[] = [];
  const add = (u: Unit) => {
    if (!units.some((x) => isDeepStrictEqual(x, u))) units.push(u);
  };
  for (const target of targets) {
    const colon = /^(.*(?:^|\/)dvc\.(?:yaml|lock)):([^/]+)$/.exec(target);
    const rel = path.posix.normalize((colon ? colon[1] : target).replace(/\\/g, '/')).replace(/^\.\//, '');
    if (rel.startsWith('../') || rel === '..' || path.isAbsolute(rel)) {
      throw new TargetError(
        `Input "targets" names ${JSON.stringify(target)}, which is outside the working directory.`
      );
    }
    const base = path.posix.basename(rel);
    if (base === 'dvc.yaml' || base === 'dvc.lock') {
      const dir = dirOf(rel);
      const names = fs.existsSync(path.join(root, rel)) ? stageNames(root, dir) : [];
      if (!names.length) throw new TargetError(`Input "targets" names ${target}, which does not exist.`);
      if (colon && !names.includes(colon[2])) {
        throw new TargetError(
          `Input "targets" names the stage ${JSON.stringify(colon[2])}, which ${join(dir, 'dvc.yaml')} does not define.`
        );
      }
      for (const name of colon ? [colon[2]] : names) add({ kind: 'stage', dir, name });
      continue;
    }
    if (dvcFiles.includes(rel)) {
      add({ kind: 'file', rel });
      continue;
    }
    const matching = all.filter((u) =>
      // A path inside a tracked folder (a granular target) commits that folder.
      unitPaths(root, u).some(
        (p) => rel === '.' || p === rel || p.startsWith(`${rel}/`) || rel.startsWith(`${p}/`)
      )
    );
    const stage = all.find((u) => u.kind === 'stage' && u.dir === '' && u.name === target);
    if (!matching.length && !stage) {
      throw new TargetError(
        `Input "targets" names ${JSON.stringify(target)}, which is not a .dvc file, a dvc.yaml stage or a path tracked by DVC.`
      );
    }
    for (const u of matching.length ? matching : [stage!]) add(u);
  }
  return units;
}

interface Pending {
  file: string;
  doc: YAML.Document;
  stores: Measured[];
  outputs: CommittedOutput[];
}

/** Records changed outputs; see the file comment. */
export async function commit(options: CommitOptions): Promise<CommitReport> {
  const { root } = options;
  const log = options.log ?? silentLogger;
  const config = loadConfig(root);
  const hashes = options.hashes ?? WorkspaceHashes.open(root);
  const ctx: RecordContext = {
    root,
    guard: new ParentGuard(root),
    jobs: options.jobs ?? 8,
    hashes,
    cacheDir: cacheDir(config)
  };
  const warnings: string[] = [];
  const pending = new Map<string, Pending>();
  const open = (file: string, make: () => YAML.Document) => {
    let p = pending.get(file);
    if (!p) pending.set(file, (p = { file, doc: make(), stores: [], outputs: [] }));
    return p;
  };
  const skipMissing = (e: unknown, recorded: boolean, what: string) => {
    if (!(e instanceof MissingPathError) || !recorded) throw e;
    warnings.push(
      `${e.message.replace(/, so there is nothing to record\.$/, '')}: ${what} kept as recorded.`
    );
  };

  // 1. Hash everything and make the new entries, writing nothing yet.
  for (const unit of commitUnits(root, options.targets)) {
    if (unit.kind === 'file') {
      const doc = readDoc(root, unit.rel)!;
      const outs = doc.toJS() as unknown;
      if (!isDict(outs) || !Array.isArray(outs.outs))
        throw new DvcFileError(`${unit.rel} must be a mapping with an "outs" list, as dvc add writes it.`);
      for (const [i, old] of outs.outs.entries()) {
        const where = `${unit.rel} (outs[${i}])`;
        if (!isDict(old)) throw new DvcFileError(`${where} must be a mapping with path and md5.`);
        const rel = resolveInRoot(dirOf(unit.rel), old.path as string, where);
        try {
          const r = await record(ctx, rel, String(old.path), old, 'dvcfile', where);
          if (!r.changed) continue;
          const p = open(unit.rel, () => doc);
          p.doc.setIn(['outs', i], p.doc.createNode(r.entry));
          const cached = old.cache !== false;
          if (cached) p.stores.push(r.measured);
          p.outputs.push({ path: rel, source: unit.rel, old: r.changed.old, new: r.measured.id, cached });
        } catch (e) {
          skipMissing(e, recordedId(old) !== undefined, unit.rel);
        }
      }
      continue;
    }
    const lockRel = join(unit.dir, 'dvc.lock');
    const { defs, locks } = pipeline(root, unit.dir);
    const def = dict(defs[unit.name]);
    const old = dict(locks[unit.name]);
    const why = def && unsupportedStage(def);
    if (why) {
      warnings.push(
        `${join(unit.dir, 'dvc.yaml')}: stage "${unit.name}" was not committed because ${why}; run dvc commit for it.`
      );
      continue;
    }
    if (def && (typeof def.cmd !== 'string' || !def.cmd) && !Array.isArray(def.cmd))
      throw new DvcFileError(`${join(unit.dir, 'dvc.yaml')}: stage "${unit.name}" has no cmd.`);
    const spec = stageSpec(unit.dir, unit.name, def, old);
    try {
      const made = await lockEntry(ctx, spec, old);
      if (old && isDeepStrictEqual(made.entry, old)) continue;
      const p = open(
        lockRel,
        () => readDoc(root, lockRel) ?? new YAML.Document({ schema: '2.0', stages: {} })
      );
      if (!p.doc.has('stages')) p.doc.set('stages', p.doc.createNode({}));
      p.doc.setIn(['stages', unit.name], p.doc.createNode(made.entry));
      for (const o of made.outs) {
        if (!o.changed && old) continue;
        if (o.cache) p.stores.push(o.measured);
        p.outputs.push({
          path: o.measured.path,
          source: `${lockRel}:${unit.name}`,
          old: o.changed?.old,
          new: o.measured.id,
          cached: o.cache
        });
      }
    } catch (e) {
      skipMissing(e, old !== undefined, `stage "${unit.name}" of ${lockRel}`);
    }
  }

  // 2. Objects into the cache, then the files (each through a temporary file and a rename).
  const cache = new LocalCache(cacheDir(config));
  let cachedObjects = 0;
  try {
    for (const p of pending.values())
      for (const m of p.stores) cachedObjects += await storeInCache(root, cache, m, ctx.jobs);
  } finally {
    cache.finish();
  }
  for (const p of pending.values()) {
    const target = path.join(root, p.file);
    const temp = `${target}.mlops-tmp`;
    fs.writeFileSync(temp, p.doc.toString({ indentSeq: false, lineWidth: 0, singleQuote: true }));
    fs.renameSync(temp, target);
    for (const o of p.outputs)
      log.info(`${o.source}: ${o.path} recorded as ${o.new}${o.old ? ` (was ${o.old})` : ''}.`);
  }
  for (const w of warnings) log.warning(w);
  if (!options.hashes) hashes.save();
  return {
    hashed: hashes.hashed,
    trusted: hashes.trusted,
    files: [...pending.keys()],
    outputs: [...pending.values()].flatMap((p) => p.outputs),
    cachedObjects,
    warnings
  };
}
