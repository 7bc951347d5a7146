import { Inputs, inputVariable, splitList } from '../../src/inputs.js';
import { InputError } from '../../src/errors.js';
import { formatDuration, parseDuration } from '../../src/duration.js';

const inputsOf = (values: Record<string, string>, declared?: Record<string, { default?: string }>) =>
  new Inputs((name) => values[name], declared, 'test-action');

function failure(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('input readers accept what users write', () => {
  const good: Array<[string, (i: Inputs) => unknown, unknown]> = [
    ['true', (i) => i.boolean('x'), true],
    ['True', (i) => i.boolean('x'), true],
    ['FALSE', (i) => i.boolean('x'), false],
    ['', (i) => i.boolean('x'), false],
    ['42', (i) => i.integer('x', { min: 1, max: 64 }), 42],
    ['-3', (i) => i.integer('x'), -3],
    ['', (i) => i.integer('x'), undefined],
    ['0.25', (i) => i.number('x', { min: 0, max: 1 }), 0.25],
    ['Canary', (i) => i.enum('x', ['canary', 'linear'] as const), 'canary'],
    ['90s', (i) => i.duration('x'), 90],
    ['15m', (i) => i.duration('x'), 900],
    ['1h', (i) => i.duration('x'), 3600],
    ['1h30m', (i) => i.duration('x'), 5400],
    ['300', (i) => i.duration('x'), 300],
    ['500ms', (i) => i.duration('x'), 0.5],
    ['0s', (i) => i.duration('x'), 0],
    ['1d2h3m4s', (i) => i.duration('x'), 93784],
    ['1m30s', (i) => i.duration('x'), 90],
    ['10%', (i) => i.percent('x'), 10],
    ['10', (i) => i.percent('x'), 10],
    ['12.5 %', (i) => i.percent('x'), 12.5],
    ['a, b,,c', (i) => i.list('x'), ['a', 'b', 'c']],
    ['a\n\n b \n', (i) => i.list('x'), ['a', 'b']],
    ['', (i) => i.list('x'), []],
    ['A: 1\nB: two words', (i) => i.map('x'), { A: '1', B: 'two words' }],
    ['{A: 1.0, B: true}', (i) => i.map('x'), { A: '1.0', B: 'true' }],
    ['A=1\nB = x=y\n# comment', (i) => i.map('x'), { A: '1', B: 'x=y' }],
    ['URL=http://example.com:8080/a', (i) => i.map('x'), { URL: 'http://example.com:8080/a' }],
    ['', (i) => i.map('x'), {}],
    ['epochs: 10\nlr: 0.1\nlayers: [1, 2]', (i) => i.typedMap('x'), { epochs: 10, lr: 0.1, layers: [1, 2] }],
    ['{"a": [1, 2]}', (i) => i.json('x'), { a: [1, 2] }],
    ['ml.m5.large', (i) => i.matching('x', /^ml\.[a-z0-9]+\.[a-z0-9]+$/, 'an instance type'), 'ml.m5.large'],
    ['  padded  ', (i) => i.string('x'), 'padded']
  ];
  it.each(good)('%j', (value, read, expected) => {
    expect(read(inputsOf({ x: value }))).toEqual(expected);
  });
});

describe('a bad value is one sentence naming the input, the value and what is accepted', () => {
  const bad: Array<[string, (i: Inputs) => unknown, string]> = [
    ['yes', (i) => i.boolean('x'), 'Input "x" must be true or false, but got "yes".'],
    ['1', (i) => i.boolean('x'), 'Input "x" must be true or false, but got "1".'],
    [
      'abc',
      (i) => i.integer('x', { min: 1, max: 64 }),
      'Input "x" must be an integer from 1 to 64, but got "abc".'
    ],
    [
      '65',
      (i) => i.integer('x', { min: 1, max: 64 }),
      'Input "x" must be an integer from 1 to 64, but got "65".'
    ],
    ['1.5', (i) => i.integer('x', { min: 1 }), 'Input "x" must be an integer of at least 1, but got "1.5".'],
    ['2', (i) => i.number('x', { max: 1 }), 'Input "x" must be a number of at most 1, but got "2".'],
    [
      'blue',
      (i) => i.enum('x', ['canary', 'linear']),
      'Input "x" must be one of canary, linear, but got "blue".'
    ],
    [
      '10 minutes',
      (i) => i.duration('x'),
      'Input "x" must be a duration such as 90s, 15m, 1h or 1h30m (bare numbers are seconds), but got "10 minutes".'
    ],
    [
      '2h',
      (i) => i.duration('x', { max: 3600 }),
      'Input "x" must be a duration such as 90s, 15m, 1h or 1h30m (bare numbers are seconds) of at most 3600s, but got "2h".'
    ],
    ...['30m1h', '1s1s', 'm', '1h 30m'].map((value): [string, (i: Inputs) => unknown, string] => [
      value,
      (i) => i.duration('x'),
      `Input "x" must be a duration such as 90s, 15m, 1h or 1h30m (bare numbers are seconds), but got "${value}".`
    ]),
    [
      '-5m',
      (i) => i.duration('x'),
      'Input "x" must be a duration such as 90s, 15m, 1h or 1h30m (bare numbers are seconds), but got "-5m".'
    ],
    ['150%', (i) => i.percent('x'), 'Input "x" must be a percentage from 0% to 100%, but got "150%".'],
    [
      '60%',
      (i) => i.percent('x', { max: 50 }),
      'Input "x" must be a percentage from 0% to 50%, but got "60%".'
    ],
    ['ten', (i) => i.percent('x'), 'Input "x" must be a percentage from 0% to 100%, but got "ten".'],
    [
      '- a\n- b',
      (i) => i.map('x'),
      'Input "x" must be a mapping (key: value lines, {key: value}, or key=value lines), but got "- a\\n- b".'
    ],
    [
      'a: [1',
      (i) => i.map('x'),
      'Input "x" must be a mapping (key: value lines, {key: value}, or key=value lines), but got "a: [1".'
    ],
    [
      'a: 1\na: 2',
      (i) => i.map('x'),
      'Input "x" must be a mapping (key: value lines, {key: value}, or key=value lines), but got "a: 1\\na: 2".'
    ],
    [
      'a:\n  b: 1',
      (i) => i.map('x'),
      'Input "x" must be a mapping of keys to single values (key: value lines or key=value lines), but got "a:\\n  b: 1".'
    ],
    [
      'just text',
      (i) => i.typedMap('x'),
      'Input "x" must be a mapping (key: value lines, {key: value}, or key=value lines), but got "just text".'
    ],
    ['{a: 1', (i) => i.json('x'), 'Input "x" must be valid JSON, but got "{a: 1".'],
    [
      'm5',
      (i) => i.matching('x', /^ml\./, 'an instance type such as ml.m5.large'),
      'Input "x" must be an instance type such as ml.m5.large, but got "m5".'
    ]
  ];
  it.each(bad)('%j', (value, read, message) => {
    const error = failure(() => read(inputsOf({ x: value })));
    expect(error.message).toBe(message);
    expect(error.input).toBe('x');
    expect(error.message.split('. ').length).toBe(1);
  });

  it('a required input that is empty says so', () => {
    expect(failure(() => inputsOf({ x: '  ' }).required('x')).message).toBe('Input "x" is required.');
    expect(failure(() => inputsOf({}).required('x', 'give the endpoint to deploy to')).message).toBe(
      'Input "x" is required: give the endpoint to deploy to.'
    );
  });

  it('long values are shortened in the message', () => {
    const error = failure(() => inputsOf({ x: 'y'.repeat(200) }).boolean('x'));
    expect(error.message.length).toBeLessThan(160);
  });
});

describe('declared inputs', () => {
  it('fall back to the action.yml default, as the runner does', () => {
    const inputs = inputsOf({}, { wait: { default: 'true' }, timeout: { default: '15m' } });
    expect(inputs.boolean('wait')).toBe(true);
    expect(inputs.duration('timeout')).toBe(900);
  });
  it('an explicit value wins over the default', () => {
    expect(inputsOf({ wait: 'false' }, { wait: { default: 'true' } }).boolean('wait')).toBe(false);
  });
  it('reading an undeclared input is a programming error, not a user error', () => {
    expect(() => inputsOf({}, { wait: {} }).string('wiat')).toThrow(
      'Input "wiat" is not declared in the action.yml of test-action.'
    );
  });
});

describe('helpers', () => {
  it('names variables as the runner does', () => {
    expect(inputVariable('endpoint-name')).toBe('INPUT_ENDPOINT-NAME');
    expect(inputVariable('my input')).toBe('INPUT_MY_INPUT');
  });
  it('splits lists', () => expect(splitList('a,b\nc')).toEqual(['a', 'b', 'c']));
  it('parses and formats durations', () => {
    expect(parseDuration('1h30m15s')).toBe(5415);
    expect(parseDuration('1d')).toBe(86400);
    expect(parseDuration('soon')).toBeUndefined();
    expect(formatDuration(4.21)).toBe('4.2s');
    expect(formatDuration(3723)).toBe('1h 2m 3s');
    expect(formatDuration(600)).toBe('10m');
  });
});
