/**
 * `--review ENV=approve|reject`: rehearsing a GitHub environment's required reviewers locally. An
 * approved job runs and says who approved it; a rejected one ends failed with no step run, and the
 * jobs that need it are skipped unless their `if:` asks for failure()/always().
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseWorkflowArgs } from '../../src/workflow/cli.js';
import { gitRepo, run } from '../helpers/workflow-repo.js';

const PROMOTE = `
name: promote
on: push
jobs:
  staging:
    runs-on: ubuntu-latest
    environment: staging
    steps:
      - run: echo staged
  production:
    needs: staging
    runs-on: ubuntu-latest
    environment:
      name: production
      url: https://example.com
    outputs:
      deployed: \${{ steps.d.outputs.deployed }}
    steps:
      - id: d
        run: echo "deployed=yes" >> "$GITHUB_OUTPUT"
  after:
    needs: production
    runs-on: ubuntu-latest
    steps:
      - run: echo "after got \${{ needs.production.outputs.deployed }}"
  on-reject:
    needs: production
    if: failure()
    runs-on: ubuntu-latest
    steps:
      - run: echo "production result \${{ needs.production.result }}"
  always:
    needs: production
    if: always()
    runs-on: ubuntu-latest
    steps:
      - run: echo "always ran"
`;

const repo = gitRepo({ '.github/workflows/promote.yml': PROMOTE });
const file = '.github/workflows/promote.yml';

test('without a review, environments run as before and the log says they have no reviewers', async () => {
  const r = await run(repo, file);
  expect(r.job('production').result).toBe('success');
  expect(r.job('on-reject').result).toBe('skipped');
  expect(r.log).toContain('environments have no protection rules or reviewers in a local run');
  expect(r.job('production').review).toBeUndefined();
});

test('approve runs the job and logs the approval', async () => {
  const r = await run(repo, file, { reviews: { production: 'approve' } });
  r.assertOk();
  expect(r.log).toContain('review of production approved (--review)');
  expect(r.job('production').review).toEqual({
    environment: 'production',
    decision: 'approved',
    by: '--review'
  });
  expect(r.log).toContain('after got yes');
  expect(r.job('staging').review).toBeUndefined();
});

test('reject fails the job without running its steps; dependents skip unless failure()/always()', async () => {
  const resultFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wf-review-')), 'result.json');
  const r = await run(repo, file, { reviews: { production: 'reject' }, resultFile });
  expect(r.result.ok).toBe(false);
  const production = r.job('production');
  expect(production.result).toBe('failure');
  expect(production.steps.map((s) => s.outcome)).toEqual(['skipped']);
  expect(production.outputs).toEqual({});
  expect(r.log).toContain('the review of environment "production" was rejected (--review)');
  expect(r.log).not.toContain('deployed=yes');
  expect(r.job('staging').result).toBe('success');
  expect(r.job('after').result).toBe('skipped');
  expect(r.job('on-reject').result).toBe('success');
  expect(r.log).toContain('production result failure');
  expect(r.log).toContain('always ran');
  const written = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as typeof r.result;
  const inFile = written.jobs.find((j) => j.id === 'production');
  expect(inFile?.review?.decision).toBe('rejected');
  expect(inFile?.error).toMatch(/review of environment "production" was rejected/);
});

test('--review is parsed as ENV=approve|reject, repeatable, and anything else is a usage error', () => {
  expect(
    parseWorkflowArgs(['w.yml', '--review', 'production=approve', '--review', 'staging=reject']).reviews
  ).toEqual({ production: 'approve', staging: 'reject' });
  expect(parseWorkflowArgs(['w.yml', '--review=production=reject']).reviews).toEqual({
    production: 'reject'
  });
  expect(parseWorkflowArgs(['w.yml']).reviews).toBeUndefined();
  expect(() => parseWorkflowArgs(['w.yml', '--review', 'production=yes'])).toThrow(
    '--review production= takes approve or reject, not "yes".'
  );
  expect(() => parseWorkflowArgs(['w.yml', '--review', 'production'])).toThrow(/--review takes name=value/);
});
