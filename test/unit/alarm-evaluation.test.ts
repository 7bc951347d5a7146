/**
 * The emulator's CloudWatch alarm evaluation as pure functions on a manual clock: periods and
 * statistics, M of N, every TreatMissingData (AWS's own tables), comparisons, percentiles and
 * reasons; then the lazy evaluation of alarms in an emulator without a server.
 */
import { Emulator } from '../../src/emulator/server.js';
import {
  cloudwatch,
  evaluateAlarms,
  firstAlarm,
  recordMetric
} from '../../src/emulator/services/cloudwatch/index.js';
import { evaluate, type AlarmRule } from '../../src/emulator/services/cloudwatch/evaluate.js';
import {
  percentile,
  periods,
  statistic,
  type Sample
} from '../../src/emulator/services/cloudwatch/statistics.js';

/** 12/01/26 10:00:00 UTC, a period boundary for every period that divides an hour. */
const T0 = Date.UTC(2026, 0, 12, 10);
const P = 60_000;
const rule = (extra: Partial<AlarmRule> = {}): AlarmRule => ({
  Statistic: 'Sum',
  Period: 60,
  EvaluationPeriods: 1,
  Threshold: 0,
  ComparisonOperator: 'GreaterThanThreshold',
  StateValue: 'INSUFFICIENT_DATA',
  ...extra
});

describe('periods and statistics', () => {
  it('buckets samples by period aligned from the epoch, and computes each statistic', () => {
    const samples: Sample[] = [
      [T0 + 1000, 2],
      [T0 + 59_999, 4],
      [T0 + P, 10],
      [T0 - 1, 7]
    ];
    const byIndex = periods([samples], T0, T0 + 2 * P, P);
    expect([...byIndex.keys()].map((i) => i * P - T0)).toEqual([0, P]);
    const first = byIndex.get(T0 / P)!;
    expect(['Sum', 'Average', 'Minimum', 'Maximum', 'SampleCount'].map((s) => statistic(first, s))).toEqual([
      6, 3, 2, 4, 2
    ]);
  });

  it('percentiles by nearest rank, weighted by Counts; none over statistic sets', () => {
    const values: Array<[number, number]> = Array.from({ length: 100 }, (_, i) => [i + 1, 1]);
    expect([50, 95, 99, 100].map((p) => percentile(values, p))).toEqual([50, 95, 99, 100]);
    expect(
      percentile(
        [
          [1, 19],
          [100, 1]
        ],
        95
      )
    ).toBe(1);
    expect(
      percentile(
        [
          [1, 18],
          [100, 2]
        ],
        95
      )
    ).toBe(100);
    const mixed = periods([[[T0, 5], [T0, 10, 2, 4, 6] as Sample]], T0, T0 + P, P).get(T0 / P)!;
    expect(statistic(mixed, 'Sum')).toBe(15);
    expect(statistic(mixed, 'SampleCount')).toBe(3);
    expect(statistic(mixed, 'p95')).toBeUndefined();
    const weighted = periods([[[T0, 3, 4] as Sample]], T0, T0 + P, P).get(T0 / P)!;
    expect([
      statistic(weighted, 'Sum'),
      statistic(weighted, 'SampleCount'),
      statistic(weighted, 'p50')
    ]).toEqual([12, 4, 3]);
  });
});

