/**
 * dvc-pull's use of the Actions cache (input `actions-cache`): restore before the pull, save after it,
 * and, when a remote has no credentials (a pull request from a fork), take its objects from the cache
 * alone. See src/dvc/actions-cache.ts and src/dvc/no-credentials.ts.
 */
import { DvcActionsCache, unavailableReason } from '../dvc/actions-cache.js';
import { cacheMarkdown } from '../dvc/actions-cache-report.js';
import type { RunOptions } from '../dvc/engine.js';
import type { RemoteSpec } from '../dvc/config.js';
import {
  cacheOnlyOpener,
  noCredentialsFailure,
  outputsNotGot,
  remotesWithoutCredentials
} from '../dvc/no-credentials.js';
import type { TransferReport } from '../dvc/report.js';
import type { Logger } from '../report.js';
import type { ActionContext } from '../runner.js';

export interface CachedPull {
  cache: DvcActionsCache;
  withoutCredentials: RemoteSpec[];
  openRemote: RunOptions['openRemote'];
}

/** Undefined when the Actions cache is off or not here (one info line when it was asked for). */
export async function actionsCacheFor(
  ctx: ActionContext,
  options: RunOptions
): Promise<CachedPull | undefined> {
  const raw = ctx.inputs.string('actions-cache');
  const asked = raw ? ctx.inputs.boolean('actions-cache') : undefined;
  if (asked === false) return undefined;
  const why = unavailableReason(process.env);
  if (why) {
    const line = `actions-cache: ignored, ${why}.`;
    if (asked) ctx.log.info(line);
    else ctx.log.debug(line);
    return undefined;
  }
  const cache = new DvcActionsCache({
    root: options.root,
    workspace: ctx.github.workspace,
    targets: options.targets,
    remote: options.remote,
    log: ctx.log,
    env: process.env,
    jobs: options.jobs,
    signal: options.signal
  });
  const withoutCredentials = await remotesWithoutCredentials(
    cache.repo.outputs.map((o) => o.remoteSpec),
    { action: ctx.name, region: options.region, env: process.env }
  );
  for (const spec of withoutCredentials) {
    ctx.log.info(
      `actions-cache: no credentials for ${spec.url}: it is not contacted; objects come only from the Actions cache.`
    );
  }
  await cache.restore();
  return {
    cache,
    withoutCredentials,
    openRemote: withoutCredentials.length
      ? cacheOnlyOpener(options.openRemote, withoutCredentials)
      : options.openRemote
  };
}

/** Saves, rewords a failure without credentials, and returns the summary section. */
export async function afterPull(
  cached: CachedPull,
  report: TransferReport,
  allowMissing: boolean,
  log: Logger
): Promise<string> {
  const outcome = await cached.cache.save(report);
  const notGot = cached.withoutCredentials.length ? outputsNotGot(report) : [];
  if (notGot.length) {
    const sentence = noCredentialsFailure(report, cached.withoutCredentials);
    if (!allowMissing && report.failure && !report.outputs.some((o) => o.failed.length))
      report.failure = sentence;
    else if (allowMissing) log.warning(sentence.replace(/ Run the trusted .*$/, ''));
  }
  return `\n${cacheMarkdown({
    outcome,
    withoutCredentials: cached.withoutCredentials.map((s) => s.url),
    notGot
  })}`;
}
