/**
 * deploy-lambda, promote and rollback through the built bundles against the emulator, with real
 * containers: the emulator's Lambda runs each version's image on the Docker engine behind its
 * Runtime API, routes Invoke by the alias's weights and publishes `AWS/Lambda` metrics and
 * `/aws/lambda/<function>` logs from real invocations, so alarms and the error rate judge real errors.
 *
 * What these tests expect of the emulator's Lambda (written on other branches):
 * - The control plane of the issue (CreateFunction ... ListTags) with `State`/`LastUpdateStatus`
 *   moving on the scaled clock, ResourceConflictException while an update is InProgress,
 *   PreconditionFailedException on a stale RevisionId, PublishVersion idempotent on unchanged code.
 * - Images by digest from its ECR, i.e. the loopback registry (`127.0.0.1:5000/<repo>@sha256:...`),
 *   run with `AWS_LAMBDA_RUNTIME_API`; a custom runtime (`bootstrap`) on the local base image works.
 * - Invoke with `Qualifier=<alias>` routing by `AdditionalVersionWeights` and answering
 *   `ExecutedVersion` and `FunctionError`.
 * - `AWS/Lambda` Invocations, Errors and Duration with the dimensions FunctionName,
 *   Resource=`<fn>:<alias>` and ExecutedVersion, readable by GetMetricData; alarms on them evaluated.
 * - Logs in `/aws/lambda/<fn>`, streams `YYYY/MM/DD/[<version>]<id>`, with `REPORT ... Init Duration:
 *   x ms` on a cold start (none on environments kept ready by provisioned concurrency).
 * - Provisioned concurrency IN_PROGRESS -> READY once its environments have started.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  GetAliasCommand,
  InvokeCommand,
  LambdaClient,
  ListTagsCommand,
  ListVersionsByFunctionCommand,
  UpdateFunctionConfigurationCommand
} from '@aws-sdk/client-lambda';
import { awsClient } from '../../src/aws.js';
import { tagKeys } from '../../src/lambda/history.js';
import { runBundle, type BundleRun } from '../helpers/bundle.js';
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';
import { startLossyProxy } from '../helpers/lossy-proxy.js';
import { BASE_IMAGE, REGISTRY, registryDigest, uniqueName } from '../helpers/images.js';

const ROLE = 'arn:aws:iam::123456789012:role/news-lambda';
const SCALE = 0.01;
let emu: RunningEmulator;
let lambda: LambdaClient;
let cloudwatch: CloudWatchClient;
const images: Record<'healthy' | 'healthy2' | 'broken', string> = { healthy: '', healthy2: '', broken: '' };

/** A custom runtime on the standard library: `bootstrap` polls the Runtime API; `broken` raises. */
function bootstrap(kind: string): string {
  return `#!/usr/bin/env python3
import json, os, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
while True:
    with urllib.request.urlopen(api + "next") as r:
        rid = r.headers["Lambda-Runtime-Aws-Request-Id"]; r.read()
    if "${kind}" == "broken":
        body, path = json.dumps({"errorMessage": "model failed", "errorType": "RuntimeError"}), rid + "/error"
    else:
        body, path = json.dumps({"statusCode": 200, "body": json.dumps({"label": "${kind}"})}), rid + "/response"
    urllib.request.urlopen(urllib.request.Request(api + path, data=body.encode(), method="POST")).read()
`;
}

/**
 * Builds and pushes one image to the emulator's ECR (its repository made there, the image pushed to
 * the loopback registry behind it); returns it by digest.
 */
async function buildImage(kind: string, ecr: ECRClient): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-image-'));
  fs.writeFileSync(path.join(dir, 'bootstrap'), bootstrap(kind), { mode: 0o755 });
  fs.writeFileSync(
    path.join(dir, 'Dockerfile'),
    `FROM ${BASE_IMAGE}\nCOPY bootstrap /var/runtime/bootstrap\nENTRYPOINT ["/var/runtime/bootstrap"]\n`
  );
  const repo = uniqueName(`lambda-${kind}`);
  await ecr.send(new CreateRepositoryCommand({ repositoryName: repo }));
  const tag = `${REGISTRY}/${repo}:v1`;
  execFileSync('docker', ['build', '--network', 'none', '-t', tag, dir], { stdio: 'ignore' });
  execFileSync('docker', ['push', tag], { stdio: 'ignore' });
  fs.rmSync(dir, { recursive: true, force: true });
  return `${REGISTRY}/${repo}@${await registryDigest(repo, 'v1')}`;
}

