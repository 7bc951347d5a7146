/**
 * The tags every toolkit-made model and endpoint config carries. The AWS account is the source of
 * truth: rollback reads the history of an endpoint from these tags, not from a file on a runner.
 */
export const TAG = {
  endpoint: 'mlops-actions:endpoint',
  gitSha: 'mlops-actions:git-sha',
  image: 'mlops-actions:image',
  modelData: 'mlops-actions:model-data',
  /** The Model Registry package the model was made from (its versioned ARN), instead of model-data. */
  modelPackage: 'mlops-actions:model-package',
  runUrl: 'mlops-actions:run-url',
  strategy: 'mlops-actions:strategy',
  /** ISO time the config went live (its deployment succeeded). */
  wentLive: 'mlops-actions:went-live',
  /** ISO time the config was rolled back from, and why. */
  rolledBack: 'mlops-actions:rolled-back',
  rollbackReason: 'mlops-actions:rollback-reason',
  /** Weights canaries: the config that was live before, and the variant names. */
  previousConfig: 'mlops-actions:previous-config',
  liveVariant: 'mlops-actions:live-variant',
  candidateVariant: 'mlops-actions:candidate-variant',
  /** The run that made a model or config (its lease holder id): a retried create knows its own. */
  madeBy: 'mlops-actions:made-by',
  /** On the endpoint: the advisory lease of the run deploying it, and until when it holds. */
  lease: 'mlops-actions:lease',
  leaseExpires: 'mlops-actions:lease-expires'
} as const;

/**
 * How many tags the toolkit puts on one model or config at most (SageMaker allows 50 in all). The
 * lease tags are on the endpoint only; a model from a package carries model-package instead of
 * model-data (the package holds its model data), so both never count together.
 */
export const OWN_TAGS = 13;

export type Tags = Record<string, string>;

/** SageMaker tag values: at most 256 characters of letters, digits, spaces and _.:/=+-@. */
export function tagValue(value: string): string {
  return value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_').slice(0, 256);
}

export function toTagList(tags: Tags): Array<{ Key: string; Value: string }> {
  return Object.entries(tags)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([Key, Value]) => ({ Key, Value: tagValue(Value) }));
}

export function fromTagList(list: Array<{ Key?: string; Value?: string }> | undefined): Tags {
  return Object.fromEntries((list ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

/** The start of every version name of `endpoint` (the endpoint's name, cut to leave room). */
export function versionPrefix(endpoint: string): string {
  return endpoint.slice(0, 63 - 14 - 7 - 2).replace(/-+$/, '');
}

/** `<endpoint>-<yyyymmddhhmmss>-<sha7>`: a valid SageMaker name of at most 63 characters. */
export function versionName(endpoint: string, sha: string, now: Date): string {
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  const short = (sha.replace(/[^a-zA-Z0-9]/g, '').slice(0, 7) || 'local').toLowerCase();
  return `${versionPrefix(endpoint)}-${stamp}-${short}`;
}

/** Whether `name` has the shape of a version name of `endpoint` (its tags still decide). */
export function isVersionName(name: string, endpoint: string): boolean {
  const prefix = versionPrefix(endpoint);
  return name.startsWith(`${prefix}-`) && /^\d{14}-[a-z0-9]{1,7}$/.test(name.slice(prefix.length + 1));
}
