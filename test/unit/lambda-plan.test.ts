/**
 * deploy-lambda's pure parts: the inputs read, the request builders' shapes, the plan for each case
 * (first, update, unchanged, resume, stale canary) and the strategies' steps. What the engine judges
 * from AWS's answers (error rate, cold starts, keep-versions, rollback's target): lambda-judgments.test.ts.
 */
import { ACTIONS } from '../../src/generated/actions.js';
import { Inputs } from '../../src/inputs.js';
import { formatDeployment, parseDeployment, tagKeys } from '../../src/lambda/history.js';
import { lambdaMetricQueries } from '../../src/lambda/metrics.js';
import { readLambdaDeployOptions, type LambdaDeployOptions } from '../../src/lambda/options.js';
import { planLambda, trafficSteps } from '../../src/lambda/plan.js';
import {
  aliasFor,
  aliasRequest,
  createFunctionRequest,
  provisionedRequest,
  publishRequest,
  updateCodeRequest
} from '../../src/lambda/requests.js';
import { FunctionState } from '../../src/lambda/state.js';

const HEX = 'a'.repeat(64);
const IMAGE = `123456789012.dkr.ecr.us-east-1.amazonaws.com/news@sha256:${HEX}`;
const ROLE = 'arn:aws:iam::123456789012:role/lambda-execution';

function options(values: Record<string, string> = {}): LambdaDeployOptions {
  const all: Record<string, string> = { 'function-name': 'news', image: IMAGE, ...values };
  return readLambdaDeployOptions(new Inputs((n) => all[n], ACTIONS['deploy-lambda'].inputs, 'deploy-lambda'));
}

const live = (
  digest: string,
  weighted?: FunctionState['weighted'],
  tags: Record<string, string> = {}
): FunctionState => ({
  config: {
    FunctionName: 'news',
    FunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:news',
    MemorySize: 128,
    Timeout: 3,
    Architectures: ['x86_64']
  },
  alias: { Name: 'live', FunctionVersion: '3', RevisionId: 'r1' },
  tags,
  primary: { version: '3', digest },
  weighted
});

