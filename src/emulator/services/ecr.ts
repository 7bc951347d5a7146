/**
 * ECR for the emulator. Repositories live in the emulator's state; the images are those of a real
 * registry on loopback (Debian's docker-registry on 127.0.0.1:5000 unless the emulator is given
 * another with `registry`), which `docker push` talks to directly: GetAuthorizationToken points
 * Docker at it, DescribeImages reads it through its own HTTP API. The registry itself has no notion
 * of immutable tags; build-image checks them against it before pushing, as it must for real ECR.
 */
import { randomBytes } from 'node:crypto';
import type { Emulator, RequestInfo, ServiceDefinition } from '../server.js';
import { AwsError } from '../protocol.js';
import { ACCOUNT_ID } from './sts.js';
import { RegistryClient, type ManifestInfo } from '../../docker/registry.js';
import { REPOSITORY, registryHost } from '../../docker/reference.js';

export const DEFAULT_REGISTRY = '127.0.0.1:5000';

const MUTABILITY = ['MUTABLE', 'IMMUTABLE', 'IMMUTABLE_WITH_EXCLUSION', 'MUTABLE_WITH_EXCLUSION'];

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

export function ecr(emulator: Emulator): ServiceDefinition {
  const configured = emulator.options.registry ?? DEFAULT_REGISTRY;
  const host = registryHost(configured);
  const registry = new RegistryClient(
    host,
    undefined,
    fetch,
    /^https?:\/\//.test(configured) ? configured.replace(/\/+$/, '') : undefined
  );
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
    const tags = (await reachRegistry(() => registry.tags(record.repositoryName))) ?? [];
    const byDigest = new Map<string, { manifest: ManifestInfo; tags: string[] }>();
    for (const tag of tags.sort()) {
      const manifest = await reachRegistry(() => registry.manifest(record.repositoryName, tag));
      if (!manifest) continue;
      const entry = byDigest.get(manifest.digest) ?? { manifest, tags: [] };
      entry.tags.push(tag);
      byDigest.set(manifest.digest, entry);
    }
    return [...byDigest.values()].map(({ manifest, tags: imageTags }) => detail(record, manifest, imageTags));
  };

  const detail = (record: RepositoryRecord, manifest: ManifestInfo, imageTags: string[]) => {
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
        return { repository: { ...record, createdAt: new Date(record.createdAt) } };
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
        return { repositories: items.map((r) => ({ ...r, createdAt: new Date(r.createdAt) })), nextToken };
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
        const status = input.filter?.tagStatus ?? 'ANY';
        if (!['TAGGED', 'UNTAGGED', 'ANY'].includes(status)) {
          throw invalid(
            `Invalid parameter at 'filter.tagStatus' failed to satisfy constraint: 'Member must satisfy enum value set: [TAGGED, UNTAGGED, ANY]'`
          );
        }
        // The registry API lists tags only, so untagged images are not seen.
        const all = status === 'UNTAGGED' ? [] : await images(record);
        const { items, nextToken } = page(all, input);
        return { imageDetails: items, nextToken };
      }
    }
  };
}
