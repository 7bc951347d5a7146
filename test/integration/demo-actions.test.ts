/**
 * The README's main job, `npm run demo`: the whole pipeline on the bundled example with the CLI
 * against the emulator. This keeps that command true: every step does what the table says.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../helpers/bundle.js';

test('npm run demo:actions runs the pipeline end to end: data, training, image, tests, serving endpoints, a canary that real traffic rolls back, an A/B test', () => {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts/demo-actions.mjs'), '--quiet'], {
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
  expect(rows.size).toBe(17);
  const row = (prefix: string) => [...rows].find(([title]) => title.startsWith(prefix))?.[1];
  expect(row('Publish the data (dvc push)')).toMatchObject({ exit: 0 });
  expect(row('Pull the data into a fresh checkout (dvc pull)')?.result).toBe('1 files');
  expect(row('Train on the runner (local mode)')?.result).toMatch(/^Completed, accuracy 0?\.?\d/);
  expect(row('Build the serving image and push it to ECR')?.result).toMatch(/^sha256:[0-9a-f]{12}$/);
  expect(row('Test inside the pushed image, by digest')?.result).toMatch(/^[1-9]\d* tests, 0 failures$/);
  expect(row('Deploy v1')?.result).toBe('deployed');
  // The live endpoint answered real predictions, as the requests file expects.
  expect(row('Smoke-test v1')?.result).toMatch(/^passed, 4 requests, 0 errors, p95 \d+ ms$/);
  expect(row('Deploy v2 behind a canary')?.result).toBe('deployed');
  expect(row('Deploy the broken v3')).toEqual({ action: 'deploy-canary', exit: 1, result: 'rolled-back' });
  // The traffic that baked the canary met its 500s: that is what fired the alarm.
  const baked = /^passed, (\d+) requests, (\d+) errors/.exec(row('Traffic while v3 bakes')?.result ?? '');
  expect(Number(baked?.[2])).toBeGreaterThan(0);
  expect(output).toMatch(/rolled back: Alarm wine-5xx went into ALARM .*\(Threshold Crossed: /);
  expect(row('A/B test')?.result).toBe('canary');
  expect(row('Traffic through the A/B test')?.result).toMatch(/^passed, 150 requests, 0 errors/);
  const split =
    /The A\/B split smoke-test observed \(weights 70\/30\): AllTraffic (\d+)%, Candidate (\d+)% of 150/.exec(
      output
    );
  // 150 requests at 30%: 45 ± 5.6; the share stays within 30% ± 15 points.
  expect(Number(split?.[2])).toBeGreaterThan(15);
  expect(Number(split?.[2])).toBeLessThan(45);
  expect(row('End the A/B test')).toMatchObject({ exit: 0, result: 'rolled-back' });
}, 300_000);
