/**
 * ml-promote's control flow through the local runner, its toolkit actions replaced by stand-ins that
 * record what they were asked (fast; the end to end run against the emulator is
 * workflow-promote.test.ts): the review approved, the review rejected, a dispatched rejection.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers/bundle.js';
import { gitRepo, run } from '../helpers/workflow-repo.js';

const calls = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'promote-flow-')), 'calls.log');
const ACTIONS = ['dvc-pull', 'build-image', 'test-in-docker', 'register-model', 'approve-model'];
const localActions = Object.fromEntries(
  [...ACTIONS, 'deploy-canary', 'smoke-test', 'rollback'].map((a) => [
    `mlops-actions/mlops-actions/actions/${a}`,
    `echo "${a} endpoint=$(printenv INPUT_ENDPOINT-NAME) package=$(printenv INPUT_MODEL-PACKAGE) decision=$INPUT_DECISION image=$INPUT_IMAGE" >> ${calls}; ` +
      `{ echo image-uri=127.0.0.1:5000/m@sha256:abc; echo model-package-arn=arn:aws:sagemaker:us-east-1:1:model-package/my-model/1; echo status=ok; } >> "$GITHUB_OUTPUT"`
  ])
);
const repo = gitRepo({
  '.github/workflows/promote.yml': fs
    .readFileSync(path.join(ROOT, 'workflows-templates/ml-promote.yml'), 'utf8')
    .replaceAll('$default-branch', 'main')
});
const PACKAGE = 'arn:aws:sagemaker:us-east-1:1:model-package/my-model/1';

async function promote(options: Parameters<typeof run>[2]) {
  fs.rmSync(calls, { force: true });
  const r = await run(repo, '.github/workflows/promote.yml', { localActions, quiet: true, ...options });
  const log = fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').trim().split('\n') : [];
  return { r, log, results: Object.fromEntries(r.result.jobs.map((j) => [j.id, j.result])) };
}

test('approved: staging deploys the image, production approves and deploys the package by ARN', async () => {
  const { r, log, results } = await promote({ reviews: { production: 'approve' } });
  r.assertOk();
  expect(results).toMatchObject({ 'promote / production': 'success', 'promote / reject': 'skipped' });
  expect(log.map((l) => l.split(' ')[0])).toEqual([
    ...ACTIONS.slice(0, 4),
    'deploy-canary',
    'smoke-test',
    'approve-model',
    'deploy-canary',
    'smoke-test'
  ]);
  expect(log[4]).toBe(
    'deploy-canary endpoint=my-model-staging package= decision= image=127.0.0.1:5000/m@sha256:abc'
  );
  expect(log[6]).toBe(`approve-model endpoint= package=${PACKAGE} decision=Approved image=`);
  expect(log[7]).toBe(`deploy-canary endpoint=my-model package=${PACKAGE} decision= image=`);
});

test('rejected review: production runs nothing, the package is rejected and rollback asked', async () => {
  const { r, log, results } = await promote({ reviews: { production: 'reject' } });
  expect(r.result.ok).toBe(false);
  expect(results).toMatchObject({
    'promote / staging': 'success',
    'promote / production': 'failure',
    'promote / reject': 'success'
  });
  expect(log.slice(-2)).toEqual([
    `approve-model endpoint= package=${PACKAGE} decision=Rejected image=`,
    'rollback endpoint=my-model package= decision= image='
  ]);
  expect(log.filter((l) => l.startsWith('deploy-canary endpoint=my-model '))).toEqual([]);
});

test('a dispatched rejection builds nothing and rejects the given package', async () => {
  const { r, log, results } = await promote({
    event: 'workflow_dispatch',
    inputs: {
      decision: 'Rejected',
      'model-package': 'arn:aws:sagemaker:us-east-1:1:model-package/my-model/7'
    }
  });
  r.assertOk();
  expect(results['promote / build']).toBe('skipped');
  expect(log).toEqual([
    'approve-model endpoint= package=arn:aws:sagemaker:us-east-1:1:model-package/my-model/7 decision=Rejected image=',
    'rollback endpoint=my-model package= decision= image='
  ]);
});
