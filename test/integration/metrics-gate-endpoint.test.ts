/**
 * The live model's metrics: deploy-canary records its `metrics` input as tags on the model it creates,
 * and metrics-gate with `baseline: endpoint:<name>` compares with them. Both built bundles, run as the
 * runner runs them, against the in-process emulator through the real AWS SDK (simulated hosting).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListTagsCommand,
  SageMakerClient
} from '@aws-sdk/client-sagemaker';
import { awsClient } from '../../src/aws.js';
import { runBundle } from '../helpers/bundle.js';
import { deployRuns } from '../helpers/deploy-runs.js';
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';

let emu: RunningEmulator;
let sm: SageMakerClient;
let workspace: string;
const { deploy } = deployRuns(() => emu.env);
const mutating = () => emu.emulator.mutatingCalls().map((c) => c.operation);

const modelTags = async (model: string) => {
  const { ModelArn } = await sm.send(new DescribeModelCommand({ ModelName: model }));
  const { Tags } = await sm.send(new ListTagsCommand({ ResourceArn: ModelArn }));
  return Object.fromEntries((Tags ?? []).map((t) => [t.Key, t.Value]));
};

const gate = (inputs: Record<string, string>) =>
  runBundle('metrics-gate', { comment: 'false', ...inputs }, { workspace, env: emu.env });

beforeAll(async () => {
  emu = await startEmulator({ timeScale: 0.002 });
  sm = awsClient(SageMakerClient, 'SageMaker', emu.clientConfig);
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'gate-endpoint-'));
  fs.writeFileSync(path.join(workspace, 'metrics.yaml'), 'accuracy: 0.95\neval:\n  f1: 0.9\n  notes: good\n');
});
afterAll(() => emu.stop());

describe('deploy-canary records metrics, metrics-gate reads the live model', () => {
  it('compares a candidate with the metrics recorded on the model serving most of the traffic', async () => {
    const first = await deploy('gate-news', 1, { metrics: 'metrics.yaml' }, { workspace });
    expect(first.errors).toEqual([]);
    expect(first.exitCode).toBe(0);
    const v1 = first.outputs['model-name'];
    expect(await modelTags(v1)).toMatchObject({ 'mlops-actions:metrics': 'accuracy=0.95 eval.f1=0.9' });
    const config = await sm.send(
      new DescribeEndpointConfigCommand({ EndpointConfigName: first.outputs['endpoint-config'] })
    );
    const configTags =
      (await sm.send(new ListTagsCommand({ ResourceArn: config.EndpointConfigArn }))).Tags ?? [];
    expect(configTags.map((t) => t.Key)).not.toContain('mlops-actions:metrics');
    expect(first.summary).toContain('#### Metrics');
    expect(first.summary).toContain(`Recorded on the model ${v1}`);
    expect(first.summary).toContain('| eval.f1 | 0.9 |');
    expect(first.log).toContain('Metric not recorded: eval.notes (text).');

    const run = await gate({
      metrics: '{"accuracy": 0.96, "eval": {"f1": 0.88}}',
      baseline: 'endpoint:gate-news',
      rules: 'accuracy >= baseline\neval.f1 >= baseline - 0.01'
    });
    expect(run.exitCode).toBe(1);
    expect(run.outputs['failed-rules']).toBe('eval.f1 >= baseline - 0.01');
    expect(run.errors).toEqual(['1 of 2 metric rules failed: eval.f1 >= baseline - 0.01.']);
    expect(run.summary).toContain(
      `the metrics recorded on the live model ${v1} of gate-news (variant AllTraffic)`
    );
    expect(run.summary).toContain(
      '| accuracy | 0.95 | 0.96 | +0.01 (+1.1%) | `accuracy >= baseline` | ✅ pass |'
    );
    expect(run.summary).toContain('❌ fail: 0.88 &gt;= 0.89 is false');

    // A weights canary of a better model: the live variant still takes 90% of the traffic, so the
    // baseline stays the live model's numbers until the candidate is promoted.
    const canary = await deploy(
      'gate-news',
      2,
      { metrics: '{"accuracy": 0.99, "eval": {"f1": 0.97}}', strategy: 'weights', 'canary-weight': '10' },
      { workspace }
    );
    expect(canary.outputs.status).toBe('canary');
    expect(await modelTags(canary.outputs['model-name'])).toMatchObject({
      'mlops-actions:metrics': 'accuracy=0.99 eval.f1=0.97'
    });
    const during = await gate({
      metrics: '{"accuracy": 0.96}',
      baseline: 'endpoint:gate-news',
      rules: 'accuracy >= baseline'
    });
    expect(during.exitCode).toBe(0);
    expect(during.summary).toContain(`live model ${v1} of gate-news`);
  });

  it('says so when the live model has no metrics: a rule on baseline fails unless optional', async () => {
    const bare = await deploy('gate-bare', 3, {}, { workspace });
    expect(bare.exitCode).toBe(0);
    expect(bare.summary).not.toContain('#### Metrics');
    const run = await gate({
      metrics: '{"accuracy": 0.9}',
      baseline: 'endpoint:gate-bare',
      rules: 'accuracy >= baseline\naccuracy? >= baseline\naccuracy >= 0.5',
      'fail-on': 'never'
    });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.passed).toBe('false');
    expect(run.outputs['failed-rules']).toBe('accuracy >= baseline');
    expect(run.summary).toContain(
      `No metrics are recorded on the live model ${bare.outputs['model-name']} of gate-bare`
    );
    expect(run.summary).toContain('➖ skipped: no baseline value to compare with (optional)');
    expect(run.log).toContain('No metrics are recorded on the live model');
  });

  it('shows the metrics a dry run would record, and records nothing', async () => {
    const before = mutating().length;
    const run = await deploy(
      'gate-dry',
      5,
      { metrics: '{"accuracy": 0.9, "bad name": 1}', 'dry-run': 'true' },
      { workspace }
    );
    expect(run.exitCode).toBe(0);
    expect(run.summary).toContain('To be recorded (dry run) on the model');
    expect(run.summary).toContain('| accuracy | 0.9 |');
    expect(run.summary).not.toContain('bad name |');
    expect(run.log).toContain(
      'Metric not recorded: bad name (tags take letters, digits and _.:/+-@ in a name).'
    );
    expect(mutating().slice(before)).toEqual([]);
  });

  it('refuses an endpoint that does not exist, naming the input', async () => {
    const run = await gate({
      metrics: '{"accuracy": 0.9}',
      baseline: 'endpoint:gate-nowhere',
      rules: 'accuracy >= baseline'
    });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      'Input "baseline" names the endpoint gate-nowhere, which does not exist in us-east-1.'
    ]);
  });
});

describe('deploy-canary metrics: bad inputs before any mutating call', () => {
  it.each<[string, Record<string, string>, RegExp]>([
    [
      'a missing file',
      { metrics: 'nothing.json' },
      /^Input "metrics": "nothing.json" does not exist in the workspace/
    ],
    [
      'a path out of the workspace',
      { metrics: '../../etc/hostname' },
      /^Input "metrics" must be a path inside the workspace/
    ],
    [
      'inline JSON that does not parse',
      { metrics: '{accuracy: 1' },
      /^Input "metrics": the inline JSON is not valid JSON/
    ],
    [
      'more metrics than tags left beside the tags input',
      {
        metrics: JSON.stringify(
          Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`metric_with_a_long_name_${i}`, i / 3]))
        ),
        tags: Array.from({ length: 35 }, (_, i) => `team${i}=ml`).join('\n')
      },
      /^Input "metrics" needs 7 tags of 256 characters to record its 40 metrics, but only 2 fit on the model/
    ]
  ])('%s', async (_, inputs, message) => {
    const before = mutating().length;
    const run = await deploy('gate-refused', 4, inputs, { workspace });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(message);
    expect(mutating().slice(before)).toEqual([]);
  });
});
