/**
 * The README's main job, `npm run demo`: the starter workflows run by the local workflow runner on the
 * bundled example, against the emulator and a loopback stand-in of GitHub's REST API. This keeps that
 * command true: every workflow's jobs end as the table says, and the comments say what the gate saw.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../helpers/bundle.js';

test('npm run demo runs the starters: a PR that improves (gate passes, model recorded), a PR that worsens (gate fails), the merge deploy, the retrain, the rollback, the Lambda deploys (broken canary rolled back, healthy one live), and promotion through the model registry', () => {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts/demo.mjs'), '--quiet'], {
    encoding: 'utf8',
    timeout: 600_000
  });
  const output = `${run.stdout}\n${run.stderr}`;
  if (run.status !== 0) throw new Error(`the demo exited ${run.status}:\n${output}`);

  const rows = [...output.matchAll(/^\| ([^|]+?) \| ([^|]+?) \| ([a-z]+) \| [\d.]+ s \| [\d.]+ s \|$/gm)].map(
    (m) => ({
      workflow: m[1],
      job: m[2],
      result: m[3]
    })
  );
  const results = (workflow: string) =>
    Object.fromEntries(rows.filter((r) => r.workflow.startsWith(workflow)).map((r) => [r.job, r.result]));
  // A starter's job calls a reusable workflow: `model / gate` is its job `gate`, `model` the caller.
  expect(results('PR #1')).toEqual({
    'model / model': 'success',
    'model / gate': 'success',
    'model / record': 'success',
    model: 'success'
  });
  expect(results('PR #2')).toEqual({
    'model / model': 'success',
    'model / gate': 'failure',
    'model / record': 'skipped',
    model: 'failure'
  });
  expect(results('Merge to main')).toEqual({
    'deploy / build': 'success',
    'deploy / deploy': 'success',
    deploy: 'success'
  });
  expect(results('Schedule: retrain')).toEqual({
    'retrain / train': 'success',
    'retrain / gate': 'success',
    'retrain / deploy': 'success',
    retrain: 'success'
  });
  expect(results('By hand: rollback')).toEqual({ 'rollback / rollback': 'success', rollback: 'success' });
  const lambdaJobs = (deploy: string) => ({
    'deploy / build': 'success',
    'deploy / deploy': deploy,
    deploy
  });
  expect(results('Lambda: first deployment')).toEqual(lambdaJobs('success'));
  expect(results('Lambda: a broken build')).toEqual(lambdaJobs('failure'));
  expect(results('Lambda: healthy, provisioned')).toEqual(lambdaJobs('success'));

  // The model registry: approved (staged, then production by package), a declined review (rejected,
  // production untouched), approved again, then the live package rejected by hand (rolled back).
  const promoteJobs = (production: string, reject: string) => ({
    'promote / build': 'success',
    'promote / register': 'success',
    'promote / staging': 'success',
    'promote / production': production,
    'promote / reject': reject,
    promote: production
  });
  expect(results('Registry: approved')).toEqual(promoteJobs('success', 'skipped'));
  expect(results('Registry: review declined')).toEqual(promoteJobs('failure', 'success'));
  expect(results('Registry: approved again')).toEqual(promoteJobs('success', 'skipped'));
  expect(results('Registry: live package rejected')).toEqual({
    'promote / build': 'skipped',
    'promote / register': 'skipped',
    'promote / staging': 'skipped',
    'promote / production': 'skipped',
    'promote / reject': 'success',
    promote: 'success'
  });
  expect(output).toContain(
    'version 1 Approved and live again, 2 declined in review, 3 rejected after it went live'
  );

  // What the users calling the function URL met: the broken canary's errors while version 1 kept
  // answering, then the fixed build answering with no error.
  const users = (title: string) =>
    new RegExp(`Users' requests during "${title}"[^\n]*\n((?:  .*\n)+)`).exec(output)?.[1] ?? '';
  expect(users('Lambda: a broken build')).toMatch(/^ {2}a function error 502: \d+$/m);
  expect(users('Lambda: a broken build')).toMatch(/^ {2}lambda-1 200: \d+$/m);
  expect(users('Lambda: healthy, provisioned')).toMatch(/^ {2}lambda-3 200: \d+$/m);
  expect(users('Lambda: healthy, provisioned')).not.toMatch(/502|no answer/);

  // The comments carry the gate's table: PR #1 better than main, PR #2 worse.
  const pr1 = /PR #1's comment \(1 comment\):\n([\s\S]*?)\nPR #2's comment/.exec(output)?.[1] ?? '';
  expect(pr1).toMatch(/\| accuracy \|/);
  expect(pr1).not.toMatch(/fail/i);
  const pr2 = /PR #2's comment:\n([\s\S]*?)\n\| workflow \|/.exec(output)?.[1] ?? output;
  expect(pr2).toMatch(/accuracy/);
  expect(pr2).toMatch(/fail/i);
}, 660_000);
