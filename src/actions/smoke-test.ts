/** smoke-test: requests to a live SageMaker endpoint or Lambda alias, and a verdict on its answers. */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { awsClient, resolveRegion } from '../aws.js';
import { UserError } from '../errors.js';
import { summary } from '../report.js';
import type { ActionContext } from '../runner.js';
import { runtimeInvoke } from '../smoke/invoke.js';
import { verdict } from '../smoke/judge.js';
import { lambdaInvoke, type LambdaTarget } from '../smoke/lambda.js';
import { waitUntilActive, type Routing } from '../smoke/lambda-ready.js';
import { readSmokeOptions, type SmokeOptions } from '../smoke/options.js';
import { waitUntilInService } from '../smoke/ready.js';
import { sendAll, type Invoke } from '../smoke/send.js';
import { smokeSummary } from '../smoke/summary.js';

type Client = { action: string; region: string };

/** The Lambda alias as the target: ready (Active) first, then Invoke with its Qualifier. */
async function lambdaTarget(ctx: ActionContext, options: SmokeOptions, target: LambdaTarget, client: Client) {
  const lambda = awsClient(LambdaClient, 'Lambda', client);
  let routing: Routing | undefined;
  if (options.waitForInService) {
    routing = await waitUntilActive(target, {
      lambda,
      log: ctx.log,
      signal: ctx.signal,
      timeoutSeconds: options.waitTimeoutSeconds,
      scale: ctx.timeScale
    });
  }
  return { invoke: lambdaInvoke(lambda, target), lambda: { ...target, routing } };
}

/** The SageMaker endpoint as the target: InService first, then InvokeEndpoint. */
async function endpointTarget(
  ctx: ActionContext,
  options: SmokeOptions,
  endpointName: string,
  client: Client
) {
  if (options.waitForInService) {
    await waitUntilInService(endpointName, {
      sagemaker: awsClient(SageMakerClient, 'SageMaker', client),
      log: ctx.log,
      signal: ctx.signal,
      timeoutSeconds: options.waitTimeoutSeconds,
      targetVariant: options.targetVariant,
      scale: ctx.timeScale
    });
  }
  const runtime = awsClient(SageMakerRuntimeClient, 'SageMaker Runtime', client);
  return { invoke: runtimeInvoke(runtime, endpointName) as Invoke, lambda: undefined };
}

export async function run(ctx: ActionContext): Promise<void> {
  const options = readSmokeOptions(ctx.inputs, ctx.github.workspace);
  const client = { action: ctx.name, region: resolveRegion(options.region) };
  const { invoke, lambda } = options.lambda
    ? await lambdaTarget(ctx, options, options.lambda, client)
    : await endpointTarget(ctx, options, options.endpointName!, client);
  const shown = lambda ? `${lambda.functionName}:${lambda.alias}` : options.endpointName;
  ctx.log.info(
    `Sending ${options.cases.length} cases to ${shown}${options.durationSeconds !== undefined ? ` for ${ctx.inputs.raw('duration')}` : ` ${options.count} time(s)`}, ${options.concurrency} at a time.`
  );
  const sent = await sendAll({
    ...options,
    invoke,
    log: ctx.log,
    signal: ctx.signal
  });
  const { stats } = sent;
  const failure = verdict(stats, options, sent.cancelled, lambda ? 'version' : 'variant');
  for (const f of stats.failures) ctx.log.info(`${f.case.name}: ${f.verdict.why}`);
  ctx.log.info(
    `Sent ${stats.requests} requests in ${sent.seconds.toFixed(1)}s: ${stats.errors} errors, p50 ${stats.p50Ms}ms, p95 ${stats.p95Ms}ms.`
  );

  ctx.setOutput('status', failure ? 'failed' : 'passed');
  ctx.setOutput('requests', stats.requests);
  ctx.setOutput('errors', stats.errors);
  ctx.setOutput('error-rate', Math.round(stats.errorRate * 10000) / 10000);
  ctx.setOutput('p50-ms', stats.p50Ms);
  ctx.setOutput('p95-ms', stats.p95Ms);
  ctx.setOutput(
    'variants',
    JSON.stringify(
      Object.fromEntries(
        Object.entries(stats.variants).map(([name, v]) => [
          name,
          { requests: v.requests, errors: v.errors, 'p50-ms': v.p50Ms, 'p95-ms': v.p95Ms }
        ])
      )
    )
  );
  summary(
    smokeSummary({
      ...options,
      lambda,
      cases: options.cases.length,
      limits: options,
      stats,
      seconds: sent.seconds,
      failure
    })
  );
  if (failure) throw new UserError(failure);
}
