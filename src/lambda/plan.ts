/**
 * deploy-lambda's plan, as plain data made from the function's state alone: what will be created or
 * updated, the traffic steps of the strategy, and what a re-run finds (a canary of the same image to
 * resume, or a stale one to undo first). `dry-run` prints it; nothing here calls AWS.
 */
import { parseDeployment, parseVersions, tagKeys } from './history.js';
import type { LambdaDeployOptions } from './options.js';
import type { FunctionState } from './state.js';

export type PlanAction = 'create' | 'update' | 'unchanged' | 'resume';

export interface TrafficStep {
  /** The new version's share of the alias's traffic, 0-1 (1: the alias on the new version alone). */
  weight: number;
  /** How long this step bakes (service seconds); 0: no bake. */
  bakeSeconds: number;
}

export interface ConfigChange {
  MemorySize?: number;
  Timeout?: number;
  Environment?: { Variables: Record<string, string> };
}

export interface LambdaPlan {
  functionName: string;
  alias: string;
  action: PlanAction;
  image: string;
  strategy: string;
  /** The version the alias serves alone before (empty on a first deployment). */
  previousVersion?: string;
  /** On resume: the version already published and taking traffic. */
  resumeVersion?: string;
  /** A canary of another image left on the alias: the alias goes back to previousVersion alone first. */
  staleCanary?: { version: string; weight: number };
  /** Whether the alias exists (a function without it gets it created on the new version). */
  aliasExists: boolean;
  /** UpdateFunctionConfiguration's fields when memory-size, timeout, environment or architectures change. */
  configChange?: ConfigChange;
  /** Whether the architectures change (UpdateFunctionCode's Architectures). */
  architecturesChange: boolean;
  steps: TrafficStep[];
  provisionedConcurrency: number;
  alarms: string[];
  maxErrorRate?: number;
  notes: string[];
}

const round = (w: number) => Math.round(w * 10000) / 10000;

/** The new version's weights step by step; steps below 1 bake, and all-at-once bakes its one step. */
export function trafficSteps(
  options: Pick<LambdaDeployOptions, 'strategy' | 'canaryPercent' | 'linearStepPercent' | 'bakeSeconds'>,
  from = 0
): TrafficStep[] {
  const bake = options.bakeSeconds;
  if (options.strategy === 'all-at-once') return [{ weight: 1, bakeSeconds: bake }];
  const weights: number[] = [];
  if (options.strategy === 'canary') weights.push(round(options.canaryPercent / 100));
  else
    for (let k = 1; k * options.linearStepPercent < 100; k++)
      weights.push(round((k * options.linearStepPercent) / 100));
  // A resumed canary bakes again at the weight it was left at, then goes on with the steps above it.
  const left = from > 0 ? [from, ...weights.filter((w) => w > from)] : weights;
  return [...left.map((weight) => ({ weight, bakeSeconds: bake })), { weight: 1, bakeSeconds: 0 }];
}

function configChange(state: FunctionState, options: LambdaDeployOptions): ConfigChange | undefined {
  const config = state.config;
  if (!config) return undefined;
  const change: ConfigChange = {};
  if (options.memorySize !== undefined && options.memorySize !== config.MemorySize)
    change.MemorySize = options.memorySize;
  if (options.timeout !== undefined && options.timeout !== config.Timeout) change.Timeout = options.timeout;
  if (options.environment) {
    const now = config.Environment?.Variables ?? {};
    const same =
      Object.keys(now).length === Object.keys(options.environment).length &&
      Object.entries(options.environment).every(([k, v]) => now[k] === v);
    if (!same) change.Environment = { Variables: options.environment };
  }
  return Object.keys(change).length ? change : undefined;
}

