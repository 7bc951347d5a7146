/**
 * The README's main job, `npm run demo`: the whole pipeline on the bundled example with the CLI
 * against the emulator. This keeps that command true: every step does what the table says.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../helpers/bundle.js';

test('npm run demo runs the pipeline end to end: data, training, image, tests, deploys, rollback', () => {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts/demo.mjs'), '--quiet'], {
    encoding: 'utf8',
    timeout: 240_000
  });
  const output = `${run.stdout}\n${run.stderr}`;
  if (run.status !== 0) throw new Error(`the demo exited ${run.status}:\n${output}`);

  const rows = new Map(
    [...output.matchAll(/^\| (.+?) \| ([a-z-]+) \| (\d+)[^|]* \| [\d.]+ s \| (.*) \|$/gm)].map((m) => [
      m[1],
      { action: m[2], exit: Number(m[3]), result: m[4] }
    ])
  );
  expect(rows.size).toBe(12);
  expect(rows.get('Publish the data (dvc push)')).toMatchObject({ exit: 0 });
  expect(rows.get('Pull the data into a fresh checkout (dvc pull)')?.result).toBe('1 files');
  expect(rows.get('Train on the runner (local mode)')?.result).toMatch(/^Completed, accuracy 0?\.?\d/);
  expect(rows.get('Build the serving image and push it to ECR')?.result).toMatch(/^sha256:[0-9a-f]{12}$/);
  expect(rows.get('Test inside the pushed image, by digest')?.result).toMatch(/^[1-9]\d* tests, 0 failures$/);
  expect(rows.get('Deploy v1 (creates the endpoint)')?.result).toBe('deployed');
  expect(rows.get('Deploy v2 behind a canary')?.result).toBe('deployed');
  const broken = [...rows].find(([title]) => title.startsWith('Deploy a broken v3'))?.[1];
  expect(broken).toEqual({ action: 'deploy-canary', exit: 1, result: 'rolled-back' });
  expect(rows.get('Roll back to the previous version (read from the tags in AWS)')).toMatchObject({
    exit: 0,
    result: 'rolled-back'
  });
}, 300_000);
