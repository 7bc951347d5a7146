/**
 * smoke-test end to end: the built bundle run as the runner runs it, against a loopback stand-in of
 * the SageMaker Runtime API (and DescribeEndpoint), through the real SDK.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBundle } from '../helpers/bundle.js';
import { RuntimeStandIn, type VariantBehaviour } from '../helpers/runtime-stand-in.js';
import { plantedCommands } from '../helpers/workflow-commands.js';

/** The model: answers the label the request names (class_0 by default); {"bad": true} is a 400. */
const model =
  (name: string): VariantBehaviour['answer'] =>
  ({ body }) => {
    let doc: { label?: string; bad?: boolean } = {};
    try {
      doc = JSON.parse(body) as typeof doc;
    } catch {
      // text payloads: the default label
    }
    if (doc.bad) return { status: 400, body: 'instances must be a list' };
    return {
      body: JSON.stringify({ predictions: [{ label: doc.label ?? 'class_0', score: 0.9 }], variant: name })
    };
  };

const standIn = new RuntimeStandIn({
  news: {
    variants: [
      { name: 'AllTraffic', weight: 3, answer: model('AllTraffic') },
      { name: 'Canary', weight: 1, answer: model('Canary') }
    ]
  },
  slow: { variants: [{ name: 'AllTraffic', weight: 1, latencyMs: 150 }] },
  flaky: {
    variants: [
      {
        name: 'AllTraffic',
        weight: 1,
        answer: ({ n }) => (n % 4 === 0 ? { status: 500, body: 'boom' } : { body: '{"ok": true}' })
      }
    ]
  },
  creating: {
    variants: [{ name: 'AllTraffic', weight: 1 }],
    statuses: ['Creating', 'Creating', 'InService']
  },
  hostile: {
    variants: [
      {
        name: 'AllTraffic',
        weight: 1,
        answer: () => ({ status: 500, body: 'oops\n::error::planted by the model\n::add-mask::planted' })
      }
    ]
  }
});
let env: Record<string, string>;
let workspace: string;

beforeAll(async () => {
  const url = await standIn.start();
  env = {
    AWS_ENDPOINT_URL: url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDSTANDIN',
    AWS_SECRET_ACCESS_KEY: 'stand-in-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    MLOPS_ACTIONS_TIME_SCALE: '0.01'
  };
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-workspace-'));
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(workspace, file)), { recursive: true });
    fs.writeFileSync(path.join(workspace, file), text);
  };
  write(
    'smoke.jsonl',
    [
      '{"body": {"instances": [[1, 2]]}, "expect": {"json": {"predictions.0.label": "class_0", "predictions[0].score": {"exists": true}, "predictions.0.missing": {"exists": false}}}}',
      '',
      '{"body": {"instances": [[3, 4]], "label": "class_1"}, "expect": {"status": 200, "json": {"predictions.0.label": "class_1"}}}',
      '{"body": {"bad": true}, "expect": {"status": 400}}'
    ].join('\n') + '\n'
  );
  write(
    'wrong.jsonl',
    '{"body": {"label": "class_0"}}\n{"body": {"label": "class_0"}, "expect": {"json": {"predictions.0.label": "class_1"}}}\n'
  );
  write('plain.jsonl', '{"body": "a"}\n{"body": "b"}\n{"body": "c"}\n{"body": "d"}\n');
  write('empty.jsonl', '\n\n');
  write('not-json.jsonl', '{"body": 1}\n{"body": 2\n');
  write('star.jsonl', '{"body": 1, "expect": {"json": {"predictions[*].label": "x"}}}\n');
  write('dollar.jsonl', '{"body": 1, "expect": {"json": {"$.predictions": 1}}}\n');
  write('no-body.jsonl', '{"expect": {"status": 200}}\n');
  write('typo.jsonl', '{"body": 1, "expects": {"status": 200}}\n');
  write('bad-status.jsonl', '{"body": 1, "expect": {"status": "ok"}}\n');
  write('payloads/::error::planted-name.json', '{"instances": [[1]]}');
  write('payloads/b.json', '{"instances": [[2]]}');
  fs.mkdirSync(path.join(workspace, 'empty-folder'));
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-outside-'));
  fs.writeFileSync(path.join(outside, 'secret.jsonl'), '{"body": "secret"}\n');
  fs.symlinkSync(path.join(outside, 'secret.jsonl'), path.join(workspace, 'link.jsonl'));
  fs.symlinkSync(outside, path.join(workspace, 'linked-folder'));
});
afterAll(() => standIn.stop());
beforeEach(() => standIn.reset());

