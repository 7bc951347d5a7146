/** What every deploy engine (SageMaker, Lambda) is handed from the run: its logger, clock and identity. */
import { holderId } from '../holder.js';
import type { Logger } from '../report.js';
import type { ActionContext } from '../runner.js';

export interface RunEngineContext {
  log: Logger;
  signal: AbortSignal;
  scale: number;
  sha: string;
  runUrl?: string;
  holder: string;
  now: () => Date;
}

export function runEngineContext(ctx: ActionContext): RunEngineContext {
  return {
    log: ctx.log,
    signal: ctx.signal,
    scale: ctx.timeScale,
    sha: ctx.github.sha,
    runUrl: ctx.github.runUrl,
    holder: holderId(ctx),
    now: () => new Date()
  };
}
