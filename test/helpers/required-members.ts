/**
 * What an answer lacks of what the AWS SDK's output shape marks required, read from the smithy
 * schemas the SDK (3.11xx) ships: each operation is exported as `<Operation>$`,
 * `[9, namespace, name, traits, () => input, () => output]`, and a structure as
 * `[3, namespace, name, traits, memberNames, memberSchemas, requiredCount?]` whose first
 * `requiredCount` members are the required ones (smithy's code generator puts them first; see
 * @smithy/types StaticStructureSchema and @smithy/core's HttpBindingNormalizedSchema, which reads
 * `source[6]` so). A list is `[1, ns, name, traits, member]`, a map `[2, ns, name, traits, key,
 * value]`, a union `[4, ...]` like a structure without required members, an error `[-3, ...]`, a
 * simple schema `[0, ns, name, traits, ref]`; a bare number is a primitive, with `64 | x` a list of
 * x and `128 | x` a map of x; a member with traits of its own is `[ref, traits]`.
 */

type Ref = unknown;

function resolve(ref: Ref): Ref {
  let r = ref;
  for (;;) {
    if (typeof r === 'function') r = (r as () => Ref)();
    else if (Array.isArray(r) && r.length === 2) r = r[0];
    else return r;
  }
}

export interface Findings {
  /** Paths of required members the answer lacks (`ProductionVariants[0].VariantName`). */
  missing: string[];
  /** Paths of members the answer has that the shape does not know. */
  unknown: string[];
}

function walk(ref: Ref, value: unknown, at: string, found: Findings): void {
  if (value === undefined || value === null) return;
  const schema = resolve(ref);
  if (typeof schema === 'number') {
    if (schema & 64 && Array.isArray(value))
      value.forEach((v, i) => walk(schema & ~64, v, `${at}[${i}]`, found));
    else if (schema & 128 && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) walk(schema & ~128, v, `${at}.${k}`, found);
    return;
  }
  if (!Array.isArray(schema)) return;
  const [kind] = schema as [number];
  if (kind === 0) return walk(schema[4], value, at, found);
  if (kind === 1) {
    if (Array.isArray(value)) value.forEach((v, i) => walk(schema[4], v, `${at}[${i}]`, found));
    return;
  }
  if (kind === 2) {
    if (typeof value === 'object')
      for (const [k, v] of Object.entries(value)) walk(schema[5], v, `${at}.${k}`, found);
    return;
  }
  if (kind === 3 || kind === 4 || kind === -3) {
    if (typeof value !== 'object' || Array.isArray(value)) return;
    const names = schema[4] as string[];
    const members = schema[5] as Ref[];
    const required = kind === 4 ? 0 : ((schema[6] as number | undefined) ?? 0);
    const record = value as Record<string, unknown>;
    const prefix = at ? `${at}.` : '';
    for (let i = 0; i < required; i++)
      if (record[names[i]] === undefined || record[names[i]] === null)
        found.missing.push(`${prefix}${names[i]}`);
    for (const [key, v] of Object.entries(record)) {
      const i = names.indexOf(key);
      if (i < 0) found.unknown.push(`${prefix}${key}`);
      else walk(members[i], v, `${prefix}${key}`, found);
    }
  }
}

/** The output structure of an operation schema (`DescribeEndpoint$`). */
export function outputOf(operation: Ref): Ref {
  const schema = resolve(operation);
  if (!Array.isArray(schema) || schema[0] !== 9) throw new Error('not an operation schema');
  return schema[5];
}

/** Checks an operation's answer against the output shape of its schema. */
export function checkAnswer(operation: Ref, answer: unknown): Findings {
  const found: Findings = { missing: [], unknown: [] };
  walk(outputOf(operation), answer, '', found);
  return found;
}

/** How many structures reachable from an operation's output have required members. */
export function requiredStructures(operation: Ref): number {
  const seen = new Set<unknown>();
  let count = 0;
  const visit = (ref: Ref): void => {
    const schema = resolve(ref);
    if (!Array.isArray(schema) || seen.has(schema)) return;
    seen.add(schema);
    const [kind] = schema as [number];
    if (kind === 0 || kind === 1) visit(schema[4]);
    else if (kind === 2) visit(schema[5]);
    else if (kind === 3 || kind === 4 || kind === -3) {
      if (kind !== 4 && typeof schema[6] === 'number' && schema[6] > 0) count++;
      (schema[5] as Ref[]).forEach(visit);
    }
  };
  visit(outputOf(operation));
  return count;
}
