/** train: a SageMaker training job, the same container on the runner, or any command. */
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { awsClient, resolveRegion } from '../aws.js';
import { dockerCli } from '../docker/runner.js';
import { UserError } from '../errors.js';
import { summary } from '../report.js';
import type { ActionContext } from '../runner.js';
import { readTrainOptions } from '../training/options.js';
import { trainLocally, trainOnSageMaker, trainWithCommand, type Outcome } from '../training/modes.js';
import { trainSummary } from '../training/summary.js';

export async function run(ctx: ActionContext): Promise<void> {
  const options = readTrainOptions(ctx.inputs, ctx.github);
  ctx.setOutput('job-name', options.jobName);
  const modeContext = { log: ctx.log, signal: ctx.signal, maxRuntimeText: ctx.inputs.raw('max-runtime') };

  let outcome: Outcome;
  if (options.mode === 'sagemaker') {
    const region = resolveRegion(options.region);
    const client = { action: ctx.name, region };
    outcome = await trainOnSageMaker(options, {
      ...modeContext,
      region,
      scale: ctx.timeScale,
      sagemaker: awsClient(SageMakerClient, 'SageMaker', client),
      logs: options.streamLogs ? awsClient(CloudWatchLogsClient, 'CloudWatch Logs', client) : undefined
    });
  } else if (options.mode === 'local') {
    outcome = await trainLocally(options, {
      ...modeContext,
      tempDir: process.env.RUNNER_TEMP,
      docker: dockerCli(process.env.MLOPS_ACTIONS_DOCKER || 'docker')
    });
  } else {
    outcome = await trainWithCommand(options, modeContext);
  }

  ctx.setOutput('status', outcome.status);
  ctx.setOutput('metrics', JSON.stringify(outcome.metrics));
  ctx.setOutput('duration', Math.round(outcome.seconds));
  if (outcome.modelData) ctx.setOutput('model-data', outcome.modelData);
  if (outcome.billableSeconds !== undefined) ctx.setOutput('billable-seconds', outcome.billableSeconds);
  summary(trainSummary(outcome));
  if (outcome.failure) throw new UserError(outcome.failure);
}
