/** The tally of a smoke test: counts, errors and latency percentiles, overall and per invoked variant. */
import type { Verdict } from './expect.js';
import type { SmokeCase } from './requests.js';

/** The name under which answers that carry no InvokedProductionVariant are counted. */
export const UNKNOWN_VARIANT = '(unknown)';
/** The failing requests kept for the summary. */
export const KEPT_FAILURES = 5;

export interface Outcome {
  case: SmokeCase;
  variant?: string;
  /** From sending the request to its answer, SDK retries included. */
  ms: number;
  verdict: Verdict;
}

export type Failure = Outcome & { verdict: Extract<Verdict, { ok: false }> };

export interface VariantStats {
  requests: number;
  errors: number;
  p50Ms: number;
  p95Ms: number;
}

export interface Stats {
  requests: number;
  /** Requests that did not get the answer expected: a wrong status, no answer, or wrong content. */
  errors: number;
  /** errors / requests (0 when nothing was sent). */
  errorRate: number;
  p50Ms: number;
  p95Ms: number;
  variants: Record<string, VariantStats>;
  /** The first failing requests, in the order they ended (at most KEPT_FAILURES). */
  failures: Failure[];
  /** The first request whose status was right but whose content was not. */
  firstWrongAnswer?: Failure;
}

/** The nearest-rank percentile `p` (0-100) of `values`; 0 for none. */
export function percentile(values: number[], p: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export class Tally {
  private readonly all: number[] = [];
  private readonly byVariant = new Map<string, { ms: number[]; errors: number }>();
  private errors = 0;
  private readonly failures: Failure[] = [];
  private firstWrongAnswer?: Failure;

  add(outcome: Outcome): void {
    this.all.push(outcome.ms);
    const name = outcome.variant || UNKNOWN_VARIANT;
    const variant = this.byVariant.get(name) ?? { ms: [], errors: 0 };
    this.byVariant.set(name, variant);
    variant.ms.push(outcome.ms);
    if (outcome.verdict.ok) return;
    const failure = outcome as Failure;
    this.errors++;
    variant.errors++;
    if (this.failures.length < KEPT_FAILURES) this.failures.push(failure);
    if (failure.verdict.kind === 'content') this.firstWrongAnswer ??= failure;
  }

  get requests(): number {
    return this.all.length;
  }

  get errorCount(): number {
    return this.errors;
  }

  stats(): Stats {
    const variants: Record<string, VariantStats> = {};
    for (const [name, v] of [...this.byVariant].sort(([a], [b]) => a.localeCompare(b))) {
      variants[name] = {
        requests: v.ms.length,
        errors: v.errors,
        p50Ms: Math.round(percentile(v.ms, 50)),
        p95Ms: Math.round(percentile(v.ms, 95))
      };
    }
    return {
      requests: this.all.length,
      errors: this.errors,
      errorRate: this.all.length ? this.errors / this.all.length : 0,
      p50Ms: Math.round(percentile(this.all, 50)),
      p95Ms: Math.round(percentile(this.all, 95)),
      variants,
      failures: [...this.failures],
      firstWrongAnswer: this.firstWrongAnswer
    };
  }
}
