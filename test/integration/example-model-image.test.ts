/**
 * The example's serving image carries the model of its build context: model/ (the DVC output of the
 * train stage) when it exists, else a default model trained while building; with the classic builder
 * and with BuildKit. The serving tests pass inside the image that serves the given model.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers/bundle.js';
import { DOCKER, docker } from '../helpers/docker.js';
import { BASE_IMAGE, EXAMPLE, ensureBaseImage, removeLocalImages, uniqueName } from '../helpers/images.js';

const name = uniqueName('example-model');
let context: string;

beforeAll(() => {
  ensureBaseImage();
  // A copy of the example without any model/ a developer may have left in the checkout.
  context = fs.mkdtempSync(path.join(os.tmpdir(), 'example-model-'));
  fs.cpSync(path.join(ROOT, EXAMPLE), context, {
    recursive: true,
    filter: (src) => !/[\\/](model|__pycache__)$/.test(src)
  });
}, 600_000);

afterAll(() => {
  removeLocalImages(name);
  if (context) fs.rmSync(context, { recursive: true, force: true });
});

/** BuildKit needs a client that has it without buildx: Debian's, at /usr/bin/docker. */
function build(tag: string, buildkit: boolean): void {
  execFileSync(
    buildkit ? '/usr/bin/docker' : DOCKER,
    [
      'build',
      '--network',
      'host',
      '-q',
      '-f',
      'serving/Dockerfile',
      '--build-arg',
      `BASE_IMAGE=${BASE_IMAGE}`,
      '-t',
      tag,
      '.'
    ],
    {
      cwd: context,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DOCKER_BUILDKIT: buildkit ? '1' : '0' }
    }
  );
}

/** The model.json the image serves. */
const served = (tag: string) =>
  JSON.parse(docker(['run', '--rm', '--network', 'none', tag, 'cat', '/opt/ml/model/model.json'])) as {
    hyperparameters: Record<string, number>;
    data: string;
  };

describe("the example's serving image and model/", () => {
  it.each([
    ['classic builder', false],
    ['BuildKit', true]
  ])('without model/ in the context (%s): the default model is trained while building', (_, buildkit) => {
    const tag = `${name}-default-${buildkit ? 'bk' : 'classic'}:1`;
    build(tag, buildkit);
    expect(served(tag)).toMatchObject({
      hyperparameters: { n_estimators: 100, max_depth: 0 },
      data: 'sklearn.datasets.load_wine'
    });
  });

  it.each([
    ['classic builder', false],
    ['BuildKit', true]
  ])(
    'with model/ trained before the build (%s): that model is served, and the serving tests pass',
    (_, buildkit) => {
      // The train stage's command, run in the base image with other hyperparameters.
      fs.writeFileSync(
        path.join(context, 'params.yaml'),
        fs
          .readFileSync(path.join(ROOT, EXAMPLE, 'params.yaml'), 'utf8')
          .replace('n_estimators: 100', 'n_estimators: 9')
      );
      docker([
        'run',
        '--rm',
        '--network',
        'none',
        '-v',
        `${context}:/w`,
        '-w',
        '/w',
        BASE_IMAGE,
        'sh',
        '-c',
        'python3 training/train.py --export-data data/train && python3 training/train.py --params params.yaml --data data/train --output model'
      ]);
      const tag = `${name}-given-${buildkit ? 'bk' : 'classic'}:1`;
      build(tag, buildkit);
      expect(served(tag)).toMatchObject({
        hyperparameters: { n_estimators: 9, max_depth: 0 },
        data: 'data/train'
      });
      const files = docker(['run', '--rm', '--network', 'none', tag, 'ls', '/opt/ml/model'])
        .trim()
        .split('\n');
      expect(files.sort()).toEqual(['metrics.json', 'model.joblib', 'model.json']);
      const tests = docker([
        'run',
        '--rm',
        '--network',
        'none',
        '-v',
        `${context}:/workspace:ro`,
        '-w',
        '/workspace',
        tag,
        'pytest',
        '-q',
        '-p',
        'no:cacheprovider',
        'serving/tests'
      ]);
      expect(tests).toMatch(/13 passed/);
    }
  );
});
