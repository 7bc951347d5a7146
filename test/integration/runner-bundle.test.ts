/**
 * The action runner end to end: a fixture action bundled with ncc like the real ones and run through
 * the test helper exactly as the GitHub runner runs a node24 action.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { bundle, compile } from '../../scripts/bundle.mjs';
import { ROOT, runBundle } from '../helpers/bundle.js';

const fixture = path.join(ROOT, 'test/fixtures/echo-action');
const work = path.join(ROOT, '.tmp', `runner-bundle-${process.pid}`);
const actionYml = path.join(fixture, 'action.yml');
let env: Record<string, string>;

beforeAll(async () => {
  compile(path.join(work, 'lib'));
  fs.copyFileSync(path.join(fixture, 'run.js'), path.join(work, 'lib', 'fixture.js'));
  const files = await bundle(path.join(work, 'lib', 'fixture.js'));
  fs.mkdirSync(path.join(work, 'dist'), { recursive: true });
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(work, 'dist', file), text);
  const doc = YAML.parse(fs.readFileSync(actionYml, 'utf8'));
  const inputs = Object.fromEntries(
    Object.entries(doc.inputs).map(([k, v]) => [
      k,
      { ...(v as object), default: (v as { default?: string }).default }
    ])
  );
  env = { FIXTURE_METADATA: JSON.stringify({ description: doc.description, inputs, outputs: doc.outputs }) };
}, 120_000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const run = (inputs: Record<string, string>, extra: Parameters<typeof runBundle>[2] = {}) =>
  runBundle('echo', inputs, {
    bundle: path.join(work, 'dist/index.js'),
    actionYml,
    ...extra,
    env: { ...env, ...extra.env }
  });

describe('a bundle run as the runner runs it', () => {
  it('sets outputs, writes the summary with a footer, exits 0', async () => {
    const result = await run({ message: 'hi', times: '2' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toEqual({ echoed: 'hi hi' });
    expect(result.summary).toContain('## Echo\nhi x 2');
    expect(result.summary).toMatch(/<sub>mlops-actions \d+\.\d+\.\d+ · echo · succeeded in [\d.]+s<\/sub>/);
    expect(result.log).toMatch(/echo succeeded in [\d.]+s\./);
  });

  it('applies the action.yml defaults the runner passes', async () => {
    const result = await run({ message: 'once' });
    expect(result.outputs.echoed).toBe('once');
  });

  it('a bad input fails with one sentence, exit code 1, no stack trace', async () => {
    const result = await run({ message: 'hi', times: 'many' });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual(['Input "times" must be an integer from 1 to 3, but got "many".']);
    expect(result.log).not.toMatch(/^\s+at /m);
    expect(result.summary).toContain(
      '> echo failed: Input "times" must be an integer from 1 to 3, but got "many".'
    );
  });

  it('a missing required input names it', async () => {
    const result = await run({});
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual(['Input "message" is required.']);
  });

  it('a user error fails with its message alone', async () => {
    const result = await run({ message: 'hi', mode: 'user-error' }, { env: { RUNNER_DEBUG: '1' } });
    expect(result.errors).toEqual(['The message cannot be echoed: try another.']);
    expect(result.log).not.toContain('::debug::');
  });

  it('an unexpected error fails with its message and puts the stack in the debug log', async () => {
    const result = await run({ message: 'hi', mode: 'crash' });
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toMatch(/JSON/);
    expect(result.log).toMatch(/::debug::SyntaxError: .*%0A\s+at /);
  });

  it('SIGTERM (a cancelled workflow) aborts the action, which ends cleanly and says so', async () => {
    const result = await run(
      { message: 'hi', mode: 'wait-for-cancel' },
      {
        onStart: (child, log) => {
          const timer = setInterval(() => {
            if (log().includes('waiting')) {
              clearInterval(timer);
              child.kill('SIGTERM');
            }
          }, 20);
        }
      }
    );
    expect(result.exitCode).toBe(1);
    expect(result.log).toContain(
      '::warning::Received SIGTERM: the workflow was cancelled, echo is stopping.'
    );
    expect(result.errors).toEqual(['Stopped because the workflow was cancelled.']);
    expect(result.summary).toContain('echo failed');
  });
});
