import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../src/cli.js';
import { UserError } from '../../src/errors.js';
import type { ActionMetadata } from '../../src/generated/actions.js';
import type { ActionContext } from '../../src/runner.js';
import { captureStdout } from '../helpers/capture.js';

const meta: ActionMetadata = {
  description: 'Says hello.',
  inputs: {
    name: { description: 'Who to greet.', required: true },
    times: { description: 'How many times.', default: '1' },
    loud: { description: 'Shout.', default: 'false' },
    tags: { description: 'Tags, one per line.' }
  },
  outputs: { greeting: { description: 'What was said.' }, count: { description: 'Times said.' } }
};

let seen: Record<string, unknown> = {};
async function hello(ctx: ActionContext): Promise<void> {
  const name = ctx.inputs.required('name');
  const times = ctx.inputs.integer('times', { min: 1, max: 3 })!;
  const loud = ctx.inputs.boolean('loud');
  seen = { name, times, loud, tags: ctx.inputs.list('tags') };
  if (name === 'nobody') throw new UserError('Input "name" must name somebody.');
  if (name === 'bug') throw new TypeError('cannot read properties of undefined');
  const greeting = `hello ${name}`;
  ctx.setOutput('greeting', loud ? greeting.toUpperCase() : greeting);
  ctx.setOutput('count', times);
  ctx.log.info('greeted');
  ctx.log.warning('careful');
  (await import('@actions/core')).summary.addRaw('## Greeted\n');
}

const registry = { actions: { hello: meta }, runs: { hello } };

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let out = '';
  let err = '';
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (/^(INPUT_|GITHUB_|RUNNER_)/.test(k)) delete process.env[k];
  Object.assign(process.env, env);
  try {
    const { result: code, stdout } = await captureStdout(() =>
      main(argv, { registry, out: (t) => void (out += t), err: (t) => void (err += t) })
    );
    return { code, out: out + stdout, err };
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

beforeEach(() => (seen = {}));

describe('mlops-actions CLI', () => {
  it('--help lists the actions and commands', async () => {
    const { code, out } = await cli(['--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/hello\s+Says hello\./);
    expect(out).toMatch(/emulator\s+Start the local AWS emulator/);
  });

  it('<action> --help prints inputs and outputs from the action.yml', async () => {
    const { code, out } = await cli(['hello', '--help']);
    expect(code).toBe(0);
    expect(out).toContain('Usage: mlops-actions hello --name <value>');
    expect(out).toMatch(/--name\s+Who to greet\. \[required\]/);
    expect(out).toMatch(/--times\s+How many times\. \[default: 1\]/);
    expect(out).toMatch(/greeting\s+What was said\./);
  });

  it('runs the action with flags, prints outputs as name=value and the summary as Markdown', async () => {
    const { code, out } = await cli(['hello', '--name', 'ada', '--times=2', '--loud']);
    expect(code).toBe(0);
    expect(seen).toEqual({ name: 'ada', times: 2, loud: true, tags: [] });
    expect(out).toContain('greeting=HELLO ADA\ncount=2');
    expect(out).toContain('--- job summary ---\n## Greeted');
    expect(out).toContain('warning: careful');
    expect(out).not.toContain('::');
  });

  it('a repeated flag becomes a list', async () => {
    await cli(['hello', '--name', 'ada', '--tags', 'a', '--tags', 'b']);
    expect(seen.tags).toEqual(['a', 'b']);
  });

  it('reads INPUT_* variables, flags win', async () => {
    await cli(['hello', '--times', '3'], { INPUT_NAME: 'grace', INPUT_TIMES: '2' });
    expect(seen).toMatchObject({ name: 'grace', times: 3 });
  });

  it('an unknown flag is an error that lists the valid inputs (exit 2)', async () => {
    const { code, err } = await cli(['hello', '--nmae', 'ada']);
    expect(code).toBe(2);
    expect(err).toBe(
      'mlops-actions: Unknown input "--nmae" for hello; valid inputs: --name, --times, --loud, --tags.\n'
    );
    expect(seen).toEqual({});
  });

  it('an unknown action and a stray argument are usage errors', async () => {
    expect((await cli(['helo'])).err).toContain(
      'Unknown action "helo"; the actions are: hello, emulator, workflow.'
    );
    expect((await cli(['hello', 'ada'])).code).toBe(2);
  });

  it("the exit code is the action's: a bad input exits 1 with one sentence", async () => {
    const { code, out } = await cli(['hello', '--name', 'ada', '--times', '9']);
    expect(code).toBe(1);
    expect(out).toContain('error: Input "times" must be an integer from 1 to 3, but got "9".');
    expect(out).toContain('> hello failed: Input "times" must be an integer from 1 to 3, but got "9".');
  });

  it('writes outputs and the summary to the GITHUB_* files when set', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
    const env = { GITHUB_OUTPUT: path.join(dir, 'out'), GITHUB_STEP_SUMMARY: path.join(dir, 'sum') };
    const { code, out } = await cli(['hello', '--name', 'ada'], env);
    expect(code).toBe(0);
    expect(fs.readFileSync(env.GITHUB_OUTPUT, 'utf8')).toMatch(/greeting<<ghadelimiter_[\w-]+\nhello ada\n/);
    expect(fs.readFileSync(env.GITHUB_STEP_SUMMARY, 'utf8')).toContain('## Greeted');
    expect(out).toContain('greeting=hello ada');
    expect(out).not.toContain('--- job summary ---');
  });

  it('serves as the umbrella action: INPUT_ACTION picks the action and foreign inputs are warned about', async () => {
    const { code, out } = await cli([], {
      INPUT_ACTION: 'hello',
      INPUT_NAME: 'ada',
      INPUT_TIMES: '1',
      GITHUB_ACTIONS: 'true'
    });
    expect(code).toBe(0);
    expect(out).toContain('greeting=hello ada');
    const wrong = await cli([], { INPUT_ACTION: 'nope' });
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('Input "action" must be one of hello, but got "nope".');
  });

  it('an unexpected error fails with its message and keeps the stack for the debug log only', async () => {
    const quiet = await cli(['hello', '--name', 'bug']);
    expect(quiet.code).toBe(1);
    expect(quiet.out).toContain('error: cannot read properties of undefined');
    expect(quiet.out).not.toContain('at hello');
    const debug = await cli(['hello', '--name', 'bug'], { RUNNER_DEBUG: '1' });
    expect(debug.out).toMatch(/debug: TypeError: cannot read properties of undefined\n\s+at hello/);
  });

  it('a user error fails without a stack trace', async () => {
    const { code, out } = await cli(['hello', '--name', 'nobody'], { RUNNER_DEBUG: '1' });
    expect(code).toBe(1);
    expect(out).toContain('error: Input "name" must name somebody.');
    expect(out).not.toContain('    at ');
  });
});
