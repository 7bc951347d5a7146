/**
 * Pushing a built image by tag and reading back the digest the registry holds. Tags that cannot
 * move (an immutable ECR repository) are checked first, against the registry itself: a tag that
 * already holds this very image is left as it is, one that holds another image stops the push
 * before anything is sent. Real ECR also refuses such a push on its own; its refusal gets the same
 * message.
 */
import { UserError } from '../errors.js';
import type { Logger } from '../report.js';
import { imageRef } from './reference.js';
import type { ManifestInfo } from './registry.js';
import { lastLine, type DockerRunner } from './runner.js';

export interface ManifestReader {
  manifest(repository: string, reference: string): Promise<ManifestInfo | undefined>;
}

export type TagOutcome = 'pushed' | 'already there' | 'not applied';

export interface PushedTag {
  tag: string;
  outcome: TagOutcome;
  digest?: string;
  note?: string;
}

export interface PushPlan {
  registry: string;
  repository: string;
  /** The local image ID (`sha256:...`), already tagged `registry/repository:tag` for every tag. */
  imageId: string;
  tags: string[];
  /** Tags that follow a branch: applied only where tags may move. */
  movingTags: string[];
  /** Whether the registry refuses to move `tag` once it exists. */
  immutable: (tag: string) => boolean;
}

export interface PushResult {
  digest: string;
  size: number;
  tags: PushedTag[];
  seconds: number;
}

/** The image in `existing` is the local image: the same manifest, or the same config (image ID). */
export function sameImage(existing: ManifestInfo, imageId: string): boolean {
  return existing.digest === imageId || existing.configDigest === imageId;
}

function immutableMessage(plan: PushPlan, tag: string, held?: string): string {
  return (
    `Tag "${tag}" already exists in the immutable repository ${plan.repository}` +
    `${held ? ` and holds another image (${held})` : ' and holds another image'}` +
    `, so ${plan.imageId} cannot be pushed under it: give a new tag in "tags" (the commit sha is unique).`
  );
}

export async function pushImage(
  docker: DockerRunner,
  registry: ManifestReader,
  plan: PushPlan,
  deps: { log: Logger; signal?: AbortSignal; now?: () => number }
): Promise<PushResult> {
  const now = deps.now ?? Date.now;
  const started = now();
  const results: PushedTag[] = [];
  const toPush: string[] = [];

  // Every check before the first push: a conflict leaves the registry untouched.
  for (const tag of [...plan.tags, ...plan.movingTags]) {
    const moving = !plan.tags.includes(tag);
    if (!plan.immutable(tag)) {
      toPush.push(tag);
      continue;
    }
    if (moving) {
      results.push({
        tag,
        outcome: 'not applied',
        note: 'a branch tag moves, and tags in this repository cannot'
      });
      deps.log.info(
        `Not applying the branch tag "${tag}": tags in ${plan.repository} are immutable (the commit tag identifies the image).`
      );
      continue;
    }
    const existing = await registry.manifest(plan.repository, tag);
    if (!existing) toPush.push(tag);
    else if (sameImage(existing, plan.imageId)) {
      results.push({ tag, outcome: 'already there', digest: existing.digest });
      deps.log.info(`Tag "${tag}" already holds this image (${existing.digest}): nothing to push for it.`);
    } else {
      throw new UserError(immutableMessage(plan, tag, existing.digest));
    }
  }

  const answered = new Map<string, string>();
  for (const tag of toPush) {
    const ref = imageRef(plan.registry, plan.repository, tag);
    deps.log.info(`Pushing ${ref}`);
    const result = await docker.run({
      args: ['push', ref],
      signal: deps.signal,
      onLine: (line) => deps.log.info(line)
    });
    if (deps.signal?.aborted) throw new UserError(`The push of ${ref} was cancelled.`);
    if (result.code !== 0) throw pushError(plan, tag, result);
    // `<tag>: digest: sha256:... size: 1234`: the registry's answer to the push.
    const reported = /digest: (sha256:[0-9a-f]{64})/.exec(result.stdout)?.[1];
    if (reported) answered.set(tag, reported);
    results.push({ tag, outcome: 'pushed' });
  }

  // The digest the registry holds, read back from the registry for every tag.
  let size = 0;
  for (const entry of results) {
    if (entry.outcome === 'not applied') continue;
    let held: ManifestInfo | undefined;
    try {
      held = await registry.manifest(plan.repository, entry.tag);
    } catch (e) {
      // Without credentials for the registry API (a credential store holds them), the registry's
      // own answer to the push stands in.
      const reported = answered.get(entry.tag);
      if (!(e instanceof UserError) || !reported) throw e;
      deps.log.warning(`${(e as Error).message} Using the digest the registry answered to the push.`);
      entry.digest = reported;
      continue;
    }
    if (!held) throw new Error(`The registry has no tag "${entry.tag}" right after the push.`);
    entry.digest = held.digest;
    size = held.size;
  }
  const first = results.find((r) => r.tag === plan.tags[0]);
  const digest = first?.digest;
  if (!digest) throw new Error(`No digest for the first tag "${plan.tags[0]}".`);
  for (const r of results) {
    if (r.digest && r.digest !== digest) {
      deps.log.warning(`Tag "${r.tag}" holds ${r.digest}, not ${digest}: another push changed it meanwhile.`);
    }
  }
  results.sort((a, b) => order(plan, a.tag) - order(plan, b.tag));
  return { digest, size, tags: results, seconds: (now() - started) / 1000 };
}

function order(plan: PushPlan, tag: string): number {
  return [...plan.tags, ...plan.movingTags].indexOf(tag);
}

function pushError(
  plan: PushPlan,
  tag: string,
  result: { code: number; stdout: string; stderr: string }
): UserError {
  const text = `${result.stderr}\n${result.stdout}`;
  // ECR: "tag invalid: The image tag 'x' already exists in the 'y' repository and cannot be overwritten because the repository is immutable."
  if (/already exists/i.test(text) && /immutable/i.test(text))
    return new UserError(immutableMessage(plan, tag));
  if (/name unknown|repository .* does not exist/i.test(text)) {
    return new UserError(
      `The registry has no repository ${plan.repository} (${lastLine(result)}): create it, or set create-repository to true on ECR.`
    );
  }
  if (/unauthorized|denied|authentication required|no basic auth credentials/i.test(text)) {
    return new UserError(
      `The registry refused the push of ${plan.repository}:${tag} (${lastLine(result)}): check the credentials and their permission to push (ecr:InitiateLayerUpload, ecr:PutImage, ... on ECR).`
    );
  }
  return new UserError(`docker push of ${plan.repository}:${tag} failed (${lastLine(result)}).`);
}
