/**
 * The Model Registry's rows of deploy-inputs.test.ts's bad-input table (deploy-canary model-package,
 * rollback to-approved): kept here so the registry adds a few lines to that table. `registerPending`
 * makes the package the rows refuse (version 1 of group `pending-news`, PendingManualApproval).
 */
import { runBundle } from './bundle.js';

const ROLE = 'arn:aws:iam::123456789012:role/sagemaker-execution';
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/news@sha256:' + '3'.repeat(64);
export const PENDING = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/pending-news/1';

export async function registerPending(env: Record<string, string>): Promise<void> {
  const run = await runBundle(
    'register-model',
    { 'model-package-group': 'pending-news', image: IMAGE },
    { env }
  );
  if (run.outputs['model-package-arn'] !== PENDING) throw new Error(`register-model failed:\n${run.log}`);
}

type Row = [action: string, input: string, inputs: Record<string, string>, message: string];

export function registryDeployCases(endpoint: string): Row[] {
  const deploy = { 'endpoint-name': endpoint, 'role-arn': ROLE };
  return [
    [
      'deploy-canary',
      'image',
      { ...deploy, 'model-package': PENDING, image: IMAGE },
      'Inputs "model-package" and "image" were both given: the package names its own image and model data, so give one or the other.'
    ],
    [
      'deploy-canary',
      'model-data',
      { ...deploy, 'model-package': 'pending-news', 'model-data': 's3://models/news.tar.gz' },
      'Inputs "model-package" and "model-data" were both given'
    ],
    [
      'deploy-canary',
      'model-package',
      { ...deploy, 'model-package': 'pending news' },
      'Input "model-package" must be a model package ARN, a group name or <group>/<version>, but got "pending news".'
    ],
    [
      'deploy-canary',
      'model-package',
      { ...deploy, 'model-package': 'arn:aws:sagemaker:us-east-1:123456789012:model-package/pending-news' },
      'Input "model-package" must be a versioned model package ARN'
    ],
    [
      'deploy-canary',
      'model-package',
      { ...deploy, 'model-package': PENDING.replace('us-east-1', 'eu-west-1') },
      'Input "model-package" names a package in eu-west-1, but the endpoint is in us-east-1'
    ],
    [
      'deploy-canary',
      'model-package',
      { ...deploy, 'model-package': PENDING },
      `Input "model-package" names ${PENDING}, which is PendingManualApproval, not Approved: approve it with approve-model first.`
    ],
    [
      'deploy-canary',
      'model-package',
      { ...deploy, 'model-package': 'pending-news' },
      'Input "model-package" names the group pending-news, which has no Approved model package: register one with register-model and approve it with approve-model.'
    ],
    [
      'deploy-canary',
      'model-package',
      { ...deploy, 'model-package': 'pending-news/7' },
      'Input "model-package" names the model package pending-news/7, which does not exist in this region'
    ],
    [
      'rollback',
      'to-approved',
      { 'endpoint-name': endpoint, 'to-approved': 'yes' },
      'Input "to-approved" must be true or false, but got "yes".'
    ],
    [
      'rollback',
      'to-approved',
      { 'endpoint-name': endpoint, 'to-approved': 'true', to: `${endpoint}-config` },
      'Inputs "to" and "to-approved" were both given'
    ],
    [
      'rollback',
      'to-approved',
      { 'function-name': 'news-fn', 'to-approved': 'true' },
      'Input "to-approved" works with endpoint-name only'
    ],
    [
      'rollback',
      'to-approved',
      { 'endpoint-name': endpoint, 'to-approved': 'true' },
      `Endpoint ${endpoint} has no earlier version made from a model package that is still Approved (no earlier version went live); nothing was rolled back, so approve and deploy a package or give "to" instead of "to-approved".`
    ]
  ];
}
