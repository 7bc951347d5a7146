/**
 * Expressions, evaluated by GitHub's own engine (@actions/expressions): `${{ }}` in a workflow, and
 * the `if:` conditions with the status functions success(), failure(), always(), cancelled() and
 * hashFiles(). Values cross between plain JSON and the engine's data types through its own reviver
 * and replacer.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import { TokenType } from '@actions/expressions/lexer';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';
import { truthy } from '@actions/expressions/result';
import { isBasicExpression, isLiteral, isMapping, isSequence } from '@actions/workflow-parser';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** What the status functions answer: the job's state so far (or, for a job's `if:`, its needs'). */
export interface Status {
  success: boolean;
  failure: boolean;
  cancelled: boolean;
}

export interface Scope {
  /** The contexts by name: github, env, inputs, matrix, steps, needs, ... */
  contexts: Record<string, Json | undefined>;
  status?: Status;
  /** The directory hashFiles() reads (the workspace). */
  workspace?: string;
}

/** An expression that could not be parsed or evaluated; the message names it. */
export class ExpressionFailure extends Error {
  constructor(
    readonly expression: string,
    readonly reason: string
  ) {
    super(`the expression "${expression}" cannot be evaluated: ${reason}`);
  }
}

const CONTEXTS = [
  'github',
  'env',
  'inputs',
  'secrets',
  'vars',
  'runner',
  'job',
  'jobs',
  'steps',
  'needs',
  'matrix',
  'strategy'
];

function toData(value: Json | undefined): data.ExpressionData {
  return JSON.parse(JSON.stringify(value ?? null), data.reviver) as data.ExpressionData;
}

export function fromData(value: data.ExpressionData | undefined): Json {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value, data.replacer)) as Json;
}

function hashFiles(workspace: string, patterns: string[]): string {
  const regexes = patterns.map(
    (p) =>
      new RegExp(
        '^' +
          p
            .replace(/[.+^$()|[\]\\]/g, '\\$&')
            .replace(/\*\*\/?/g, '%GLOBSTAR%')
            .replace(/\*/g, '[^/]*')
            .replace(/\?/g, '[^/]')
            .split('%GLOBSTAR%')
            .join('(?:.*/)?') +
          '$'
      )
  );
  const files: string[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === '.git') continue;
      const r = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path.join(dir, entry.name), r);
      else if (entry.isFile() && regexes.some((re) => re.test(r))) files.push(r);
    }
  };
  if (fs.existsSync(workspace)) walk(workspace, '');
  if (!files.length) return '';
  const total = crypto.createHash('sha256');
  for (const file of files.sort()) {
    total.update(
      crypto
        .createHash('sha256')
        .update(fs.readFileSync(path.join(workspace, file)))
        .digest()
    );
  }
  return total.digest('hex');
}

function functions(scope: Scope): Map<string, FunctionDefinition> {
  const status = scope.status ?? { success: true, failure: false, cancelled: false };
  const fn = (name: string, min: number, max: number, call: FunctionDefinition['call']) =>
    [name, { name, minArgs: min, maxArgs: max, call }] as const;
  return new Map([
    fn('success', 0, 0, () => new data.BooleanData(status.success && !status.cancelled)),
    fn('failure', 0, 0, () => new data.BooleanData(status.failure && !status.cancelled)),
    fn('always', 0, 0, () => new data.BooleanData(true)),
    fn('cancelled', 0, 0, () => new data.BooleanData(status.cancelled)),
    fn(
      'hashfiles',
      1,
      255,
      (...args) =>
        new data.StringData(
          hashFiles(
            scope.workspace ?? process.cwd(),
            args.map((a) => a.coerceString())
          )
        )
    )
  ]);
}

/** Evaluates one expression (without `${{ }}`) in `scope`. */
export function evaluate(expression: string, scope: Scope): data.ExpressionData {
  const fns = functions(scope);
  try {
    const lexed = new Lexer(expression).lex();
    // The lexer of @actions/expressions 0.3.61 unescapes only the first '' of a string literal
    // (String.replace with a string); GitHub's runner unescapes every one.
    for (const token of lexed.tokens) {
      if (token.type === TokenType.STRING && /^'.*'$/s.test(token.lexeme)) {
        token.value = token.lexeme.slice(1, -1).replace(/''/g, "'");
      }
    }
    const tree = new Parser(lexed.tokens, CONTEXTS, [...fns.values()]).parse();
    const context = new data.Dictionary(
      ...Object.entries(scope.contexts).map(([key, value]) => ({ key, value: toData(value) }))
    );
    return new Evaluator(tree, context, fns).evaluate();
  } catch (e) {
    throw new ExpressionFailure(expression, (e as Error).message);
  }
}

/** An `if:` condition (already given its status function by the parser) as a boolean. */
export function condition(expression: string, scope: Scope): boolean {
  return truthy(evaluate(expression, scope));
}

/** A string with `${{ }}` parts (an action.yml default, a block scalar) evaluated part by part. */
export function interpolate(text: string, scope: Scope): string {
  return text.replace(/\$\{\{(.*?)\}\}/gs, (_, expression: string) =>
    asString(fromData(evaluate(expression.trim(), scope)))
  );
}

/**
 * A block scalar's text (`run: |` ...) as YAML reads it: the parser of 0.3.61 builds the expression
 * of a block scalar with `${{ }}` from its raw source, indentation and all, which breaks heredocs.
 */
export function blockScalarText(source: string, header: string): string {
  const lines = source.split('\n');
  const indents = lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length);
  const indent = indents.length ? Math.min(...indents) : 0;
  let text = lines.map((l) => l.slice(Math.min(indent, /^ */.exec(l)![0].length))).join('\n');
  if (header.startsWith('>')) text = text.replace(/([^\n])\n(?=[^\n ])/g, '$1 ');
  const body = text.replace(/\n*$/, '');
  if (header.includes('-')) return body;
  if (header.includes('+')) return text;
  return body ? `${body}\n` : '';
}

/** A token of the workflow with every expression in it evaluated, as plain JSON. */
export function evaluateToken(token: TemplateToken | undefined, scope: Scope): Json {
  if (!token) return null;
  if (isBasicExpression(token) && token.blockScalarHeader && token.source) {
    return interpolate(blockScalarText(token.source, token.blockScalarHeader), scope);
  }
  if (isBasicExpression(token)) {
    try {
      return fromData(evaluate(token.expression, scope));
    } catch (e) {
      // Name the expression as written (`echo ${{ x }}`), not as the parser rewrote it (format(...)).
      if (e instanceof ExpressionFailure && token.source)
        throw new ExpressionFailure(token.source.trim(), e.reason);
      throw e;
    }
  }
  if (isMapping(token)) {
    const result: Record<string, Json> = {};
    for (const pair of token) {
      result[String(evaluateToken(pair.key, scope))] = evaluateToken(pair.value, scope);
    }
    return result;
  }
  if (isSequence(token)) {
    const result: Json[] = [];
    for (const item of token) result.push(evaluateToken(item, scope));
    return result;
  }
  if (isLiteral(token)) return JSON.parse(JSON.stringify(token)) as Json;
  throw new ExpressionFailure(token.toString(), 'this kind of value cannot be evaluated here');
}

/** A value as the runner passes it to a step: strings as they are, others as JSON text. */
export function asString(value: Json): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** A mapping of strings (env, with, outputs) from a token. */
export function evaluateMap(token: TemplateToken | undefined, scope: Scope): Record<string, string> {
  const value = evaluateToken(token, scope);
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ExpressionFailure(asString(value), 'a mapping was expected');
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asString(v)]));
}
