/**
 * The history tags on the function, written: the `deployment` tag as a lease for two runs at once
 * (write, wait a moment, read back; another live holder is waited for up to wait-timeout), and the
 * `live` and `rolled-back` lists when a deployment ends.
 */
import {
  ListTagsCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type LambdaClient
} from '@aws-sdk/client-lambda';
import { orUndefined } from '../aws.js';
import { UserError } from '../errors.js';
import { earlierAttempt } from '../holder.js';
import { sleep as realSleep } from '../wait.js';
import { remainingSeconds, type LambdaContext } from './engine.js';
import { formatDeployment, parseDeployment, pushVersion, tagKeys, type Deployment } from './history.js';

/** How long a `deployment` tag holds without renewal (service time): a dead runner blocks others this long at most. */
export const LEASE_SECONDS = 15 * 60;
const CONFIRM_SECONDS = 2;

export async function readTags(lambda: LambdaClient, arn: string): Promise<Record<string, string>> {
  return (await orUndefined(lambda.send(new ListTagsCommand({ Resource: arn }))))?.Tags ?? {};
}

export async function writeTags(
  lambda: LambdaClient,
  arn: string,
  tags: Record<string, string>
): Promise<void> {
  await lambda.send(new TagResourceCommand({ Resource: arn, Tags: tags }));
}

/** Adds `version` to the alias's `live` list (newest first). */
export async function markLive(
  lambda: LambdaClient,
  arn: string,
  alias: string,
  version: string
): Promise<void> {
  const key = tagKeys(alias).live;
  await writeTags(lambda, arn, { [key]: pushVersion((await readTags(lambda, arn))[key], version) });
}

/** Adds `version` to the alias's `rolled-back` list. */
export async function markRolledBack(
  lambda: LambdaClient,
  arn: string,
  alias: string,
  version: string
): Promise<void> {
  const key = tagKeys(alias).rolledBack;
  await writeTags(lambda, arn, { [key]: pushVersion((await readTags(lambda, arn))[key], version) });
}

export interface LambdaLease {
  /** Records the new version (once published) in the tag. */
  update(fields: Partial<Deployment>): Promise<void>;
  /** Writes the tag again when a third of the lease has passed (call it while baking). */
  renew(): Promise<void>;
  /** Removes the tag, if this run still holds it. */
  release(): Promise<void>;
}

export async function takeLambdaLease(
  lambda: LambdaClient,
  arn: string,
  alias: string,
  deployment: Omit<Deployment, 'by' | 'at'>,
  ctx: LambdaContext
): Promise<LambdaLease> {
  const key = tagKeys(alias).deployment;
  const wait = ctx.sleep ?? realSleep;
  const ms = (s: number) => s * 1000 * ctx.scale;
  let held: Deployment = { ...deployment, by: ctx.holder, at: '' };
  let taken = 0;
  const write = async () => {
    taken = Date.now();
    held = { ...held, at: ctx.now().toISOString() };
    await writeTags(lambda, arn, { [key]: formatDeployment(held) });
  };
  const read = async () => parseDeployment((await readTags(lambda, arn))[key]);
  let waitingFor: string | undefined;
  for (let delay = 5; ; delay = Math.min(delay * 1.5, 30)) {
    const other = await read();
    const live =
      other &&
      other.by !== ctx.holder &&
      Date.parse(other.at) + ms(LEASE_SECONDS) > ctx.now().valueOf() &&
      !earlierAttempt(other.by, ctx.holder);
    if (!live) {
      if (other && other.by !== ctx.holder)
        ctx.log.info(
          `Taking over the deployment of ${alias} left by ${other.by} (${earlierAttempt(other.by, ctx.holder) ? 'an earlier attempt of this run' : 'its lease expired'}).`
        );
      await write();
      await wait(ms(CONFIRM_SECONDS), ctx.signal);
      const confirmed = await read();
      if (!confirmed || confirmed.by === ctx.holder) break;
      ctx.log.info(`Run ${confirmed.by} took the deployment of ${alias} at the same moment: waiting for it.`);
      continue;
    }
    if (waitingFor !== other.by) {
      ctx.log.info(
        `Alias ${alias} is being deployed by run ${other.by} (since ${other.at}): waiting for it to finish.`
      );
      waitingFor = other.by;
    }
    if (ctx.signal?.aborted)
      throw new UserError(
        `Cancelled while waiting for run ${other.by} to finish deploying ${alias}. Nothing was deployed.`
      );
    const remaining = remainingSeconds(ctx);
    if (remaining <= 0.001)
      throw new UserError(
        `Alias ${alias} was still being deployed by run ${other.by} when wait-timeout ran out: nothing was deployed; run again when it has finished.`
      );
    await wait(Math.min(ms(delay), remaining * 1000 * ctx.scale), ctx.signal);
  }
  return {
    async update(fields) {
      held = { ...held, ...fields };
      await write();
    },
    async renew() {
      if (Date.now() - taken >= ms(LEASE_SECONDS / 3)) await write();
    },
    async release() {
      const now = await read();
      if (now && now.by !== ctx.holder) return;
      await orUndefined(lambda.send(new UntagResourceCommand({ Resource: arn, TagKeys: [key] })));
    }
  };
}
