/**
 * The `inputs` context: workflow_dispatch and workflow_call inputs typed as declared (boolean,
 * number, string, choice, environment), defaults filled, and a refusal for a missing required input,
 * an unknown one, or a value of the wrong type.
 */
import { evaluateToken, type Json, type Scope } from './expressions.js';
import { Refusal } from './load.js';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index';

export interface InputDefinition {
  type?: string;
  required?: boolean;
  default?: Json;
  options?: string[];
}

/** Definitions from the parser's model (plain values, or tokens for workflow_call defaults). */
export function definitionsFrom(
  source: Record<string, unknown> | TemplateToken | undefined,
  scope: Scope
): Record<string, InputDefinition> {
  if (!source) return {};
  const plain =
    typeof (source as TemplateToken).templateTokenType === 'number'
      ? (evaluateToken(source as TemplateToken, scope) as Record<string, InputDefinition>)
      : Object.fromEntries(
          Object.entries(source as Record<string, Record<string, unknown>>).map(([name, spec]) => [
            name,
            {
              ...spec,
              default:
                spec.default !== null && typeof spec.default === 'object'
                  ? evaluateToken(spec.default as TemplateToken, scope)
                  : (spec.default as Json)
            }
          ])
        );
  return plain ?? {};
}

function typed(name: string, value: Json, spec: InputDefinition, where: string): Json {
  const type = spec.type ?? 'string';
  if (type === 'boolean') {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    throw new Refusal(`${where}: input "${name}" must be true or false, not "${String(value)}".`);
  }
  if (type === 'number') {
    const n = typeof value === 'number' ? value : Number(value);
    if (value === '' || Number.isNaN(n))
      throw new Refusal(`${where}: input "${name}" must be a number, not "${String(value)}".`);
    return n;
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (type === 'choice' && spec.options && !spec.options.includes(text)) {
    throw new Refusal(`${where}: input "${name}" must be one of ${spec.options.join(', ')}, not "${text}".`);
  }
  return text;
}

/** The typed `inputs` context; `flag` tells how the user gives an input (`--input` or `with:`). */
export function typedInputs(
  definitions: Record<string, InputDefinition>,
  given: Record<string, Json>,
  where: string,
  flag: (name: string) => string
): Record<string, Json> {
  const result: Record<string, Json> = {};
  for (const name of Object.keys(given)) {
    if (!(name in definitions)) {
      const known = Object.keys(definitions);
      throw new Refusal(
        `${where}: there is no input "${name}"${known.length ? ` (the inputs are ${known.join(', ')})` : ' (it declares no inputs)'}.`
      );
    }
  }
  for (const [name, spec] of Object.entries(definitions)) {
    const value = name in given ? given[name] : spec.default;
    if (value === undefined || value === null) {
      if (spec.required)
        throw new Refusal(`${where}: the required input "${name}" is missing (${flag(name)}).`);
      result[name] = spec.type === 'boolean' ? false : spec.type === 'number' ? 0 : '';
      continue;
    }
    result[name] = typed(name, value, spec, where);
  }
  return result;
}
