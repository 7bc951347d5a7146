/** The gate's rule grammar and evaluation: what passes, fails or is skipped, and what is refused. */
import { InputError } from '../../src/errors.js';
import { evaluate, evaluateAll, parseRule, parseRules } from '../../src/gate/rules.js';

describe('parsing rules', () => {
  it.each([
    ['accuracy >= 0.9', { metric: 'accuracy', optional: false, op: '>=', right: { number: 0.9 } }],
    ['accuracy>=.9', { metric: 'accuracy', op: '>=', right: { number: 0.9 } }],
    ['f1_macro > baseline', { metric: 'f1_macro', op: '>', right: { baseline: true } }],
    ['accuracy >= baseline - 0.01', { right: { baseline: true, adjust: { op: '-', number: 0.01 } } }],
    [
      'latency_p95 <= baseline * 1.1',
      { op: '<=', right: { baseline: true, adjust: { op: '*', number: 1.1 } } }
    ],
    ['loss < baseline + 1e-3', { op: '<', right: { baseline: true, adjust: { op: '+', number: 0.001 } } }],
    ['drift? < 0.2', { metric: 'drift', optional: true }],
    ['eval/f1.macro-avg == 1', { metric: 'eval/f1.macro-avg', op: '==' }],
    ['errors != -2', { op: '!=', right: { number: -2 } }]
  ])('%s', (line, expected) => expect(parseRule(line)).toMatchObject(expected));

  it('one per line, blank lines and # comments left out', () => {
    const rules = parseRules('# quality\naccuracy >= 0.9\n\n  f1 > baseline  \r\n');
    expect(rules.map((r) => r.text)).toEqual(['accuracy >= 0.9', 'f1 > baseline']);
  });

  it.each([
    'accuracy >>= 0.9',
    'accuracy => 0.9',
    'accuracy >= ',
    '>= 0.9',
    'accuracy >= baseline / 2',
    'accuracy >= 0.9 + baseline',
    'accuracy >= baseline - 0.01 * 2',
    'accuracy >= ninety',
    'accuracy ?>= 0.9'
  ])('refuses %j naming the input', (line) => {
    expect(() => parseRules(`accuracy >= 0.5\n${line}`)).toThrow(InputError);
    expect(() => parseRules(line)).toThrow(
      /^Input "rules" has the rule ".*", which is not one rule per line/
    );
  });
});

describe('evaluating rules', () => {
  const rule = (text: string) => parseRule(text);

  it('compares with a number', () => {
    expect(evaluate(rule('accuracy >= 0.9'), 0.9, undefined)).toMatchObject({
      verdict: 'pass',
      threshold: 0.9
    });
    expect(evaluate(rule('accuracy > 0.9'), 0.9, undefined)).toMatchObject({
      verdict: 'fail',
      why: '0.9 > 0.9 is false'
    });
  });

  it('compares with the baseline, adjusted, without binary noise', () => {
    expect(evaluate(rule('accuracy >= baseline - 0.01'), 0.94, 0.95)).toMatchObject({
      verdict: 'pass',
      threshold: 0.94
    });
    expect(evaluate(rule('latency <= baseline * 1.1'), 111, 100)).toMatchObject({
      verdict: 'fail',
      threshold: 110
    });
    expect(evaluate(rule('f1 > baseline'), 0.91, 0.9).verdict).toBe('pass');
    expect(evaluate(rule('f1 != baseline'), 0.9, 0.9).verdict).toBe('fail');
  });

  it('fails a rule whose metric is missing, or whose baseline value is missing', () => {
    expect(evaluate(rule('accuracy >= 0.9'), undefined, 0.9)).toMatchObject({
      verdict: 'fail',
      why: 'missing from the candidate'
    });
    expect(evaluate(rule('accuracy >= baseline'), 0.9, undefined)).toMatchObject({
      verdict: 'fail',
      why: 'no baseline value to compare with'
    });
  });

  it('skips an optional rule in both cases, and still judges it when it can', () => {
    expect(evaluate(rule('drift? < 0.2'), undefined, undefined).verdict).toBe('skip');
    expect(evaluate(rule('drift? < baseline'), 0.1, undefined)).toMatchObject({
      verdict: 'skip',
      why: 'no baseline value to compare with (optional)'
    });
    expect(evaluate(rule('drift? < 0.2'), 0.3, undefined).verdict).toBe('fail');
  });

  it('evaluates every rule against the maps, names taken literally', () => {
    const candidate = new Map([
      ['accuracy', 0.95],
      ['__proto__', 1]
    ]);
    const results = evaluateAll(
      parseRules('accuracy >= baseline\n__proto__ == 1\nconstructor? > 0'),
      candidate,
      new Map([['accuracy', 0.96]])
    );
    expect(results.map((r) => r.verdict)).toEqual(['fail', 'pass', 'skip']);
  });
});
