/**
 * ECR for the emulator. Repositories live in the emulator's state; the images are those of a real
 * registry on loopback (Debian's docker-registry on 127.0.0.1:5000 unless the emulator is given
 * another with `registry`), which `docker push` talks to directly: GetAuthorizationToken points
 * Docker at it; DescribeImages, ListImages and BatchGetImage read it through its HTTP API (the
 * distribution spec), and a forced DeleteRepository deletes its manifests there. The registry itself
 * has no notion of immutable tags; build-image checks them against it before pushing, as it must for
 * real ECR. The registry API lists tags only, so untagged images are not seen (UNTAGGED lists none).
 *
 * repositoryUri is the pull address, `<registry>/<name>` (`127.0.0.1:5000/my-repo`), not AWS's
 * `<account>.dkr.ecr.<region>.amazonaws.com/<name>`. Scripts hand repositoryUri to Docker
 * (`docker push "$(aws ecr describe-repositories ... --query 'repositories[0].repositoryUri')"`), and
 * an AWS-shaped name would make Docker resolve and contact amazonaws.com: leaving this machine, which
 * the emulator must never cause. No name has both shapes: Docker only treats loopback hosts as plain
 * HTTP registries, and parsers of ECR URIs expect the `.amazonaws.com` suffix. So it stays consistent
 * with proxyEndpoint (what `docker login` and build-image use), and the account and region are given
 * in AWS's shape where code should read them: `registryId` and
 * `repositoryArn` (`arn:aws:ecr:<region>:<account>:repository/<name>`).
 *
 * A forced DeleteRepository deletes each manifest (by digest) through the registry API; the blobs
 * stay until the registry's garbage collection. A registry that refuses deletes (docker-registry
 * without `storage.delete.enabled: true` answers 405) keeps the images: the repository still goes
 * from the emulator's state, and a repository created again under that name shows them again.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Emulator, RequestInfo, ServiceDefinition } from '../server.js';
import { AwsError } from '../protocol.js';
import { ACCOUNT_ID } from './sts.js';
import { REPOSITORY, registryHost, registryUrl } from '../../docker/reference.js';

export const DEFAULT_REGISTRY = '127.0.0.1:5000';

const MUTABILITY = ['MUTABLE', 'IMMUTABLE', 'IMMUTABLE_WITH_EXCLUSION', 'MUTABLE_WITH_EXCLUSION'];

/** The manifest types the emulator asks its registry for. */
const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json'
];

interface RepositoryRecord {
  repositoryName: string;
  repositoryArn: string;
  registryId: string;
  repositoryUri: string;
  createdAt: string;
  imageTagMutability: string;
  imageTagMutabilityExclusionFilters?: Array<{ filterType: string; filter: string }>;
  imageScanningConfiguration: { scanOnPush: boolean };
  encryptionConfiguration: { encryptionType: string };
}

interface EcrState {
  repositories: Record<string, RepositoryRecord>;
  /** When the emulator first saw each `repository@digest`: the registry keeps no push time. */
  firstSeen: Record<string, string>;
  /** The passwords handed out (tests check none leaks into a log). */
  passwords: string[];
}

const invalid = (message: string) => new AwsError('InvalidParameterException', message);

/** The media types BatchGetImage accepts (ECR's list, schema 1 included). */
const ACCEPTABLE = ['application/vnd.docker.distribution.manifest.v1+json', ...MANIFEST_TYPES];

function tagStatus(filter?: { tagStatus?: string }): string {
  const status = filter?.tagStatus ?? 'ANY';
  if (!['TAGGED', 'UNTAGGED', 'ANY'].includes(status)) {
    throw invalid(
      `Invalid parameter at 'filter.tagStatus' failed to satisfy constraint: 'Member must satisfy enum value set: [TAGGED, UNTAGGED, ANY]'`
    );
  }
  return status;
}

/** A repository as ECR answers it (createdAt a timestamp). */
const view = (record: RepositoryRecord) => ({ ...record, createdAt: new Date(record.createdAt) });

