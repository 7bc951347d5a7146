// The demo's Lambda act: the example's Lambda flavour (lambda/Dockerfile) deployed by the
// ml-deploy-lambda starter through the local runner, to a function whose alias `live` has a function
// URL that users call all along (demo-traffic.mjs).
//   first     the function created, version 1 published, the alias on it
//   broken    a hotfix pushed with its tests skipped, whose handler raises: the canary takes its share
//             of the users' requests, their errors fire the alarm and the error-rate limit, the alias
//             goes back to version 1
//   healthy   a good build with provisioned concurrency: ready before any traffic moves, live with no
//             cold start on the users' requests
import path from 'node:path';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateFunctionUrlConfigCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { Traffic } from './demo-traffic.mjs';

const FUNCTION = 'wine';
const ALARM = 'wine-lambda-errors';

export async function lambdaAct({ repo, url, build, starter, commit, workflow, job, results, fail }) {
  const aws = {
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' }
  };
  // The alarm a team puts on its function's errors (made once, like the function URL, by their IaC).
  await new CloudWatchClient(aws).send(
    new PutMetricAlarmCommand({
      AlarmName: ALARM,
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [
        { Name: 'FunctionName', Value: FUNCTION },
        { Name: 'Resource', Value: `${FUNCTION}:live` }
      ],
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching'
    })
  );
  const deploy = (modelVersion, extra = {}) =>
    starter('ml-deploy-lambda', {
      ...build,
      'build-args': `${build['build-args']}\nMODEL_VERSION=${modelVersion}`,
      'function-name': FUNCTION,
      repository: 'wine-classifier-lambda',
      'role-arn': 'arn:aws:iam::123456789012:role/wine-lambda-execution',
      'memory-size': '512',
      timeout: '30',
      'canary-size': '20%',
      'bake-time': '20m',
      alarms: ALARM,
      'max-error-rate': '5%',
      'provisioned-concurrency': '0',
      'smoke-requests': 'serving/smoke/requests.jsonl',
      'role-to-assume': 'arn:aws:iam::123456789012:role/wine-deploy',
      ...extra
    });

  deploy('lambda-1');
  commit('Deploy the model to Lambda too');
  const first = await workflow('Lambda: first deployment', 'ml-deploy-lambda.yml', { event: 'push' });
  if (job(first, 'deploy')?.outputs?.status !== 'deployed')
    fail('the first Lambda deployment did not go live.');

  // The function URL users call: the alias, so the weights move under it with no change in front.
  const { FunctionUrl } = await new LambdaClient(aws).send(
    new CreateFunctionUrlConfigCommand({ FunctionName: FUNCTION, Qualifier: 'live', AuthType: 'NONE' })
  );
  const traffic = new Traffic(FunctionUrl, path.join(repo, 'serving/smoke/requests.jsonl'));
  traffic.start();
  const observed = (title) =>
    results.push(
      `\nUsers' requests during "${title}" (model version, status: count):\n  ${traffic.take().join('\n  ')}`
    );
  try {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    observed('before the next deployment');

    // A hotfix pushed in a hurry: its handler raises on every request, and its only check is that the
    // handler imports (the image's own tests would have caught it; the canary does instead).
    deploy('lambda-2-broken', {
      'build-args': `${build['build-args']}\nMODEL_VERSION=lambda-2-broken\nBROKEN_INVOCATIONS=1`,
      'test-command': 'cd /var/task && python3 -c "import handler"'
    });
    commit('Hotfix, tests skipped: a handler that raises on every request');
    const broken = await workflow('Lambda: a broken build', 'ml-deploy-lambda.yml', {
      event: 'push',
      expect: 'failure'
    });
    observed('Lambda: a broken build');
    if (job(broken, 'deploy')?.outputs?.status !== 'rolled-back')
      fail(`the broken Lambda build was not rolled back (status ${job(broken, 'deploy')?.outputs?.status}).`);

    deploy('lambda-3', { 'provisioned-concurrency': '1' });
    commit('The handler fixed; provisioned concurrency so users never meet a cold start');
    const healthy = await workflow('Lambda: healthy, provisioned', 'ml-deploy-lambda.yml', { event: 'push' });
    observed('Lambda: healthy, provisioned');
    if (job(healthy, 'deploy')?.outputs?.status !== 'deployed')
      fail('the healthy Lambda build did not go live.');
  } finally {
    await traffic.stop();
  }
}
