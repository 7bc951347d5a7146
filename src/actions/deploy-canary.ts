/** deploy-canary: plan, then deploy a new version to a SageMaker endpoint behind a canary. */
import { UserError } from '../errors.js';
import { loadMetrics } from '../gate/metrics.js';
import { summary } from '../report.js';
import type { ActionContext } from '../runner.js';
import { deploy } from '../sagemaker/deploy.js';
import { readDeployOptions } from '../sagemaker/options.js';
import { CANDIDATE_VARIANT, redacted } from '../sagemaker/plan.js';
import { metricTags, metricsFromTags } from '../sagemaker/metric-tags.js';
import { deploySummary, metricsSection, strategyText } from '../sagemaker/summary.js';
import { checkPackageRegion } from '../sagemaker/package.js';
import { OWN_TAGS } from '../sagemaker/tags.js';
import { sagemakerEngine } from './sagemaker-engine.js';

export async function run(ctx: ActionContext): Promise<void> {
  const started = Date.now();
  const options = readDeployOptions(ctx.inputs);
  const metricsInput = ctx.inputs.raw('metrics');
  const metrics = metricsInput ? loadMetrics('metrics', metricsInput, ctx.github.workspace) : undefined;
  if (metrics) {
    const encoded = metricTags(metrics.values, 50 - OWN_TAGS - Object.keys(options.tags).length);
    options.metricTags = encoded.tags;
    for (const name of [...encoded.skipped, ...metrics.ignored])
      ctx.log.info(`Metric not recorded: ${name}.`);
  }
  const { region, clients, engine } = sagemakerEngine(ctx, options.region);
  checkPackageRegion(options.modelPackage, region);

  const result = await deploy(options, clients, engine);
  const { plan } = result;
  const pkg = plan.modelPackage;
  if (pkg) ctx.log.info(`Model package ${pkg.arn} (version ${pkg.version}, ${pkg.status}): ${pkg.image}.`);
  ctx.log.info(
    `Plan for ${plan.endpointName}: ${plan.action}, ${strategyText(plan)}${plan.newConfig ? `, config ${plan.newConfig}` : ''}.`
  );
  for (const note of plan.notes) ctx.log.info(note);
  if (options.dryRun) ctx.log.info(`Plan as data:\n${JSON.stringify(redacted(plan), null, 2)}`);

  ctx.setOutput('status', result.status);
  if (plan.newConfig) ctx.setOutput('endpoint-config', plan.newConfig);
  if (plan.modelName) ctx.setOutput('model-name', plan.modelName);
  if (plan.previousConfig) ctx.setOutput('previous-endpoint-config', plan.previousConfig);
  ctx.setOutput('variant-name', plan.action === 'weights-canary' ? CANDIDATE_VARIANT : options.variantName);
  summary(deploySummary(result, options.image, options.modelData, region, (Date.now() - started) / 1000));
  const recorded = options.metricTags ?? pkg?.metricTags;
  if (recorded) summary(metricsSection(metricsFromTags(recorded) ?? new Map(), plan, options.dryRun));
  if (result.reason) throw new UserError(result.reason);
}