const run = (inputs: Record<string, string>) =>
  runBundle('smoke-test', inputs, { env, workspace, timeoutMs: 120_000 });
const variants = (outputs: Record<string, string>) =>
  JSON.parse(outputs.variants) as Record<
    string,
    { requests: number; errors: number; 'p50-ms': number; 'p95-ms': number }
  >;

describe('smoke-test', () => {
  it('passes, and the variants output shows the split the weights give (3:1)', async () => {
    const result = await run({ 'endpoint-name': 'news', requests: 'smoke.jsonl', count: '4' });
    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({
      status: 'passed',
      requests: '12',
      errors: '0',
      'error-rate': '0'
    });
    expect(Number(result.outputs['p95-ms'])).toBeGreaterThanOrEqual(Number(result.outputs['p50-ms']));
    const split = variants(result.outputs);
    expect(Object.keys(split)).toEqual(['AllTraffic', 'Canary']);
    expect([split.AllTraffic.requests, split.Canary.requests]).toEqual([9, 3]);
    expect(standIn.invocations).toHaveLength(12);
    expect(standIn.invocations.every((i) => i.contentType === 'application/json')).toBe(true);
    expect(standIn.invocations.map((i) => i.body)).toContain('{"instances":[[1,2]]}');
    expect(standIn.describes).toEqual(['news']);
    expect(result.summary).toContain('## smoke-test: passed on `news`');
    expect(result.summary).toContain('| `AllTraffic` | 9 | 0 |');
    expect(result.summary).toMatch(
      /pie showData title Traffic observed\n {2}"AllTraffic" : 9\n {2}"Canary" : 3/
    );
  });

  it('a failing expectation fails the step with one sentence naming the case and what differed', async () => {
    const result = await run({ 'endpoint-name': 'news', requests: 'wrong.jsonl', concurrency: '1' });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([
      'The request from line 2 of wrong.jsonl answered predictions.0.label = "class_0" where "class_1" was expected (variant AllTraffic); 1 of 2 requests failed.'
    ]);
    expect(result.outputs).toMatchObject({
      status: 'failed',
      requests: '2',
      errors: '1',
      'error-rate': '0.5'
    });
    expect(result.summary).toContain('### First failing requests (1 of 1)');
    expect(result.summary).toContain('`{"label":"class_0"}`');
  });

  it('errors within max-error-rate pass; above it the step fails naming the rate, the limit and the first', async () => {
    const within = await run({
      'endpoint-name': 'flaky',
      requests: 'plain.jsonl',
      count: '2',
      'max-error-rate': '25%'
    });
    expect(within.exitCode).toBe(0);
    expect(within.outputs).toMatchObject({
      status: 'passed',
      requests: '8',
      errors: '2',
      'error-rate': '0.25'
    });

    standIn.reset();
    const above = await run({
      'endpoint-name': 'flaky',
      requests: 'plain.jsonl',
      count: '2',
      'max-error-rate': '0.1',
      concurrency: '1'
    });
    expect(above.exitCode).toBe(1);
    expect(above.errors).toEqual([
      '2 of 8 requests failed (25%), above max-error-rate 10%: the first, from line 4 of plain.jsonl, got status 500 (ModelError: boom) where 200 was expected (variant AllTraffic).'
    ]);
    expect(above.outputs.status).toBe('failed');
  });

  it('a p95 above max-p95-latency fails with the number and the limit', async () => {
    const result = await run({ 'endpoint-name': 'slow', requests: 'plain.jsonl', 'max-p95-latency': '50ms' });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(
      /^The p95 latency was \d+ms, above max-p95-latency 50ms \(p50 \d+ms over 4 requests\)\.$/
    );
    expect(Number(result.outputs['p95-ms'])).toBeGreaterThanOrEqual(150);

    const relaxed = await run({ 'endpoint-name': 'slow', requests: 'plain.jsonl', 'max-p95-latency': '5s' });
    expect(relaxed.exitCode).toBe(0);
  });

  it('duration sends the set over and over until the time is up', async () => {
    const result = await run({
      'endpoint-name': 'slow',
      requests: 'plain.jsonl',
      duration: '2s',
      concurrency: '2'
    });
    expect(result.exitCode).toBe(0);
    const sent = Number(result.outputs.requests);
    // 2 workers, ~150 ms a request, for 2 s: far more than the 4 cases once, and every one answered.
    expect(sent).toBeGreaterThan(8);
    expect(standIn.invocations).toHaveLength(sent);
    expect(result.summary).toContain('for 2s, 2 at a time');
  });

  it('target-variant sends every request to that variant only', async () => {
    const result = await run({
      'endpoint-name': 'news',
      requests: 'plain.jsonl',
      'target-variant': 'Canary',
      count: '3'
    });
    expect(result.exitCode).toBe(0);
    expect(standIn.invocations).toHaveLength(12);
    expect(standIn.invocations.every((i) => i.targetVariant === 'Canary' && i.variant === 'Canary')).toBe(
      true
    );
    expect(Object.keys(variants(result.outputs))).toEqual(['Canary']);
  });

  it('waits for an endpoint that is Creating until it is InService, then sends', async () => {
    const result = await run({ 'endpoint-name': 'creating', requests: 'plain.jsonl' });
    expect(result.exitCode).toBe(0);
    expect(result.log).toContain(
      'endpoint creating: Creating on creating-config; waiting until it is InService.'
    );
    expect(standIn.describes.length).toBeGreaterThanOrEqual(3);
    expect(standIn.invocations).toHaveLength(4);
  });

  it('sends a folder of payloads as they are, and obeys no workflow command from the endpoint or a file name', async () => {
    const result = await run({
      'endpoint-name': 'hostile',
      requests: 'payloads',
      'max-error-rate': '100%',
      concurrency: '1'
    });
    expect(result.exitCode).toBe(0);
    expect(standIn.invocations.map((i) => i.body)).toEqual(['{"instances": [[1]]}', '{"instances": [[2]]}']);
    expect(result.log).toContain('planted by the model');
    expect(result.log).toContain('::error::planted-name.json');
    expect(plantedCommands(result, /^planted/)).toEqual([]);
    const failed = await run({ 'endpoint-name': 'hostile', requests: 'payloads' });
    expect(failed.exitCode).toBe(1);
    expect(plantedCommands(failed, /^planted/)).toEqual([]);
  });

  it('an endpoint SageMaker does not know stops the test with one sentence (wait-for-in-service false)', async () => {
    const result = await run({
      'endpoint-name': 'ghost',
      requests: 'plain.jsonl',
      'wait-for-in-service': 'false'
    });
    expect(result.exitCode).toBe(1);
    expect(result.errors).toEqual([
      `SageMaker refused to invoke endpoint ghost (ValidationError: Endpoint ghost of account 123456789012 not found): check endpoint-name, target-variant and the requests.`
    ]);
    expect(standIn.describes).toEqual([]);
  });
});

