import { isNotFound } from '../../src/aws.js';
import { commandRenderer } from '../../src/cli.js';
import { checkMap, checkTags, MODEL_ENVIRONMENT, singleLine } from '../../src/limits.js';
import { inert, startsCommand } from '../../src/untrusted.js';

describe('text from outside never starts a workflow command', () => {
  it.each([
    ['oops\n::set-output name=status::deployed', true],
    ['  ::error::x', true],
    ['a\r\n##[set-output name=x;]y', true],
    ['label x ##[set-output name=image-uri;]evil', true],
    ['\u00a0::error::planted', true],
    ['a\r::error::planted', true],
    ['plain text :: with colons', false],
    ['https://x::y', false]
  ])('%j looks like a command: %s', (text, yes) => expect(startsCommand(text)).toBe(yes));

  it('wraps such text in a stop-commands block whose token the text cannot know', () => {
    const text = 'oops\n::set-output name=status::deployed';
    const out = inert(text);
    const [first, ...rest] = out.split('\n');
    const token = /^::stop-commands::([a-z]{16})$/.exec(first)![1];
    expect(rest).toEqual(['oops', '::set-output name=status::deployed', `::${token}::`]);
    expect(inert(text)).not.toBe(out);
    expect(inert('fine')).toBe('fine');
  });

  it('the terminal renderer prints a stopped block as it is, across writes', () => {
    const render = commandRenderer(false);
    expect(render('::stop-commands::tok\n::warning::planted')).toBe('::warning::planted');
    expect(render('::tok::\n::warning::ours')).toBe('warning: ours');
  });
});

describe('AWS limits before any call', () => {
  it.each([
    [{ ['k'.repeat(129)]: 'v' }, /1 to 128/],
    [{ k: 'v'.repeat(257) }, /at most 256/],
    [{ 'aws:owner': 'me' }, /reserved by AWS/],
    [{ team: 'a;b' }, /letters, digits, spaces/],
    [{ 'mlops-actions:endpoint': 'x' }, /toolkit's own/]
  ])('tags %j', (tags, message) => expect(() => checkTags('tags', tags)).toThrow(message));
  it('tags: count beside the toolkit', () =>
    expect(() =>
      checkTags('tags', Object.fromEntries([...Array(41)].map((_, i) => [`k${i}`, 'v'])), 40)
    ).toThrow(/41 tags, but at most 40/));
  it('environment', () => {
    expect(() => checkMap('environment', { '1X': 'v' }, MODEL_ENVIRONMENT)).toThrow(
      /environment variable names/
    );
    expect(() => checkMap('environment', { X: 'v'.repeat(1025) }, MODEL_ENVIRONMENT)).toThrow(/at most 1024/);
    expect(checkMap('environment', { DB_PASSWORD: 's' }, MODEL_ENVIRONMENT)).toEqual({ DB_PASSWORD: 's' });
  });
  it('single lines', () => {
    expect(() => singleLine('workdir', '/app\n::x::')).toThrow('Input "workdir" must be a single line');
    expect(singleLine('workdir', '/app')).toBe('/app');
  });
});

describe('not found, however it is worded', () => {
  const error = (name: string, message: string, status?: number) =>
    Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
  it.each([
    [
      error(
        'ValidationException',
        'Could not find training job "arn:aws:sagemaker:us-east-1:1:training-job/x"'
      ),
      true
    ],
    [error('ValidationException', 'Requested resource not found.'), true],
    [error('ValidationException', 'Endpoint x does not exist.'), true],
    [error('ResourceNotFound', 'Resource x not found.'), true],
    [error('SomethingElse', 'Not found', 404), true],
    [error('ValidationException', 'Cannot update in-progress endpoint'), false],
    [error('ThrottlingException', 'Rate exceeded'), false]
  ])('%s', (e, yes) => expect(isNotFound(e)).toBe(yes));
});
