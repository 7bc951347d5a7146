/**
 * A run's id in leases and made-by tags (SageMaker's endpoint lease, Lambda's `deployment` tag):
 * `<run id>.<attempt>.<nonce>` under GitHub (two jobs of one run differ by the nonce, and a later
 * attempt knows the earlier one's lease); `local-<host>-<pid>.0.<nonce>` elsewhere.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { ActionContext } from './runner.js';

export function holderId(ctx: Pick<ActionContext, 'github'>): string {
  const nonce = randomBytes(3).toString('hex');
  if (ctx.github.runId) return `${ctx.github.runId}.${ctx.github.runAttempt}.${nonce}`;
  return `local-${os.hostname().replace(/[^\w-]/g, '')}-${process.pid}.0.${nonce}`;
}

/** A holder id's run and attempt (`1234.2.ab12cd`). */
function parts(holder: string): { run: string; attempt: number } {
  const match = /^(.*)\.(\d+)\.[a-z0-9]+$/.exec(holder);
  return match ? { run: match[1], attempt: Number(match[2]) } : { run: holder, attempt: 0 };
}

/** Whether `other` is an earlier attempt of the run of `holder` (GitHub runs one attempt at a time: it is dead). */
export function earlierAttempt(other: string, holder: string): boolean {
  const [a, b] = [parts(other), parts(holder)];
  return a.run === b.run && a.attempt < b.attempt;
}
