#!/usr/bin/env node
// What a 5-minute canary of deploy-lambda costs: the calls of one deployment by service and
// operation, and how long after the bake ends the action notices and moves all traffic (in the
// service's own, unscaled seconds). The BUILT bundle (dist/deploy-lambda) runs as the runner runs
// it against the real emulator (in-process, Docker hosting, the fixture runtime pushed through its
// ECR) at BENCH_SCALES time scales, MLOPS_ACTIONS_TIME_SCALE equal to the emulator's: strategy
// canary, canary-size 10%, bake-time 5m, an alarm on the function's Errors, max-error-rate 5%,
// while a loop invokes the alias. Version 1 is deployed first; its calls are not counted, nor the
// loop's Invokes (only calls whose user agent is the action's).
//
// Usage: node bench/lambda-canary.mjs   (BENCH_SCALES=0.01,0.02; needs the registry and Docker)
import { ROLE, fixtureImages, runAction, startWorld, table } from './lambda-setup.mjs';

const SCALES = (process.env.BENCH_SCALES ?? '0.01,0.02').split(',').map(Number);
const BAKE_SECONDS = 300;
const { InvokeCommand } = await import('@aws-sdk/client-lambda');
const { PutMetricAlarmCommand } = await import('@aws-sdk/client-cloudwatch');

/** Invokes the alias until stopped; the calls made and the errors seen. */
function traffic(world, fn) {
  let running = true;
  const seen = { calls: 0, errors: 0 };
  const loop = (async () => {
    while (running) {
      const r = await world.lambda
        .send(new InvokeCommand({ FunctionName: fn, Qualifier: 'live', Payload: Buffer.from('{"echo":1}') }))
        .catch(() => ({ FunctionError: 'call failed' }));
      seen.calls++;
      if (r.FunctionError) seen.errors++;
    }
  })();
  return async () => {
    running = false;
    await loop;
    return seen;
  };
}

/** One canary deployment at `scale`: the action's calls by service/operation, the notice delay. */
async function canary(scale) {
  const world = await startWorld(scale);
  try {
    const fn = `bench-canary-${String(scale).replace('.', '')}`;
    const [v1, v2] = await fixtureImages(world, ['canary-1', 'canary-2']);
    const deploy = (inputs) => runAction('deploy-lambda', { 'function-name': fn, ...inputs }, world.env);
    const first = await deploy({ image: v1, 'role-arn': ROLE });
    if (first.outputs.status !== 'deployed') throw new Error(`version 1 was not deployed:\n${first.log}`);
    const alarm = `${fn}-errors`;
    await world.cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: alarm,
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [
          { Name: 'FunctionName', Value: fn },
          { Name: 'Resource', Value: `${fn}:live` }
        ],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching'
      })
    );
    const stop = traffic(world, fn);
    const from = world.emulator.calls.length;
    const run = await deploy({
      image: v2,
      strategy: 'canary',
      'canary-size': '10%',
      'bake-time': '5m',
      alarms: alarm,
      'max-error-rate': '5%'
    });
    const seen = await stop();
    if (run.outputs.status !== 'deployed' || run.outputs.version !== '2')
      throw new Error(`the canary did not deploy version 2 (${run.outputs.status}):\n${run.log}`);
    const calls = world.emulator.calls.slice(from).filter((c) => /mlops-actions/.test(c.userAgent ?? ''));
    const aliasUpdates = calls.filter((c) => c.operation === 'UpdateAlias' && c.status === 200);
    const bakeEnd = Date.parse(aliasUpdates[0].at) + BAKE_SECONDS * 1000 * scale;
    const delay = (Date.parse(aliasUpdates.at(-1).at) - bakeEnd) / 1000 / scale;
    const count = {};
    for (const c of calls)
      count[`${c.service} ${c.operation}`] = (count[`${c.service} ${c.operation}`] ?? 0) + 1;
    return {
      scale,
      count,
      delay,
      aliasUpdates: aliasUpdates.length,
      seen,
      failed: calls.filter((c) => c.status >= 400)
    };
  } finally {
    await world.stop();
  }
}

const results = [];
for (const scale of SCALES) results.push(await canary(scale));

// One row per service and operation (a column per time scale): the operations would not fit a cell.
const keys = [...new Set(results.flatMap((r) => Object.keys(r.count)))].sort();
const services = [...new Set(keys.map((k) => k.split(' ')[0]))];
const total = (r, service) =>
  Object.entries(r.count).reduce((s, [k, n]) => s + (!service || k.startsWith(`${service} `) ? n : 0), 0);
table(
  ['calls of one deployment', ...results.map((r) => `time scale ${r.scale}`)],
  [
    ...services.flatMap((service) => [
      ...keys
        .filter((k) => k.startsWith(`${service} `))
        .map((k) => [k, ...results.map((r) => r.count[k] ?? 0)]),
      [`**${service} total**`, ...results.map((r) => total(r, service))]
    ]),
    ['**total**', ...results.map((r) => total(r))],
    ['notice delay after the bake (service s)', ...results.map((r) => r.delay.toFixed(1))]
  ]
);
for (const r of results) {
  console.log(
    `scale ${r.scale}: the loop made ${r.seen.calls} Invokes (${r.seen.errors} errors); ` +
      `${r.aliasUpdates} UpdateAlias by the action; failed calls: ` +
      (r.failed.map((c) => `${c.service} ${c.operation} ${c.error ?? c.status}`).join(', ') || 'none')
  );
}
const differ = keys.filter((k) => new Set(results.map((r) => r.count[k] ?? 0)).size > 1);
const sameScale = differ.filter((k) =>
  results.some((r, i) => results.some((q, j) => j > i && q.scale === r.scale && q.count[k] !== r.count[k]))
);
console.log(
  differ.length
    ? `The counts differ between runs: ${differ.map((k) => `${k} ${results.map((r) => r.count[k] ?? 0).join('/')}`).join(', ')}` +
        (sameScale.length ? ' (runs at the same scale differ too: the jitter of polls, not the scale).' : '.')
    : 'The counts are the same at every scale.'
);
