/** ECR for pushes: login from GetAuthorizationToken, the repository found or created, tag mutability. */
import { mockClient } from 'aws-sdk-client-mock';
import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  RepositoryAlreadyExistsException,
  RepositoryNotFoundException
} from '@aws-sdk/client-ecr';
import {
  ecrLogin,
  ensureRepository,
  parseEcrRegistry,
  tagIsImmutable,
  type EcrRepository
} from '../../src/ecr/ecr.js';
import { UserError } from '../../src/errors.js';
import { MemoryLogger } from '../../src/report.js';

const ecr = mockClient(ECRClient);
const client = new ECRClient({ region: 'us-east-1' });
const notFound = () =>
  new RepositoryNotFoundException({
    message: "The repository with name 'news' does not exist in the registry with id '123456789012'",
    $metadata: {}
  });

beforeEach(() => ecr.reset());

describe('ECR login', () => {
  it('decodes the token into the username, the password and the registry host', async () => {
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [
        {
          authorizationToken: Buffer.from('AWS:s3cr3t:with:colons').toString('base64'),
          proxyEndpoint: 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com',
          expiresAt: new Date(0)
        }
      ]
    });
    expect(await ecrLogin(client)).toEqual({
      registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      username: 'AWS',
      password: 's3cr3t:with:colons',
      expiresAt: new Date(0)
    });
    expect(ecr.commandCalls(GetAuthorizationTokenCommand)[0].args[0].input).toEqual({});
  });

  it("asks for another account's registry by its id", async () => {
    ecr.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [
        { authorizationToken: Buffer.from('AWS:x').toString('base64'), proxyEndpoint: 'https://h' }
      ]
    });
    await ecrLogin(client, '210987654321');
    expect(ecr.commandCalls(GetAuthorizationTokenCommand)[0].args[0].input).toEqual({
      registryIds: ['210987654321']
    });
  });

  it('recognizes ECR hosts, FIPS and China included', () => {
    expect(parseEcrRegistry('123456789012.dkr.ecr.us-east-1.amazonaws.com')).toEqual({
      accountId: '123456789012',
      region: 'us-east-1'
    });
    expect(parseEcrRegistry('123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com')?.region).toBe(
      'us-gov-west-1'
    );
    expect(parseEcrRegistry('123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn')?.region).toBe('cn-north-1');
    expect(parseEcrRegistry('ghcr.io')).toBeUndefined();
    expect(parseEcrRegistry('127.0.0.1:5000')).toBeUndefined();
  });
});

describe('the repository', () => {
  it('an existing one is described, not created', async () => {
    ecr.on(DescribeRepositoriesCommand).resolves({
      repositories: [
        {
          repositoryName: 'news',
          imageTagMutability: 'MUTABLE',
          imageScanningConfiguration: { scanOnPush: false }
        }
      ]
    });
    const repo = await ensureRepository(client, 'news', { create: true, log: new MemoryLogger() });
    expect(repo).toMatchObject({ name: 'news', created: false, mutability: 'MUTABLE' });
    expect(ecr.commandCalls(CreateRepositoryCommand)).toHaveLength(0);
  });

  it('a missing one is created with scan on push and immutable tags', async () => {
    ecr.on(DescribeRepositoriesCommand).rejects(notFound());
    ecr.on(CreateRepositoryCommand).resolves({
      repository: {
        repositoryName: 'news',
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true }
      }
    });
    const log = new MemoryLogger();
    const repo = await ensureRepository(client, 'news', { create: true, registryId: '123456789012', log });
    expect(ecr.commandCalls(CreateRepositoryCommand)[0].args[0].input).toEqual({
      repositoryName: 'news',
      registryId: '123456789012',
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true }
    });
    expect(repo).toMatchObject({ created: true, mutability: 'IMMUTABLE', scanOnPush: true });
    expect(log.text()).toContain('Created the ECR repository news (immutable tags, scan on push).');
  });

  it('a missing one with create-repository false is a clear error', async () => {
    ecr.on(DescribeRepositoriesCommand).rejects(notFound());
    const error = await ensureRepository(client, 'news', { create: false, log: new MemoryLogger() }).catch(
      (e) => e
    );
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(
      'The ECR repository "news" does not exist: create it, or set create-repository to true.'
    );
  });

  it('one created meanwhile by another job is used', async () => {
    ecr
      .on(DescribeRepositoriesCommand)
      .rejectsOnce(notFound())
      .resolves({ repositories: [{ repositoryName: 'news', imageTagMutability: 'IMMUTABLE' }] });
    ecr
      .on(CreateRepositoryCommand)
      .rejects(new RepositoryAlreadyExistsException({ message: 'exists', $metadata: {} }));
    const repo = await ensureRepository(client, 'news', { create: true, log: new MemoryLogger() });
    expect(repo).toMatchObject({ created: false, mutability: 'IMMUTABLE' });
  });
});

describe('tag mutability', () => {
  const repo = (mutability: string, exclusionFilters: string[] = []): EcrRepository => ({
    name: 'news',
    created: false,
    mutability,
    exclusionFilters,
    scanOnPush: false
  });

  it('follows the repository setting and its wildcard exclusions', () => {
    expect(tagIsImmutable(repo('IMMUTABLE'), 'main')).toBe(true);
    expect(tagIsImmutable(repo('MUTABLE'), 'main')).toBe(false);
    expect(tagIsImmutable(repo('IMMUTABLE_WITH_EXCLUSION', ['latest', 'dev-*']), 'dev-42')).toBe(false);
    expect(tagIsImmutable(repo('IMMUTABLE_WITH_EXCLUSION', ['latest', 'dev-*']), 'v1.0')).toBe(true);
    expect(tagIsImmutable(repo('MUTABLE_WITH_EXCLUSION', ['release-*']), 'release-1')).toBe(true);
    expect(tagIsImmutable(repo('MUTABLE_WITH_EXCLUSION', ['release-*']), 'main')).toBe(false);
    expect(tagIsImmutable(repo('IMMUTABLE_WITH_EXCLUSION', ['v1.*']), 'v1x0')).toBe(true); // dots are literal
  });
});
