/** dvc-push: DVC-tracked data from the cache (or the workspace) to the remote. */
import { transfer } from '../dvc/engine.js';
import { summaryMarkdown } from '../dvc/report.js';
import { UserError } from '../errors.js';
import { summary } from '../report.js';
import type { ActionContext } from '../runner.js';
import { transferOptions } from './dvc-shared.js';

export async function run(ctx: ActionContext): Promise<void> {
  const report = await transfer('push', transferOptions(ctx));
  ctx.setOutput('uploaded', report.transferred);
  ctx.setOutput('bytes', report.bytes);
  ctx.setOutput('skipped', report.skipped);
  summary(summaryMarkdown(report));
  if (report.failure) throw new UserError(report.failure);
}
