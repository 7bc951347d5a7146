/**
 * What the Lambda engine judges from AWS's answers, as pure functions: the error-rate verdict,
 * cold starts from REPORT lines, the versions keep-versions deletes, rollback's target.
 */
import { versionsToDelete } from '../../src/lambda/cleanup.js';
import { parseReports, streamPrefixes, coldStartText } from '../../src/lambda/coldstart.js';
import { coldStartLine } from '../../src/lambda/summary.js';
import { tagKeys } from '../../src/lambda/history.js';
import { errorRateVerdict, versionMetrics } from '../../src/lambda/metrics.js';
import { rollbackTarget } from '../../src/lambda/rollback.js';

describe('the error-rate judgment', () => {
  it('rolls back above the limit, naming the rate', () => {
    expect(errorRateVerdict({ version: '4', invocations: 20, errors: 3 }, 0.1)).toBe(
      'the error rate of version 4 was 15% (3 errors in 20 invocations), above max-error-rate 10%'
    );
  });
  it('passes at or below the limit, without a limit, or with no invocations', () => {
    expect(errorRateVerdict({ version: '4', invocations: 20, errors: 2 }, 0.1)).toBeUndefined();
    expect(errorRateVerdict({ version: '4', invocations: 20, errors: 20 }, undefined)).toBeUndefined();
    expect(errorRateVerdict({ version: '4', invocations: 0, errors: 0 }, 0)).toBeUndefined();
  });
  it('reads the answers a version at a time; absent counts are 0', () => {
    expect(
      versionMetrics(
        ['3', '4'],
        [
          { Id: 'inv_0', Values: [5, 5] },
          { Id: 'inv_1', Values: [4] },
          { Id: 'err_1', Values: [1] },
          { Id: 'dur_1', Values: [12, 30] }
        ]
      )
    ).toEqual([
      { version: '3', invocations: 10, errors: 0, durationP95Ms: undefined },
      { version: '4', invocations: 4, errors: 1, durationP95Ms: 30 }
    ]);
  });
});

describe('cold starts from REPORT lines', () => {
  it('reads Init Duration, and says "not measured" without cold starts', () => {
    const c = parseReports('4', [
      'REPORT RequestId: 1 Duration: 2.1 ms Billed Duration: 3 ms Memory Size: 128 MB Max Memory Used: 40 MB Init Duration: 812.34 ms',
      'REPORT RequestId: 2 Duration: 1.0 ms Billed Duration: 1 ms Memory Size: 128 MB Max Memory Used: 40 MB',
      'START RequestId: 3'
    ]);
    expect(c).toEqual({ version: '4', inits: [812.34], reports: 2 });
    expect(coldStartText(c)).toBe('1 cold start of 2 invocations, init 812 ms median, 812 ms max');
    expect(coldStartText(parseReports('4', []))).toContain('not measured');
  });
  it('tells the calls provisioned concurrency served warm from those that spilled over cold', () => {
    const none = { version: '5', inits: [], reports: 30 };
    const spilled = { version: '5', inits: [500, 700], reports: 30 };
    expect(coldStartLine(none, 0)).toBe(
      'Cold starts of version 5 (no provisioned concurrency): not measured (no cold start seen).'
    );
    expect(coldStartLine(none, 1)).toBe(
      'Cold starts of version 5: none: 30 of 30 invocations ran on environments already initialised (1 provisioned).'
    );
    expect(coldStartLine(spilled, 2)).toBe(
      'Cold starts of version 5: 28 of 30 invocations ran on environments already initialised (2 provisioned); without provisioned concurrency (calls beyond it, on new environments): 2 cold starts of 30 invocations, init 700 ms median, 700 ms max.'
    );
  });
  it("asks the version's streams of each day of the window", () => {
    expect(
      streamPrefixes('4', { start: new Date('2026-01-01T23:59:00Z'), end: new Date('2026-01-02T00:01:00Z') })
    ).toEqual(['2026/01/01/[4]', '2026/01/02/[4]']);
  });
});

describe('keep-versions', () => {
  it('deletes beyond the newest N, never an aliased, recent live or provisioned version', () => {
    expect(
      versionsToDelete(
        {
          versions: ['$LATEST', '1', '2', '3', '4', '5', '6', '7', '8'],
          aliased: ['8', '2'],
          live: ['8', '3', '1'],
          provisioned: ['4'],
          rollbackTargets: []
        },
        3
      )
    ).toEqual(['5']);
  });
  it('keeps a live version only within the last N of the history', () => {
    expect(
      versionsToDelete(
        {
          versions: ['1', '2', '3', '4'],
          aliased: ['4'],
          live: ['4', '3', '2', '1'],
          provisioned: [],
          rollbackTargets: []
        },
        2
      )
    ).toEqual(['2', '1']);
  });
  it('never deletes the version a rollback would return to, even with keep-versions 1', () => {
    expect(
      versionsToDelete(
        {
          versions: ['1', '2', '3', '4', '5'],
          aliased: ['5'],
          live: ['5', '4', '2'],
          provisioned: [],
          rollbackTargets: ['4']
        },
        1
      )
    ).toEqual(['3', '2', '1']);
  });
});

describe("rollback's target", () => {
  const tags = { [tagKeys('live').live]: '7 5 4 3', [tagKeys('live').rolledBack]: '5' };
  it('the newest version that went live, not the current one, not rolled back from, still there', () => {
    expect(rollbackTarget(tags, 'live', '7', () => true)).toBe('4');
    expect(rollbackTarget(tags, 'live', '7', (v) => v !== '4')).toBe('3');
    expect(rollbackTarget({}, 'live', '7', () => true)).toBeUndefined();
  });
});
