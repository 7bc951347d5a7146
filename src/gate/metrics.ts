/**
 * Metrics as the gate reads them: a JSON or YAML file in the workspace, or inline JSON, flattened the
 * way `dvc metrics diff` shows them (nested keys joined with dots). Only finite numbers count; what
 * else the document holds (text, booleans, lists, nulls) is listed as ignored, never guessed at.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { insideWorkspace } from '../paths.js';
import { InputError } from '../errors.js';

export interface Metrics {
  /** Flattened name -> value, in the document's order. A Map: names come from files (`__proto__`). */
  values: Map<string, number>;
  /** Flattened names whose values are not numbers, and why (`"notes" (text)`). */
  ignored: string[];
  /** Where they came from, for the report (`metrics.json`, `inline JSON`, `git:origin/main:m.json`). */
  source: string;
  /** The document as parsed (for the model registry's statistics document). */
  document?: unknown;
}

function kind(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') return 'not finite';
  if (typeof value === 'string') return 'text';
  return typeof value;
}

/** Nested keys joined with dots; finite numbers kept, the rest named in `ignored`. */
export function flatten(doc: unknown, source: string): Metrics {
  const values = new Map<string, number>();
  const ignored: string[] = [];
  const walk = (value: unknown, name: string) => {
    if (typeof value === 'number' && Number.isFinite(value)) values.set(name || 'value', value);
    else if (value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
      for (const [key, inner] of Object.entries(value)) walk(inner, name ? `${name}.${key}` : key);
    } else ignored.push(`${name || 'value'} (${kind(value)})`);
  };
  walk(doc, '');
  return { values, ignored, source, document: doc };
}

/**
 * Parses the text of a metrics document: JSON for `.json` names and text starting with `{`, else
 * YAML (which JSON also is). `what` names the document in the error (`Input "metrics": ...`).
 */
export function parseMetrics(text: string, name: string, fail: (why: string) => never): unknown {
  const json = /\.json$/i.test(name) || text.trimStart().startsWith('{');
  let doc: unknown;
  try {
    doc = json ? JSON.parse(text) : YAML.parse(text, { schema: 'core', uniqueKeys: true });
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0].replace(/\.$/, '') : String(e);
    return fail(`${name} is not valid ${json ? 'JSON' : 'YAML'} (${why})`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc))
    fail(`${name} must hold a mapping of metric names to numbers, such as {"accuracy": 0.97}`);
  return doc;
}

/**
 * The metrics an input names: inline JSON (text starting with `{`), or a JSON/YAML file relative to
 * `base` (the working directory), which must stay inside `workspace`, links included.
 */
export function loadMetrics(input: string, value: string, workspace: string, base = workspace): Metrics {
  const fail = (why: string): never => {
    throw new InputError(input, `Input "${input}": ${why}.`);
  };
  if (value.trimStart().startsWith('{')) {
    return flatten(parseMetrics(value, 'the inline JSON', fail), 'inline JSON');
  }
  const relative = path.relative(fs.realpathSync(workspace), path.resolve(fs.realpathSync(base), value));
  const real = insideWorkspace(input, relative || '.', workspace);
  const shown = path.relative(fs.realpathSync(workspace), real) || value;
  const stat = fs.statSync(real, { throwIfNoEntry: false });
  if (!stat)
    fail(
      `${JSON.stringify(value)} does not exist in the workspace: give a JSON or YAML file, or inline JSON`
    );
  if (!stat!.isFile()) fail(`${JSON.stringify(value)} is not a file`);
  return flatten(parseMetrics(fs.readFileSync(real, 'utf8'), shown, fail), shown);
}
