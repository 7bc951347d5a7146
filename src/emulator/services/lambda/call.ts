/** What an operation handler gets (the request, parsed) and gives back (status and JSON body). */
import type { Emulator } from '../../server.js';
import { notFound } from './errors.js';
import { functionArn, lambdaState, type FunctionRecord } from './state.js';
import { functionRef, qualifierOf } from './validate.js';

export interface Call {
  emulator: Emulator;
  /** From the SigV4 credential scope (function ARNs carry it). */
  region: string;
  /** Path labels, decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export interface Answer {
  status: number;
  body?: unknown;
}

export type Handler = (call: Call) => Answer | Promise<Answer>;

/** The function the `FunctionName` label names (and its qualifier, from the ARN or `Qualifier`). */
export function target(call: Call): { fn: FunctionRecord; name: string; qualifier?: string } {
  const ref = functionRef(call.params.FunctionName);
  const qualifier = qualifierOf(ref, call.query.get('Qualifier'));
  const fn = lambdaState(call.emulator).functions[ref.name];
  if (!fn) throw notFound(`Function not found: ${functionArn(call.region, ref.name)}`);
  return { fn, name: ref.name, qualifier };
}

/** Marker/MaxItems paging over a list, as Lambda's List* operations do. */
export function page<T>(items: T[], query: URLSearchParams, max = 50): { items: T[]; NextMarker?: string } {
  const start = Number(query.get('Marker') ?? 0) || 0;
  const size = Math.min(Number(query.get('MaxItems') ?? max) || max, max);
  const end = start + size;
  return { items: items.slice(start, end), NextMarker: end < items.length ? String(end) : undefined };
}
