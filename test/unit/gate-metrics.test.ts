/** Metrics documents: flattening as dvc shows them, what is ignored, and files in the workspace. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { flatten, loadMetrics } from '../../src/gate/metrics.js';
import { metricTags, metricsFromTags, METRICS_TAG } from '../../src/sagemaker/metric-tags.js';

const entries = (m: Map<string, number>) => [...m];

describe('flattening', () => {
  it('joins nested keys with dots and keeps finite numbers only', () => {
    const metrics = flatten(
      {
        accuracy: 0.97,
        eval: { f1: { macro: 0.9, micro: 0.92 }, note: 'x' },
        ok: true,
        per_class: [0.9, 0.8],
        none: null
      },
      'm.json'
    );
    expect(entries(metrics.values)).toEqual([
      ['accuracy', 0.97],
      ['eval.f1.macro', 0.9],
      ['eval.f1.micro', 0.92]
    ]);
    expect(metrics.ignored).toEqual([
      'eval.note (text)',
      'ok (boolean)',
      'per_class (a list)',
      'none (empty)'
    ]);
  });

  it('keeps a __proto__ key as a metric name', () => {
    const metrics = flatten(JSON.parse('{"__proto__": {"polluted": 1}}'), 'x');
    expect(entries(metrics.values)).toEqual([['__proto__.polluted', 1]]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('loading', () => {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'gate-metrics-'));
  fs.writeFileSync(path.join(workspace, 'm.yaml'), 'accuracy: 0.9\nloss: .inf\nmodel:\n  size_mb: 12\n');
  fs.writeFileSync(path.join(workspace, 'list.json'), '[1, 2]');
  fs.writeFileSync(path.join(workspace, 'dupe.yaml'), 'a: 1\na: 2\n');
  fs.mkdirSync(path.join(workspace, 'sub'));

  it('reads YAML files and inline JSON', () => {
    const yaml = loadMetrics('metrics', 'm.yaml', workspace);
    expect(entries(yaml.values)).toEqual([
      ['accuracy', 0.9],
      ['model.size_mb', 12]
    ]);
    expect(yaml.ignored).toEqual(['loss (not finite)']);
    expect(yaml.source).toBe('m.yaml');
    expect(entries(loadMetrics('metrics', ' {"a": {"b": 2}}', workspace).values)).toEqual([['a.b', 2]]);
  });

  it('reads relative to a working directory inside the workspace', () => {
    expect(loadMetrics('metrics', '../m.yaml', workspace, path.join(workspace, 'sub')).source).toBe('m.yaml');
  });

  it.each([
    ['list.json', /^Input "metrics": list.json must hold a mapping of metric names to numbers/],
    ['dupe.yaml', /^Input "metrics": dupe.yaml is not valid YAML \(Map keys must be unique/],
    ['{"a": 1,}', /^Input "metrics": the inline JSON is not valid JSON/],
    ['nothing.json', /^Input "metrics": "nothing.json" does not exist in the workspace/],
    ['../../etc/passwd', /^Input "metrics" must be a path inside the workspace/]
  ])('refuses %s', (value, message) => {
    expect(() => loadMetrics('metrics', value, workspace)).toThrow(message);
  });
});

describe('metrics as SageMaker tags', () => {
  const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

  it('writes name=value pairs that tags accept and reads them back', () => {
    const values = new Map([
      ['accuracy', 0.97],
      ['eval.f1', 0.9],
      ['loss', -1.5e-7],
      ['has space', 1],
      ['a=b', 2]
    ]);
    const { tags, skipped } = metricTags(values, 5);
    expect(tags).toEqual({ [METRICS_TAG]: 'accuracy=0.97 eval.f1=0.9 loss=-1.5e-7' });
    expect(skipped.map((s) => s.split(' ')[0])).toEqual(['has', 'a=b']);
    expect(entries(metricsFromTags({ ...tags, other: 'x=1' })!)).toEqual([
      ['accuracy', 0.97],
      ['eval.f1', 0.9],
      ['loss', -1.5e-7]
    ]);
  });

  it('splits long lists over numbered tags of at most 256 characters, in order', () => {
    const values = new Map(
      Array.from({ length: 60 }, (_, i) => [`metric_number_${i}`, i / 7] as [string, number])
    );
    const { tags } = metricTags(values, 10);
    const keys = Object.keys(tags);
    expect(keys[0]).toBe(METRICS_TAG);
    expect(keys.slice(1)).toEqual(keys.slice(1).map((_, i) => `${METRICS_TAG}-${i + 2}`));
    expect(Object.values(tags).every((v) => TAG_VALUE.test(v))).toBe(true);
    const shuffled = Object.fromEntries(Object.entries(tags).reverse());
    expect(entries(metricsFromTags(shuffled)!)).toEqual(entries(values));
  });

  it('refuses, naming the input, when the tags do not fit beside the others', () => {
    const values = new Map(
      Array.from({ length: 60 }, (_, i) => [`metric_number_${i}`, i / 7] as [string, number])
    );
    expect(() => metricTags(values, 2)).toThrow(
      /^Input "metrics" needs \d+ tags of 256 characters to record its 60 metrics, but only 2 fit/
    );
  });

  it('reads no metrics from a model without the tag', () => {
    expect(metricsFromTags({ 'mlops-actions:endpoint': 'news' })).toBeUndefined();
  });
});
