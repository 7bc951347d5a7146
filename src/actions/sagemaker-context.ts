/** What the SageMaker engines need from an action's context (shared by deploy-canary, promote, rollback). */
import type { ActionContext } from '../runner.js';
import type { EngineContext } from '../sagemaker/deploy.js';

export function engineContext(ctx: ActionContext): EngineContext {
  return {
    log: ctx.log,
    signal: ctx.signal,
    scale: ctx.timeScale,
    sha: ctx.github.sha,
    runUrl: ctx.github.runUrl,
    now: () => new Date()
  };
}
