/**
 * deploy-canary, promote and rollback bundles for scenario tests: each run gets a commit of its own
 * (GITHUB_SHA counts up), so every deployment makes a new version; `deploy(endpoint, n)` deploys image
 * `n` with a 1-minute bake.
 */
import { runBundle, type BundleOptions, type BundleRun } from './bundle.js';

export const ROLE = 'arn:aws:iam::123456789012:role/sagemaker-execution';
export const image = (n: number) =>
  `123456789012.dkr.ecr.us-east-1.amazonaws.com/news@sha256:${String(n % 10).repeat(64)}`;

export function deployRuns(
  env: () => Record<string, string>,
  deployInputs: (n: number) => Record<string, string> = () => ({})
) {
  let counter = 0;
  const run = (
    action: string,
    inputs: Record<string, string>,
    options: BundleOptions = {}
  ): Promise<BundleRun> =>
    runBundle(action, inputs, {
      ...options,
      env: { ...env(), GITHUB_SHA: `${String(++counter).padStart(7, '0')}abcdef`, ...options.env }
    });
  const deploy = (
    endpoint: string,
    n: number,
    extra: Record<string, string> = {},
    options: BundleOptions = {}
  ) =>
    run(
      'deploy-canary',
      {
        'endpoint-name': endpoint,
        image: image(n),
        'role-arn': ROLE,
        'bake-time': '1m',
        ...deployInputs(n),
        ...extra
      },
      options
    );
  return { run, deploy };
}
