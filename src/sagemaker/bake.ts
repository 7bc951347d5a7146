/**
 * What a deployment saw while it baked, for its summary: the variants' metrics over the bake and the
 * alarms' states at the end; and CloudWatch's reason for an alarm that rolled it back. Reading them
 * is reporting only: a CloudWatch error (access denied, throttling beyond the SDK's retries, an
 * emulator without GetMetricData) becomes a warning of one line and never changes the outcome.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { errorMessage } from '../errors.js';
import type { Logger } from '../report.js';
import { alarmCause, alarmStates, type AlarmState } from '../cloudwatch/alarms.js';
import type { Clients, EngineContext } from './apply.js';
import { readBakeMetrics, type BakeMetrics, type Window } from './metrics.js';
import type { DeployOptions } from './options.js';
import type { Plan } from './plan.js';
import type { ExplainAlarm } from './watch.js';

export interface BakeReport {
  /** What the numbers cover: the bake, from its first step (or the update) to the settled endpoint. */
  window: Window;
  /** How long the window is, in the service's seconds (real seconds / time scale). */
  seconds: number;
  /** The variants of the new config, whose metrics were asked for. */
  variants: string[];
  metrics?: BakeMetrics;
  alarms: AlarmState[];
  /** What could not be read, and why: one line each. */
  warnings: string[];
}

const why = (e: unknown) => {
  const name = (e as Error)?.name;
  const message = errorMessage(e).replace(/\s+/g, ' ').trim().replace(/\.$/, '');
  return name && name !== 'Error' && !message.startsWith(name) ? `${name}: ${message}` : message;
};

/** Reads the metrics of `variants` over `window` and the alarms' states; never throws. */
export async function observeBake(
  cloudwatch: CloudWatchClient,
  input: { endpoint: string; variants: string[]; alarms: string[]; window: Window; scale: number },
  log: Logger
): Promise<BakeReport> {
  const report: BakeReport = {
    window: input.window,
    seconds: (input.window.end.valueOf() - input.window.start.valueOf()) / 1000 / input.scale,
    variants: input.variants,
    alarms: [],
    warnings: []
  };
  try {
    report.metrics = await readBakeMetrics(
      cloudwatch,
      input.endpoint,
      input.variants,
      input.window,
      input.scale
    );
  } catch (e) {
    report.warnings.push(`The metrics of the bake could not be read from CloudWatch (${why(e)}).`);
  }
  try {
    report.alarms = await alarmStates(cloudwatch, input.alarms);
  } catch (e) {
    report.warnings.push(`The alarms' states could not be read from CloudWatch (${why(e)}).`);
  }
  // Reasons are CloudWatch's text: the logger makes any line that looks like a workflow command inert.
  for (const a of report.alarms)
    log.info(`Alarm ${a.name} at the end: ${a.state ?? 'not found'}${a.reason ? ` (${a.reason})` : ''}`);
  for (const w of report.warnings) log.warning(w);
  return report;
}

/**
 * After an update settled: what its variants served from `start` (the first bake, else the update)
 * to now, and the alarms' states. A first deployment has no bake; nothing is read without CloudWatch.
 */
export async function observe(
  plan: Plan,
  options: DeployOptions,
  clients: Clients,
  ctx: EngineContext,
  start: Date
): Promise<BakeReport | undefined> {
  if (!clients.cloudwatch || plan.action === 'create') return undefined;
  const variants = (plan.createConfig?.ProductionVariants ?? []).map((v) => v.VariantName!);
  return observeBake(
    clients.cloudwatch,
    {
      endpoint: options.endpointName,
      variants: variants.length ? variants : [options.variantName],
      alarms: options.alarms,
      window: { start, end: ctx.now() },
      scale: ctx.scale
    },
    ctx.log
  );
}

/**
 * CloudWatch's reason for an alarm that went into ALARM within `window` (a service minute of slack
 * either side, for clocks that differ), for judge to add to a rollback's reason.
 */
export function explainer(
  clients: Clients,
  ctx: EngineContext,
  window: Window,
  bake: BakeReport | undefined
): ExplainAlarm | undefined {
  const cloudwatch = clients.cloudwatch;
  if (!cloudwatch) return undefined;
  const minute = 60_000 * ctx.scale;
  const slack = {
    start: new Date(window.start.valueOf() - minute),
    end: new Date(window.end.valueOf() + minute)
  };
  return (candidates) => alarmCause(cloudwatch, candidates, slack, bake?.alarms ?? [], ctx.log);
}
