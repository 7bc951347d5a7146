/**
 * ml-deploy-lambda's function environment through the local runner, its toolkit actions replaced by
 * stand-ins that record what deploy-lambda was given: the plain `function-environment` and the
 * `function-secret-environment` secret reach deploy-lambda's `environment` together, and the secret's
 * value never appears in the log, even printed by a step.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { ROOT } from '../helpers/bundle.js';
import { gitRepo, run } from '../helpers/workflow-repo.js';

const calls = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-secrets-')), 'environment');
const stand = (script: string) =>
  `${script}; echo "image-uri=127.0.0.1:5000/m@sha256:abc" >> "$GITHUB_OUTPUT"`;
const localActions = Object.fromEntries(
  ['dvc-pull', 'build-image', 'test-in-docker', 'smoke-test', 'deploy-lambda'].map((a) => [
    `mlops-actions/mlops-actions/actions/${a}`,
    a === 'deploy-lambda'
      ? stand(`printenv INPUT_ENVIRONMENT > ${calls}; echo "deploy-lambda was given: $INPUT_ENVIRONMENT"`)
      : stand('true')
  ])
);

function starter(environment: string | undefined): string {
  const doc = YAML.parseDocument(
    fs
      .readFileSync(path.join(ROOT, 'workflows-templates/ml-deploy-lambda.yml'), 'utf8')
      .replaceAll('$default-branch', 'main')
  );
  if (environment !== undefined) doc.setIn(['jobs', 'deploy', 'with', 'function-environment'], environment);
  return String(doc);
}

async function deploy(environment: string | undefined, secrets: Record<string, string>) {
  fs.rmSync(calls, { force: true });
  const repo = gitRepo({ '.github/workflows/deploy.yml': starter(environment) });
  const r = await run(repo, '.github/workflows/deploy.yml', { localActions, secrets });
  r.assertOk();
  return { log: r.log, environment: fs.readFileSync(calls, 'utf8').trim() };
}

test('the secret variables join the plain ones, and the secret never reaches the log', async () => {
  const { log, environment } = await deploy('LOG_LEVEL=info', {
    MODEL_FUNCTION_SECRETS: 'MODEL_API_KEY=s3cr3t-value-1234'
  });
  expect(environment.split('\n').map((l) => l.trim())).toEqual([
    'LOG_LEVEL=info',
    'MODEL_API_KEY=s3cr3t-value-1234'
  ]);
  // The stand-in prints what it was given, as a careless step would: the runner masks the secret.
  expect(log).toContain('deploy-lambda was given: LOG_LEVEL=info');
  expect(log).not.toContain('s3cr3t-value-1234');
});

test("without the secret, the plain variables alone (and none at all keeps the function's)", async () => {
  expect((await deploy('LOG_LEVEL=info', {})).environment).toBe('LOG_LEVEL=info');
  expect((await deploy(undefined, {})).environment).toBe('');
});
