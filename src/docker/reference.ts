/** Image references as the registry API defines them: repository names, tags, registry hosts, digests. */

/** A repository path: lower-case components separated by `/`, each `a-z0-9` joined by `.`, `_`, `__` or dashes. */
export const REPOSITORY =
  /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
/** A tag: up to 128 word characters, dots and dashes, not starting with a dot or dash. */
export const TAG = /^[\w][\w.-]{0,127}$/;
/** A registry host with an optional port (`123456789012.dkr.ecr.us-east-1.amazonaws.com`, `127.0.0.1:5000`). */
export const REGISTRY =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d{1,5})?$/;
export const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** `https://host/` or `host` -> `host`. */
export function registryHost(value: string): string {
  return value.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
}

/** A branch or ref name made a valid tag: `feature/New thing` -> `feature-new-thing`. */
export function tagSafe(name: string): string {
  return name
    .replace(/[^\w.-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 128)
    .replace(/[.-]+$/, '');
}

export function imageRef(registry: string | undefined, repository: string, tag: string): string {
  return `${registry ? `${registry}/` : ''}${repository}:${tag}`;
}

export function digestRef(registry: string | undefined, repository: string, digest: string): string {
  return `${registry ? `${registry}/` : ''}${repository}@${digest}`;
}

/** Loopback registries speak plain HTTP (Docker allows them without TLS); all others HTTPS. */
export function registryUrl(host: string): string {
  const name = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const loopback = name === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(name) || name === '::1';
  return `${loopback ? 'http' : 'https'}://${host}`;
}

/** The last path component of an image reference, without tag or digest: for container names. */
export function shortName(image: string): string {
  const path = image.split('@')[0];
  const last = path.slice(path.lastIndexOf('/') + 1);
  const name = last.includes(':') ? last.slice(0, last.indexOf(':')) : last;
  return name.replace(/[^a-zA-Z0-9_.-]/g, '-').replace(/^[^a-zA-Z0-9]+/, '') || 'image';
}
