// The demo's promotion act: the ml-promote starter through the local runner, SageMaker Projects'
// flow without its glue, on the same `wine` endpoint the merge deployed:
//   approved   a merge registers version 1 PendingManualApproval (with the model's metrics), stages
//              the package's container on wine-staging and smoke-tests it; the production
//              environment's reviewers approve (--review production=approve): approve-model, then
//              deploy-canary of the package by ARN behind a canary, smoke-tested
//   declined   the next merge's version 2 is staged, the review is declined: version 2 Rejected,
//              production keeps version 1 (rollback to-approved: nothing to roll back)
//   approved   version 3 approved and live
//   rejected   a person rejects version 3 by hand (workflow_dispatch): production goes back to the
//              newest version whose package is still Approved, version 1
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeModelPackageCommand,
  SageMakerClient
} from '@aws-sdk/client-sagemaker';

const GROUP = 'wine';

/** The package the endpoint's model was created from (none for a model made from an image). */
async function livePackage(sagemaker, endpoint) {
  const { EndpointConfigName } = await sagemaker.send(
    new DescribeEndpointCommand({ EndpointName: endpoint })
  );
  const config = await sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName }));
  const model = await sagemaker.send(
    new DescribeModelCommand({ ModelName: config.ProductionVariants[0].ModelName })
  );
  return (model.Containers?.[0] ?? model.PrimaryContainer)?.ModelPackageName;
}

export async function promoteAct({ url, build, starter, commit, workflow, job, results, fail }) {
  const sagemaker = new SageMakerClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' }
  });
  const status = async (arn) =>
    (await sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: arn }))).ModelApprovalStatus;
  const live = () => livePackage(sagemaker, 'wine');
  // Each merge builds a new image (MODEL_VERSION is baked into it): a new package version.
  const merge = (revision) => {
    starter('ml-promote', {
      ...build,
      'build-args': `${build['build-args']}\nMODEL_VERSION=registry-${revision}`,
      'model-package-group': GROUP,
      'staging-endpoint-name': 'wine-staging',
      'production-endpoint-name': 'wine',
      repository: 'wine-classifier',
      'metrics-path': 's3://wine-models/model-metrics',
      'execution-role-arn': 'arn:aws:iam::123456789012:role/wine-sagemaker-execution',
      'canary-size': '50%',
      alarms: '',
      'staging-role-to-assume': 'arn:aws:iam::123456789012:role/wine-staging',
      'production-role-to-assume': 'arn:aws:iam::123456789012:role/wine-production'
    });
    commit(`Promote through the model registry (revision ${revision})`);
  };
  const promote = async (title, review, expect = 'success') => {
    const result = await workflow(title, 'ml-promote.yml', {
      event: 'push',
      reviews: [`production=${review}`],
      expect
    });
    return job(result, 'register')?.outputs?.['model-package-arn'];
  };

  merge(1);
  const first = await promote('Registry: approved', 'approve');
  if ((await status(first)) !== 'Approved' || (await live()) !== first)
    fail(`package ${first} was not approved and live on wine.`);

  merge(2);
  const second = await promote('Registry: review declined', 'reject', 'failure');
  if ((await status(second)) !== 'Rejected' || (await live()) !== first)
    fail(`the declined package ${second} was not rejected, or production moved.`);

  merge(3);
  const third = await promote('Registry: approved again', 'approve');
  if ((await live()) !== third) fail(`package ${third} is not live on wine.`);

  await workflow('Registry: live package rejected', 'ml-promote.yml', {
    event: 'workflow_dispatch',
    inputs: { decision: 'Rejected', 'model-package': third }
  });
  if ((await status(third)) !== 'Rejected' || (await live()) !== first)
    fail(`rejecting ${third} did not bring production back to ${first}.`);
  results.push(
    `\nThe model registry (${GROUP}): version 1 Approved and live again, 2 declined in review, 3 rejected after it went live (production rolled back to version 1).`
  );
}
