import { MemoryLogger } from '../../src/report.js';
import { Cancelled, WaitTimeout, poll } from '../../src/wait.js';

/** A fake clock whose sleep advances time and records the delays. */
function fakeTime() {
  const t = { now: 0, delays: [] as number[] };
  return {
    t,
    clock: { now: () => t.now },
    sleep: async (ms: number) => {
      t.delays.push(ms);
      t.now += ms;
    },
    random: () => 0.5
  };
}

describe('poll', () => {
  it('backs off exponentially to the cap, logs each state once and resets the delay on a change', async () => {
    const time = fakeTime();
    const log = new MemoryLogger();
    const states = [
      'Updating',
      'Updating',
      'Updating',
      'Updating',
      'Updating',
      'Baking',
      'Baking',
      'InService'
    ];
    let i = 0;
    const result = await poll({
      what: 'endpoint e',
      read: async () => states[i++],
      done: (s) => s === 'InService',
      describe: (s) => s,
      timeoutSeconds: 3600,
      log,
      ...time
    });
    expect(result).toMatchObject({ state: 'InService', polls: 8 });
    expect(log.lines).toEqual(['endpoint e: Updating', 'endpoint e: Baking', 'endpoint e: InService']);
    expect(time.t.delays).toEqual([5000, 7500, 11250, 16875, 20000, 5000, 7500]);
  });

  it('stops at the timeout and says what state the resource was left in', async () => {
    const time = fakeTime();
    await expect(
      poll({
        what: 'endpoint e',
        read: async () => 'Updating (canary 10%)',
        done: () => false,
        describe: (s) => s,
        timeoutSeconds: 60,
        log: new MemoryLogger(),
        ...time
      })
    ).rejects.toThrow(
      new WaitTimeout('Timed out after 1m waiting for endpoint e; it was left Updating (canary 10%).')
    );
    expect(time.t.now).toBe(60000);
  });

  it('wakes right after an expected change (the end of a bake) instead of a full delay later', async () => {
    const time = fakeTime();
    const bakeEnds = 10_000;
    await poll({
      what: 'e',
      read: async () => (time.t.now >= bakeEnds ? 'InService' : 'Baking'),
      done: (s) => s === 'InService',
      describe: (s) => s,
      expectedChange: (s) => (s === 'Baking' ? bakeEnds : undefined),
      timeoutSeconds: 60,
      log: new MemoryLogger(),
      ...time
    });
    expect(time.t.delays).toEqual([5000, 6000]); // 6000 = until the bake ends, plus 1 s
  });

  it('scales delays for a time-scaled emulator', async () => {
    const time = fakeTime();
    let n = 0;
    await poll({
      what: 'x',
      read: async () => n++,
      done: (s) => s === 2,
      describe: () => 's',
      timeoutSeconds: 60,
      log: new MemoryLogger(),
      scale: 0.01,
      ...time
    });
    expect(time.t.delays).toEqual([50, 75]);
  });

  it('scales the timeout too, and says it in the service time the user wrote', async () => {
    const time = fakeTime();
    await expect(
      poll({
        what: 'endpoint e',
        read: async () => 'Updating',
        done: () => false,
        describe: (s) => s,
        timeoutSeconds: 600,
        log: new MemoryLogger(),
        scale: 0.01,
        ...time
      })
    ).rejects.toThrow('Timed out after 10m waiting for endpoint e; it was left Updating.');
    expect(time.t.now).toBe(6000);
  });

  it('a cancelled workflow stops the wait with the state', async () => {
    const controller = new AbortController();
    const time = fakeTime();
    const read = async () => {
      controller.abort();
      return 'Updating';
    };
    await expect(
      poll({
        what: 'endpoint e',
        read,
        done: () => false,
        describe: (s) => s,
        timeoutSeconds: 60,
        log: new MemoryLogger(),
        signal: controller.signal,
        ...time
      })
    ).rejects.toThrow(new Cancelled('Cancelled while waiting for endpoint e; it was left Updating.'));
  });
});
