/** The test container's command lines and its lifecycle: timeout, cancellation, removal (fake Docker). */
import {
  containerName,
  runArgs,
  runTestContainer,
  shownArgs,
  type TestContainer
} from '../../src/docker/container.js';
import { UserError } from '../../src/errors.js';
import { MemoryLogger } from '../../src/report.js';
import { FakeDocker } from '../helpers/fake-docker.js';

const spec: TestContainer = {
  image: '127.0.0.1:5000/team/news@sha256:' + 'a'.repeat(64),
  command: 'pytest tests --junitxml=reports/junit.xml',
  workspace: '/home/runner/work/news/news',
  env: { API_TOKEN: 's3cret value', MODE: 'ci' },
  network: 'none',
  timeoutSeconds: 60,
  report: 'reports/junit.xml'
};

/** A deferred `docker run` that ends when `finish(code)` is called. */
function controllable() {
  let finish: (code: number) => void = () => {};
  let code = 0;
  const done = new Promise<void>((resolve) => {
    finish = (c) => {
      code = c;
      resolve();
    };
  });
  const docker = new FakeDocker((args) => {
    if (args[0] === 'run')
      return {
        wait: done,
        lines: ['collected 3 items'],
        get code() {
          return code;
        }
      };
    if (args[0] === 'kill') finish(137);
    if (args[0] === 'cp')
      return { code: 1, stderr: 'Error: Could not find the file reports/junit.xml in container' };
    return undefined;
  });
  return { docker, finish };
}

describe('test container command lines', () => {
  it('no network by default, the workspace read-only, the image shell, a name after the image', () => {
    const args = runArgs(spec, 'news-test-1234', '/workspace');
    expect(args).toEqual([
      'run',
      '--name',
      'news-test-1234',
      '--network',
      'none',
      '--init',
      '--volume',
      '/home/runner/work/news/news:/workspace:ro',
      '--workdir',
      '/workspace',
      '--env',
      'API_TOKEN=s3cret value',
      '--env',
      'MODE=ci',
      '--entrypoint',
      '/bin/sh',
      spec.image,
      '-c',
      'pytest tests --junitxml=reports/junit.xml'
    ]);
    expect(containerName(spec.image, 'abcd1234')).toBe('news-test-abcd1234');
    expect(containerName('sha256:' + 'f'.repeat(64), 'abcd1234')).toBe('sha256-test-abcd1234');
  });

  it('the logged command line leaves out environment values', () => {
    const shown = shownArgs(runArgs(spec, 'n', '/workspace'));
    expect(shown).toContain('--env API_TOKEN=*** --env MODE=***');
    expect(shown).not.toContain('s3cret');
    expect(shown).toContain('-c "pytest tests --junitxml=reports/junit.xml"');
  });
});

describe('runTestContainer', () => {
  it('streams the output, copies the report out and removes the container', async () => {
    const docker = new FakeDocker((args) => {
      if (args[0] === 'run') return { lines: ['collected 3 items', '3 passed'] };
      if (args[0] === 'cp') return { code: 1 };
    });
    const lines: string[] = [];
    const result = await runTestContainer(docker, spec, {
      log: new MemoryLogger(),
      onLine: (l) => lines.push(l),
      name: 'c1'
    });
    expect(lines).toEqual(['collected 3 items', '3 passed']);
    expect(result).toMatchObject({ exitCode: 0, timedOut: false, cancelled: false, workdir: '/workspace' });
    expect(result.reportPath).toBe('/workspace/reports/junit.xml');
    expect(docker.commands()).toEqual([
      expect.stringMatching(/^run --name c1 /),
      'container inspect --format {{.State.Status}} c1',
      expect.stringMatching(/^cp c1:\/workspace\/reports\/junit.xml \//),
      'rm --force --volumes c1'
    ]);
  });

  it('a timeout kills the container, says so, and it is still removed', async () => {
    const { docker } = controllable();
    const log = new MemoryLogger();
    const result = await runTestContainer(
      docker,
      { ...spec, timeoutSeconds: 0.05 },
      { log, onLine: () => {}, name: 'c2' }
    );
    expect(result).toMatchObject({ exitCode: 137, timedOut: true });
    expect(log.text()).toContain('The tests ran past the timeout of 0.1s: killing c2.');
    expect(docker.commands()).toContain('kill c2');
    expect(docker.commands().at(-1)).toBe('rm --force --volumes c2');
  });

  it('a cancelled workflow kills the container and removes it', async () => {
    const { docker } = controllable();
    const controller = new AbortController();
    const running = runTestContainer(docker, spec, {
      log: new MemoryLogger(),
      onLine: () => controller.abort(),
      signal: controller.signal,
      name: 'c3'
    });
    const result = await running;
    expect(result).toMatchObject({ cancelled: true, exitCode: 137 });
    expect(docker.commands()).toEqual(expect.arrayContaining(['kill c3', 'rm --force --volumes c3']));
  });

  it('an image that cannot be started is a user error, and nothing is left behind', async () => {
    const docker = new FakeDocker((args) => {
      if (args[0] === 'run') {
        return {
          code: 125,
          stderr:
            "Unable to find image 'nope:1' locally\ndocker: Error response from daemon: pull access denied for nope."
        };
      }
      if (args[0] === 'container') return { code: 1, stderr: 'Error: No such container: c4' };
    });
    const error = await runTestContainer(
      docker,
      { ...spec, image: 'nope:1' },
      { log: new MemoryLogger(), onLine: () => {}, name: 'c4' }
    ).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(
      'The container could not be started from nope:1 (docker: Error response from daemon: pull access denied for nope): check "image".'
    );
    expect(docker.commands().at(-1)).toBe('rm --force --volumes c4');
  });
});
