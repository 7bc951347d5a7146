/** dvc-push: DVC-tracked data from the cache (or the workspace) to the remote. */
import path from 'node:path';
import { transfer } from '../dvc/engine.js';
import { summaryMarkdown } from '../dvc/report.js';
import { UserError } from '../errors.js';
import { summary } from '../report.js';
import type { ActionContext } from '../runner.js';
import { transferOptions } from './dvc-shared.js';

export async function run(ctx: ActionContext): Promise<void> {
  const options = transferOptions(ctx);
  const report = await transfer('push', { ...options, commit: ctx.inputs.boolean('commit') });
  const committed = (report.committed?.files ?? []).map((f) =>
    path.relative(ctx.github.workspace, path.join(options.root, f)).split(path.sep).join('/')
  );
  ctx.setOutput('committed', committed.join('\n'));
  ctx.setOutput('uploaded', report.transferred);
  ctx.setOutput('bytes', report.bytes);
  ctx.setOutput('skipped', report.skipped);
  summary(summaryMarkdown(report));
  if (report.failure) throw new UserError(report.failure);
}
