/** The emulator's ECR through the real SDK: repositories in its state, images read from the real registry. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  ListImagesCommand
} from '@aws-sdk/client-ecr';
import { emulatorCommand } from '../../src/emulator/cli.js';
import { docker } from '../helpers/docker.js';
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';
import {
  REGISTRY,
  deleteFromRegistry,
  registryDigest,
  removeLocalImages,
  uniqueName
} from '../helpers/images.js';

let emu: RunningEmulator;
let ecr: ECRClient;
const credentials = { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator-secret' };
const repository = uniqueName('ecr');

/** A one-file image, made with `docker import` (nothing to pull), pushed under `tags`. */
function pushTinyImage(tags: string[], content = `hello ${repository}`): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiny-image-'));
  fs.writeFileSync(path.join(dir, 'hello.txt'), `${content}\n`);
  const tar = execFileSync('tar', ['-C', dir, '-c', '.']);
  fs.rmSync(dir, { recursive: true, force: true });
  const [first, ...rest] = tags.map((t) => `${REGISTRY}/${repository}:${t}`);
  docker(['import', '-', first], tar as unknown as string);
  for (const ref of rest) docker(['tag', first, ref]);
  for (const ref of [first, ...rest]) docker(['push', ref]);
}

beforeAll(async () => {
  emu = await startEmulator();
  ecr = new ECRClient({ endpoint: emu.url, region: 'eu-west-1', credentials, maxAttempts: 1 });
});
afterAll(async () => {
  await emu.stop();
  await deleteFromRegistry(repository);
  removeLocalImages(repository);
});

const error = (p: Promise<unknown>) =>
  p.then(() => undefined).catch((e) => e as Error & { name: string; $metadata: { httpStatusCode?: number } });

