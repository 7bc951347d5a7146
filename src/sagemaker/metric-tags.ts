/**
 * A model's metrics as SageMaker tags, so that a later gate can compare with the live model. Tag
 * values take only letters, digits, spaces and _.:/=+-@ (no JSON), at most 256 characters: the
 * metrics are written `accuracy=0.97 f1_macro=0.96`, split over `mlops-actions:metrics`,
 * `mlops-actions:metrics-2`, ... when long. A name holding a space or `=` (or another character tags
 * refuse) cannot be written so: it is left out, and said.
 */
import { InputError } from '../errors.js';
import type { Tags } from './tags.js';

export const METRICS_TAG = 'mlops-actions:metrics';
const KEY = /^mlops-actions:metrics(?:-(\d+))?$/;
const NAME = /^[\p{L}\p{N}_.:/+\-@]+$/u;
const VALUE_LENGTH = 256;

export interface EncodedMetrics {
  tags: Tags;
  /** Names left out, and why. */
  skipped: string[];
}

/** The tags that record `values`; `room` is how many tags are left on the model. */
export function metricTags(values: Map<string, number>, room: number, input = 'metrics'): EncodedMetrics {
  const chunks: string[] = [];
  const skipped: string[] = [];
  let current = '';
  for (const [name, value] of values) {
    const token = `${name}=${String(value)}`;
    if (!NAME.test(name)) {
      skipped.push(`${name} (tags take letters, digits and _.:/+-@ in a name)`);
      continue;
    }
    if (token.length > VALUE_LENGTH) {
      skipped.push(`${name} (longer than a tag value)`);
      continue;
    }
    if (current && current.length + 1 + token.length > VALUE_LENGTH) {
      chunks.push(current);
      current = '';
    }
    current = current ? `${current} ${token}` : token;
  }
  if (current) chunks.push(current);
  if (chunks.length > room) {
    throw new InputError(
      input,
      `Input "${input}" needs ${chunks.length} tags of 256 characters to record its ${values.size} metrics, but only ${room} fit on the model beside the toolkit's own tags and the tags input: record fewer metrics.`
    );
  }
  const tags: Tags = {};
  chunks.forEach((chunk, i) => (tags[i === 0 ? METRICS_TAG : `${METRICS_TAG}-${i + 1}`] = chunk));
  return { tags, skipped };
}

/** The metrics recorded in a model's tags, or undefined when none are. */
export function metricsFromTags(tags: Tags): Map<string, number> | undefined {
  const keys = Object.keys(tags)
    .map((key) => ({ key, n: KEY.exec(key) }))
    .filter((k) => k.n)
    .sort((a, b) => Number(a.n![1] ?? 1) - Number(b.n![1] ?? 1));
  if (!keys.length) return undefined;
  const values = new Map<string, number>();
  for (const { key } of keys) {
    for (const token of tags[key].split(/\s+/).filter(Boolean)) {
      const at = token.indexOf('=');
      const value = Number(token.slice(at + 1));
      if (at > 0 && token.slice(at + 1) !== '' && Number.isFinite(value))
        values.set(token.slice(0, at), value);
    }
  }
  return values;
}
