/**
 * The gate's rules, one per line: `<metric>[?] <op> <right side>`, where op is >= > <= < == != and
 * the right side is a number, or `baseline` optionally followed by `+`, `-` or `*` and a number:
 *
 *   accuracy >= 0.9            f1_macro > baseline
 *   accuracy >= baseline - 0.01   latency_p95 <= baseline * 1.1   drift? < 0.2
 *
 * A rule fails when its metric is missing from the candidate, or when it compares with the baseline
 * and the baseline has no value for the metric; written `name?` (optional) it is skipped instead.
 * Blank lines and lines starting with `#` are left out. `==` and `!=` compare exactly.
 */
import { InputError } from '../errors.js';

export type Operator = '>=' | '>' | '<=' | '<' | '==' | '!=';

export interface Rule {
  /** The line as written (trimmed). */
  text: string;
  metric: string;
  optional: boolean;
  op: Operator;
  /** A number, or the baseline's value with an optional adjustment. */
  right: { number: number } | { baseline: true; adjust?: { op: '+' | '-' | '*'; number: number } };
}

export type Verdict = 'pass' | 'fail' | 'skip';

export interface RuleResult {
  rule: Rule;
  verdict: Verdict;
  candidate?: number;
  baseline?: number;
  /** The value the candidate was compared with. */
  threshold?: number;
  /** Why, in a few words: `0.93 >= 0.95 is false`, `missing from the candidate`. */
  why: string;
}

const NUMBER = String.raw`[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?`;
const RULE = new RegExp(
  String.raw`^([^\s?<>=!]+)(\?)?\s*(>=|<=|==|!=|>|<)\s*(?:(${NUMBER})|baseline(?:\s*([+*-])\s*(${NUMBER}))?)$`
);

export const RULE_HELP =
  'one rule per line such as "accuracy >= 0.9", "accuracy >= baseline - 0.01", "latency_p95 <= baseline * 1.1" (operators >= > <= < == !=; name? for an optional metric)';

export function parseRule(line: string, input = 'rules'): Rule {
  const text = line.trim();
  const m = RULE.exec(text);
  if (!m) {
    const shown = JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
    throw new InputError(input, `Input "${input}" has the rule ${shown}, which is not ${RULE_HELP}.`);
  }
  const [, metric, optional, op, number, adjustOp, adjustNumber] = m;
  return {
    text,
    metric,
    optional: optional === '?',
    op: op as Operator,
    right:
      number !== undefined
        ? { number: Number(number) }
        : {
            baseline: true,
            ...(adjustOp ? { adjust: { op: adjustOp as '+' | '-' | '*', number: Number(adjustNumber) } } : {})
          }
  };
}

export function parseRules(value: string, input = 'rules'): Rule[] {
  return value
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => parseRule(l, input));
}

export function usesBaseline(rule: Rule): boolean {
  return 'baseline' in rule.right;
}

function compare(a: number, op: Operator, b: number): boolean {
  switch (op) {
    case '>=':
      return a >= b;
    case '>':
      return a > b;
    case '<=':
      return a <= b;
    case '<':
      return a < b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
}

function adjusted(base: number, adjust?: { op: '+' | '-' | '*'; number: number }): number {
  if (!adjust) return base;
  const value =
    adjust.op === '+'
      ? base + adjust.number
      : adjust.op === '-'
        ? base - adjust.number
        : base * adjust.number;
  // 0.95 - 0.01 is 0.9400000000000001 in binary: round away the noise of the arithmetic.
  return Number(value.toPrecision(12));
}

/** One rule against the candidate's and the baseline's values (undefined: no such metric). */
export function evaluate(
  rule: Rule,
  candidate: number | undefined,
  baseline: number | undefined
): RuleResult {
  const missing = (why: string): RuleResult => ({
    rule,
    candidate,
    baseline,
    verdict: rule.optional ? 'skip' : 'fail',
    why: rule.optional ? `${why} (optional)` : why
  });
  if (candidate === undefined) return missing('missing from the candidate');
  let threshold: number;
  if ('number' in rule.right) threshold = rule.right.number;
  else if (baseline === undefined) return missing('no baseline value to compare with');
  else threshold = adjusted(baseline, rule.right.adjust);
  const ok = compare(candidate, rule.op, threshold);
  return {
    rule,
    candidate,
    baseline,
    threshold,
    verdict: ok ? 'pass' : 'fail',
    why: `${candidate} ${rule.op} ${threshold} is ${ok}`
  };
}

export function evaluateAll(
  rules: Rule[],
  candidate: Map<string, number>,
  baseline: Map<string, number> | undefined
): RuleResult[] {
  return rules.map((r) => evaluate(r, candidate.get(r.metric), baseline?.get(r.metric)));
}
