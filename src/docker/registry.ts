/**
 * A small client of the registry HTTP API (the OCI distribution spec): what a tag holds, read from
 * the registry itself. Authenticates the way Docker does: an anonymous request first, then the
 * scheme the `WWW-Authenticate` challenge names, Basic (ECR) or a Bearer token from the realm
 * (Docker Hub, GHCR), with the credentials given.
 */
import { createHash } from 'node:crypto';
import { UserError } from '../errors.js';
import { registryUrl } from './reference.js';

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface ManifestInfo {
  /** The digest of the manifest as stored: what `repository@digest` pulls. */
  digest: string;
  mediaType: string;
  /** The image config's digest: the image ID of a single-platform image in a Docker engine. */
  configDigest?: string;
  /** The config and layers, in bytes (the compressed size the registry stores). */
  size: number;
}

export const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json'
];

type Fetch = typeof fetch;

export class RegistryClient {
  private authorization?: string;
  readonly url: string;

  constructor(
    readonly host: string,
    private readonly credentials?: RegistryCredentials,
    private readonly fetchImpl: Fetch = fetch,
    baseUrl?: string
  ) {
    this.url = baseUrl ?? registryUrl(host);
  }

  /** What `repository:reference` holds, or undefined when the registry has no such tag or digest. */
  async manifest(repository: string, reference: string): Promise<ManifestInfo | undefined> {
    const response = await this.get(`/v2/${repository}/manifests/${reference}`, repository, {
      accept: MANIFEST_TYPES.join(', ')
    });
    if (response.status === 404) return undefined;
    const body = Buffer.from(await response.arrayBuffer());
    if (!response.ok) {
      throw new Error(
        `The registry ${this.host} answered ${response.status} for ${repository}:${reference}: ${body.toString('utf8').slice(0, 200)}`
      );
    }
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const header = response.headers.get('docker-content-digest');
    if (header && header !== digest && header.startsWith('sha256:')) {
      throw new Error(`The registry ${this.host} sent a manifest whose digest is not ${header}.`);
    }
    const manifest = JSON.parse(body.toString('utf8')) as {
      mediaType?: string;
      config?: { digest: string; size: number };
      layers?: Array<{ size: number }>;
      manifests?: Array<{ size: number }>;
    };
    const parts = [manifest.config, ...(manifest.layers ?? []), ...(manifest.manifests ?? [])];
    return {
      digest,
      mediaType: manifest.mediaType ?? response.headers.get('content-type') ?? '',
      configDigest: manifest.config?.digest,
      size: parts.reduce((sum, p) => sum + (p?.size ?? 0), 0)
    };
  }

  /** The tags of a repository (every page), or undefined when the registry has no such repository. */
  async tags(repository: string): Promise<string[] | undefined> {
    const tags: string[] = [];
    let next: string | undefined = `/v2/${repository}/tags/list?n=1000`;
    while (next) {
      const response = await this.get(next, repository, { accept: 'application/json' });
      if (response.status === 404) return undefined;
      if (!response.ok)
        throw new Error(`The registry ${this.host} answered ${response.status} listing ${repository}.`);
      const body = (await response.json()) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      // Link: </v2/name/tags/list?n=1000&last=x>; rel="next"
      next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
    }
    return tags;
  }

  private async get(path: string, repository: string, headers: Record<string, string>): Promise<Response> {
    const send = () =>
      this.fetchImpl(`${this.url}${path}`, {
        headers: { ...headers, ...(this.authorization ? { authorization: this.authorization } : {}) },
        signal: AbortSignal.timeout(60_000)
      });
    let response = await send();
    if (response.status !== 401) return response;
    await response.arrayBuffer();
    this.authorization = await this.authorize(response.headers.get('www-authenticate') ?? '', repository);
    response = await send();
    if (response.status === 401 || response.status === 403) {
      throw new UserError(
        `The registry ${this.host} refused ${this.credentials ? `the credentials of ${this.credentials.username}` : 'anonymous access'} (HTTP ${response.status}): check the username and password, or the permissions of the role.`
      );
    }
    return response;
  }

  private async authorize(challenge: string, repository: string): Promise<string> {
    const basic = this.credentials
      ? `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`
      : undefined;
    const [scheme] = challenge.split(' ', 1);
    if (scheme.toLowerCase() === 'basic') {
      if (!basic) {
        throw new UserError(`The registry ${this.host} needs a username and password.`);
      }
      return basic;
    }
    if (scheme.toLowerCase() !== 'bearer') {
      throw new Error(`The registry ${this.host} asks for an unknown authentication: ${challenge}`);
    }
    const params = Object.fromEntries(
      [...challenge.slice(scheme.length).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]])
    );
    if (!params.realm) throw new Error(`The registry ${this.host} sent no token realm: ${challenge}`);
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', params.scope ?? `repository:${repository}:pull`);
    const response = await this.fetchImpl(url, {
      headers: basic ? { authorization: basic } : {},
      signal: AbortSignal.timeout(60_000)
    });
    if (!response.ok) {
      throw new UserError(
        `The registry ${this.host} refused a token for ${repository} (HTTP ${response.status}): check the username and password.`
      );
    }
    const token = (await response.json()) as { token?: string; access_token?: string };
    return `Bearer ${token.token ?? token.access_token ?? ''}`;
  }
}
