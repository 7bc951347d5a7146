/**
 * The verdict of a smoke test, as the one sentence that fails the step (undefined: it passed).
 * A wrong answer (right status, wrong content) always fails; errors (a wrong status, no answer)
 * fail above max-error-rate; then the p95 latency against max-p95-latency.
 */
import type { Failure, Stats } from './stats.js';

export interface Limits {
  /** A fraction from 0 to 1. */
  maxErrorRate: number;
  maxP95Ms?: number;
}

export function percentText(fraction: number): string {
  return `${Math.round(fraction * 10000) / 100}%`;
}

/** What an answer's variant is: a SageMaker production variant, or the Lambda version that ran. */
export type VariantNoun = 'variant' | 'version';

export function verdict(
  stats: Stats,
  limits: Limits,
  cancelled = false,
  noun: VariantNoun = 'variant'
): string | undefined {
  const where = (f: Failure) => (f.variant ? ` (${noun} ${f.variant})` : '');
  if (cancelled)
    return `The workflow was cancelled after ${stats.requests} requests (${stats.errors} errors): the ${noun === 'variant' ? 'endpoint' : 'function'} was not judged.`;
  if (!stats.requests) return 'No request was sent.';
  const wrong = stats.firstWrongAnswer;
  if (wrong) {
    return `The request from ${wrong.case.name} ${wrong.verdict.why}${where(wrong)}; ${stats.errors} of ${stats.requests} requests failed.`;
  }
  if (stats.errorRate > limits.maxErrorRate) {
    const first = stats.failures[0];
    return `${stats.errors} of ${stats.requests} requests failed (${percentText(stats.errorRate)}), above max-error-rate ${percentText(limits.maxErrorRate)}: the first, from ${first.case.name}, ${first.verdict.why}${where(first)}.`;
  }
  if (limits.maxP95Ms !== undefined && stats.p95Ms > limits.maxP95Ms) {
    return `The p95 latency was ${stats.p95Ms}ms, above max-p95-latency ${Math.round(limits.maxP95Ms)}ms (p50 ${stats.p50Ms}ms over ${stats.requests} requests).`;
  }
  return undefined;
}
