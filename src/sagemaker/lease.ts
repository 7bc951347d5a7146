/**
 * An advisory lease on an endpoint, so that two runs deploying one endpoint at once (two workflow
 * runs, a retrain and a merge) take turns instead of racing: two tags on the endpoint name the run
 * that holds it and until when. A run takes it (after the holder releases it or it expires), waits a
 * moment and reads it back to confirm no other run wrote over it, renews it while it watches, and
 * releases it at the end. An expired lease (a runner that died) is taken over with a warning; a lease
 * of an earlier attempt of the same run is taken over at once.
 * (Holder ids are `<run id>.<attempt>.<nonce>`: two jobs of one run are two holders.)
 */
import {
  AddTagsCommand,
  DeleteTagsCommand,
  ListTagsCommand,
  type SageMakerClient
} from '@aws-sdk/client-sagemaker';
import { orUndefined } from '../aws.js';
import { formatDuration } from '../duration.js';
import { UserError } from '../errors.js';
import { systemClock, type Clock, type Logger } from '../report.js';
import { sleep as realSleep } from '../wait.js';
import { earlierAttempt } from '../holder.js';
import { fromTagList, TAG } from './tags.js';

/** How long a lease holds without renewal (service time): a dead runner blocks others this long at most. */
export const LEASE_SECONDS = 15 * 60;
/** Between writing the lease and reading it back: longer than any read-then-write of another run. */
const CONFIRM_SECONDS = 2;

export interface LeaseOptions {
  sagemaker: SageMakerClient;
  endpointArn: string;
  endpointName: string;
  /** This run: `<run id>.<attempt>` under GitHub, a random id elsewhere. */
  holder: string;
  /** How long to wait for another run's lease, in service seconds. */
  waitSeconds: number;
  log: Logger;
  scale?: number;
  signal?: AbortSignal;
  clock?: Clock;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface Lease {
  /** Whether another run held it first (what it changed must be read again). */
  waited: boolean;
  /** Extends the lease when a third of it has passed (call it while watching). */
  renew(): Promise<void>;
  /** Gives the lease up, if this run still holds it. */
  release(): Promise<void>;
}

interface Held {
  holder?: string;
  expires?: number;
}

async function readLease(options: LeaseOptions): Promise<Held> {
  const tags = fromTagList(
    (
      await orUndefined(
        options.sagemaker.send(new ListTagsCommand({ ResourceArn: options.endpointArn, MaxResults: 100 }))
      )
    )?.Tags
  );
  return {
    holder: tags[TAG.lease] || undefined,
    expires: Date.parse(tags[TAG.leaseExpires] ?? '') || undefined
  };
}

export async function takeLease(options: LeaseOptions): Promise<Lease> {
  const clock = options.clock ?? systemClock;
  const wait = options.sleep ?? realSleep;
  const scale = options.scale ?? 1;
  const ms = (serviceSeconds: number) => serviceSeconds * 1000 * scale;
  const deadline = clock.now() + ms(options.waitSeconds);
  const { sagemaker: sm, endpointArn, endpointName, holder, log } = options;
  let waitingFor: string | undefined;
  let waited = false;
  let taken = clock.now();
  const write = async () => {
    taken = clock.now();
    await sm.send(
      new AddTagsCommand({
        ResourceArn: endpointArn,
        Tags: [
          { Key: TAG.lease, Value: holder },
          { Key: TAG.leaseExpires, Value: new Date(taken + ms(LEASE_SECONDS)).toISOString() }
        ]
      })
    );
  };
  for (let delay = 5; ; delay = Math.min(delay * 1.5, 30)) {
    const held = await readLease(options);
    const other = held.holder && held.holder !== holder ? held.holder : undefined;
    const live = other && (held.expires ?? 0) > clock.now() && !earlierAttempt(other, holder);
    if (!live) {
      if (other && earlierAttempt(other, holder))
        log.info(`Taking over the lease on ${endpointName} from an earlier attempt of this run (${other}).`);
      else if (other)
        log.warning(
          `The lease on ${endpointName} of run ${other} expired at ${new Date(held.expires ?? 0).toISOString()} without being released (its runner may have died): taking it over.`
        );
      await write();
      await wait(ms(CONFIRM_SECONDS), options.signal);
      const confirmed = await readLease(options);
      if (confirmed.holder === holder) break;
      if (!confirmed.holder) {
        log.warning(
          `The lease tag on ${endpointName} could not be read back (the service keeps no tags?): deploying without a lease.`
        );
        break;
      }
      log.info(
        `Run ${confirmed.holder} took the lease on ${endpointName} at the same moment: waiting for it.`
      );
      continue;
    }
    const blocking = other!;
    if (waitingFor !== blocking) {
      log.info(
        `Endpoint ${endpointName} is being deployed by run ${blocking} (its lease holds until ${new Date(held.expires!).toISOString()}): waiting for it to finish.`
      );
      waitingFor = blocking;
      waited = true;
    }
    if (options.signal?.aborted)
      throw new UserError(
        `Cancelled while waiting for run ${other} to finish deploying ${endpointName}. Nothing was deployed.`
      );
    const remaining = deadline - clock.now();
    if (remaining <= 0)
      throw new UserError(
        `Endpoint ${endpointName} was still being deployed by run ${blocking} after ${formatDuration(options.waitSeconds)} (wait-timeout): nothing was deployed; run again when it has finished.`
      );
    await wait(Math.min(ms(delay), remaining), options.signal);
  }
  log.debug(`Took the lease on ${endpointName} as ${holder}.`);
  return {
    waited,
    async renew() {
      if (clock.now() - taken >= ms(LEASE_SECONDS / 3)) await write();
    },
    async release() {
      const held = await readLease(options);
      if (held.holder !== holder) return;
      await orUndefined(
        sm.send(new DeleteTagsCommand({ ResourceArn: endpointArn, TagKeys: [TAG.lease, TAG.leaseExpires] }))
      );
    }
  };
}