describe('evaluate', () => {
  it('goes to ALARM on the last complete period, with CloudWatch reason and reason data', () => {
    const samples: Sample[] = [
      [T0 + 10_000, 3],
      // In the period that is not complete yet at the evaluation: not counted.
      [T0 + P + 1, 100]
    ];
    const outcome = evaluate(rule(), [samples], T0 + P + 30_000, P);
    expect(outcome.state).toBe('ALARM');
    expect(outcome.reason).toBe(
      'Threshold Crossed: 1 out of the last 1 datapoints [3.0 (12/01/26 10:00:00)] was greater than the threshold (0.0) (minimum 1 datapoint for OK -> ALARM transition).'
    );
    expect(outcome.reasonData).toEqual({
      version: '1.0',
      queryDate: '2026-01-12T10:01:30.000+0000',
      startDate: '2026-01-12T10:00:00.000+0000',
      statistic: 'Sum',
      period: 60,
      recentDatapoints: [3],
      threshold: 0,
      evaluatedDatapoints: [{ timestamp: '2026-01-12T10:00:00.000+0000', sampleCount: 1, value: 3 }]
    });
  });

  it('goes to OK with the ALARM -> OK wording, and to INSUFFICIENT_DATA without data', () => {
    const ok = evaluate(rule({ Threshold: 1.5 }), [[[T0, 0.5]]], T0 + P, P);
    expect(ok).toMatchObject({
      state: 'OK',
      reason:
        'Threshold Crossed: 1 out of the last 1 datapoints [0.5 (12/01/26 10:00:00)] was not greater than the threshold (1.5) (minimum 1 datapoint for ALARM -> OK transition).'
    });
    expect(evaluate(rule(), [], T0 + P, P)).toMatchObject({
      state: 'INSUFFICIENT_DATA',
      reason: 'Insufficient Data: 1 datapoint was unknown.'
    });
  });

  it('compares as each ComparisonOperator says, the threshold itself included or not', () => {
    const at = (op: string, value: number) =>
      evaluate(rule({ ComparisonOperator: op, Threshold: 5 }), [[[T0, value]]], T0 + P, P).state;
    expect([at('GreaterThanThreshold', 5), at('GreaterThanThreshold', 6)]).toEqual(['OK', 'ALARM']);
    expect([at('GreaterThanOrEqualToThreshold', 5), at('GreaterThanOrEqualToThreshold', 4)]).toEqual([
      'ALARM',
      'OK'
    ]);
    expect([at('LessThanThreshold', 5), at('LessThanThreshold', 4)]).toEqual(['OK', 'ALARM']);
    expect([at('LessThanOrEqualToThreshold', 5), at('LessThanOrEqualToThreshold', 6)]).toEqual([
      'ALARM',
      'OK'
    ]);
    expect(
      evaluate(
        rule({ ComparisonOperator: 'LessThanOrEqualToThreshold', Threshold: 5 }),
        [[[T0, 5]]],
        T0 + P,
        P
      ).reason
    ).toContain('was less than or equal to the threshold (5.0)');
  });

  it('uses the alarm statistic of each period: Average, Maximum, SampleCount', () => {
    const samples: Sample[] = [
      [T0, 1],
      [T0 + 1, 2],
      [T0 + 2, 9]
    ];
    const state = (Statistic: string, Threshold: number) =>
      evaluate(rule({ Statistic, Threshold }), [samples], T0 + P, P).state;
    expect([state('Average', 4), state('Average', 3.9)]).toEqual(['OK', 'ALARM']);
    expect([state('Maximum', 9), state('Maximum', 8)]).toEqual(['OK', 'ALARM']);
    expect([state('SampleCount', 3), state('SampleCount', 2)]).toEqual(['OK', 'ALARM']);
  });

  it('M of N: DatapointsToAlarm of the last EvaluationPeriods, which need not be consecutive', () => {
    const series = (...values: number[]): Sample[] => values.map((v, i) => [T0 + i * P, v]);
    const at = T0 + 3 * P;
    const two = rule({ EvaluationPeriods: 3, DatapointsToAlarm: 2 });
    expect(evaluate(two, [series(5, 0, 5)], at, P)).toMatchObject({
      state: 'ALARM',
      reason:
        'Threshold Crossed: 2 out of the last 3 datapoints [5.0 (12/01/26 10:02:00), 5.0 (12/01/26 10:00:00)] were greater than the threshold (0.0) (minimum 2 datapoints for OK -> ALARM transition).'
    });
    expect(evaluate(two, [series(5, 0, 0)], at, P)).toMatchObject({
      state: 'OK',
      reason:
        'Threshold Crossed: 2 out of the last 3 datapoints [0.0 (12/01/26 10:02:00), 0.0 (12/01/26 10:01:00)] were not greater than the threshold (0.0) (minimum 2 datapoints for ALARM -> OK transition).'
    });
    // DatapointsToAlarm defaults to EvaluationPeriods.
    expect(evaluate(rule({ EvaluationPeriods: 3 }), [series(5, 0, 5)], at, P).state).toBe('OK');
    expect(evaluate(rule({ EvaluationPeriods: 3 }), [series(5, 5, 5)], at, P).state).toBe('ALARM');
  });

  describe('missing data: the tables of the CloudWatch user guide (5 most recent periods, oldest first)', () => {
    /** "0 - X - X": 0 not breaching, X breaching, - missing; the last period ends at the evaluation. */
    function samplesOf(points: string): Sample[] {
      return points
        .split(' ')
        .flatMap((p, i): Sample[] => (p === '-' ? [] : [[T0 + i * P, p === 'X' ? 10 : 0]]));
    }
    const at = T0 + 5 * P;
    const state = (points: string, m: number, treat: string, current: AlarmRule['StateValue'] = 'OK') =>
      evaluate(
        rule({ EvaluationPeriods: 3, DatapointsToAlarm: m, TreatMissingData: treat, StateValue: current }),
        [samplesOf(points)],
        at,
        P
      ).state;
    const row = (points: string, m: number) =>
      ['missing', 'ignore', 'breaching', 'notBreaching'].map((t) => state(points, m, t, 'OK'));

    it('3 of 3', () => {
      expect(row('0 - X - X', 3)).toEqual(['OK', 'OK', 'OK', 'OK']);
      expect(row('0 - - - -', 3)).toEqual(['OK', 'OK', 'OK', 'OK']);
      expect(row('- - - - -', 3)).toEqual(['INSUFFICIENT_DATA', 'OK', 'ALARM', 'OK']);
      expect(row('0 X X - X', 3)).toEqual(['ALARM', 'ALARM', 'ALARM', 'ALARM']);
      expect(row('- - - - X', 3)).toEqual(['INSUFFICIENT_DATA', 'OK', 'ALARM', 'OK']);
    });

    it('2 of 3', () => {
      expect(row('0 - X - X', 2)).toEqual(['ALARM', 'ALARM', 'ALARM', 'ALARM']);
      expect(row('0 0 X 0 X', 2)).toEqual(['ALARM', 'ALARM', 'ALARM', 'ALARM']);
      expect(row('0 - X - -', 2)).toEqual(['OK', 'OK', 'ALARM', 'OK']);
      expect(row('- - - - 0', 2)).toEqual(['OK', 'OK', 'ALARM', 'OK']);
      expect(row('- - - - X', 2)).toEqual(['INSUFFICIENT_DATA', 'OK', 'ALARM', 'OK']);
    });

    it('ignore keeps the current state, whatever it is', () => {
      expect(state('- - - - -', 3, 'ignore', 'ALARM')).toBe('ALARM');
      expect(state('- - - - X', 3, 'ignore', 'INSUFFICIENT_DATA')).toBe('INSUFFICIENT_DATA');
      expect(evaluate(rule({ TreatMissingData: 'ignore', StateValue: 'ALARM' }), [], at, P)).toMatchObject({
        state: 'ALARM',
        retained: true
      });
    });

    it('says how missing datapoints were treated', () => {
      expect(evaluate(rule({ TreatMissingData: 'breaching' }), [], at, P).reason).toBe(
        'Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [Breaching].'
      );
      expect(
        evaluate(rule({ EvaluationPeriods: 3, TreatMissingData: 'notBreaching' }), [], at, P).reason
      ).toBe(
        'Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [NonBreaching].'
      );
      expect(
        evaluate(
          rule({ EvaluationPeriods: 3, TreatMissingData: 'breaching' }),
          [samplesOf('- - - - X')],
          at,
          P
        ).reason
      ).toBe(
        'Threshold Crossed: 3 out of the last 3 datapoints [10.0 (12/01/26 10:04:00)] were greater than the threshold (0.0) and 2 missing datapoints were treated as [Breaching] (minimum 3 datapoints for OK -> ALARM transition).'
      );
      expect(evaluate(rule({ EvaluationPeriods: 3 }), [samplesOf('- - - - X')], at, P).reason).toBe(
        'Insufficient Data: 2 datapoints were unknown.'
      );
    });

    it('the last real datapoint keeps counting for the evaluation range after the data stops', () => {
      // 1 of 1 looks back over 3 periods: ALARM for two more periods, then INSUFFICIENT_DATA.
      const samples: Sample[] = [[T0, 10]];
      expect([1, 2, 3, 4].map((k) => evaluate(rule(), [samples], T0 + k * P, P).state)).toEqual([
        'ALARM',
        'ALARM',
        'ALARM',
        'INSUFFICIENT_DATA'
      ]);
    });
  });

  it('p95 (ExtendedStatistic), and EvaluateLowSampleCountPercentile ignore below 10/(1-p) samples', () => {
    const samples: Sample[] = Array.from({ length: 100 }, (_, i) => [T0 + i, i + 1]);
    const p95 = rule({ Statistic: undefined, ExtendedStatistic: 'p95', Threshold: 94 });
    expect(evaluate(p95, [samples], T0 + P, P)).toMatchObject({
      state: 'ALARM',
      reason: expect.stringContaining('[95.0 (12/01/26 10:00:00)] was greater than the threshold (94.0)')
    });
    expect(evaluate({ ...p95, Threshold: 95 }, [samples], T0 + P, P).state).toBe('OK');
    // p95 needs 200 samples to be trusted: with `ignore` the state stays, with `evaluate` it moves.
    expect(
      evaluate({ ...p95, EvaluateLowSampleCountPercentile: 'ignore', StateValue: 'OK' }, [samples], T0 + P, P)
    ).toMatchObject({ state: 'OK', retained: true });
    expect(
      evaluate(
        { ...p95, EvaluateLowSampleCountPercentile: 'evaluate', StateValue: 'OK' },
        [samples],
        T0 + P,
        P
      ).state
    ).toBe('ALARM');
    const many: Sample[] = Array.from({ length: 200 }, (_, i) => [T0 + i, (i % 100) + 1]);
    expect(
      evaluate({ ...p95, EvaluateLowSampleCountPercentile: 'ignore', StateValue: 'OK' }, [many], T0 + P, P)
        .state
    ).toBe('ALARM');
  });

  it('takes any period length: a scaled 60 s period of 600 ms', () => {
    const outcome = evaluate(rule(), [[[T0 + 100, 1]]], T0 + 600, 600);
    expect(outcome.state).toBe('ALARM');
    expect(outcome.reasonData.period).toBe(60);
    expect(evaluate(rule(), [[[T0 + 100, 1]]], T0 + 599, 600).state).toBe('INSUFFICIENT_DATA');
  });
});

