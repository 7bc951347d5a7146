/**
 * Amazon ECR for image pushes: the registry and a login from GetAuthorizationToken, and the
 * repository (found, or created with scan on push and immutable tags) with its tag mutability.
 */
import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  type ECRClient,
  type Repository
} from '@aws-sdk/client-ecr';
import { UserError } from '../errors.js';
import type { Logger } from '../report.js';
import { registryHost } from '../docker/reference.js';

const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** The account and region of an ECR registry host, or undefined for any other registry. */
export function parseEcrRegistry(host: string): { accountId: string; region: string } | undefined {
  const match = ECR_HOST.exec(host);
  return match ? { accountId: match[1], region: match[2] } : undefined;
}

export interface EcrLogin {
  /** The registry host (`123456789012.dkr.ecr.us-east-1.amazonaws.com`). */
  registry: string;
  username: string;
  password: string;
  expiresAt?: Date;
}

/** A Docker login for the caller's registry (or `registryId`'s) from the SDK's credentials. */
export async function ecrLogin(client: ECRClient, registryId?: string): Promise<EcrLogin> {
  const answer = await client.send(
    new GetAuthorizationTokenCommand(registryId ? { registryIds: [registryId] } : {})
  );
  const data = answer.authorizationData?.[0];
  if (!data?.authorizationToken || !data.proxyEndpoint) {
    throw new Error('ECR GetAuthorizationToken returned no authorization data.');
  }
  const decoded = Buffer.from(data.authorizationToken, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return {
    registry: registryHost(data.proxyEndpoint),
    username: decoded.slice(0, colon),
    password: decoded.slice(colon + 1),
    expiresAt: data.expiresAt
  };
}

export interface EcrRepository {
  name: string;
  uri?: string;
  created: boolean;
  mutability: string;
  exclusionFilters: string[];
  scanOnPush: boolean;
}

function describe(repository: Repository, created: boolean): EcrRepository {
  return {
    name: repository.repositoryName ?? '',
    uri: repository.repositoryUri,
    created,
    mutability: repository.imageTagMutability ?? 'MUTABLE',
    exclusionFilters: (repository.imageTagMutabilityExclusionFilters ?? []).map((f) => f.filter ?? ''),
    scanOnPush: repository.imageScanningConfiguration?.scanOnPush ?? false
  };
}

/** Finds the repository, or creates it (scan on push, immutable tags) when `create` is true. */
export async function ensureRepository(
  client: ECRClient,
  name: string,
  options: { create: boolean; registryId?: string; log: Logger }
): Promise<EcrRepository> {
  const find = async () => {
    try {
      const answer = await client.send(
        new DescribeRepositoriesCommand({ repositoryNames: [name], registryId: options.registryId })
      );
      return answer.repositories?.[0];
    } catch (e) {
      if ((e as Error).name === 'RepositoryNotFoundException') return undefined;
      throw e;
    }
  };
  const found = await find();
  if (found) return describe(found, false);
  if (!options.create) {
    throw new UserError(
      `The ECR repository "${name}" does not exist: create it, or set create-repository to true.`
    );
  }
  try {
    const answer = await client.send(
      new CreateRepositoryCommand({
        repositoryName: name,
        registryId: options.registryId,
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true }
      })
    );
    options.log.info(`Created the ECR repository ${name} (immutable tags, scan on push).`);
    return describe(answer.repository ?? { repositoryName: name, imageTagMutability: 'IMMUTABLE' }, true);
  } catch (e) {
    // Another job created it in the meantime.
    if ((e as Error).name !== 'RepositoryAlreadyExistsException') throw e;
    const again = await find();
    if (!again) throw e;
    return describe(again, false);
  }
}

function wildcard(filter: string): RegExp {
  return new RegExp(
    `^${filter
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`
  );
}

/** Whether ECR refuses to move `tag` once it exists in this repository. */
export function tagIsImmutable(repository: EcrRepository, tag: string): boolean {
  const excluded = repository.exclusionFilters.some((f) => wildcard(f).test(tag));
  switch (repository.mutability) {
    case 'IMMUTABLE':
      return true;
    case 'IMMUTABLE_WITH_EXCLUSION':
      return !excluded;
    case 'MUTABLE_WITH_EXCLUSION':
      return excluded;
    default:
      return false;
  }
}
