/**
 * DVC's configuration as DVC reads it: `.dvc/config`, then `.dvc/config.local` over it (INI in
 * configobj's dialect); section `remote "NAME"` with or without surrounding quotes; keys and remote
 * names case-insensitive; `url = remote://other/sub` builds on another remote; relative local urls
 * and `cache.dir` resolve against `.dvc/`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';

export type Section = Record<string, string>;
export type Ini = Record<string, Section>;

export class ConfigError extends UserError {
  override name = 'ConfigError';
}

function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) return v.slice(1, -1);
  return v;
}

/** A value: quoted, or unquoted with an inline ` # comment` removed. */
function parseValue(raw: string): string {
  const v = raw.trim();
  if (v[0] === '"' || v[0] === "'") {
    const end = v.indexOf(v[0], 1);
    if (end > 0) return v.slice(1, end);
  }
  const comment = v.search(/\s#/);
  return (comment >= 0 ? v.slice(0, comment) : v).trim();
}

/** Parses configobj-style INI. `file` names the file in errors. */
export function parseIni(text: string, file: string): Ini {
  const ini: Ini = {};
  let section: Section | undefined;
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*(.*?)\s*\]\s*(#.*)?$/.exec(line);
    if (header && !header[1].startsWith('[')) {
      const name = unquote(header[1]).trim();
      if (!name) throw new ConfigError(`${file} line ${n + 1} has an empty section name.`);
      const remote = /^remote\s+"(.*)"$/i.exec(name) ?? /^remote\s+'(.*)'$/i.exec(name);
      const key = remote ? `remote "${remote[1].toLowerCase()}"` : name.toLowerCase();
      section = ini[key] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0 || !section) {
      throw new ConfigError(
        `${file} line ${n + 1} (${JSON.stringify(lines[n].trim().slice(0, 60))}) is not "key = value" inside a [section]; fix the file.`
      );
    }
    section[unquote(line.slice(0, eq)).toLowerCase()] = parseValue(line.slice(eq + 1));
  }
  return ini;
}

export interface DvcConfig {
  root: string;
  /** `.dvc/` */
  dvcDir: string;
  sections: Ini;
  /** The files read, for messages. */
  files: string[];
}

/** Reads `.dvc/config` and `.dvc/config.local` under `root` (at least one of them must exist). */
export function loadConfig(root: string): DvcConfig {
  const dvcDir = path.join(root, '.dvc');
  if (!fs.existsSync(dvcDir) || !fs.statSync(dvcDir).isDirectory()) {
    throw new ConfigError(
      `Input "working-directory" must be the root of a DVC repository, but ${root} has no .dvc/ folder (run dvc init there, or point working-directory at the folder that holds .dvc/).`
    );
  }
  const sections: Ini = {};
  const files: string[] = [];
  for (const name of ['config', 'config.local']) {
    const file = path.join(dvcDir, name);
    if (!fs.existsSync(file)) continue;
    files.push(`.dvc/${name}`);
    const ini = parseIni(fs.readFileSync(file, 'utf8'), `.dvc/${name}`);
    for (const [key, values] of Object.entries(ini)) Object.assign((sections[key] ??= {}), values);
  }
  if (!files.length) {
    throw new ConfigError(
      `${root} has no .dvc/config: run dvc init and dvc remote add -d NAME URL, then commit .dvc/config.`
    );
  }
  return { root, dvcDir, sections, files };
}

export function remoteNames(config: DvcConfig): string[] {
  return Object.keys(config.sections)
    .map((k) => /^remote "(.*)"$/.exec(k)?.[1])
    .filter((n): n is string => n !== undefined);
}

/** The cache folder: `cache.dir` (relative to .dvc/) or `.dvc/cache`. */
export function cacheDir(config: DvcConfig): string {
  const dir = config.sections.cache?.dir;
  return dir ? path.resolve(config.dvcDir, dir) : path.join(config.dvcDir, 'cache');
}

export type RemoteSpec =
  | { name: string; type: 's3'; url: string; bucket: string; prefix: string; options: Section }
  | { name: string; type: 'local'; url: string; path: string; options: Section }
  | { name: string; type: 'other'; scheme: string; url: string; options: Section };

/** Why a remote cannot be served natively (undefined when it can). */
export function unsupportedReason(spec: RemoteSpec): string | undefined {
  if (spec.type === 'other') {
    return `remote "${spec.name}" is a ${spec.scheme} remote (${spec.url}); the native engine reads S3 and local remotes`;
  }
  for (const key of ['version_aware', 'worktree']) {
    if (/^(true|1|yes)$/i.test(spec.options[key] ?? '')) {
      return `remote "${spec.name}" sets ${key} = true (a cloud-versioned remote), which the native engine does not support`;
    }
  }
  return undefined;
}

/** The remote to use when an output names none: the `remote` input, else `core.remote`. */
export function defaultRemoteName(config: DvcConfig, input: string | undefined): string {
  const name = input?.trim() || config.sections.core?.remote;
  if (!name) {
    throw new ConfigError(
      `No DVC remote is chosen: set one with dvc remote default NAME (core.remote in ${config.files.join(' or ')}) or give the input "remote".`
    );
  }
  return name.toLowerCase();
}

/** Resolves a remote by name, following `remote://` references. `via` names who asked (for errors). */
export function resolveRemote(config: DvcConfig, name: string, via: string, seen: string[] = []): RemoteSpec {
  const key = name.toLowerCase();
  const section = config.sections[`remote "${key}"`];
  if (!section) {
    const known = remoteNames(config);
    throw new ConfigError(
      `${via} names the remote "${name}", which ${config.files.join(' and ')} ${config.files.length > 1 ? 'do' : 'does'} not define (${known.length ? `known remotes: ${known.join(', ')}` : 'no remotes are defined'}); add it with dvc remote add.`
    );
  }
  if (seen.includes(key)) {
    throw new ConfigError(
      `Remote "${key}" refers to itself through remote:// urls (${[...seen, key].join(' -> ')}).`
    );
  }
  const url = section.url;
  if (!url)
    throw new ConfigError(
      `Remote "${key}" in ${config.files.join(' or ')} has no url; set url = s3://bucket/path.`
    );
  const ref = /^remote:\/\/([^/]+)(?:\/(.*))?$/.exec(url);
  if (ref) {
    const base = resolveRemote(config, ref[1], `Remote "${key}"`, [...seen, key]);
    const sub = (ref[2] ?? '').replace(/^\/+|\/+$/g, '');
    const options = { ...base.options, ...section };
    delete options.url;
    const joined = sub ? `${base.url.replace(/\/+$/, '')}/${sub}` : base.url;
    return buildSpec(key, joined, options, config);
  }
  const options = { ...section };
  delete options.url;
  return buildSpec(key, url, options, config);
}

function buildSpec(name: string, url: string, options: Section, config: DvcConfig): RemoteSpec {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 's3') {
    const rest = url.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '');
    if (!bucket)
      throw new ConfigError(
        `Remote "${name}" has the url ${url}, which names no bucket; use s3://bucket/path.`
      );
    return { name, type: 's3', url, bucket, prefix, options };
  }
  if (scheme === 'file')
    return { name, type: 'local', url, path: decodeURIComponent(new URL(url).pathname), options };
  if (scheme) return { name, type: 'other', scheme, url, options };
  return { name, type: 'local', url, path: path.resolve(config.dvcDir, url), options };
}
