/**
 * The advisory lease with a small in-memory tag store: taken, confirmed, renewed and released; another
 * run's live lease is waited for (and the wait ends at the timeout); an expired one, or one of an
 * earlier attempt of this run, is taken over.
 */
import {
  AddTagsCommand,
  DeleteTagsCommand,
  ListTagsCommand,
  type SageMakerClient
} from '@aws-sdk/client-sagemaker';
import { MemoryLogger } from '../../src/report.js';
import { LEASE_SECONDS, takeLease } from '../../src/sagemaker/lease.js';
import { TAG } from '../../src/sagemaker/tags.js';

function fakeSageMaker(tags: Record<string, string>, onAdd?: () => void): SageMakerClient {
  return {
    send: async (command: unknown) => {
      if (command instanceof ListTagsCommand)
        return { Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };
      if (command instanceof AddTagsCommand) {
        for (const t of command.input.Tags ?? []) tags[t.Key!] = t.Value!;
        onAdd?.();
        return {};
      }
      if (command instanceof DeleteTagsCommand) {
        for (const k of command.input.TagKeys ?? []) delete tags[k];
        return {};
      }
      throw new Error(`unexpected ${String(command)}`);
    }
  } as unknown as SageMakerClient;
}

function setup(tags: Record<string, string>, holder = '100.1.aaaaaa', onAdd?: () => void) {
  let t = Date.parse('2026-01-01T00:00:00Z');
  const log = new MemoryLogger();
  const options = {
    sagemaker: fakeSageMaker(tags, onAdd),
    endpointArn: 'arn:aws:sagemaker:us-east-1:1:endpoint/news',
    endpointName: 'news',
    holder,
    waitSeconds: 600,
    log,
    clock: { now: () => t },
    sleep: async (ms: number) => void (t += ms)
  };
  return { options, log, advance: (s: number) => (t += s * 1000), now: () => t };
}

describe('the lease on an endpoint', () => {
  it('is taken, renewed after a third of its time, and released', async () => {
    const tags: Record<string, string> = {};
    const { options, advance } = setup(tags);
    const lease = await takeLease(options);
    expect(lease.waited).toBe(false);
    expect(tags[TAG.lease]).toBe('100.1.aaaaaa');
    const first = tags[TAG.leaseExpires];
    advance(LEASE_SECONDS / 3);
    await lease.renew();
    expect(tags[TAG.leaseExpires] > first).toBe(true);
    await lease.release();
    expect(tags).toEqual({});
  });

  it("waits for another run's live lease, then takes it when released", async () => {
    const tags: Record<string, string> = {
      [TAG.lease]: '200.1.bbbbbb',
      [TAG.leaseExpires]: '2026-01-01T00:10:00.000Z'
    };
    const { options, log, now, advance } = setup(tags);
    const started = now();
    // The other run releases its lease a minute later.
    options.sleep = async (ms: number) => {
      advance(ms / 1000);
      if (now() - started > 60_000 && tags[TAG.lease] === '200.1.bbbbbb') delete tags[TAG.lease];
    };
    const lease = await takeLease(options);
    expect(lease.waited).toBe(true);
    expect(log.text()).toContain('Endpoint news is being deployed by run 200.1.bbbbbb');
    expect(tags[TAG.lease]).toBe('100.1.aaaaaa');
  });

  it('gives up at the wait timeout, naming the run that holds it, and writes nothing', async () => {
    const tags: Record<string, string> = {
      [TAG.lease]: '200.1.bbbbbb',
      [TAG.leaseExpires]: '2026-01-01T01:00:00.000Z'
    };
    const { options } = setup(tags);
    await expect(takeLease({ ...options, waitSeconds: 120 })).rejects.toThrow(
      'Endpoint news was still being deployed by run 200.1.bbbbbb after 2m (wait-timeout): nothing was deployed'
    );
    expect(tags[TAG.lease]).toBe('200.1.bbbbbb');
  });

  it.each([
    ['expired', '200.1.bbbbbb', '2025-12-31T23:00:00.000Z', 'expired at 2025-12-31T23:00:00.000Z'],
    [
      'of an earlier attempt of this run',
      '100.0.cccccc',
      '2026-01-01T01:00:00.000Z',
      'earlier attempt of this run'
    ]
  ])('a lease %s is taken over', async (_, holder, expires, said) => {
    const tags: Record<string, string> = { [TAG.lease]: holder, [TAG.leaseExpires]: expires };
    const { options, log } = setup(tags);
    await takeLease(options);
    expect(tags[TAG.lease]).toBe('100.1.aaaaaa');
    expect(log.text()).toContain(said);
  });

  it('two jobs of one attempt are two runs: the second waits', async () => {
    const tags: Record<string, string> = {
      [TAG.lease]: '100.1.dddddd',
      [TAG.leaseExpires]: '2026-01-01T01:00:00.000Z'
    };
    const { options } = setup(tags);
    await expect(takeLease({ ...options, waitSeconds: 30 })).rejects.toThrow(
      'still being deployed by run 100.1.dddddd'
    );
  });

  it('a run that wrote at the same moment as another and lost the read-back waits for it', async () => {
    const tags: Record<string, string> = {};
    let raced = false;
    const { options, log } = setup(tags, '100.1.aaaaaa', () => {
      if (raced) return;
      raced = true;
      // The other run's write lands right after this one's.
      tags[TAG.lease] = '300.1.eeeeee';
      tags[TAG.leaseExpires] = '2026-01-01T00:15:00.000Z';
    });
    await expect(takeLease({ ...options, waitSeconds: 60 })).rejects.toThrow(
      'still being deployed by run 300.1.eeeeee'
    );
    expect(log.text()).toContain(
      'Run 300.1.eeeeee took the lease on news at the same moment: waiting for it.'
    );
  });
});
