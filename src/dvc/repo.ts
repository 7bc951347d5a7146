/**
 * A DVC repository as pull and push see it: its config, its cache, and the outputs the targets name,
 * each with the remote it moves through (its own `remote:`, else the `remote` input, else core.remote).
 */
import { cacheDir, defaultRemoteName, loadConfig, resolveRemote, unsupportedReason } from './config.js';
import type { DvcConfig, RemoteSpec } from './config.js';
import { collectOutputs, type Output } from './dvcfiles.js';
import { LocalCache } from './cache.js';
import { linkTypes, type LinkType } from './link.js';

export interface RepoOutput extends Output {
  remoteSpec: RemoteSpec;
}

export interface Repo {
  root: string;
  config: DvcConfig;
  cache: LocalCache;
  /** `cache.type`: how checkout puts objects in the workspace (checked when the repo is opened). */
  linkTypes: LinkType[];
  outputs: RepoOutput[];
  warnings: string[];
  /** Why the native engine cannot serve some remote (empty when it can serve them all). */
  unsupported: string[];
}

export interface OpenOptions {
  root: string;
  targets: string[];
  /** The `remote` input. */
  remote?: string;
  /** push: skip `push: false` outputs too. */
  forPush: boolean;
}

export function openRepo(options: OpenOptions): Repo {
  const config = loadConfig(options.root);
  const { outputs, warnings } = collectOutputs(options.root, options.targets);
  const remotes = new Map<string, RemoteSpec>();
  // A named remote must exist even when the targets name no data.
  if (options.remote?.trim()) {
    const name = options.remote.trim().toLowerCase();
    remotes.set(name, resolveRemote(config, name, 'Input "remote"'));
  }
  const chosen: RepoOutput[] = [];
  for (const out of outputs) {
    if (!out.cache || (options.forPush && !out.push)) continue;
    const name = out.remote ?? defaultRemoteName(config, options.remote);
    const via = out.remote
      ? `${out.source} (output ${out.path})`
      : options.remote
        ? 'Input "remote"'
        : 'core.remote';
    let spec = remotes.get(name);
    if (!spec) {
      spec = resolveRemote(config, name, via);
      remotes.set(name, spec);
    }
    chosen.push({ ...out, remoteSpec: spec });
  }
  const unsupported = [...remotes.values()].map(unsupportedReason).filter((r): r is string => !!r);
  return {
    root: options.root,
    config,
    cache: new LocalCache(cacheDir(config)),
    linkTypes: linkTypes(config),
    outputs: chosen,
    warnings,
    unsupported
  };
}
