/**
 * Pulls without credentials: a pull request from a fork gets none. An S3 remote whose client resolves
 * no credentials (its own keys, profile, or the SDK's default chain: environment, files, web identity,
 * container or instance roles) is not contacted at all; its objects come only from the Actions cache
 * entry a trusted workflow (a pull on the base branch, with credentials) saved. What that entry lacks
 * is reported as missing: named per output in the log, the job summary and the `missing` output; the
 * step fails unless allow-missing is true. Local remotes always count as reachable.
 */
import type { RemoteSpec } from './config.js';
import { s3ClientFor, type OpenerOptions } from './open.js';
import type { RemoteStore } from './remote.js';
import { listSome, type TransferReport } from './report.js';

/** How long the credential chain may take to say it has nothing (instance metadata may be slow). */
const RESOLVE_TIMEOUT_MS = 5000;

/** True when the remote can be read: a local folder, or an S3 client whose credentials resolve. */
export async function hasCredentials(spec: RemoteSpec, options: OpenerOptions): Promise<boolean> {
  if (spec.type !== 's3') return true;
  const client = s3ClientFor(spec, 1, options);
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), RESOLVE_TIMEOUT_MS);
    });
    const credentials = await Promise.race([client.config.credentials(), timeout]);
    return !!credentials?.accessKeyId;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    client.destroy();
  }
}

/** The remotes (by name) among `specs` that cannot be read for lack of credentials. */
export async function remotesWithoutCredentials(
  specs: RemoteSpec[],
  options: OpenerOptions
): Promise<RemoteSpec[]> {
  const unique = [...new Map(specs.map((s) => [s.name, s])).values()];
  const checks = await Promise.all(unique.map(async (s) => ((await hasCredentials(s, options)) ? [] : [s])));
  return checks.flat();
}

/** A remote that is never contacted: every object is missing from it. */
class CacheOnlyStore implements RemoteStore {
  constructor(readonly url: string) {}
  async get() {
    return undefined;
  }
  async exists() {
    return false;
  }
  async *list(): AsyncIterable<string[]> {
    // nothing to list
  }
  async put(): Promise<void> {
    throw new Error(`${this.url} has no credentials: nothing can be written to it.`);
  }
}

/** Wraps an opener so remotes without credentials are answered from the Actions cache alone. */
export function cacheOnlyOpener(
  open: (spec: RemoteSpec, jobs: number) => RemoteStore,
  without: RemoteSpec[]
): (spec: RemoteSpec, jobs: number) => RemoteStore {
  const names = new Set(without.map((s) => s.name));
  return (spec, jobs) =>
    names.has(spec.name) ? new CacheOnlyStore(`${spec.url} (no credentials)`) : open(spec, jobs);
}

/** The outputs that could not be got in full (missing objects), by workspace path. */
export function outputsNotGot(report: TransferReport): string[] {
  return report.outputs
    .filter((o) => o.missing.length)
    .map((o) => (o.kind === 'folder' ? `${o.path}/` : o.path));
}

/** The failure sentence of a pull without credentials that could not get everything. */
export function noCredentialsFailure(report: TransferReport, without: RemoteSpec[]): string {
  const outputs = outputsNotGot(report);
  const remotes = without.map((s) => s.url).join(', ');
  return `${outputs.length} ${outputs.length === 1 ? 'output' : 'outputs'} could not be got (${listSome(outputs)}): there are no credentials for ${remotes} (a pull request from a fork gets none), and the Actions cache entry published by the trusted workflow does not hold ${outputs.length === 1 ? 'it' : 'them'}. Run the trusted workflow on the base branch, or set allow-missing: true to pull the rest.`;
}
