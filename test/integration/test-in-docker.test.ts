/**
 * test-in-docker end to end, as the runner runs its bundle, on the real Docker engine with the
 * example model service's image: its tests inside it, a failing test, the timeout, cancellation,
 * no network, a read-only workspace, and a bad-input table.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBundle, ROOT } from '../helpers/bundle.js';
import { docker } from '../helpers/docker.js';
import {
  EXAMPLE,
  buildExampleImage,
  ensureBaseImage,
  removeLocalImages,
  uniqueName
} from '../helpers/images.js';
import { plantedCommands } from '../helpers/workflow-commands.js';

const name = uniqueName('tested');
const image = `${name}:1`;

beforeAll(() => {
  ensureBaseImage();
  buildExampleImage(image, { MODEL_VERSION: 'tested-1' });
}, 600_000);
afterAll(() => removeLocalImages(name));

const test = (inputs: Record<string, string>, options: Parameters<typeof runBundle>[2] = {}) =>
  runBundle('test-in-docker', { image, ...inputs }, { workspace: ROOT, timeoutMs: 300_000, ...options });

/** Containers made from the test image (named after it) that still exist. */
const leftovers = () => docker(['ps', '--all', '--quiet', '--filter', `name=${name}-test-`]).trim();

describe('test-in-docker', () => {
  it("runs the example's tests inside the image and reports them", async () => {
    const run = await test({
      command: 'pytest serving/tests --junitxml=/tmp/junit.xml',
      workdir: `/workspace/${EXAMPLE}`,
      report: '/tmp/junit.xml'
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toEqual({
      'exit-code': '0',
      duration: expect.stringMatching(/^\d+$/),
      tests: '13',
      failures: '0'
    });
    expect(run.log).toMatch(/serving\/tests\/test_service\.py \.+ +\[100%\]/); // streamed into the log
    expect(run.summary).toContain('## test-in-docker: passed');
    expect(run.summary).toContain('| Tests | 13: 13 passed, 0 failed, 0 errors, 0 skipped |');
    expect(run.summary).toContain('pie showData title 13 tests');
    expect(leftovers()).toBe('');
  });

  it("runs the example's training-container tests inside the training image", async () => {
    const training = `${name}-training:1`;
    buildExampleImage(training, {}, 'training/Dockerfile');
    const run = await runBundle(
      'test-in-docker',
      {
        image: training,
        command: 'command -v train && pytest training/tests --junitxml=/tmp/junit.xml',
        workdir: `/workspace/${EXAMPLE}`,
        report: '/tmp/junit.xml'
      },
      { workspace: ROOT }
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({ tests: '9', failures: '0' });
    expect(run.log).toMatch(/^\/opt\/program\/training\/train$/m); // the image's entry point is tested
  });

  it('a failing test fails the action with the exit code and the test name, annotated on its line', async () => {
    const run = await test({
      command: 'pytest --junitxml=/tmp/junit.xml',
      workdir: '/workspace/test/fixtures/failing-tests',
      report: '/tmp/junit.xml'
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ 'exit-code': '1', tests: '3', failures: '1' });
    expect(run.errors).toEqual([
      'The tests failed with exit code 1: 1 failing (test_wine_checks.test_model_is_accurate_enough).'
    ]);
    expect(run.log).toContain(
      '::error title=test_wine_checks.test_model_is_accurate_enough failed,file=test/fixtures/failing-tests/test_wine_checks.py,line=13::'
    );
    expect(run.summary).toContain('### Failing tests');
    expect(run.summary).toMatch(
      /\| `test_wine_checks.test_model_is_accurate_enough` \| failed \| test\/fixtures\/failing-tests\/test_wine_checks.py \| AssertionError: accuracy fell below the bar/
    );
    expect(run.summary).toContain('| Tests | 3: 1 passed, 1 failed, 0 errors, 1 skipped |');
    expect(leftovers()).toBe('');
  });

  it('a timeout kills the container, says so, and removes it', async () => {
    const run = await test({ command: 'echo started; sleep 120', timeout: '3s' });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      'The tests did not finish within the timeout of 3s (input "timeout"): the container was killed and removed.'
    ]);
    expect(run.outputs['exit-code']).toBe('137');
    expect(run.log).toContain('started');
    expect(run.summary).toContain('## test-in-docker: timed out');
    expect(leftovers()).toBe('');
  });

  it('a cancelled workflow (SIGTERM) kills and removes the container', async () => {
    const run = await test(
      { command: 'echo started; sleep 120' },
      {
        onStart: (child, log) => {
          const timer = setInterval(() => {
            if (log().includes('started')) {
              clearInterval(timer);
              child.kill('SIGTERM');
            }
          }, 100);
        }
      }
    );
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual(['The tests were cancelled: the container was killed and removed.']);
    expect(run.log).toContain('Received SIGTERM');
    expect(leftovers()).toBe('');
  });

  it('network none really has no network; host reaches loopback services', async () => {
    // With none the container has its own loopback and no other interface at all.
    const interfaces = await test({ command: 'echo "interfaces: $(ls /sys/class/net | tr "\\n" " ")"' });
    expect(interfaces.log).toMatch(/^interfaces: lo $/m);
    const onHost = await test({
      command: 'echo "interfaces: $(ls /sys/class/net | tr "\\n" " ")"',
      network: 'host'
    });
    expect(onHost.log).toMatch(/^interfaces: (?!lo $).+$/m);
    const probe = `python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:5000/v2/', timeout=5).status)"`;
    const none = await test({ command: probe });
    expect(none.exitCode).toBe(1);
    expect(none.log).toMatch(/Connection refused|Network is unreachable/);
    const host = await test({ command: probe, network: 'host' });
    expect(host.exitCode).toBe(0);
    expect(host.log).toMatch(/^200$/m);
  });

  it('the workspace is mounted read-only', async () => {
    const run = await test({
      command: 'ls /workspace/package.json && touch /workspace/mlops-test-image-written'
    });
    expect(run.exitCode).toBe(1);
    expect(run.log).toContain('/workspace/package.json');
    expect(run.log).toContain('Read-only file system');
    expect(fs.existsSync(path.join(ROOT, 'mlops-test-image-written'))).toBe(false);
    const unmounted = await test({
      command: 'test ! -e /workspace/package.json',
      'mount-workspace': 'false'
    });
    expect(unmounted.exitCode).toBe(0);
  });

  it('passes env values without logging them, and does not obey workflow commands the tests print', async () => {
    const run = await test({
      command: 'test "${#API_TOKEN}" -eq 11 && echo "::error::injected by the tests" && id -u',
      env: 'API_TOKEN: hunter2-xyz',
      user: '1234'
    });
    expect(run.exitCode).toBe(0);
    expect(run.log).not.toContain('hunter2-xyz');
    expect(run.log).toContain('--env API_TOKEN=***');
    expect(run.log).toMatch(/^1234$/m);
    const stop = /^::stop-commands::([a-z]+)$/m.exec(run.log);
    expect(stop).not.toBeNull();
    const inert = run.log.slice(run.log.indexOf(stop![0]), run.log.indexOf(`::${stop![1]}::`));
    expect(inert).toContain('::error::injected by the tests');
  });

  it('a multi-line command, env values, test output and JUnit names with commands: shown, never obeyed', async () => {
    const junit =
      '<testsuite name="s" tests="1" failures="1"><testcase classname="t" name="case&#10;::set-output name=tests::planted-name">' +
      '<failure message="boom&#10;::error::planted-message">trace&#10;##[error]planted-details</failure></testcase></testsuite>';
    const run = await test({
      command: `: '\n::set-output name=exit-code::planted-command\n'\necho "$NOTE"\nprintf '%s' '${junit}' > /tmp/junit.xml\nexit 3`,
      env: 'NOTE: "ok\\n::error::planted-env"',
      report: '/tmp/junit.xml'
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ 'exit-code': '3', tests: '1', failures: '1' });
    expect(plantedCommands(run, /planted/)).toEqual([]);
    expect(run.log).toMatch(/^::error::planted-env$/m); // the container printed it: shown inside the block
    expect(run.log).toContain("-c \": '\\n::set-output name=exit-code::planted-command\\n'\\necho"); // quoted, one line
    expect(run.summary).toContain('::set-output name=exit-code::planted-command<br>');
  });

  it('a report left as a symbolic link is not followed onto the runner', async () => {
    const host = fs.mkdtempSync(path.join(os.tmpdir(), 'test-in-docker-host-'));
    fs.writeFileSync(
      path.join(host, 'junit.xml'),
      '<testsuite name="host" tests="1"><testcase classname="runner" name="secret_on_the_runner"/></testsuite>'
    );
    try {
      const run = await test({ command: `ln -s ${host}/junit.xml /tmp/junit.xml`, report: '/tmp/junit.xml' });
      expect(run.exitCode).toBe(0);
      expect(run.log).toContain(
        '::warning::The report at /tmp/junit.xml is a symbolic link, which is not followed out of the container: write the report itself there (input "report").'
      );
      expect(run.outputs.tests).toBeUndefined();
      expect(run.summary).not.toContain('secret_on_the_runner');
    } finally {
      fs.rmSync(host, { recursive: true, force: true });
    }
  });

  it('a report that was not written is a warning, not a failure', async () => {
    const run = await test({ command: 'true', report: '/tmp/never.xml' });
    expect(run.exitCode).toBe(0);
    expect(run.log).toContain('::warning::The tests wrote no report at /tmp/never.xml (input "report").');
    expect(run.outputs.tests).toBeUndefined();
  });
});

describe('test-in-docker bad inputs', () => {
  const CASES: Array<{ inputs: Record<string, string>; input: string; error: string | RegExp }> = [
    { inputs: { image: '', command: 'true' }, input: 'image', error: /^Input "image" is required/ },
    { inputs: { command: '' }, input: 'command', error: /^Input "command" is required/ },
    {
      inputs: { command: 'true', network: 'bridge' },
      input: 'network',
      error: 'Input "network" must be one of none, host, but got "bridge".'
    },
    {
      inputs: { command: 'true', timeout: 'soon' },
      input: 'timeout',
      error: /^Input "timeout" must be a duration such as 90s/
    },
    {
      inputs: { command: 'true', workdir: 'tests' },
      input: 'workdir',
      error: 'Input "workdir" must be an absolute path inside the container, but got "tests".'
    },
    {
      inputs: { command: 'true', env: 'MY-VAR: 1' },
      input: 'env',
      error: /^Input "env" has the key "MY-VAR"/
    },
    {
      inputs: { command: 'true', 'mount-workspace': 'maybe' },
      input: 'mount-workspace',
      error: 'Input "mount-workspace" must be true or false, but got "maybe".'
    },
    {
      inputs: { command: 'true', user: 'root user' },
      input: 'user',
      error: /^Input "user" must be a user or uid/
    },
    {
      inputs: { image: '--privileged', command: 'true' },
      input: 'image',
      error: /^Input "image" must be an image reference/
    },
    {
      inputs: { image: 'repo:1 --rm', command: 'true' },
      input: 'image',
      error: /^Input "image" must be an image reference/
    },
    {
      inputs: { command: 'true', timeout: '0s' },
      input: 'timeout',
      error: /^Input "timeout" must be a duration .* from 1s to 21600s, but got "0s"\.$/
    },
    {
      inputs: { command: 'true', timeout: '7h' },
      input: 'timeout',
      error: /^Input "timeout" must be a duration .* from 1s to 21600s, but got "7h"\.$/
    },
    {
      inputs: { command: 'true', network: 'default' },
      input: 'network',
      error: 'Input "network" must be one of none, host, but got "default".'
    },
    {
      inputs: { command: 'true', env: 'just some words' },
      input: 'env',
      error: /^Input "env" must be/
    },
    // Values that cannot hold a line break are refused, and never printed as they are.
    {
      inputs: { image: `${image}\n::set-output name=exit-code::planted`, command: 'true' },
      input: 'image',
      error: 'Input "image" must be a single line, but it holds a line break.'
    },
    {
      inputs: { image: 'repo:1##[set-output name=exit-code;]planted', command: 'true' },
      input: 'image',
      error:
        'Input "image" must be an image reference such as repo@sha256:..., but got "repo:1##[set-output name=exit-code;]planted".'
    },
    {
      inputs: { command: 'true', workdir: '/workspace\n::error::planted' },
      input: 'workdir',
      error: 'Input "workdir" must be a single line, but it holds a line break.'
    },
    {
      inputs: { command: 'true', report: '/tmp/junit.xml\n::error::planted' },
      input: 'report',
      error: 'Input "report" must be a single line, but it holds a line break.'
    },
    {
      inputs: { command: 'true', user: '1000\n::error::planted' },
      input: 'user',
      error: 'Input "user" must be a single line, but it holds a line break.'
    },
    {
      inputs: { command: 'true', env: '"A\\n::error::planted": 1' },
      input: 'env',
      error:
        'Input "env" has the key "A\\n::error::planted", but keys must be variable names of letters, digits and _.'
    }
  ];
  it('has at least 12 cases', () => expect(CASES.length).toBeGreaterThanOrEqual(12));
  it.each(CASES)('names "$input", exits 1 and starts nothing', async ({ inputs, input, error }) => {
    const run = await test(inputs);
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    if (typeof error === 'string') expect(run.errors[0]).toBe(error);
    else expect(run.errors[0]).toMatch(error);
    expect(run.errors[0]).toContain(`"${input}"`);
    expect(run.errors[0]).not.toMatch(/[\r\n]/);
    expect(plantedCommands(run, /planted/)).toEqual([]);
    expect(run.log).not.toContain('Running in');
    expect(leftovers()).toBe('');
  });
});