export function planLambda(state: FunctionState, options: LambdaDeployOptions): LambdaPlan {
  const base = {
    functionName: options.functionName,
    alias: options.alias,
    image: options.image,
    strategy: options.strategy,
    aliasExists: !!state.alias,
    architecturesChange: false,
    provisionedConcurrency: options.provisionedConcurrency,
    alarms: options.alarms,
    maxErrorRate: options.maxErrorRate,
    notes: [] as string[]
  };
  if (!state.config) {
    return { ...base, action: 'create', steps: [{ weight: 1, bakeSeconds: 0 }] };
  }
  const architecturesChange =
    (state.config.Architectures ?? ['x86_64']).join(',') !== options.architectures.join(',');
  const change = configChange(state, options);
  const plan: LambdaPlan = {
    ...base,
    action: 'update',
    previousVersion: state.primary?.version,
    configChange: change,
    architecturesChange,
    steps: state.primary ? trafficSteps(options) : [{ weight: 1, bakeSeconds: 0 }]
  };
  if (!state.primary) {
    plan.notes.push(`The alias ${options.alias} does not exist yet: it is created on the new version.`);
    return plan;
  }
  const deployment = parseDeployment(state.tags[tagKeys(options.alias).deployment]);
  if (state.weighted) {
    const { version, weight, digest } = state.weighted;
    if (digest === options.digest && !change && !architecturesChange) {
      plan.action = 'resume';
      plan.resumeVersion = version;
      plan.steps = trafficSteps(options, weight);
      plan.notes.push(
        `Version ${version} of this image already takes ${pct(weight)} of ${options.alias} (a run that stopped${deployment?.by ? `: ${deployment.by}` : ''}): the canary resumes from there.`
      );
      return plan;
    }
    plan.staleCanary = { version, weight };
    plan.notes.push(
      `Version ${version} (another image) was left taking ${pct(weight)} of ${options.alias}: the alias goes back to version ${state.primary.version} alone before this deployment.`
    );
    return plan;
  }
  if (state.primary.digest === options.digest && !change && !architecturesChange) {
    const unfinished = unfinishedVersion(state, options.alias);
    if (unfinished) {
      // An all-at-once run that stopped while it baked: the alias is on the new version alone, but
      // it never went live. It bakes again, with the version live before kept to roll back to.
      plan.action = 'resume';
      plan.resumeVersion = state.primary.version;
      plan.previousVersion = unfinished.from;
      plan.steps = [{ weight: 1, bakeSeconds: options.bakeSeconds }];
      plan.notes.push(
        `Version ${state.primary.version} of this image serves ${options.alias} alone but never finished its bake${deployment?.by ? ` (${deployment.by})` : ''}: it bakes again, with version ${unfinished.from} to roll back to.`
      );
      return plan;
    }
    plan.action = 'unchanged';
    plan.steps = [];
    plan.notes.push(`Version ${state.primary.version} on ${options.alias} already runs this image.`);
  }
  return plan;
}

/**
 * The alias's version when a deployment moved the alias onto it and stopped before recording it live:
 * newer than the newest `live` version (versions only grow; an older one was put back by hand or by
 * rollback, which records it) and never rolled back from.
 */
function unfinishedVersion(state: FunctionState, alias: string): { from: string } | undefined {
  const keys = tagKeys(alias);
  const [newest] = parseVersions(state.tags[keys.live]);
  const version = state.primary?.version;
  if (!newest || !version || !/^\d+$/.test(version) || Number(version) <= Number(newest)) return undefined;
  if (parseVersions(state.tags[keys.rolledBack]).includes(version)) return undefined;
  return { from: newest };
}

export const pct = (weight: number) => `${round(weight * 100)}%`;

/** One line of the steps: `10% (bake 5m) → 100%`. */
export function stepsText(steps: TrafficStep[], duration: (s: number) => string): string {
  return steps
    .map((s) => `${pct(s.weight)}${s.bakeSeconds ? ` (bake ${duration(s.bakeSeconds)})` : ''}`)
    .join(' → ');
}

/** The plan as it may be printed: environment values are not shown (they may be secrets). */
export function redactedPlan(plan: LambdaPlan): LambdaPlan {
  const env = plan.configChange?.Environment?.Variables;
  if (!env) return plan;
  const hidden = Object.fromEntries(Object.keys(env).map((k) => [k, '***']));
  return { ...plan, configChange: { ...plan.configChange, Environment: { Variables: hidden } } };
}
