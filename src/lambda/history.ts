/**
 * The deployment history of a Lambda function, kept in AWS itself: Lambda tags functions, not
 * versions or aliases, so the toolkit's record lives in the function's tags, one set per alias
 * (`<alias>` is the alias name; values use only the characters tag values allow).
 * - `mlops-actions:<alias>:live`: versions that went live on the alias, newest first, space-separated,
 *   at most LIVE_KEPT (`7 5 3`): rollback reads its target here, keep-versions never deletes them.
 * - `mlops-actions:<alias>:rolled-back`: versions rolled back from, newest first (same bound).
 * - `mlops-actions:<alias>:deployment`: the deployment under way, `version=8 from=7 by=<holder>
 *   at=<ISO time> strategy=canary`: a lease for two runs at once and what a re-run reconciles.
 * A published version's Description carries the commit: `mlops-actions <sha> <run url>` (at most
 * 256 characters).
 */

export const LIVE_KEPT = 10;
const PREFIX = 'mlops-actions:';

export function tagKeys(alias: string): { live: string; rolledBack: string; deployment: string } {
  return {
    live: `${PREFIX}${alias}:live`,
    rolledBack: `${PREFIX}${alias}:rolled-back`,
    deployment: `${PREFIX}${alias}:deployment`
  };
}

/** Lambda tag values: at most 256 characters of letters, digits, spaces and _.:/=+-@. */
export function tagValue(value: string): string {
  return value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_').slice(0, 256);
}

export function parseVersions(value: string | undefined): string[] {
  return (value ?? '').split(/\s+/).filter((v) => /^\d+$/.test(v));
}

/** `version` first, then the others without it, bounded. */
export function pushVersion(value: string | undefined, version: string): string {
  return [version, ...parseVersions(value).filter((v) => v !== version)].slice(0, LIVE_KEPT).join(' ');
}

export interface Deployment {
  /** The new version (empty while it is not published yet: `version=-`). */
  version: string;
  /** The version live before (empty on a first deployment). */
  from: string;
  by: string;
  at: string;
  strategy: string;
}

export function formatDeployment(d: Deployment): string {
  return tagValue(
    `version=${d.version || '-'} from=${d.from || '-'} by=${d.by} at=${d.at} strategy=${d.strategy}`
  );
}

export function parseDeployment(value: string | undefined): Deployment | undefined {
  if (!value) return undefined;
  const fields = Object.fromEntries(
    value
      .split(/\s+/)
      .map((part) => part.split('='))
      .filter((kv) => kv.length === 2)
  );
  // `version=-`: the lease is taken, the version not published yet.
  if (!/^(\d+|-)$/.test(fields.version ?? '')) return undefined;
  return {
    version: fields.version === '-' ? '' : fields.version,
    from: fields.from === '-' ? '' : (fields.from ?? ''),
    by: fields.by ?? '',
    at: fields.at ?? '',
    strategy: fields.strategy ?? ''
  };
}

export function versionDescription(sha: string, runUrl?: string): string {
  return `mlops-actions ${sha}${runUrl ? ` ${runUrl}` : ''}`.slice(0, 256);
}