describe('inputs', () => {
  it('reads the defaults of the contract', () => {
    const o = options();
    expect(o).toMatchObject({
      alias: 'live',
      digest: `sha256:${HEX}`,
      architectures: ['x86_64'],
      strategy: 'canary',
      canaryPercent: 10,
      linearStepPercent: 20,
      bakeSeconds: 300,
      provisionedConcurrency: 0,
      waitTimeoutSeconds: 3600,
      keepVersions: 5,
      dryRun: false
    });
    expect(o.maxErrorRate).toBeUndefined();
  });
  it('takes max-error-rate as a fraction or a percentage', () => {
    expect(options({ 'max-error-rate': '5%' }).maxErrorRate).toBeCloseTo(0.05);
    expect(options({ 'max-error-rate': '0.02' }).maxErrorRate).toBeCloseTo(0.02);
  });
  it.each([
    [
      { 'canary-size': '100%' },
      'Input "canary-size" must be a percentage of traffic above 0% and below 100% such as 10%, but got "100%".'
    ],
    [{ 'canary-size': '0' }, 'Input "canary-size" must be a percentage of traffic above 0% and below 100%'],
    [
      { 'linear-step': '150%' },
      'Input "linear-step" must be a percentage of traffic above 0% and below 100%'
    ],
    [
      { 'max-error-rate': '1.5' },
      'Input "max-error-rate" must be an error rate from 0 to 1 (0.05) or a percentage (5%), but got "1.5".'
    ],
    [{ alias: '$LATEST' }, 'Input "alias" cannot be $LATEST'],
    [{ alias: '12' }, 'Input "alias" must be an alias name'],
    [
      { 'function-name': 'arn:aws:lambda:us-east-1:123456789012:function:news:live' },
      'but got the qualified ARN'
    ],
    [{ 'function-name': 'news classifier' }, 'Input "function-name" must be a Lambda function name'],
    [
      { image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/news:latest' },
      'Input "image" must be an ECR image by digest (…@sha256:<64 hex digits>), not a tag'
    ],
    [{ 'memory-size': '64' }, 'Input "memory-size" must be an integer from 128 to 10240, but got "64".'],
    [{ timeout: '901' }, 'Input "timeout" must be an integer from 1 to 900, but got "901".'],
    [{ 'keep-versions': '0' }, 'Input "keep-versions" must be an integer from 1 to 1000, but got "0".'],
    [
      { 'provisioned-concurrency': '1.5' },
      'Input "provisioned-concurrency" must be an integer from 0 to 100000'
    ],
    [{ environment: '1ABC=x' }, 'Input "environment" has the key "1ABC"'],
    [{ environment: 'AWS_REGION=x' }, 'which Lambda reserves for itself'],
    [{ 'role-arn': 'admin' }, 'Input "role-arn" must be an IAM role ARN'],
    [{ 'bake-time': 'soon' }, 'Input "bake-time" must be a duration']
  ])('refuses %j in one sentence naming the input', (values, message) => {
    expect(() => options(values)).toThrow(message);
  });
  it("accepts the emulator's ECR on loopback (its pull address) by digest", () => {
    expect(options({ image: `127.0.0.1:5000/news@sha256:${HEX}` }).digest).toBe(`sha256:${HEX}`);
    expect(() => options({ image: `127.0.0.1:5000/news:v2` })).toThrow('not a tag');
  });
  it('accepts an unqualified ARN as function-name', () => {
    expect(
      options({ 'function-name': 'arn:aws:lambda:us-east-1:123456789012:function:news' }).functionName
    ).toContain(':function:news');
  });
});

describe('request builders', () => {
  it('CreateFunction: an image package with the role, the digest and the configuration', () => {
    expect(
      createFunctionRequest(
        options({ 'role-arn': ROLE, 'memory-size': '1024', environment: 'MODEL=v2', tags: 'team=ml' })
      )
    ).toEqual({
      FunctionName: 'news',
      PackageType: 'Image',
      Code: { ImageUri: IMAGE },
      Role: ROLE,
      Architectures: ['x86_64'],
      MemorySize: 1024,
      Environment: { Variables: { MODEL: 'v2' } },
      Tags: { team: 'ml' }
    });
  });
  it('UpdateFunctionCode by digest, with Architectures only when they change', () => {
    expect(updateCodeRequest(options(), false)).toEqual({ FunctionName: 'news', ImageUri: IMAGE });
    expect(updateCodeRequest(options({ architectures: 'arm64' }), true)).toEqual({
      FunctionName: 'news',
      ImageUri: IMAGE,
      Architectures: ['arm64']
    });
  });
  it('PublishVersion carries the commit and the run, on the condition that $LATEST runs our image', () => {
    expect(publishRequest('news', 'f00d', 'abc123', 'https://github.com/o/r/actions/runs/1')).toEqual({
      FunctionName: 'news',
      CodeSha256: 'f00d',
      Description: 'mlops-actions abc123 https://github.com/o/r/actions/runs/1'
    });
  });
  it('UpdateAlias: RoutingConfig with the new version weighted, the RevisionId read before', () => {
    expect(aliasRequest('news', 'live', '3', 'r1', { version: '4', weight: 0.1 })).toEqual({
      FunctionName: 'news',
      Name: 'live',
      FunctionVersion: '3',
      RoutingConfig: { AdditionalVersionWeights: { '4': 0.1 } },
      RevisionId: 'r1'
    });
    expect(aliasRequest('news', 'live', '4', 'r2')).toEqual({
      FunctionName: 'news',
      Name: 'live',
      FunctionVersion: '4',
      RoutingConfig: { AdditionalVersionWeights: {} },
      RevisionId: 'r2'
    });
    expect(aliasFor('3', '4', 0.2)).toEqual({ primary: '3', weighted: { version: '4', weight: 0.2 } });
    expect(aliasFor('3', '4', 1)).toEqual({ primary: '4' });
  });
  it('provisioned concurrency on the version', () => {
    expect(provisionedRequest('news', '4', 2)).toEqual({
      FunctionName: 'news',
      Qualifier: '4',
      ProvisionedConcurrentExecutions: 2
    });
  });
  it('metric queries by ExecutedVersion under the alias', () => {
    const [q] = lambdaMetricQueries('arn:aws:lambda:us-east-1:123456789012:function:news', 'live', ['4'], 60);
    expect(q.MetricStat).toEqual({
      Metric: {
        Namespace: 'AWS/Lambda',
        MetricName: 'Invocations',
        Dimensions: [
          { Name: 'FunctionName', Value: 'news' },
          { Name: 'Resource', Value: 'news:live' },
          { Name: 'ExecutedVersion', Value: '4' }
        ]
      },
      Period: 60,
      Stat: 'Sum'
    });
    expect(lambdaMetricQueries('news', 'live', ['3', '4'], 60).map((x) => x.MetricStat!.Stat)).toEqual([
      'Sum',
      'Sum',
      'p95',
      'Sum',
      'Sum',
      'p95'
    ]);
  });
});

describe('strategies', () => {
  const steps = (values: Record<string, string>) =>
    trafficSteps(options(values)).map((s) => [s.weight, s.bakeSeconds]);
  it('canary: canary-size, bake, then all', () => {
    expect(steps({})).toEqual([
      [0.1, 300],
      [1, 0]
    ]);
  });
  it('linear: linear-step more at each bake', () => {
    expect(steps({ strategy: 'linear', 'linear-step': '25%', 'bake-time': '1m' })).toEqual([
      [0.25, 60],
      [0.5, 60],
      [0.75, 60],
      [1, 0]
    ]);
  });
  it('all-at-once: everything, then a bake with the old version kept for rollback', () => {
    expect(steps({ strategy: 'all-at-once' })).toEqual([[1, 300]]);
  });
  it('a resumed linear canary bakes again at its weight, then goes on', () => {
    expect(trafficSteps(options({ strategy: 'linear' }), 0.4).map((s) => s.weight)).toEqual([
      0.4, 0.6, 0.8, 1
    ]);
  });
});

describe('the plan', () => {
  it('first deployment: create, the alias on the new version', () => {
    const plan = planLambda({ tags: {} }, options());
    expect(plan).toMatchObject({
      action: 'create',
      aliasExists: false,
      steps: [{ weight: 1, bakeSeconds: 0 }]
    });
  });
  it('update: the strategy from the version live', () => {
    const plan = planLambda(live(`sha256:${'b'.repeat(64)}`), options({ 'memory-size': '512' }));
    expect(plan).toMatchObject({ action: 'update', previousVersion: '3', configChange: { MemorySize: 512 } });
    expect(plan.steps.map((s) => s.weight)).toEqual([0.1, 1]);
  });
  it('unchanged: the digest is already live alone', () => {
    expect(planLambda(live(`sha256:${HEX}`), options())).toMatchObject({ action: 'unchanged', steps: [] });
  });
  it('an all-at-once that stopped while it baked (alias on a version newer than the live history) bakes again', () => {
    const keys = tagKeys('live');
    const plan = planLambda(
      live(`sha256:${HEX}`, undefined, { [keys.live]: '2 1' }),
      options({ strategy: 'all-at-once', 'bake-time': '2m' })
    );
    expect(plan).toMatchObject({ action: 'resume', resumeVersion: '3', previousVersion: '2' });
    expect(plan.steps).toEqual([{ weight: 1, bakeSeconds: 120 }]);
    expect(plan.notes.join(' ')).toContain('never finished its bake');
    // The live history names it, or an older version was put back by hand, or it was rolled back from:
    // nothing to resume.
    for (const tags of [
      { [keys.live]: '3 2' },
      { [keys.live]: '5 3' },
      { [keys.live]: '2', [keys.rolledBack]: '3' },
      {}
    ])
      expect(planLambda(live(`sha256:${HEX}`, undefined, tags), options()).action).toBe('unchanged');
  });
  it('a new memory size on the same image is an update', () => {
    expect(planLambda(live(`sha256:${HEX}`), options({ 'memory-size': '256' })).action).toBe('update');
  });
  it('resume: a canary of this image left at a weight bakes again from there', () => {
    const deployment = formatDeployment({
      version: '4',
      from: '3',
      by: '42.1.abc',
      at: '2026-01-01T00:00:00Z',
      strategy: 'canary'
    });
    const plan = planLambda(
      live(
        `sha256:${'b'.repeat(64)}`,
        { version: '4', digest: `sha256:${HEX}`, weight: 0.1 },
        { [tagKeys('live').deployment]: deployment }
      ),
      options()
    );
    expect(plan).toMatchObject({ action: 'resume', resumeVersion: '4', previousVersion: '3' });
    expect(plan.steps.map((s) => s.weight)).toEqual([0.1, 1]);
    expect(plan.notes.join(' ')).toContain('resumes');
  });
  it('a stale canary of another image: back to the old version alone first', () => {
    const plan = planLambda(
      live(`sha256:${'b'.repeat(64)}`, { version: '4', digest: `sha256:${'c'.repeat(64)}`, weight: 0.3 }),
      options()
    );
    expect(plan).toMatchObject({
      action: 'update',
      staleCanary: { version: '4', weight: 0.3 },
      previousVersion: '3'
    });
  });
  it('the deployment tag reads back, with a version not yet published', () => {
    const text = formatDeployment({
      version: '',
      from: '3',
      by: '42.1.abc',
      at: '2026-01-01T00:00:00Z',
      strategy: 'linear'
    });
    expect(text).toContain('version=-');
    expect(parseDeployment(text)).toMatchObject({ version: '', from: '3', by: '42.1.abc' });
  });
});
