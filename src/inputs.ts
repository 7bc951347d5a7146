/**
 * Typed readers for action inputs. Every failure is an InputError whose message is one sentence that
 * names the input, the value received and what is accepted.
 *
 * Values come from a source (under the runner: the `INPUT_<NAME>` variables it sets, upper-cased with
 * hyphens kept). When an action's declared inputs are given, an empty value falls back to the
 * declared default (the runner does the same) and reading an undeclared input is a programming error.
 */
import YAML from 'yaml';
import { InputError } from './errors.js';
import { parseDuration } from './duration.js';

export type InputSource = (name: string) => string | undefined;

export interface InputSpec {
  description?: string;
  default?: string;
  required?: boolean;
}

/** The runner's convention: `INPUT_` + the name upper-cased, spaces as underscores, hyphens kept. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

export const envSource =
  (env: NodeJS.ProcessEnv = process.env): InputSource =>
  (name) =>
    env[inputVariable(name)];

interface Range {
  min?: number;
  max?: number;
}

const BOOLEAN_TRUE = ['true', 'True', 'TRUE'];
const BOOLEAN_FALSE = ['false', 'False', 'FALSE'];

function shown(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}

function rangeText({ min, max }: Range, unit = ''): string {
  if (min !== undefined && max !== undefined) return ` from ${min}${unit} to ${max}${unit}`;
  if (min !== undefined) return ` of at least ${min}${unit}`;
  if (max !== undefined) return ` of at most ${max}${unit}`;
  return '';
}

function inRange(n: number, { min, max }: Range): boolean {
  return (min === undefined || n >= min) && (max === undefined || n <= max);
}

export class Inputs {
  constructor(
    private readonly source: InputSource = envSource(),
    private readonly declared?: Record<string, InputSpec>,
    private readonly action = 'this action'
  ) {}

  /** The trimmed value, or the declared default, or ''. */
  raw(name: string): string {
    if (this.declared && !(name in this.declared)) {
      throw new Error(`Input "${name}" is not declared in the action.yml of ${this.action}.`);
    }
    const value = (this.source(name) ?? '').trim();
    return value !== '' ? value : (this.declared?.[name]?.default ?? '').trim();
  }

  private fail(name: string, accepted: string, value: string): never {
    throw new InputError(name, `Input "${name}" must be ${accepted}, but got ${shown(value)}.`);
  }

  string(name: string): string | undefined {
    return this.raw(name) || undefined;
  }

  required(name: string, hint = ''): string {
    const value = this.raw(name);
    if (!value) throw new InputError(name, `Input "${name}" is required${hint ? `: ${hint}` : ''}.`);
    return value;
  }

  /** A string that must match `pattern`; `accepted` says in words what it is. */
  matching(name: string, pattern: RegExp, accepted: string): string | undefined {
    const value = this.raw(name);
    if (!value) return undefined;
    if (!pattern.test(value)) this.fail(name, accepted, value);
    return value;
  }

  /** `true`/`false` in the YAML 1.2 core schema's spellings; empty means false. */
  boolean(name: string): boolean {
    const value = this.raw(name);
    if (value === '' || BOOLEAN_FALSE.includes(value)) return false;
    if (BOOLEAN_TRUE.includes(value)) return true;
    return this.fail(name, 'true or false', value);
  }

  integer(name: string, range: Range = {}): number | undefined {
    const value = this.raw(name);
    if (!value) return undefined;
    const n = Number(value);
    if (!/^[+-]?\d+$/.test(value) || !Number.isSafeInteger(n) || !inRange(n, range)) {
      this.fail(name, `an integer${rangeText(range)}`, value);
    }
    return n;
  }

  number(name: string, range: Range = {}): number | undefined {
    const value = this.raw(name);
    if (!value) return undefined;
    const n = Number(value);
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(value) || !inRange(n, range)) {
      this.fail(name, `a number${rangeText(range)}`, value);
    }
    return n;
  }

  /** One of `values`; a different letter case is accepted and returns the canonical spelling. */
  enum<T extends string>(name: string, values: readonly T[]): T | undefined {
    const value = this.raw(name);
    if (!value) return undefined;
    const match = values.find((v) => v.toLowerCase() === value.toLowerCase());
    if (!match) this.fail(name, `one of ${values.join(', ')}`, value);
    return match;
  }

  /** Seconds, from `90s`, `15m`, `1h`, `1h30m`, `500ms` or bare seconds. */
  duration(name: string, range: Range = {}): number | undefined {
    const value = this.raw(name);
    if (!value) return undefined;
    const seconds = parseDuration(value);
    const accepted = `a duration such as 90s, 15m, 1h or 1h30m (bare numbers are seconds)${rangeText(range, 's')}`;
    if (seconds === undefined || !inRange(seconds, range)) this.fail(name, accepted, value);
    return seconds;
  }

  /** `10%` or `10`: a number from 0 to 100 unless a range says otherwise. */
  percent(name: string, range: Range = {}): number | undefined {
    const value = this.raw(name);
    if (!value) return undefined;
    const limits = { min: range.min ?? 0, max: range.max ?? 100 };
    const match = /^(\d+(?:\.\d+)?)\s*%?$/.exec(value);
    const n = match ? Number(match[1]) : NaN;
    if (!match || !inRange(n, limits)) this.fail(name, `a percentage${rangeText(limits, '%')}`, value);
    return n;
  }

  /** Comma- or newline-separated items, trimmed, blanks dropped. */
  list(name: string): string[] {
    return splitList(this.raw(name));
  }

  /** A map of strings: a YAML mapping (`key: value` lines or `{a: 1}`) or `key=value` lines. */
  map(name: string): Record<string, string> {
    const value = this.raw(name);
    const parsed = this.parseMap(name, value, 'failsafe');
    const out: Record<string, string> = {};
    for (const [key, v] of Object.entries(parsed)) {
      if (typeof v === 'object' && v !== null) {
        this.fail(name, 'a mapping of keys to single values (key: value lines or key=value lines)', value);
      }
      out[key] = v === null || v === undefined ? '' : String(v);
    }
    return out;
  }

  /** Like `map`, but YAML values keep their types (numbers, booleans, lists, mappings). */
  typedMap(name: string): Record<string, unknown> {
    return this.parseMap(name, this.raw(name), 'core');
  }

  /**
   * Like `typedMap`, but every scalar is the text as written: `1.10` stays "1.10", `007` "007",
   * `0x1F` "0x1F", `.inf` ".inf", `true` "true", an empty value ""; a quoted scalar gives its string
   * value. An inline `[list]` or `{map}` is its text as written too; a block-style list or map is its
   * typed value (for the caller to encode).
   */
  writtenMap(name: string): Record<string, unknown> {
    const value = this.raw(name);
    if (!value) return {};
    const lines = keyValueLines(value);
    if (lines) return lines;
    const doc = YAML.parseDocument(value, { schema: 'core', uniqueKeys: true });
    const accepted = 'a mapping (key: value lines, {key: value}, or key=value lines)';
    if (doc.errors.length) this.fail(name, accepted, value);
    if (doc.contents === null) return {};
    if (!YAML.isMap(doc.contents)) this.fail(name, accepted, value);
    const out: Record<string, unknown> = {};
    for (const pair of doc.contents.items) {
      const key = YAML.isAlias(pair.key) ? pair.key.resolve(doc) : pair.key;
      if (!YAML.isScalar(key)) this.fail(name, 'a mapping whose keys are single values', value);
      const node = YAML.isAlias(pair.value) ? pair.value.resolve(doc) : pair.value;
      out[writtenText(key)] = YAML.isScalar(node)
        ? writtenText(node)
        : YAML.isCollection(node) && node.flow && node.range
          ? value.slice(node.range[0], node.range[1])
          : YAML.isCollection(node)
            ? node.toJS(doc)
            : '';
    }
    return out;
  }

  private parseMap(name: string, value: string, schema: 'failsafe' | 'core'): Record<string, unknown> {
    if (!value) return {};
    const accepted = 'a mapping (key: value lines, {key: value}, or key=value lines)';
    const lines = keyValueLines(value);
    if (lines) return lines;
    let parsed: unknown;
    try {
      parsed = YAML.parse(value, { schema, uniqueKeys: true });
    } catch {
      this.fail(name, accepted, value);
    }
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) this.fail(name, accepted, value);
    return parsed as Record<string, unknown>;
  }

  json(name: string): unknown {
    const value = this.raw(name);
    if (!value) return undefined;
    try {
      return JSON.parse(value);
    } catch {
      return this.fail(name, 'valid JSON', value);
    }
  }
}

/** `key=value` lines (blank lines and `#` comments skipped) as a map; undefined when the text is not such lines. */
function keyValueLines(value: string): Record<string, string> | undefined {
  const lines = value.split(/\r?\n/).filter((l) => l.trim() && !l.trim().startsWith('#'));
  if (!lines.every((l) => /^\s*[^\s=:#{][^=:]*=/.test(l))) return undefined;
  const out: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf('=');
    out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

/** A scalar as the user wrote it: a plain scalar's own text, a quoted or block scalar's string value. */
function writtenText(node: YAML.Scalar): string {
  return typeof node.source === 'string' ? node.source : node.value == null ? '' : String(node.value);
}

export function splitList(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}