describe('emulator ECR', () => {
  it('GetAuthorizationToken hands out AWS credentials for the local registry', async () => {
    const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
    expect(authorizationData).toHaveLength(1);
    const [user, password] = Buffer.from(authorizationData![0].authorizationToken!, 'base64')
      .toString()
      .split(':');
    expect(user).toBe('AWS');
    expect(password).toHaveLength(32);
    expect(authorizationData![0].proxyEndpoint).toBe(`http://${REGISTRY}`);
    expect(authorizationData![0].expiresAt!.getTime()).toBeGreaterThan(Date.now() + 11 * 3600 * 1000);
  });

  it('the registry it points at is configurable', async () => {
    const other = await startEmulator({ registry: '127.0.0.1:5999' });
    try {
      const client = new ECRClient({ endpoint: other.url, region: 'us-east-1', credentials });
      const { authorizationData } = await client.send(new GetAuthorizationTokenCommand({}));
      expect(authorizationData![0].proxyEndpoint).toBe('http://127.0.0.1:5999');
      await client.send(new CreateRepositoryCommand({ repositoryName: 'elsewhere' }));
      const { repositories } = await client.send(new DescribeRepositoriesCommand({}));
      expect(repositories![0].repositoryUri).toBe('127.0.0.1:5999/elsewhere');
    } finally {
      await other.stop();
    }
  });

  it('CreateRepository and DescribeRepositories, with ECR defaults and error codes', async () => {
    const created = await ecr.send(new CreateRepositoryCommand({ repositoryName: repository }));
    expect(created.repository).toMatchObject({
      repositoryName: repository,
      repositoryArn: `arn:aws:ecr:eu-west-1:123456789012:repository/${repository}`,
      registryId: '123456789012',
      repositoryUri: `${REGISTRY}/${repository}`,
      imageTagMutability: 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: false }
    });
    expect(created.repository!.createdAt).toBeInstanceOf(Date);
    await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: `${repository}/immutable`,
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true }
      })
    );
    const one = await ecr.send(
      new DescribeRepositoriesCommand({ repositoryNames: [`${repository}/immutable`] })
    );
    expect(one.repositories![0]).toMatchObject({
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true }
    });
    const page = await ecr.send(new DescribeRepositoriesCommand({ maxResults: 1 }));
    expect(page.repositories).toHaveLength(1);
    const rest = await ecr.send(
      new DescribeRepositoriesCommand({ maxResults: 1, nextToken: page.nextToken })
    );
    expect(rest.repositories![0].repositoryName).not.toBe(page.repositories![0].repositoryName);

    const again = await error(ecr.send(new CreateRepositoryCommand({ repositoryName: repository })));
    expect(again?.name).toBe('RepositoryAlreadyExistsException');
    expect(again?.message).toBe(
      `The repository with name '${repository}' already exists in the registry with id '123456789012'`
    );
    expect((await error(ecr.send(new CreateRepositoryCommand({ repositoryName: 'Bad_Name' }))))?.name).toBe(
      'InvalidParameterException'
    );
    expect(
      (
        await error(
          ecr.send(
            new CreateRepositoryCommand({
              repositoryName: 'ok-name',
              imageTagMutability: 'SOMETIMES' as never
            })
          )
        )
      )?.name
    ).toBe('InvalidParameterException');
    const missing = await error(
      ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['mlops-test-image-none'] }))
    );
    expect(missing?.name).toBe('RepositoryNotFoundException');
    expect(missing?.message).toBe(
      "The repository with name 'mlops-test-image-none' does not exist in the registry with id '123456789012'"
    );
    expect(
      emu.emulator.calls.filter((c) => c.operation === 'CreateRepository').every((c) => c.mutating)
    ).toBe(true);
  });

  it('DescribeImages reads the images from the registry itself', async () => {
    expect((await ecr.send(new DescribeImagesCommand({ repositoryName: repository }))).imageDetails).toEqual(
      []
    );
    pushTinyImage(['v1', 'latest']);
    const digest = await registryDigest(repository, 'v1');
    const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: repository }));
    expect(imageDetails).toEqual([
      expect.objectContaining({
        registryId: '123456789012',
        repositoryName: repository,
        imageDigest: digest,
        imageTags: ['latest', 'v1'],
        imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json'
      })
    ]);
    expect(imageDetails![0].imageSizeInBytes).toBeGreaterThan(0);
    expect(imageDetails![0].imagePushedAt).toBeInstanceOf(Date);

    const byTag = await ecr.send(
      new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageTag: 'v1' }] })
    );
    expect(byTag.imageDetails![0].imageDigest).toBe(digest);
    const byDigest = await ecr.send(
      new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageDigest: digest }] })
    );
    expect(byDigest.imageDetails![0].imageTags).toEqual(['latest', 'v1']);
  });

  it('DescribeImages answers with ECR error codes', async () => {
    const noImage = await error(
      ecr.send(new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageTag: 'v9' }] }))
    );
    expect(noImage?.name).toBe('ImageNotFoundException');
    expect(noImage?.message).toBe(
      `The image with imageId {imageDigest:'null', imageTag:'v9'} does not exist within the repository with name '${repository}' in the registry with id '123456789012'`
    );
    const noRepo = await error(
      ecr.send(new DescribeImagesCommand({ repositoryName: 'mlops-test-image-none' }))
    );
    expect(noRepo?.name).toBe('RepositoryNotFoundException');
    const badFilter = await error(
      ecr.send(
        new DescribeImagesCommand({ repositoryName: repository, filter: { tagStatus: 'SOME' as never } })
      )
    );
    expect(badFilter?.name).toBe('InvalidParameterException');
  });

  it('CreateRepository and DescribeRepositories answer every field the SDK marks always present', async () => {
    const { repositories } = await ecr.send(
      new DescribeRepositoriesCommand({ repositoryNames: [repository] })
    );
    expect(repositories![0]).toEqual({
      registryId: '123456789012',
      repositoryArn: `arn:aws:ecr:eu-west-1:123456789012:repository/${repository}`,
      repositoryName: repository,
      // The pull address on loopback, not <account>.dkr.ecr.<region>.amazonaws.com (see ecr.ts).
      repositoryUri: `${REGISTRY}/${repository}`,
      createdAt: expect.any(Date),
      imageTagMutability: 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: false },
      encryptionConfiguration: { encryptionType: 'AES256' }
    });
  });

  it('ListImages lists one imageId per tag, filters and pages', async () => {
    const digest = await registryDigest(repository, 'v1');
    const all = await ecr.send(new ListImagesCommand({ repositoryName: repository }));
    expect(all.imageIds).toEqual([
      { imageDigest: digest, imageTag: 'latest' },
      { imageDigest: digest, imageTag: 'v1' }
    ]);
    expect(all.nextToken).toBeUndefined();
    const first = await ecr.send(new ListImagesCommand({ repositoryName: repository, maxResults: 1 }));
    expect(first.imageIds).toEqual([{ imageDigest: digest, imageTag: 'latest' }]);
    const second = await ecr.send(
      new ListImagesCommand({ repositoryName: repository, maxResults: 1, nextToken: first.nextToken })
    );
    expect(second.imageIds).toEqual([{ imageDigest: digest, imageTag: 'v1' }]);
    expect(second.nextToken).toBeUndefined();
    for (const [tagStatus, count] of [
      ['TAGGED', 2],
      ['ANY', 2],
      ['UNTAGGED', 0]
    ] as const) {
      const listed = await ecr.send(
        new ListImagesCommand({ repositoryName: repository, filter: { tagStatus } })
      );
      expect(listed.imageIds).toHaveLength(count);
    }
    const badFilter = await error(
      ecr.send(new ListImagesCommand({ repositoryName: repository, filter: { tagStatus: 'SOME' as never } }))
    );
    expect([badFilter?.name, badFilter?.$metadata.httpStatusCode]).toEqual([
      'InvalidParameterException',
      400
    ]);
    const badMax = await error(
      ecr.send(new ListImagesCommand({ repositoryName: repository, maxResults: 1001 }))
    );
    expect([badMax?.name, badMax?.$metadata.httpStatusCode]).toEqual(['InvalidParameterException', 400]);
    const noRepo = await error(ecr.send(new ListImagesCommand({ repositoryName: 'mlops-test-image-none' })));
    expect([noRepo?.name, noRepo?.$metadata.httpStatusCode]).toEqual(['RepositoryNotFoundException', 400]);
  });

  it('BatchGetImage answers the manifest the registry holds, and failures with ECR codes', async () => {
    const digest = (await registryDigest(repository, 'v1'))!;
    const manifest = await (
      await fetch(`http://${REGISTRY}/v2/${repository}/manifests/v1`, {
        headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' }
      })
    ).text();
    const { images, failures } = await ecr.send(
      new BatchGetImageCommand({
        repositoryName: repository,
        imageIds: [
          { imageTag: 'v1' },
          { imageDigest: digest },
          { imageDigest: digest, imageTag: 'latest' },
          { imageTag: 'v9' },
          { imageDigest: `sha256:${'0'.repeat(64)}`, imageTag: 'v1' },
          { imageDigest: digest, imageTag: 'v9' },
          {},
          { imageDigest: 'not-a-digest' }
        ],
        acceptedMediaTypes: ['application/vnd.docker.distribution.manifest.v2+json']
      })
    );
    const image = (imageId: Record<string, string>) => ({
      registryId: '123456789012',
      repositoryName: repository,
      imageId,
      imageManifest: manifest,
      imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json'
    });
    expect(images).toEqual([
      image({ imageDigest: digest, imageTag: 'v1' }),
      image({ imageDigest: digest }),
      image({ imageDigest: digest, imageTag: 'latest' })
    ]);
    expect(failures).toEqual([
      {
        imageId: { imageTag: 'v9' },
        failureCode: 'ImageNotFound',
        failureReason: 'Requested image not found'
      },
      {
        imageId: { imageDigest: `sha256:${'0'.repeat(64)}`, imageTag: 'v1' },
        failureCode: 'ImageNotFound',
        failureReason: 'Requested image not found'
      },
      {
        imageId: { imageDigest: digest, imageTag: 'v9' },
        failureCode: 'ImageNotFound',
        failureReason: 'Requested image not found'
      },
      {
        imageId: {},
        failureCode: 'MissingDigestAndTag',
        failureReason: 'Invalid request parameters: image tag and digest cannot both be null'
      },
      expect.objectContaining({ imageId: { imageDigest: 'not-a-digest' }, failureCode: 'InvalidImageDigest' })
    ]);
    // The tag exists but names another image.
    pushTinyImage(['other'], 'another image');
    const mismatch = await ecr.send(
      new BatchGetImageCommand({
        repositoryName: repository,
        imageIds: [{ imageDigest: digest, imageTag: 'other' }]
      })
    );
    expect(mismatch.images).toEqual([]);
    expect(mismatch.failures).toEqual([
      expect.objectContaining({
        imageId: { imageDigest: digest, imageTag: 'other' },
        failureCode: 'ImageTagDoesNotMatchDigest'
      })
    ]);
    // A media type the image is not stored in is not found, as ECR converts only to schema 1.
    const oci = await ecr.send(
      new BatchGetImageCommand({
        repositoryName: repository,
        imageIds: [{ imageTag: 'v1' }],
        acceptedMediaTypes: ['application/vnd.oci.image.manifest.v1+json']
      })
    );
    expect(oci.failures).toEqual([expect.objectContaining({ failureCode: 'ImageNotFound' })]);
    for (const bad of [
      { repositoryName: repository, imageIds: [] },
      { repositoryName: repository, imageIds: [{ imageTag: 'v1' }], acceptedMediaTypes: ['text/plain'] }
    ]) {
      const refused = await error(ecr.send(new BatchGetImageCommand(bad)));
      expect([refused?.name, refused?.$metadata.httpStatusCode]).toEqual(['InvalidParameterException', 400]);
    }
    const noRepo = await error(
      ecr.send(
        new BatchGetImageCommand({ repositoryName: 'mlops-test-image-none', imageIds: [{ imageTag: 'v1' }] })
      )
    );
    expect([noRepo?.name, noRepo?.$metadata.httpStatusCode]).toEqual(['RepositoryNotFoundException', 400]);
    expect(emu.emulator.calls.filter((c) => c.operation === 'BatchGetImage').every((c) => !c.mutating)).toBe(
      true
    );
  });

  it('DeleteRepository refuses a repository with images unless forced, then deletes them in the registry', async () => {
    const refused = await error(ecr.send(new DeleteRepositoryCommand({ repositoryName: repository })));
    expect([refused?.name, refused?.$metadata.httpStatusCode]).toEqual(['RepositoryNotEmptyException', 400]);
    expect(refused?.message).toBe(
      `The repository with name '${repository}' in registry with id '123456789012' cannot be deleted because it still contains images`
    );
    expect(await registryDigest(repository, 'v1')).toBeDefined();

    const { repository: deleted } = await ecr.send(
      new DeleteRepositoryCommand({ repositoryName: repository, force: true })
    );
    expect(deleted).toMatchObject({
      repositoryName: repository,
      repositoryArn: `arn:aws:ecr:eu-west-1:123456789012:repository/${repository}`,
      repositoryUri: `${REGISTRY}/${repository}`
    });
    for (const tag of ['v1', 'latest', 'other'])
      expect(await registryDigest(repository, tag)).toBeUndefined();
    const gone = await error(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repository] })));
    expect(gone?.name).toBe('RepositoryNotFoundException');

    // Created again, it is empty, and an empty repository goes without force.
    await ecr.send(new CreateRepositoryCommand({ repositoryName: repository }));
    expect((await ecr.send(new ListImagesCommand({ repositoryName: repository }))).imageIds).toEqual([]);
    await ecr.send(new DeleteRepositoryCommand({ repositoryName: repository }));
    const missing = await error(ecr.send(new DeleteRepositoryCommand({ repositoryName: repository })));
    expect([missing?.name, missing?.$metadata.httpStatusCode]).toEqual(['RepositoryNotFoundException', 400]);
    expect(missing?.message).toBe(
      `The repository with name '${repository}' does not exist in the registry with id '123456789012'`
    );
    expect(
      emu.emulator.calls.filter((c) => c.operation === 'DeleteRepository').every((c) => c.mutating)
    ).toBe(true);
  });

  it('an operation it does not emulate is one UnknownOperationException naming it', async () => {
    const { BatchDeleteImageCommand } = await import('@aws-sdk/client-ecr');
    const unknown = await error(
      ecr.send(new BatchDeleteImageCommand({ repositoryName: repository, imageIds: [{ imageTag: 'v1' }] }))
    );
    expect([unknown?.name, unknown?.$metadata.httpStatusCode]).toEqual(['UnknownOperationException', 400]);
    expect(unknown?.message).toBe('ecr has no operation BatchDeleteImage in the emulator.');
  });

  it('an unreachable registry is a ServerException that says where it looked', async () => {
    const other = await startEmulator({ registry: '127.0.0.1:1' });
    try {
      const client = new ECRClient({ endpoint: other.url, region: 'us-east-1', credentials, maxAttempts: 1 });
      await client.send(new CreateRepositoryCommand({ repositoryName: 'somewhere' }));
      const failed = await error(client.send(new DescribeImagesCommand({ repositoryName: 'somewhere' })));
      expect(failed?.name).toBe('ServerException');
      expect(failed?.message).toMatch(/^The emulator could not read the registry at http:\/\/127\.0\.0\.1:1/);
    } finally {
      await other.stop();
    }
  });

  it('`mlops-actions emulator --registry` refuses what is not a registry address', async () => {
    const write = process.stderr.write;
    let written = '';
    process.stderr.write = ((chunk: string) => {
      written += chunk;
      return true;
    }) as typeof process.stderr.write;
    try {
      expect(await emulatorCommand(['--registry', 'not a registry'])).toBe(2);
    } finally {
      process.stderr.write = write;
    }
    expect(written).toContain(
      '--registry must be a registry address such as 127.0.0.1:5000, but got "not a registry"'
    );
  });
});