const base = { 'endpoint-name': 'news', requests: 'plain.jsonl' };
const cases: Array<[input: string, inputs: Record<string, string>, message: string]> = [
  [
    'endpoint-name',
    { ...base, 'endpoint-name': '' },
    'Input "endpoint-name" or "function-name" is required: give the SageMaker endpoint, or the Lambda function (with alias), to test.'
  ],
  [
    'endpoint-name',
    { ...base, 'endpoint-name': 'news_classifier' },
    'Input "endpoint-name" must be a SageMaker name'
  ],
  [
    'endpoint-name',
    { ...base, 'endpoint-name': 'ghost' },
    'Input "endpoint-name" names ghost, which does not exist in this region'
  ],
  [
    'requests',
    { ...base, requests: '' },
    'Input "requests" is required: give a file of JSON lines, or a folder of payload files, in the workspace.'
  ],
  [
    'requests',
    { ...base, requests: 'nothing.jsonl' },
    'Input "requests": "nothing.jsonl" does not exist in the workspace.'
  ],
  [
    'requests',
    { ...base, requests: '../outside.jsonl' },
    'Input "requests" must be a path inside the workspace, but "../outside.jsonl" is outside it.'
  ],
  [
    'requests',
    { ...base, requests: 'link.jsonl' },
    'Input "requests" must be a path inside the workspace, but "link.jsonl" leads outside it through a symbolic link.'
  ],
  ['requests', { ...base, requests: 'linked-folder' }, 'leads outside it through a symbolic link'],
  [
    'requests',
    { ...base, requests: 'empty.jsonl' },
    'Input "requests": empty.jsonl holds no request (one JSON object a line).'
  ],
  [
    'requests',
    { ...base, requests: 'empty-folder' },
    'Input "requests": the folder empty-folder holds no payload file.'
  ],
  [
    'requests',
    { ...base, requests: 'not-json.jsonl' },
    'Input "requests": line 2 of not-json.jsonl is not JSON'
  ],
  [
    'requests',
    { ...base, requests: 'star.jsonl' },
    'line 1 of star.jsonl checks the JSON path "predictions[*].label", which is not of the syntax taken'
  ],
  ['requests', { ...base, requests: 'dollar.jsonl' }, 'checks the JSON path "$.predictions"'],
  [
    'requests',
    { ...base, requests: 'no-body.jsonl' },
    'Input "requests": line 1 of no-body.jsonl has no "body".'
  ],
  [
    'requests',
    { ...base, requests: 'typo.jsonl' },
    'has the key "expects", but a case takes body, content-type and expect'
  ],
  ['requests', { ...base, requests: 'bad-status.jsonl' }, 'a status is an integer from 100 to 599'],
  ['count', { ...base, count: '-1' }, 'Input "count" must be an integer from 1 to 1000000, but got "-1".'],
  ['count', { ...base, count: '1.5' }, 'Input "count" must be an integer from 1 to 1000000, but got "1.5".'],
  ['count', { ...base, count: '2', duration: '1m' }, 'Inputs "count" and "duration" cannot both be given'],
  ['duration', { ...base, duration: 'forever' }, 'Input "duration" must be a duration'],
  [
    'concurrency',
    { ...base, concurrency: '0' },
    'Input "concurrency" must be an integer from 1 to 50, but got "0".'
  ],
  [
    'max-error-rate',
    { ...base, 'max-error-rate': '5' },
    'Input "max-error-rate" must be a percentage from 0% to 100% (5%) or a fraction from 0 to 1 (0.05), but got "5".'
  ],
  ['max-error-rate', { ...base, 'max-error-rate': 'some' }, 'Input "max-error-rate" must be a percentage'],
  ['max-p95-latency', { ...base, 'max-p95-latency': 'fast' }, 'Input "max-p95-latency" must be a duration'],
  [
    'wait-for-in-service',
    { ...base, 'wait-for-in-service': 'yes' },
    'Input "wait-for-in-service" must be true or false, but got "yes".'
  ],
  ['wait-timeout', { ...base, 'wait-timeout': 'soon' }, 'Input "wait-timeout" must be a duration'],
  ['content-type', { ...base, 'content-type': 'json' }, 'Input "content-type" must be a media type'],
  [
    'target-variant',
    { ...base, 'target-variant': 'Blue Green' },
    'Input "target-variant" must be a variant name'
  ],
  [
    'target-variant',
    { ...base, 'target-variant': 'Blue' },
    'Input "target-variant" names Blue, but endpoint news has the variants AllTraffic, Canary.'
  ],
  [
    'region',
    { ...base, region: 'mars' },
    'Input "region" must be an AWS region such as us-east-1, but got "mars".'
  ]
];

describe('smoke-test bad inputs: one sentence naming the input, exit code 1, no request sent', () => {
  it.each(cases)('%s: %j', async (input, inputs, message) => {
    const result = await run(inputs);
    expect(result.exitCode).toBe(1);
    expect(result.errors).toHaveLength(1);
    const [error] = result.errors;
    expect(error).toContain(message);
    expect(error).toContain(`"${input}"`);
    expect(error).not.toContain('\n');
    expect(error).toMatch(/^[A-Z].*\.$/);
    expect(result.log).not.toMatch(/^\s+at /m);
    expect(standIn.invocations).toEqual([]);
  });
});