describe('lazy evaluation in the emulator (no server)', () => {
  let now = T0;
  const make = (timeScale = 1) => {
    const emulator = new Emulator({ now: () => now, timeScale });
    const ops = cloudwatch(emulator).operations;
    return { emulator, ops };
  };
  const put = (ops: ReturnType<typeof make>['ops'], extra: Record<string, unknown> = {}) =>
    ops.PutMetricAlarm(
      {
        AlarmName: 'errors',
        Namespace: 'AWS/SageMaker',
        MetricName: 'Invocation5XXErrors',
        Dimensions: [{ Name: 'EndpointName', Value: 'e' }],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        ...extra
      },
      { operation: 'PutMetricAlarm', requestId: 'r' }
    );
  const error = (emulator: Emulator, value = 1) =>
    recordMetric(emulator, {
      Namespace: 'AWS/SageMaker',
      MetricName: 'Invocation5XXErrors',
      Dimensions: [{ Name: 'EndpointName', Value: 'e' }],
      Value: value
    });
  const states = (emulator: Emulator) =>
    (
      emulator.stateOf<{ alarms: Record<string, { history: Array<{ at: number; state: string }> }> }>(
        'cloudwatch',
        () => ({ alarms: {} })
      ).alarms.errors?.history ?? []
    ).map((h) => [h.at - T0, h.state]);

  beforeEach(() => (now = T0 + 5000));

  it('records each change at its period boundary, whenever anybody asks', () => {
    const script = (askEvery: number) => {
      now = T0 + 5000;
      const { emulator, ops } = make();
      put(ops);
      for (let t = 5000; t <= 6 * P; t += 1000) {
        now = T0 + t;
        if (t === 10_000 || t === 20_000) error(emulator);
        if (t % askEvery === 0) evaluateAlarms(emulator);
      }
      evaluateAlarms(emulator);
      return states(emulator);
    };
    const expected = [
      [5000, 'INSUFFICIENT_DATA'],
      [P, 'ALARM'],
      [4 * P, 'INSUFFICIENT_DATA']
    ];
    expect(script(1000)).toEqual(expected);
    expect(script(7000)).toEqual(expected);
    expect(script(10 * P)).toEqual(expected);
  });

  it('SetAlarmState lasts until the next evaluation: then the data (or its absence) decides', () => {
    const { emulator, ops } = make();
    put(ops);
    now = T0 + 10_000;
    ops.SetAlarmState(
      { AlarmName: 'errors', StateValue: 'ALARM', StateReason: 'test' },
      { operation: 'x', requestId: 'r' }
    );
    now = T0 + P - 1;
    evaluateAlarms(emulator);
    expect(states(emulator).at(-1)).toEqual([10_000, 'ALARM']);
    now = T0 + P;
    evaluateAlarms(emulator);
    expect(states(emulator).at(-1)).toEqual([P, 'INSUFFICIENT_DATA']);
    // firstAlarm sees the manual ALARM and evaluates before it answers.
    now = T0 + 3 * P;
    expect(firstAlarm(emulator, ['errors'], T0, T0 + 3 * P)).toEqual({ name: 'errors', at: T0 + 10_000 });
    expect(firstAlarm(emulator, ['errors'], T0 + P, T0 + 3 * P)).toBeUndefined();
  });

  it('with ignore, SetAlarmState keeps its state while there is no data', () => {
    const { emulator, ops } = make();
    put(ops, { TreatMissingData: 'ignore' });
    ops.SetAlarmState(
      { AlarmName: 'errors', StateValue: 'ALARM', StateReason: 'test' },
      { operation: 'x', requestId: 'r' }
    );
    now = T0 + 10 * P;
    evaluateAlarms(emulator);
    expect(states(emulator).at(-1)).toEqual([5000, 'ALARM']);
  });

  it('periods follow the time scale: at 0.01, a 60 s period is 600 ms of the emulator clock', () => {
    const { emulator, ops } = make(0.01);
    now = T0 + 50;
    put(ops);
    now = T0 + 100;
    error(emulator, 3);
    now = T0 + 599;
    evaluateAlarms(emulator);
    expect(states(emulator).at(-1)?.[1]).toBe('INSUFFICIENT_DATA');
    now = T0 + 600;
    evaluateAlarms(emulator);
    expect(states(emulator).at(-1)).toEqual([600, 'ALARM']);
  });

  it('a long quiet gap costs no evaluation per period', () => {
    const { emulator, ops } = make();
    put(ops, { Period: 10 });
    error(emulator);
    now = T0 + 365 * 86_400_000;
    // Three million 10 s periods: only those whose range holds data are evaluated.
    evaluateAlarms(emulator);
    expect(states(emulator).map(([, s]) => s)).toEqual(['INSUFFICIENT_DATA', 'ALARM', 'INSUFFICIENT_DATA']);
  });
});