function page<T>(
  items: T[],
  input: { maxResults?: number; nextToken?: string },
  limit = 1000
): { items: T[]; nextToken?: string } {
  const max = input.maxResults ?? 100;
  if (!Number.isInteger(max) || max < 1 || max > limit) {
    throw invalid(
      `Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value between 1 and ${limit}'`
    );
  }
  const start = input.nextToken ? Number(Buffer.from(input.nextToken, 'base64').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0) throw invalid('Invalid parameter at nextToken');
  const end = start + max;
  return {
    items: items.slice(start, end),
    nextToken: end < items.length ? Buffer.from(String(end)).toString('base64') : undefined
  };
}

interface Manifest {
  /** sha256 of the manifest as stored: what `repository@digest` pulls. */
  digest: string;
  mediaType: string;
  /** The manifest text as the registry sent it. */
  text: string;
  /** The config and layers (or the manifests of an index), in bytes. */
  size: number;
}

/**
 * The emulator's own reader of its registry (plain HTTP, no auth, as a loopback registry is): the
 * emulator checks the engines, so it shares no registry code with them.
 */
class Registry {
  constructor(readonly url: string) {}

  private async call(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.url}${path}`, { ...init, signal: AbortSignal.timeout(60_000) });
  }

  /** The tags of a repository, every page; [] when the registry has no such repository. */
  async tags(repository: string): Promise<string[]> {
    const tags: string[] = [];
    let next: string | undefined = `/v2/${repository}/tags/list?n=1000`;
    while (next) {
      const response = await this.call(next, { headers: { accept: 'application/json' } });
      if (response.status === 404) return [];
      if (!response.ok) throw new Error(`HTTP ${response.status} listing the tags of ${repository}`);
      const body = (await response.json()) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
    }
    return tags;
  }

  /** What `repository:reference` (a tag or digest) holds, or undefined when nothing. */
  async manifest(
    repository: string,
    reference: string,
    accept = MANIFEST_TYPES
  ): Promise<Manifest | undefined> {
    const response = await this.call(`/v2/${repository}/manifests/${reference}`, {
      headers: { accept: accept.join(', ') }
    });
    const body = Buffer.from(await response.arrayBuffer());
    if (response.status === 404) return undefined;
    if (!response.ok) {
      throw new Error(
        `HTTP ${response.status} for ${repository}:${reference}: ${body.toString('utf8').slice(0, 200)}`
      );
    }
    const text = body.toString('utf8');
    const parsed = JSON.parse(text) as {
      mediaType?: string;
      config?: { size: number };
      layers?: Array<{ size: number }>;
      manifests?: Array<{ size: number }>;
    };
    const parts = [parsed.config, ...(parsed.layers ?? []), ...(parsed.manifests ?? [])];
    return {
      digest: `sha256:${createHash('sha256').update(body).digest('hex')}`,
      mediaType: parsed.mediaType ?? response.headers.get('content-type') ?? '',
      text,
      size: parts.reduce((sum, p) => sum + (p?.size ?? 0), 0)
    };
  }

  /** Deletes a manifest by digest; false when the registry refuses deletes (405). */
  async deleteManifest(repository: string, digest: string): Promise<boolean> {
    const response = await this.call(`/v2/${repository}/manifests/${digest}`, { method: 'DELETE' });
    await response.arrayBuffer();
    if (response.status === 405) return false;
    if (!response.ok && response.status !== 404) {
      throw new Error(`HTTP ${response.status} deleting ${repository}@${digest}`);
    }
    return true;
  }
}

interface ImageId {
  imageTag?: string;
  imageDigest?: string;
}

/** The registry the emulator's ECR reads: `registry` of the options, or the default. */
function registryOf(emulator: Emulator): { host: string; registry: Registry } {
  const configured = emulator.options.registry ?? DEFAULT_REGISTRY;
  const host = registryHost(configured);
  const url = /^https?:\/\//.test(configured) ? configured.replace(/\/+$/, '') : registryUrl(host);
  return { host, registry: new Registry(url) };
}

/**
 * What `repository:reference` (a tag or `sha256:` digest) of the emulator's ECR holds, for other
 * services that take an ECR image (Lambda's ImageUri): `no-repository` when ECR has no such
 * repository, undefined when its registry has no such image. Throws when the registry does not answer.
 */
export async function ecrImage(
  emulator: Emulator,
  repository: string,
  reference: string
): Promise<{ digest: string; size: number; registry: string } | 'no-repository' | undefined> {
  const ecrState = emulator.stateOf<EcrState>('ecr', () => ({
    repositories: {},
    firstSeen: {},
    passwords: []
  }));
  if (!ecrState.repositories[repository]) return 'no-repository';
  const { host, registry } = registryOf(emulator);
  const manifest = await registry.manifest(repository, reference);
  return manifest && { digest: manifest.digest, size: manifest.size, registry: host };
}

export function ecr(emulator: Emulator): ServiceDefinition {
  const { host, registry } = registryOf(emulator);
  const state = () =>
    emulator.stateOf<EcrState>('ecr', () => ({ repositories: {}, firstSeen: {}, passwords: [] }));

  const notFound = (name: string, registryId = ACCOUNT_ID) =>
    new AwsError(
      'RepositoryNotFoundException',
      `The repository with name '${name}' does not exist in the registry with id '${registryId}'`
    );

  const repository = (name: unknown): RepositoryRecord => {
    if (typeof name !== 'string' || !name)
      throw invalid(
        "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'Member must not be null'"
      );
    const found = state().repositories[name];
    if (!found) throw notFound(name);
    return found;
  };

  const reachRegistry = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      throw new AwsError(
        'ServerException',
        `The emulator could not read the registry at ${registry.url}: ${(e as Error).message}`,
        500
      );
    }
  };

  /** Every tagged image of a repository, grouped by digest, as ECR's imageDetails. */
  const images = async (record: RepositoryRecord) => {
    const tags = await reachRegistry(() => registry.tags(record.repositoryName));
    const byDigest = new Map<string, { manifest: Manifest; tags: string[] }>();
    for (const tag of tags.sort()) {
      const manifest = await reachRegistry(() => registry.manifest(record.repositoryName, tag));
      if (!manifest) continue;
      const entry = byDigest.get(manifest.digest) ?? { manifest, tags: [] };
      entry.tags.push(tag);
      byDigest.set(manifest.digest, entry);
    }
    return [...byDigest.values()].map(({ manifest, tags: imageTags }) => detail(record, manifest, imageTags));
  };

  const detail = (record: RepositoryRecord, manifest: Manifest, imageTags: string[]) => {
    const key = `${record.repositoryName}@${manifest.digest}`;
    const seen = (state().firstSeen[key] ??= new Date(emulator.now()).toISOString());
    return {
      registryId: record.registryId,
      repositoryName: record.repositoryName,
      imageDigest: manifest.digest,
      imageTags: imageTags.length ? imageTags : undefined,
      imageSizeInBytes: manifest.size,
      imagePushedAt: new Date(seen),
      imageManifestMediaType: manifest.mediaType
    };
  };

  return {
    name: 'ecr',
    signingName: 'ecr',
    protocol: 'json1.1',
    targetPrefix: 'AmazonEC2ContainerRegistry_V20150921',
    operations: {
      GetAuthorizationToken: (input: { registryIds?: string[] }) => {
        const ids = input.registryIds?.length ? input.registryIds : [ACCOUNT_ID];
        return {
          authorizationData: ids.map(() => {
            const password = randomBytes(24).toString('base64url');
            const passwords = state().passwords;
            passwords.push(password);
            passwords.splice(0, Math.max(0, passwords.length - 20));
            return {
              authorizationToken: Buffer.from(`AWS:${password}`).toString('base64'),
              expiresAt: new Date(emulator.now() + 12 * 3600 * 1000),
              proxyEndpoint: registry.url
            };
          })
        };
      },

      CreateRepository: (
        input: {
          repositoryName?: string;
          registryId?: string;
          imageTagMutability?: string;
          imageTagMutabilityExclusionFilters?: Array<{ filterType: string; filter: string }>;
          imageScanningConfiguration?: { scanOnPush?: boolean };
          encryptionConfiguration?: { encryptionType?: string };
        },
        request: RequestInfo
      ) => {
        const name = input.repositoryName ?? '';
        if (!REPOSITORY.test(name) || name.length < 2 || name.length > 256) {
          throw invalid(
            `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''`
          );
        }
        const mutability = input.imageTagMutability ?? 'MUTABLE';
        if (!MUTABILITY.includes(mutability)) {
          throw invalid(
            `Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: [${MUTABILITY.join(', ')}]'`
          );
        }
        const registryId = input.registryId ?? ACCOUNT_ID;
        if (state().repositories[name]) {
          throw new AwsError(
            'RepositoryAlreadyExistsException',
            `The repository with name '${name}' already exists in the registry with id '${registryId}'`
          );
        }
        const region = request.region ?? 'us-east-1';
        const record: RepositoryRecord = {
          repositoryName: name,
          repositoryArn: `arn:aws:ecr:${region}:${registryId}:repository/${name}`,
          registryId,
          repositoryUri: `${host}/${name}`,
          createdAt: new Date(emulator.now()).toISOString(),
          imageTagMutability: mutability,
          ...(input.imageTagMutabilityExclusionFilters?.length
            ? { imageTagMutabilityExclusionFilters: input.imageTagMutabilityExclusionFilters }
            : {}),
          imageScanningConfiguration: { scanOnPush: input.imageScanningConfiguration?.scanOnPush ?? false },
          encryptionConfiguration: {
            encryptionType: input.encryptionConfiguration?.encryptionType ?? 'AES256'
          }
        };
        state().repositories[name] = record;
        return { repository: view(record) };
      },

      DescribeRepositories: (input: {
        repositoryNames?: string[];
        maxResults?: number;
        nextToken?: string;
        registryId?: string;
      }) => {
        const all = state().repositories;
        let list: RepositoryRecord[];
        if (input.repositoryNames?.length) {
          list = input.repositoryNames.map((name) => {
            if (!all[name]) throw notFound(name, input.registryId);
            return all[name];
          });
        } else {
          list = Object.values(all).sort((a, b) => a.repositoryName.localeCompare(b.repositoryName));
        }
        const { items, nextToken } = input.repositoryNames?.length
          ? { items: list, nextToken: undefined }
          : page(list, input);
        return { repositories: items.map(view), nextToken };
      },

      DescribeImages: async (input: {
        repositoryName?: string;
        imageIds?: Array<{ imageTag?: string; imageDigest?: string }>;
        filter?: { tagStatus?: string };
        maxResults?: number;
        nextToken?: string;
      }) => {
        const record = repository(input.repositoryName);
        if (input.imageIds?.length) {
          const tagged = await images(record);
          const details = [];
          for (const id of input.imageIds) {
            const reference = id.imageDigest ?? id.imageTag;
            let manifest = reference
              ? await reachRegistry(() => registry.manifest(record.repositoryName, reference))
              : undefined;
            if (manifest && id.imageDigest && id.imageTag) {
              const byTag = await reachRegistry(() => registry.manifest(record.repositoryName, id.imageTag!));
              if (byTag?.digest !== manifest.digest) manifest = undefined;
            }
            if (!manifest) {
              throw new AwsError(
                'ImageNotFoundException',
                `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} does not exist within the repository with name '${record.repositoryName}' in the registry with id '${record.registryId}'`
              );
            }
            const digest = manifest.digest;
            details.push(tagged.find((d) => d.imageDigest === digest) ?? detail(record, manifest, []));
          }
          return { imageDetails: details };
        }
        const status = tagStatus(input.filter);
        // The registry API lists tags only, so untagged images are not seen.
        const all = status === 'UNTAGGED' ? [] : await images(record);
        const { items, nextToken } = page(all, input);
        return { imageDetails: items, nextToken };
      },

      ListImages: async (input: {
        repositoryName?: string;
        registryId?: string;
        filter?: { tagStatus?: string };
        maxResults?: number;
        nextToken?: string;
      }) => {
        const record = repository(input.repositoryName);
        const status = tagStatus(input.filter);
        // One imageId per tag, as ECR lists them; untagged images are not visible through the registry API.
        const ids =
          status === 'UNTAGGED'
            ? []
            : (await images(record)).flatMap((d) =>
                (d.imageTags ?? []).map((imageTag) => ({ imageDigest: d.imageDigest, imageTag }))
              );
        const { items, nextToken } = page(ids, input);
        return { imageIds: items, nextToken };
      },

      BatchGetImage: async (input: {
        repositoryName?: string;
        registryId?: string;
        imageIds?: ImageId[];
        acceptedMediaTypes?: string[];
      }) => {
        const record = repository(input.repositoryName);
        const ids = input.imageIds ?? [];
        if (ids.length < 1 || ids.length > 100) {
          throw invalid(
            "Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length less than or equal to 100, Member must have length greater than or equal to 1'"
          );
        }
        const accepted = input.acceptedMediaTypes?.length ? input.acceptedMediaTypes : MANIFEST_TYPES;
        const unknownType = accepted.find((t) => !ACCEPTABLE.includes(t));
        if (unknownType || accepted.length > 100) {
          throw invalid(
            `Invalid parameter at 'acceptedMediaTypes' failed to satisfy constraint: 'Member must satisfy enum value set: [${ACCEPTABLE.join(', ')}]'`
          );
        }
        const found = [];
        const failures: Array<{ imageId: ImageId; failureCode: string; failureReason: string }> = [];
        for (const id of ids) {
          const failure = (failureCode: string, failureReason: string) =>
            failures.push({ imageId: id, failureCode, failureReason });
          if (!id.imageDigest && !id.imageTag) {
            failure(
              'MissingDigestAndTag',
              'Invalid request parameters: image tag and digest cannot both be null'
            );
            continue;
          }
          if (id.imageDigest && !/^[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+$/.test(id.imageDigest)) {
            failure(
              'InvalidImageDigest',
              "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'"
            );
            continue;
          }
          if (id.imageTag && !/^[\w][\w.-]{0,299}$/.test(id.imageTag)) {
            failure(
              'InvalidImageTag',
              "Invalid request parameters: image tag should satisfy the regex '[a-zA-Z0-9-_.]+'"
            );
            continue;
          }
          const reference = id.imageDigest ?? id.imageTag!;
          const manifest = await reachRegistry(() =>
            registry.manifest(record.repositoryName, reference, accepted)
          );
          if (!manifest || !accepted.includes(manifest.mediaType)) {
            failure('ImageNotFound', 'Requested image not found');
            continue;
          }
          if (id.imageDigest && id.imageTag) {
            const byTag = await reachRegistry(() => registry.manifest(record.repositoryName, id.imageTag!));
            if (!byTag) {
              failure('ImageNotFound', 'Requested image not found');
              continue;
            }
            if (byTag.digest !== manifest.digest) {
              failure(
                'ImageTagDoesNotMatchDigest',
                'Invalid request parameters: given tag does not map to the given digest'
              );
              continue;
            }
          }
          found.push({
            registryId: record.registryId,
            repositoryName: record.repositoryName,
            imageId: { imageDigest: manifest.digest, ...(id.imageTag ? { imageTag: id.imageTag } : {}) },
            imageManifest: manifest.text,
            imageManifestMediaType: manifest.mediaType
          });
        }
        return { images: found, failures };
      },

      DeleteRepository: async (input: { repositoryName?: string; registryId?: string; force?: boolean }) => {
        const record = repository(input.repositoryName);
        const held = await images(record);
        if (held.length && !input.force) {
          throw new AwsError(
            'RepositoryNotEmptyException',
            `The repository with name '${record.repositoryName}' in registry with id '${record.registryId}' cannot be deleted because it still contains images`
          );
        }
        for (const image of held) {
          // A registry that refuses deletes keeps the images (see the module comment).
          await reachRegistry(() => registry.deleteManifest(record.repositoryName, image.imageDigest));
          delete state().firstSeen[`${record.repositoryName}@${image.imageDigest}`];
        }
        delete state().repositories[record.repositoryName];
        return { repository: view(record) };
      }
    }
  };
}
