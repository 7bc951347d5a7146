/** Choosing the builder and the command lines each one gets (a fake Docker CLI records them). */
import {
  buildCommand,
  buildImage,
  chooseBuilder,
  dockerVersions,
  type BuildSpec
} from '../../src/docker/build.js';
import { UserError } from '../../src/errors.js';
import { MemoryLogger } from '../../src/report.js';
import { FakeDocker } from '../helpers/fake-docker.js';

const spec: BuildSpec = {
  context: '/work/app',
  dockerfile: '/work/app/serving/Dockerfile',
  tags: ['127.0.0.1:5000/news:abc', '127.0.0.1:5000/news:main'],
  target: 'serve',
  buildArgs: { BASE_IMAGE: 'python:3.12-slim', MODEL_VERSION: '3' },
  labels: { 'org.opencontainers.image.revision': 'abc' },
  platform: 'linux/amd64',
  network: 'host',
  cacheFrom: ['type=gha'],
  cacheTo: ['type=gha,mode=max']
};

const version = (client: string, server = '20.10.24') => ({
  code: 0,
  stdout: JSON.stringify({ Client: { Version: client }, Server: { Version: server } })
});

describe('which builder', () => {
  it('buildx whenever the plugin answers', async () => {
    const docker = new FakeDocker((args) =>
      args[0] === 'version'
        ? version('28.2.2', '28.2.2')
        : { stdout: 'github.com/docker/buildx v0.26.1 1a8287f\n' }
    );
    const versions = await dockerVersions(docker);
    expect(versions).toEqual({ client: '28.2.2', server: '28.2.2', buildx: 'v0.26.1' });
    expect(chooseBuilder(versions)).toBe('buildx');
  });

  it('BuildKit through the daemon with a client that still has it built in (before 23)', () => {
    expect(chooseBuilder({ client: '20.10.24+dfsg1', server: '20.10.24+dfsg1' })).toBe('buildkit');
  });

  it('the classic builder with a newer client and no buildx (it cannot do BuildKit alone)', () => {
    expect(chooseBuilder({ client: '28.2.2', server: '20.10.24+dfsg1' })).toBe('classic');
    expect(chooseBuilder({ client: '17.06.0', server: '17.06.0' })).toBe('classic');
  });

  it('a missing Docker client or engine is a clear error', async () => {
    const missing = new FakeDocker(() => ({ code: -1, stderr: 'docker: spawn docker ENOENT' }));
    await expect(dockerVersions(missing)).rejects.toThrow(/could not be run .*needs Docker on the runner/);
    const down = new FakeDocker(() => ({
      code: 1,
      stdout: JSON.stringify({ Client: { Version: '28.2.2' }, Server: null }),
      stderr:
        'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?'
    }));
    await expect(dockerVersions(down)).rejects.toThrow(
      /Docker engine is not reachable.*Cannot connect to the Docker daemon/
    );
  });
});

describe('build command lines', () => {
  it('buildx loads the result into the engine and gets the cache options', () => {
    const { args, env, ignored } = buildCommand('buildx', spec);
    expect(args.slice(0, 5)).toEqual(['buildx', 'build', '--load', '--progress', 'plain']);
    expect(args).toEqual(
      expect.arrayContaining([
        '--cache-from',
        'type=gha',
        '--cache-to',
        'type=gha,mode=max',
        '--platform',
        'linux/amd64'
      ])
    );
    expect(args.at(-1)).toBe('/work/app');
    expect(env).toEqual({ DOCKER_BUILDKIT: '1' });
    expect(ignored).toEqual([]);
  });

  it('BuildKit through the daemon: DOCKER_BUILDKIT=1, plain progress, no cache exports', () => {
    const { args, env, ignored } = buildCommand('buildkit', spec);
    expect(args.slice(0, 3)).toEqual(['build', '--progress', 'plain']);
    expect(env).toEqual({ DOCKER_BUILDKIT: '1' });
    expect(args).not.toContain('--cache-to');
    expect(ignored).toEqual(['cache-from (it needs buildx)', 'cache-to (it needs buildx)']);
  });

  it('classic: DOCKER_BUILDKIT=0 and nothing BuildKit-only', () => {
    const { args, env } = buildCommand('classic', spec);
    expect(env).toEqual({ DOCKER_BUILDKIT: '0' });
    expect(args).not.toContain('--progress');
    expect(args).toEqual([
      'build',
      '--file',
      '/work/app/serving/Dockerfile',
      '--tag',
      '127.0.0.1:5000/news:abc',
      '--tag',
      '127.0.0.1:5000/news:main',
      '--build-arg',
      'BASE_IMAGE=python:3.12-slim',
      '--build-arg',
      'MODEL_VERSION=3',
      '--label',
      'org.opencontainers.image.revision=abc',
      '--target',
      'serve',
      '--platform',
      'linux/amd64',
      '--network',
      'host',
      '/work/app'
    ]);
  });
});

describe('buildImage', () => {
  it('says which builder it uses, streams its output and reads the image back', async () => {
    const docker = new FakeDocker((args) => {
      if (args[0] === 'build') return { lines: ['Step 1/3 : FROM base', 'Successfully built 1234'] };
      if (args[0] === 'image') {
        return {
          stdout: JSON.stringify({
            Id: 'sha256:' + 'b'.repeat(64),
            Size: 1000,
            Config: { Labels: { a: 'b' } }
          })
        };
      }
    });
    const log = new MemoryLogger();
    const image = await buildImage(docker, 'buildkit', spec, { log });
    expect(image).toMatchObject({ id: 'sha256:' + 'b'.repeat(64), size: 1000, labels: { a: 'b' } });
    expect(log.text()).toContain(
      'Building with BuildKit in the Docker daemon (DOCKER_BUILDKIT=1): docker build'
    );
    expect(log.lines).toContain('Step 1/3 : FROM base');
    expect(log.text()).toContain('warning: Ignoring cache-from (it needs buildx)');
    expect(docker.calls[0].env).toEqual({ DOCKER_BUILDKIT: '1' });
    expect(docker.calls[1].args).toEqual([
      'image',
      'inspect',
      '--format',
      '{{json .}}',
      '127.0.0.1:5000/news:abc'
    ]);
  });

  it("a failed build is a user error with the builder's last error line", async () => {
    const docker = new FakeDocker(() => ({
      code: 1,
      stderr:
        'Step 3/9 : RUN pip install x\nERROR: Could not find a version that satisfies the requirement x\n'
    }));
    const error = await buildImage(docker, 'classic', spec, { log: new MemoryLogger() }).catch((e) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(
      'docker build failed (ERROR: Could not find a version that satisfies the requirement x): see the build log above; nothing was pushed.'
    );
    expect(docker.calls).toHaveLength(1);
  });
});
