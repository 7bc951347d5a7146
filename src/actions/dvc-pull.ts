/** dvc-pull: DVC-tracked data from the remote into the cache and the workspace. */
import { transfer } from '../dvc/engine.js';
import { summaryMarkdown } from '../dvc/report.js';
import { UserError } from '../errors.js';
import { summary } from '../report.js';
import type { ActionContext } from '../runner.js';
import { transferOptions } from './dvc-shared.js';
import { actionsCacheFor, afterPull } from './dvc-pull-cache.js';

export async function run(ctx: ActionContext): Promise<void> {
  const options = transferOptions(ctx);
  // Checked, then unused: every download is verified on its way into the cache (see the README).
  ctx.inputs.boolean('verify');
  const allowMissing = ctx.inputs.boolean('allow-missing');
  const cached = await actionsCacheFor(ctx, options);
  const report = await transfer('pull', {
    ...options,
    openRemote: cached?.openRemote ?? options.openRemote,
    force: ctx.inputs.boolean('force'),
    allowMissing
  });
  const section = cached ? await afterPull(cached, report, allowMissing, ctx.log) : '';
  ctx.setOutput('files', report.files);
  ctx.setOutput('downloaded', report.transferred);
  ctx.setOutput('bytes', report.bytes);
  ctx.setOutput('missing', report.missing);
  summary(summaryMarkdown(report) + section);
  if (report.failure) throw new UserError(report.failure);
}
