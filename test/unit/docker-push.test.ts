/** Pushing by tag with immutable tags checked first, against what the registry holds (fakes). */
import { pushImage, sameImage, type ManifestReader, type PushPlan } from '../../src/docker/push.js';
import type { ManifestInfo } from '../../src/docker/registry.js';
import { UserError } from '../../src/errors.js';
import { MemoryLogger } from '../../src/report.js';
import { FakeDocker } from '../helpers/fake-docker.js';

const IMAGE_ID = 'sha256:' + '1'.repeat(64);
const PUSHED = 'sha256:' + '2'.repeat(64);
const OTHER = 'sha256:' + '3'.repeat(64);

/** A registry whose tags are `held`; a push (through the fake docker) stores PUSHED under the tag. */
function registry(held: Record<string, ManifestInfo>): ManifestReader & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async manifest(_repository, reference) {
      reads.push(reference);
      return held[reference];
    }
  };
}

const manifest = (digest: string, configDigest = IMAGE_ID): ManifestInfo => ({
  digest,
  configDigest,
  mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
  size: 2048
});

function pushingDocker(held: Record<string, ManifestInfo>, fail?: { tag: string; stderr: string }) {
  return new FakeDocker((args) => {
    if (args[0] !== 'push') return undefined;
    const tag = args[1].split(':').pop()!;
    if (fail?.tag === tag) return { code: 1, stderr: fail.stderr };
    held[tag] = manifest(PUSHED);
    return {
      lines: [`${tag}: digest: ${PUSHED} size: 1154`],
      stdout: `${tag}: digest: ${PUSHED} size: 1154\n`
    };
  });
}

const plan = (overrides: Partial<PushPlan> = {}): PushPlan => ({
  registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com',
  repository: 'news',
  imageId: IMAGE_ID,
  tags: ['abc123', 'v1'],
  movingTags: [],
  immutable: () => true,
  ...overrides
});

describe('pushImage', () => {
  it('pushes every new tag and reports the digest the registry holds', async () => {
    const held: Record<string, ManifestInfo> = {};
    const docker = pushingDocker(held);
    const result = await pushImage(docker, registry(held), plan(), { log: new MemoryLogger() });
    expect(docker.commands()).toEqual([
      'push 123456789012.dkr.ecr.us-east-1.amazonaws.com/news:abc123',
      'push 123456789012.dkr.ecr.us-east-1.amazonaws.com/news:v1'
    ]);
    expect(result.digest).toBe(PUSHED);
    expect(result.tags).toEqual([
      { tag: 'abc123', outcome: 'pushed', digest: PUSHED },
      { tag: 'v1', outcome: 'pushed', digest: PUSHED }
    ]);
  });

  it('an immutable tag that already holds this image is left alone, and its digest reported', async () => {
    const held = { abc123: manifest(PUSHED) };
    const docker = pushingDocker(held);
    const log = new MemoryLogger();
    const result = await pushImage(docker, registry(held), plan(), { log });
    expect(docker.commands()).toEqual(['push 123456789012.dkr.ecr.us-east-1.amazonaws.com/news:v1']);
    expect(result.tags[0]).toEqual({ tag: 'abc123', outcome: 'already there', digest: PUSHED });
    expect(log.text()).toContain('Tag "abc123" already holds this image');
  });

  it('an immutable tag that holds another image stops everything before the first push', async () => {
    const held = { v1: manifest(OTHER, 'sha256:' + '9'.repeat(64)) };
    const docker = pushingDocker(held);
    const error = await pushImage(docker, registry(held), plan(), { log: new MemoryLogger() }).catch(
      (e) => e
    );
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(
      `Tag "v1" already exists in the immutable repository news and holds another image (${OTHER}), so ${IMAGE_ID} cannot be pushed under it: give a new tag in "tags" (the commit sha is unique).`
    );
    expect(docker.calls).toEqual([]);
  });

  it('mutable tags are pushed without looking at what they hold', async () => {
    const held = { v1: manifest(OTHER, 'sha256:' + '9'.repeat(64)) };
    const docker = pushingDocker(held);
    const reader = registry(held);
    const result = await pushImage(docker, reader, plan({ immutable: () => false }), {
      log: new MemoryLogger()
    });
    expect(docker.calls).toHaveLength(2);
    expect(result.tags.map((t) => t.digest)).toEqual([PUSHED, PUSHED]);
    expect(reader.reads).toEqual(['abc123', 'v1']); // only the reads after the push
  });

  it('a branch tag is applied where tags may move, and not in an immutable repository', async () => {
    const held: Record<string, ManifestInfo> = {};
    const log = new MemoryLogger();
    const immutable = await pushImage(
      pushingDocker(held),
      registry(held),
      plan({ tags: ['abc123'], movingTags: ['main'] }),
      {
        log
      }
    );
    expect(immutable.tags).toEqual([
      { tag: 'abc123', outcome: 'pushed', digest: PUSHED },
      { tag: 'main', outcome: 'not applied', note: 'a branch tag moves, and tags in this repository cannot' }
    ]);
    const mutable = await pushImage(
      pushingDocker({}),
      registry({ main: manifest(PUSHED), abc123: manifest(PUSHED) }),
      plan({ tags: ['abc123'], movingTags: ['main'], immutable: () => false }),
      { log }
    );
    expect(mutable.tags.map((t) => [t.tag, t.outcome])).toEqual([
      ['abc123', 'pushed'],
      ['main', 'pushed']
    ]);
  });

  it("real ECR's own refusal of an immutable tag gets the same message", async () => {
    const held: Record<string, ManifestInfo> = {};
    const docker = pushingDocker(held, {
      tag: 'v1',
      stderr:
        "tag invalid: The image tag 'v1' already exists in the 'news' repository and cannot be overwritten because the repository is immutable."
    });
    const error = await pushImage(docker, registry(held), plan({ immutable: () => false }), {
      log: new MemoryLogger()
    }).catch((e) => e);
    expect(error.message).toMatch(
      /^Tag "v1" already exists in the immutable repository news and holds another image, so sha256:1+ cannot be pushed/
    );
  });

  it('a refused push names the permissions', async () => {
    const docker = pushingDocker(
      {},
      {
        tag: 'abc123',
        stderr:
          'denied: User: arn:aws:sts::1:assumed-role/x is not authorized to perform: ecr:InitiateLayerUpload'
      }
    );
    const error = await pushImage(docker, registry({}), plan({ immutable: () => false }), {
      log: new MemoryLogger()
    }).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(
      /^The registry refused the push of news:abc123 \(denied: .*\): check the credentials/
    );
  });

  it("without credentials for the registry API, the registry's answer to the push gives the digest", async () => {
    const docker = pushingDocker({});
    const log = new MemoryLogger();
    const refusing: ManifestReader = {
      manifest: async () => {
        throw new UserError(
          'The registry ghcr.io refused anonymous access (HTTP 401): check the username and password, or the permissions of the role.'
        );
      }
    };
    const result = await pushImage(docker, refusing, plan({ immutable: () => false, tags: ['v1'] }), { log });
    expect(result.digest).toBe(PUSHED);
    expect(log.text()).toContain('Using the digest the registry answered to the push.');
  });

  it('sameImage: the same manifest, or the same config (image ID)', () => {
    expect(sameImage(manifest(PUSHED), IMAGE_ID)).toBe(true);
    expect(sameImage(manifest(IMAGE_ID, undefined), IMAGE_ID)).toBe(true);
    expect(sameImage(manifest(OTHER, OTHER), IMAGE_ID)).toBe(false);
  });
});