/** Invokes the alias until stopped; counts answers by executed version and errors. */
function traffic(
  fn: string,
  alias = 'live'
): { stop: () => Promise<Record<string, { ok: number; errors: number }>> } {
  const seen: Record<string, { ok: number; errors: number }> = {};
  let running = true;
  const loop = (async () => {
    while (running) {
      const r = await lambda
        .send(
          new InvokeCommand({ FunctionName: fn, Qualifier: alias, Payload: Buffer.from('{"body":"{}"}') })
        )
        .catch(() => undefined);
      if (!r) continue;
      const v = (seen[r.ExecutedVersion ?? '?'] ??= { ok: 0, errors: 0 });
      if (r.FunctionError) v.errors++;
      else v.ok++;
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return seen;
    }
  };
}

const deploy = (inputs: Record<string, string>): Promise<BundleRun> =>
  runBundle('deploy-lambda', { 'bake-time': '2m', ...inputs }, { env: emu.env, timeoutMs: 240_000 });

async function alias(fn: string) {
  return lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
}

async function firstDeployment(fn: string, image = images.healthy): Promise<BundleRun> {
  const run = await deploy({ 'function-name': fn, image, 'role-arn': ROLE });
  expect(run.outputs.status).toBe('deployed');
  return run;
}

async function errorsAlarm(fn: string): Promise<string> {
  const name = `${fn}-errors`;
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: name,
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
  return name;
}

describe('deploy-lambda through the bundles against the emulator, real containers', () => {
  beforeAll(async () => {
    emu = await startEmulator({ timeScale: SCALE, hosting: 'docker' });
    const config = emu.clientConfig;
    lambda = awsClient(LambdaClient, 'Lambda', config);
    cloudwatch = awsClient(CloudWatchClient, 'CloudWatch', config);
    const ecr = awsClient(ECRClient, 'ECR', config);
    for (const kind of ['healthy', 'healthy2', 'broken'] as const) images[kind] = await buildImage(kind, ecr);
  }, 300_000);
  afterAll(() => emu?.stop());

  it('first deployment: the function, version 1 and the alias on it', async () => {
    const run = await firstDeployment('first');
    expect(run.outputs).toMatchObject({ version: '1', status: 'deployed' });
    expect(run.outputs['alias-arn']).toMatch(/:function:first:live$/);
    const answer = await lambda.send(
      new InvokeCommand({ FunctionName: 'first', Qualifier: 'live', Payload: Buffer.from('{}') })
    );
    expect(answer.ExecutedVersion).toBe('1');
    expect(run.summary).toContain('| Old version | none (first deployment) |');
  });

  it('canary success: 10% baked on real traffic, then the new version alone', async () => {
    await firstDeployment('canary');
    const load = traffic('canary');
    const run = await deploy({
      'function-name': 'canary',
      image: images.healthy2,
      alarms: await errorsAlarm('canary')
    });
    const seen = await load.stop();
    expect(run.outputs).toMatchObject({ status: 'deployed', version: '2', 'previous-version': '1' });
    expect(seen['2']?.ok).toBeGreaterThan(0);
    expect((await alias('canary')).FunctionVersion).toBe('2');
    expect(run.summary).toContain('xychart-beta');
    expect(run.summary).toMatch(/\| 2 \| \d+ \| 0 \|/);
  });

  it('canary rolled back by an alarm fed by real errors: the step fails naming the alarm', async () => {
    await firstDeployment('alarmed');
    const name = await errorsAlarm('alarmed');
    const load = traffic('alarmed');
    const run = await deploy({
      'function-name': 'alarmed',
      image: images.broken,
      alarms: name,
      'canary-size': '50%'
    });
    await load.stop();
    expect(run.exitCode).toBe(1);
    expect(run.outputs.status).toBe('rolled-back');
    expect(run.errors[0]).toContain(`alarm ${name} went into ALARM`);
    const after = await alias('alarmed');
    expect(after.FunctionVersion).toBe('1');
    expect(after.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
    const tags = (
      await lambda.send(
        new ListTagsCommand({ Resource: (await alias('alarmed')).AliasArn!.replace(/:live$/, '') })
      )
    ).Tags!;
    expect(tags[tagKeys('live').rolledBack]).toBe('2');
  });

  it('rolled back by the error-rate limit from ExecutedVersion metrics', async () => {
    await firstDeployment('rated');
    const load = traffic('rated');
    const run = await deploy({
      'function-name': 'rated',
      image: images.broken,
      'max-error-rate': '5%',
      'canary-size': '50%'
    });
    await load.stop();
    expect(run.exitCode).toBe(1);
    expect(run.outputs.status).toBe('rolled-back');
    expect(run.errors[0]).toMatch(/the error rate of version 2 was [\d.]+% .* above max-error-rate 5%/);
  });

  it('linear and all-at-once move the alias in their steps', async () => {
    await firstDeployment('linear');
    const linear = await deploy({
      'function-name': 'linear',
      image: images.healthy2,
      strategy: 'linear',
      'linear-step': '50%',
      'bake-time': '1m'
    });
    expect(linear.outputs.status).toBe('deployed');
    expect(linear.summary).toContain('line [0, 50, 100]');
    await firstDeployment('straight');
    const straight = await deploy({
      'function-name': 'straight',
      image: images.healthy2,
      strategy: 'all-at-once',
      'bake-time': '1m'
    });
    expect(straight.outputs.status).toBe('deployed');
    expect(straight.summary).toContain('line [0, 100]');
  });

  it('unchanged: the image already live, no mutating call', async () => {
    await firstDeployment('same');
    emu.emulator.calls.splice(0);
    const run = await deploy({ 'function-name': 'same', image: images.healthy });
    expect(run.outputs).toMatchObject({ status: 'unchanged', version: '1' });
    expect(emu.emulator.mutatingCalls()).toEqual([]);
  });

  it('an update in progress is waited out, then the deployment goes on', async () => {
    await firstDeployment('busy');
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'busy', MemorySize: 256 }));
    const run = await deploy({ 'function-name': 'busy', image: images.healthy2, 'bake-time': '30s' });
    expect(run.outputs.status).toBe('deployed');
    expect(run.log).toMatch(/last update InProgress|is in progress/);
  });

  it('provisioned concurrency READY before the shift: the canary sees no cold start', async () => {
    await firstDeployment('warm');
    const load = traffic('warm');
    const from = emu.emulator.calls.length;
    const run = await deploy({
      'function-name': 'warm',
      image: images.healthy2,
      'provisioned-concurrency': '1'
    });
    await load.stop();
    expect(run.outputs.status).toBe('deployed');
    const order = emu.emulator.calls.slice(from).map((c) => c.operation);
    expect(order.lastIndexOf('GetProvisionedConcurrencyConfig')).toBeLessThan(order.indexOf('UpdateAlias'));
    expect(run.summary).toMatch(
      /Cold starts of version 2: none: (\d+) of \1 invocations ran on environments already initialised \(1 provisioned\)/
    );
    expect(run.summary).toMatch(/READY [\d.]+m?s after it was requested, before any traffic moved/);
  });

  it('promote ends a canary left at a weight; rollback returns to the previous version that went live', async () => {
    await firstDeployment('moved');
    const stopped = await deploy({
      'function-name': 'moved',
      image: images.healthy2,
      'bake-time': '1h',
      'wait-timeout': '1m'
    });
    expect(stopped.outputs.status).toBe('in-progress');
    expect((await alias('moved')).RoutingConfig?.AdditionalVersionWeights).toEqual({ '2': 0.1 });
    const promoted = await runBundle('promote', { 'function-name': 'moved' }, { env: emu.env });
    expect(promoted.outputs).toMatchObject({ status: 'promoted', version: '2' });
    const back = await runBundle('rollback', { 'function-name': 'moved' }, { env: emu.env });
    expect(back.outputs).toMatchObject({ status: 'rolled-back', version: '1', 'rolled-back-from': '2' });
    expect((await alias('moved')).FunctionVersion).toBe('1');
  });

  it('lost answers (each request applied, its answer dropped, the SDK retrying): one function, one version per deployment, deployed', async () => {
    const proxy = await startLossyProxy(emu.url);
    try {
      for (const operation of [
        'CreateFunction',
        'PublishVersion',
        'CreateAlias',
        'UpdateFunctionCode',
        'UpdateAlias'
      ])
        proxy.add({ operation, action: 'drop-answer', times: 1 });
      const env = { ...emu.env, AWS_ENDPOINT_URL: proxy.url };
      const first = await runBundle(
        'deploy-lambda',
        { 'function-name': 'lossy', image: images.healthy, 'role-arn': ROLE },
        { env, timeoutMs: 240_000 }
      );
      expect(first.errors).toEqual([]);
      expect(first.outputs).toMatchObject({ status: 'deployed', version: '1' });
      const second = await runBundle(
        'deploy-lambda',
        { 'function-name': 'lossy', image: images.healthy2, 'bake-time': '30s' },
        { env, timeoutMs: 240_000 }
      );
      expect(second.errors).toEqual([]);
      expect(second.outputs).toMatchObject({ status: 'deployed', version: '2', 'previous-version': '1' });
      const lost = proxy.log.filter((l) => l.fate === 'drop-answer').map((l) => l.operation);
      expect(lost.sort()).toEqual([
        'CreateAlias',
        'CreateFunction',
        'PublishVersion',
        'UpdateAlias',
        'UpdateFunctionCode'
      ]);
      const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'lossy' }));
      expect(versions.Versions?.map((v) => v.Version)).toEqual(['$LATEST', '1', '2']);
      const after = await alias('lossy');
      expect(after.FunctionVersion).toBe('2');
      expect(after.RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
    } finally {
      await proxy.stop();
    }
  });

  it('two runs at once take turns: one waits for the other, each version goes live whole, in turn', async () => {
    await firstDeployment('twice');
    const [a, b] = await Promise.all([
      deploy({ 'function-name': 'twice', image: images.healthy2, 'bake-time': '1m' }),
      deploy({ 'function-name': 'twice', image: images.broken, 'bake-time': '1m' })
    ]);
    expect([a.outputs.status, b.outputs.status]).toEqual(['deployed', 'deployed']);
    expect([a.outputs.version, b.outputs.version].sort()).toEqual(['2', '3']);
    const waited = [a, b].filter((r) => /waiting for it/.test(r.log));
    expect(waited).toHaveLength(1);
    // The one that waited deployed on top of the other's version, and its version is the one live.
    const last = waited[0];
    const first = last === a ? b : a;
    expect(last.outputs['previous-version']).toBe(first.outputs.version);
    expect((await alias('twice')).FunctionVersion).toBe(last.outputs.version);
  });

  it('the runner lost mid-bake leaves the old version serving the rest; the re-run resumes', async () => {
    await firstDeployment('lost');
    const killed = await runBundle(
      'deploy-lambda',
      { 'function-name': 'lost', image: images.healthy2, 'bake-time': '10m' },
      {
        env: emu.env,
        onStart: (child, log) => {
          const timer = setInterval(() => {
            if (/takes 10% of the traffic/.test(log())) {
              clearInterval(timer);
              child.kill('SIGKILL');
            }
          }, 50);
        }
      }
    );
    expect(killed.signal).toBe('SIGKILL');
    expect(await alias('lost')).toMatchObject({
      FunctionVersion: '1',
      RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } }
    });
    const rerun = await deploy({ 'function-name': 'lost', image: images.healthy2, 'bake-time': '30s' });
    expect(rerun.outputs).toMatchObject({ status: 'deployed', version: '2' });
    expect(rerun.log).toContain('the canary resumes from there');
  });
});
