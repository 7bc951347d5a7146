/**
 * SageMaker hosting in the emulator: models, endpoint configs, endpoints and tags, with SageMaker's
 * validation and error codes (ValidationException, ResourceNotFound, ResourceLimitExceeded), and the
 * endpoint state machine of the spec (shared/specs/sagemaker.md):
 *
 *   CreateEndpoint   Creating -> InService (or Failed)
 *   UpdateEndpoint   Updating, with a PendingDeploymentSummary naming the new config while the new
 *                    fleet is created, traffic shifts to it in steps (canary, linear or all at once;
 *                    CurrentWeight moves toward DesiredWeight), each step bakes, and the old fleet
 *                    waits TerminationWaitInSeconds; then InService on the new config. An alarm of the
 *                    AutoRollbackConfiguration in ALARM at any moment of a bake rolls the update back:
 *                    InService on the OLD config with a FailureReason naming the alarm.
 *   UpdateEndpointWeightsAndCapacities   Updating -> InService with the new weights.
 *   DeleteEndpoint   Deleting -> gone.
 *
 * Lazy: an operation is stored as a timeline (its start and the offsets of its phases) and the state
 * is computed from the clock when a request arrives, so no timer runs and a state file carries an
 * update across separate CLI runs. The outcome is a pure function of the timeline, the alarms' state
 * history and the time, so it does not depend on when (or whether) anybody polled. Every duration is
 * `DURATIONS` (seconds) through `emulator.scaled()`.
 *
 * Faults (POST /_emulator/faults), each taken by the next CreateEndpoint or UpdateEndpoint:
 *   "sagemaker.nextUpdate": "Failed"                the operation ends with the endpoint Failed;
 *   "sagemaker.nextUpdate": "UpdateRollbackFailed"  the update fails when traffic starts to move and
 *                                                   its rollback fails too;
 *   "sagemaker.failHealthCheck": true               the new fleet fails its ping health check: a new
 *                                                   endpoint ends Failed, an update rolls back.
 * And a limit: "sagemaker.instanceLimit": N instances of one type for the account (default 50).
 */
import type { Emulator, RequestInfo, ServiceDefinition } from '../server.js';
import { AwsError, validation } from '../protocol.js';
import { ACCOUNT_ID } from './sts.js';
import { firstAlarm } from './cloudwatch/index.js';

/** Service-side durations, in seconds before the time scale. */
export const DURATIONS = {
  /** A new endpoint or a new fleet, until its instances pass the health check. */
  provision: 240,
  /** Each shift of traffic to the new fleet. */
  activate: 10,
  /** Sending all traffic back to the old fleet and removing the new one. */
  rollback: 60,
  /** UpdateEndpointWeightsAndCapacities. */
  weights: 30,
  delete: 30
};
const DEFAULT_INSTANCE_LIMIT = 50;

const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const NAME_PATTERN = '^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}';
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const INSTANCE_TYPE = /^ml\.[a-z0-9]+\.[a-z0-9]+$/;
const TAG_KEY = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u;
const SERVERLESS_MEMORY = [1024, 2048, 3072, 4096, 5120, 6144];

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Fault = 'Failed' | 'UpdateRollbackFailed' | 'HealthCheck';

type PhaseName = 'Creating' | 'ActivatingTraffic' | 'Baking' | 'TerminationWait' | 'Updating' | 'Deleting';

interface Phase {
  name: PhaseName;
  /** Offsets from the start of the operation, in ms (already scaled). */
  from: number;
  to: number;
  /** Share of the new fleet's desired traffic it has during this phase, 0..1. */
  share: number;
  message: string;
}

interface Operation {
  kind: 'create' | 'update' | 'weights' | 'delete';
  started: number;
  phases: Phase[];
  target?: string;
  previous?: string;
  alarms: string[];
  fault?: Fault;
  /** Scaled length of a rollback, fixed when the operation starts. */
  rollbackMs: number;
  desired?: Array<{ VariantName: string; DesiredWeight?: number; DesiredInstanceCount?: number }>;
}

interface Endpoint {
  name: string;
  arn: string;
  created: number;
  modified: number;
  status: string;
  config: string;
  failureReason?: string;
  /** The runtime variants (ProductionVariantSummary) of the live config. */
  variants: Json[];
  deploymentConfig?: Json;
  op?: Operation;
}

interface HostingState {
  models: Record<string, Json>;
  configs: Record<string, Json>;
  endpoints: Record<string, Endpoint>;
  tags: Record<string, Record<string, string>>;
}

/** Where an operation is at a moment: still running (in a phase or rolling back) or done. */
type Progress =
  | { state: 'running'; phase: Phase }
  | { state: 'rolling-back'; since: number; reason: string }
  | { state: 'done'; at: number; status: string; config: string; reason?: string };

const patternError = (value: unknown, field: string, pattern: string) =>
  validation(
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ${pattern}`
  );

/** Sorts names by code point, as SageMaker's listings do. */
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function checkName(name: unknown, field: string): string {
  if (typeof name !== 'string' || !NAME.test(name)) throw patternError(name, field, NAME_PATTERN);
  return name;
}

function page<T>(items: T[], maxResults: unknown, nextToken: unknown, fallback = 10) {
  const max = maxResults === undefined ? fallback : Number(maxResults);
  if (!Number.isInteger(max) || max < 1 || max > 100) {
    throw validation(
      `1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100`
    );
  }
  const from = nextToken === undefined || nextToken === '' ? 0 : Number(nextToken);
  if (!Number.isInteger(from) || from < 0 || from > items.length)
    throw validation('Invalid pagination token.');
  return {
    items: items.slice(from, from + max),
    next: from + max < items.length ? String(from + max) : undefined
  };
}

/** The share of a fleet that a CapacitySize turns on: whole instances (at least one) unless serverless. */
export function capacityShare(size: Json | undefined, variant: Json): number {
  if (!size) return 1;
  if (variant.ServerlessConfig) return Math.min(1, size.Value / 100);
  const instances = Math.max(1, variant.InitialInstanceCount ?? 1);
  const count =
    size.Type === 'INSTANCE_COUNT'
      ? size.Value
      : Math.max(1, Math.ceil((size.Value / 100) * instances - 1e-9));
  return Math.min(1, count / instances);
}

export function sagemaker(emulator: Emulator): ServiceDefinition {
  const state = () =>
    emulator.stateOf<HostingState>('sagemaker', () => ({ models: {}, configs: {}, endpoints: {}, tags: {} }));
  const scaled = (seconds: number) => emulator.scaled(seconds);
  const arnOf = (request: RequestInfo, kind: string, name: string) =>
    `arn:aws:sagemaker:${request.region ?? 'us-east-1'}:${ACCOUNT_ID}:${kind}/${name.toLowerCase()}`;

  function takeFault(): Fault | undefined {
    const faults = emulator.faults;
    let fault: Fault | undefined;
    if (
      faults['sagemaker.nextUpdate'] === 'Failed' ||
      faults['sagemaker.nextUpdate'] === 'UpdateRollbackFailed'
    )
      fault = faults['sagemaker.nextUpdate'] as Fault;
    else if (faults['sagemaker.failHealthCheck']) fault = 'HealthCheck';
    delete faults['sagemaker.nextUpdate'];
    delete faults['sagemaker.failHealthCheck'];
    return fault;
  }

  /** The runtime variants of a config, as DescribeEndpoint shows them once it is live. */
  function runtimeVariants(configName: string, at: number): Json[] {
    const config = state().configs[configName];
    return (config?.ProductionVariants ?? []).map((v: Json) => {
      const image = state().models[v.ModelName]?.PrimaryContainer?.Image;
      return {
        VariantName: v.VariantName,
        DeployedImages: image ? [{ SpecifiedImage: image, ResolvedImage: image, ResolutionTime: at }] : [],
        CurrentWeight: v.InitialVariantWeight ?? 1,
        DesiredWeight: v.InitialVariantWeight ?? 1,
        ...(v.ServerlessConfig
          ? { CurrentServerlessConfig: v.ServerlessConfig, DesiredServerlessConfig: v.ServerlessConfig }
          : { CurrentInstanceCount: v.InitialInstanceCount, DesiredInstanceCount: v.InitialInstanceCount })
      };
    });
  }

  function timeline(): {
    phases: Phase[];
    push: (ms: number, name: PhaseName, share: number, m: string) => void;
  } {
    const phases: Phase[] = [];
    let t = 0;
    return {
      phases,
      push(ms, name, share, message) {
        phases.push({ name, from: t, to: t + ms, share, message });
        t += ms;
      }
    };
  }

  /** The phases of a blue/green update: new fleet, traffic steps each followed by a bake, termination wait. */
  function blueGreenPhases(target: Json, deployment: Json | undefined): Phase[] {
    const policy = deployment?.BlueGreenUpdatePolicy;
    const routing = policy?.TrafficRoutingConfiguration ?? { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 0 };
    const variant = target.ProductionVariants[0];
    const shares: number[] = [];
    if (routing.Type === 'CANARY') shares.push(capacityShare(routing.CanarySize, variant), 1);
    else if (routing.Type === 'LINEAR') {
      const step = capacityShare(routing.LinearStepSize, variant);
      for (let s = step; s < 1 - 1e-9; s += step) shares.push(Math.round(s * 1e6) / 1e6);
      shares.push(1);
    } else shares.push(1);
    const { phases, push } = timeline();
    push(scaled(DURATIONS.provision), 'Creating', 0, 'Creating the new fleet');
    const bake = scaled(routing.WaitIntervalInSeconds ?? 0);
    for (const share of shares) {
      const percent = Math.round(share * 1000) / 10;
      push(
        scaled(DURATIONS.activate),
        'ActivatingTraffic',
        share,
        `Shifting ${percent}% of traffic to the new fleet`
      );
      if (bake) push(bake, 'Baking', share, `Baking with ${percent}% of traffic on the new fleet`);
    }
    const termination = scaled(policy?.TerminationWaitInSeconds ?? 0);
    if (termination) push(termination, 'TerminationWait', 1, 'Waiting before the old fleet is terminated');
    return phases;
  }

  /** Where `op` is at `now`: a pure function of the timeline, the alarms' history and the clock. */
  function progress(endpoint: Endpoint, op: Operation, now: number): Progress {
    const at = (offset: number) => op.started + offset;
    const end = at(op.phases[op.phases.length - 1].to);
    if (op.kind === 'weights' || op.kind === 'delete') {
      return now >= end
        ? {
            state: 'done',
            at: end,
            status: op.kind === 'delete' ? 'Deleted' : 'InService',
            config: endpoint.config
          }
        : { state: 'running', phase: op.phases[0] };
    }
    const provisioned = at(op.phases[0].to);
    const healthReason = `The primary container for production variant ${
      state().configs[op.target!]?.ProductionVariants?.[0]?.VariantName ?? 'AllTraffic'
    } did not pass the ping health check. Please check CloudWatch logs for this endpoint.`;

    if (op.kind === 'create') {
      if (now < provisioned) return { state: 'running', phase: op.phases[0] };
      if (op.fault === 'HealthCheck')
        return { state: 'done', at: provisioned, status: 'Failed', config: op.target!, reason: healthReason };
      if (op.fault)
        return {
          state: 'done',
          at: provisioned,
          status: 'Failed',
          config: op.target!,
          reason: 'Request to service failed. If failure persists after retry, contact customer support.'
        };
      return { state: 'done', at: provisioned, status: 'InService', config: op.target! };
    }

    // An update: find the first moment it went wrong, if it did.
    let trip: { at: number; reason: string; rollbackFails: boolean } | undefined;
    if (op.fault === 'Failed' && now >= provisioned) {
      return {
        state: 'done',
        at: provisioned,
        status: 'Failed',
        config: endpoint.config,
        reason: 'Request to service failed. If failure persists after retry, contact customer support.'
      };
    }
    if (op.fault === 'HealthCheck')
      trip = { at: provisioned, reason: `The new fleet failed: ${healthReason}`, rollbackFails: false };
    if (op.fault === 'UpdateRollbackFailed') {
      const shift = op.phases.find((p) => p.name === 'ActivatingTraffic') ?? op.phases[0];
      trip = {
        at: at(shift.from),
        reason: 'An error occurred while shifting traffic to the new fleet.',
        rollbackFails: true
      };
    }
    for (const phase of op.phases) {
      if (phase.name !== 'Baking' || !op.alarms.length) continue;
      const from = at(phase.from);
      if (from > now || (trip && trip.at <= from)) break;
      const fired = firstAlarm(emulator, op.alarms, from, Math.min(at(phase.to), now + 1));
      if (fired && (!trip || fired.at < trip.at)) {
        const percent = Math.round(phase.share * 1000) / 10;
        trip = {
          at: fired.at,
          reason: `Alarm ${fired.name} went into ALARM while baking with ${percent}% of traffic on the new fleet, so SageMaker rolled the update back.`,
          rollbackFails: op.fault === 'UpdateRollbackFailed'
        };
        break;
      }
    }
    if (trip && trip.at <= now) {
      const rolledBack = trip.at + op.rollbackMs;
      if (now < rolledBack) return { state: 'rolling-back', since: trip.at, reason: trip.reason };
      if (trip.rollbackFails) {
        return {
          state: 'done',
          at: rolledBack,
          status: 'UpdateRollbackFailed',
          config: endpoint.config,
          reason: `${trip.reason} The rollback failed too: the endpoint may serve both the old and the new fleet.`
        };
      }
      return {
        state: 'done',
        at: rolledBack,
        status: 'InService',
        config: op.previous!,
        reason: trip.reason
      };
    }
    if (now >= end) return { state: 'done', at: end, status: 'InService', config: op.target! };
    const phase = op.phases.find((p) => now < at(p.to)) ?? op.phases[op.phases.length - 1];
    return { state: 'running', phase };
  }

  /** Brings an endpoint's stored state up to now: a finished operation becomes its outcome. */
  function advance(endpoint: Endpoint): void {
    const op = endpoint.op;
    if (!op) return;
    const p = progress(endpoint, op, emulator.now());
    if (p.state !== 'done') return;
    endpoint.op = undefined;
    endpoint.modified = p.at;
    if (op.kind === 'delete') {
      delete state().tags[endpoint.arn];
      delete state().endpoints[endpoint.name];
      return;
    }
    endpoint.status = p.status;
    endpoint.failureReason = p.reason;
    if (op.kind === 'weights') {
      for (const d of op.desired ?? []) {
        const v = endpoint.variants.find((x) => x.VariantName === d.VariantName);
        if (!v) continue;
        if (d.DesiredWeight !== undefined) v.CurrentWeight = v.DesiredWeight = d.DesiredWeight;
        if (d.DesiredInstanceCount !== undefined)
          v.CurrentInstanceCount = v.DesiredInstanceCount = d.DesiredInstanceCount;
      }
      return;
    }
    if (p.status === 'InService' && p.config === op.target) {
      endpoint.config = p.config;
      endpoint.variants = runtimeVariants(p.config, p.at);
    }
  }

  function view(endpoint: Endpoint): Json {
    const op = endpoint.op;
    const date = (ms: number) => new Date(ms);
    const out: Json = {
      EndpointName: endpoint.name,
      EndpointArn: endpoint.arn,
      EndpointConfigName: endpoint.config,
      EndpointStatus: endpoint.status,
      FailureReason: endpoint.failureReason,
      CreationTime: date(endpoint.created),
      LastModifiedTime: date(endpoint.modified),
      ProductionVariants: endpoint.variants.map((v) => ({
        ...v,
        DeployedImages: (v.DeployedImages ?? []).map((i: Json) => ({
          ...i,
          ResolutionTime: date(i.ResolutionTime)
        }))
      })),
      ...(endpoint.deploymentConfig ? { LastDeploymentConfig: endpoint.deploymentConfig } : {})
    };
    if (!out.ProductionVariants.length) delete out.ProductionVariants;
    if (!op) return out;
    const p = progress(endpoint, op, emulator.now());
    if (op.kind === 'weights') {
      out.ProductionVariants = out.ProductionVariants?.map((v: Json) => {
        const d = op.desired?.find((x) => x.VariantName === v.VariantName);
        return {
          ...v,
          DesiredWeight: d?.DesiredWeight ?? v.DesiredWeight,
          ...(v.CurrentInstanceCount !== undefined
            ? { DesiredInstanceCount: d?.DesiredInstanceCount ?? v.DesiredInstanceCount }
            : {})
        };
      });
      return out;
    }
    if (op.kind !== 'update') return out;
    const target = state().configs[op.target!];
    const status =
      p.state === 'rolling-back'
        ? { Status: 'Deleting', StatusMessage: `Rolling back: ${p.reason}`, StartTime: date(p.since) }
        : p.state === 'running'
          ? {
              Status: p.phase.name === 'TerminationWait' ? 'Deleting' : p.phase.name,
              StatusMessage: p.phase.message,
              StartTime: date(op.started + p.phase.from)
            }
          : undefined;
    const share = p.state === 'running' ? p.phase.share : 0;
    out.PendingDeploymentSummary = {
      EndpointConfigName: op.target,
      StartTime: date(op.started),
      ProductionVariants: (target?.ProductionVariants ?? []).map((v: Json) => {
        const image = state().models[v.ModelName]?.PrimaryContainer?.Image;
        const weight = v.InitialVariantWeight ?? 1;
        return {
          VariantName: v.VariantName,
          DeployedImages: image ? [{ SpecifiedImage: image, ResolvedImage: image }] : [],
          CurrentWeight: Math.round(share * weight * 1000) / 1000,
          DesiredWeight: weight,
          ...(v.ServerlessConfig
            ? { DesiredServerlessConfig: v.ServerlessConfig }
            : {
                CurrentInstanceCount:
                  p.state === 'running' && p.phase.name !== 'Creating' ? v.InitialInstanceCount : 0,
                DesiredInstanceCount: v.InitialInstanceCount,
                InstanceType: v.InstanceType
              }),
          VariantStatus: status ? [status] : []
        };
      })
    };
    return out;
  }

  function endpointOf(request: RequestInfo, name: unknown): Endpoint {
    const endpoint = typeof name === 'string' ? state().endpoints[name] : undefined;
    if (endpoint) advance(endpoint);
    const live = typeof name === 'string' ? state().endpoints[name] : undefined;
    if (!live) throw validation(`Could not find endpoint "${arnOf(request, 'endpoint', String(name))}".`);
    return live;
  }

  function configOf(request: RequestInfo, name: unknown): Json {
    const config = typeof name === 'string' ? state().configs[name] : undefined;
    if (!config)
      throw validation(
        `Could not find endpoint configuration "${arnOf(request, 'endpoint-config', String(name))}".`
      );
    return config;
  }

  function resourceOf(resourceArn: unknown): boolean {
    const s = state();
    return (
      typeof resourceArn === 'string' &&
      (Object.values(s.models).some((m) => m.ModelArn === resourceArn) ||
        Object.values(s.configs).some((c) => c.EndpointConfigArn === resourceArn) ||
        Object.values(s.endpoints).some((e) => e.arn === resourceArn))
    );
  }

  function checkTags(tags: unknown): Array<{ Key: string; Value: string }> {
    if (tags === undefined) return [];
    if (!Array.isArray(tags) || tags.length > 50)
      throw validation(
        "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"
      );
    for (const t of tags) {
      if (typeof t?.Key !== 'string' || !t.Key.length || t.Key.length > 128 || !TAG_KEY.test(t.Key))
        throw patternError(t?.Key, 'tags.member.key', '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$');
      if (t.Key.toLowerCase().startsWith('aws:'))
        throw validation(`Tag keys starting with "aws:" are reserved: ${t.Key}.`);
      if (typeof t.Value !== 'string' || t.Value.length > 256 || !TAG_KEY.test(t.Value))
        throw patternError(t?.Value, 'tags.member.value', '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$');
    }
    return tags;
  }

  function setTags(resourceArn: string, tags: Array<{ Key: string; Value: string }>): void {
    const current = { ...(state().tags[resourceArn] ?? {}) };
    for (const t of tags) current[t.Key] = t.Value;
    if (Object.keys(current).length > 50)
      throw validation(`The resource ${resourceArn} cannot have more than 50 tags.`);
    state().tags[resourceArn] = current;
  }

  /** Instances of `type` the account runs: live fleets, new fleets being deployed. */
  function instancesInUse(type: string): number {
    let count = 0;
    const add = (configName: string | undefined) => {
      for (const v of state().configs[configName ?? '']?.ProductionVariants ?? [])
        if (v.InstanceType === type) count += v.InitialInstanceCount ?? 0;
    };
    for (const e of Object.values(state().endpoints)) {
      if (e.status === 'Failed') continue;
      add(e.config);
      if (e.op?.kind === 'update') add(e.op.target);
    }
    return count;
  }

  function checkCapacity(config: Json): void {
    const limit = Number(emulator.faults['sagemaker.instanceLimit'] ?? DEFAULT_INSTANCE_LIMIT);
    const wanted = new Map<string, number>();
    for (const v of config.ProductionVariants)
      if (v.InstanceType)
        wanted.set(v.InstanceType, (wanted.get(v.InstanceType) ?? 0) + v.InitialInstanceCount);
    for (const [type, delta] of wanted) {
      const used = instancesInUse(type);
      if (used + delta > limit) {
        throw new AwsError(
          'ResourceLimitExceeded',
          `The account-level service limit '${type} for endpoint usage' is ${limit} Instances, with current utilization of ${used} Instances and a request delta of ${delta} Instances. Please use AWS Service Quotas to request an increase for this quota.`
        );
      }
    }
  }

  function validateDeploymentConfig(dc: Json | undefined, current: Json | undefined, target: Json): void {
    if (!dc) return;
    const policy = dc.BlueGreenUpdatePolicy;
    const rolling = dc.RollingUpdatePolicy;
    if (policy && rolling)
      throw validation('Only one of BlueGreenUpdatePolicy and RollingUpdatePolicy can be given.');
    const variants: Json[] = target.ProductionVariants;
    if (rolling) {
      if (variants.length > 1 || variants.some((v) => v.ServerlessConfig))
        throw validation(
          'RollingUpdatePolicy is not supported for endpoints with multiple variants or serverless variants.'
        );
      const batch = rolling.MaximumBatchSize;
      if (!batch || !(batch.Value >= 1))
        throw validation('RollingUpdatePolicy.MaximumBatchSize is required.');
    }
    if (policy) {
      const routing = policy.TrafficRoutingConfiguration;
      if (!routing || !['ALL_AT_ONCE', 'CANARY', 'LINEAR'].includes(routing.Type))
        throw validation(
          `1 validation error detected: Value '${routing?.Type}' at 'deploymentConfig.blueGreenUpdatePolicy.trafficRoutingConfiguration.type' failed to satisfy constraint: Member must satisfy enum value set: [ALL_AT_ONCE, CANARY, LINEAR]`
        );
      const wait = routing.WaitIntervalInSeconds;
      if (!(wait >= 0 && wait <= 3600)) throw validation('WaitIntervalInSeconds must be between 0 and 3600.');
      const termination = policy.TerminationWaitInSeconds ?? 0;
      if (!(termination >= 0 && termination <= 3600))
        throw validation('TerminationWaitInSeconds must be between 0 and 3600.');
      const variant = variants[0];
      let steps = 1;
      if (routing.Type === 'CANARY') {
        const size = routing.CanarySize;
        if (!size || !(size.Value >= 1))
          throw validation('CanarySize is required for CANARY traffic routing.');
        if (capacityShare(size, variant) > 0.5)
          throw validation(
            "CanarySize must be less than or equal to 50% of the variant's total instance count."
          );
        steps = 2;
      }
      if (routing.Type === 'LINEAR') {
        const size = routing.LinearStepSize;
        if (!size || !(size.Value >= 1))
          throw validation('LinearStepSize is required for LINEAR traffic routing.');
        const share = capacityShare(size, variant);
        if (share < 0.1 - 1e-9 || share > 0.5 + 1e-9)
          throw validation("LinearStepSize must be 10-50% of the variant's total instance count.");
        steps = Math.ceil(1 / share - 1e-9);
      }
      const timeout = policy.MaximumExecutionTimeoutInSeconds;
      if (timeout !== undefined) {
        if (!(timeout >= 600 && timeout <= 28800))
          throw validation('MaximumExecutionTimeoutInSeconds must be between 600 and 28800.');
        if (timeout <= steps * wait + termination)
          throw validation(
            'MaximumExecutionTimeoutInSeconds must be larger than the total waiting time of WaitIntervalInSeconds and TerminationWaitInSeconds.'
          );
      }
    }
    if (current && (policy || rolling)) {
      const names = (c: Json) =>
        c.ProductionVariants.map((v: Json) => v.VariantName)
          .sort()
          .join(',');
      if (names(current) !== names(target))
        throw validation(
          'Deployment guardrails require the new endpoint configuration to have the same production variant names as the current one.'
        );
    }
    const alarms = dc.AutoRollbackConfiguration?.Alarms;
    if (alarms !== undefined && (!Array.isArray(alarms) || alarms.length < 1 || alarms.length > 10))
      throw validation('AutoRollbackConfiguration.Alarms must have between 1 and 10 alarms.');
  }

  function validateVariants(request: RequestInfo, variants: Json[]): void {
    if (!Array.isArray(variants) || variants.length < 1 || variants.length > 10)
      throw validation('ProductionVariants must have between 1 and 10 variants.');
    const names = new Set<string>();
    for (const v of variants) {
      checkName(v.VariantName, 'productionVariants.member.variantName');
      if (names.has(v.VariantName))
        throw validation(`The variant name ${v.VariantName} is used more than once.`);
      names.add(v.VariantName);
      if (!state().models[v.ModelName])
        throw validation(`Could not find model "${arnOf(request, 'model', String(v.ModelName))}".`);
      if (v.ServerlessConfig) {
        const { MemorySizeInMB: memory, MaxConcurrency: concurrency } = v.ServerlessConfig;
        if (!SERVERLESS_MEMORY.includes(memory))
          throw validation(
            `Value '${memory}' at 'memorySizeInMB' failed to satisfy constraint: Member must be one of ${SERVERLESS_MEMORY.join(', ')}`
          );
        if (!(concurrency >= 1 && concurrency <= 200))
          throw validation(
            `Value '${concurrency}' at 'maxConcurrency' failed to satisfy constraint: Member must have value between 1 and 200`
          );
        if (v.InstanceType || v.InitialInstanceCount)
          throw validation('A serverless variant cannot have an InstanceType or InitialInstanceCount.');
      } else {
        if (!INSTANCE_TYPE.test(v.InstanceType ?? ''))
          throw validation(
            `1 validation error detected: Value '${v.InstanceType}' at 'productionVariants.1.member.instanceType' failed to satisfy constraint: Member must satisfy enum value set`
          );
        if (!(Number.isInteger(v.InitialInstanceCount) && v.InitialInstanceCount >= 1))
          throw validation(
            `1 validation error detected: Value '${v.InitialInstanceCount}' at 'productionVariants.1.member.initialInstanceCount' failed to satisfy constraint: Member must have value greater than or equal to 1`
          );
      }
      if ((v.InitialVariantWeight ?? 1) < 0)
        throw validation('InitialVariantWeight must be greater than or equal to 0.');
    }
    if (variants.some((v) => v.ServerlessConfig) && variants.length > 1)
      throw validation(
        'An endpoint configuration with a serverless variant can have only one production variant.'
      );
  }

  function startOperation(endpoint: Endpoint, op: Omit<Operation, 'started' | 'rollbackMs'>): void {
    const now = emulator.now();
    endpoint.op = { ...op, started: now, rollbackMs: scaled(DURATIONS.rollback) };
    endpoint.modified = now;
  }

  /** A List* call's filters, order and page over resources with a name and a CreationTime. */
  function listing(all: Json[], r: Json, nameOf: (item: Json) => string) {
    const sortBy = r.SortBy ?? 'CreationTime';
    const order = r.SortOrder ?? 'Descending';
    if (!['Name', 'CreationTime'].includes(sortBy))
      throw validation(
        `Value '${sortBy}' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: [CreationTime, Name]`
      );
    if (!['Ascending', 'Descending'].includes(order))
      throw validation(
        `Value '${order}' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [Ascending, Descending]`
      );
    const items = all
      .filter(
        (c) => !r.NameContains || nameOf(c).toLowerCase().includes(String(r.NameContains).toLowerCase())
      )
      .filter((c) => r.CreationTimeBefore === undefined || c.CreationTime < r.CreationTimeBefore * 1000)
      .filter((c) => r.CreationTimeAfter === undefined || c.CreationTime > r.CreationTimeAfter * 1000)
      .sort((a, b) =>
        sortBy === 'Name'
          ? byName(nameOf(a), nameOf(b))
          : a.CreationTime - b.CreationTime || byName(nameOf(a), nameOf(b))
      );
    if (order === 'Descending') items.reverse();
    return page(items, r.MaxResults, r.NextToken);
  }

  return {
    name: 'sagemaker',
    signingName: 'sagemaker',
    protocol: 'json1.1',
    targetPrefix: 'SageMaker',
    advance: () => Object.values(state().endpoints).forEach(advance),
    operations: {
      CreateModel: (r, request) => {
        const name = checkName(r.ModelName, 'modelName');
        if (state().models[name])
          throw validation(`Cannot create already existing model "${arnOf(request, 'model', name)}".`);
        if (!ROLE_ARN.test(r.ExecutionRoleArn ?? ''))
          throw patternError(
            r.ExecutionRoleArn,
            'executionRoleArn',
            '^arn:aws[a-z\\-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+$'
          );
        const container = r.PrimaryContainer ?? r.Containers?.[0];
        if (!container?.Image) throw validation('A primary container with an Image is required.');
        if (
          container.ModelDataUrl !== undefined &&
          !/^(https|s3):\/\/([^/]+)\/?(.*)$/.test(container.ModelDataUrl)
        )
          throw patternError(
            container.ModelDataUrl,
            'primaryContainer.modelDataUrl',
            '^(https|s3)://([^/]+)/?(.*)$'
          );
        const env = container.Environment ?? {};
        if (Object.keys(env).length > 100) throw validation('Environment can have at most 100 entries.');
        const tags = checkTags(r.Tags);
        const ModelArn = arnOf(request, 'model', name);
        state().models[name] = {
          ModelName: name,
          ModelArn,
          ExecutionRoleArn: r.ExecutionRoleArn,
          PrimaryContainer: container,
          CreationTime: emulator.now()
        };
        setTags(ModelArn, tags);
        return { ModelArn };
      },
      DescribeModel: ({ ModelName }, request) => {
        const model = state().models[ModelName];
        if (!model) throw validation(`Could not find model "${arnOf(request, 'model', String(ModelName))}".`);
        return { ...model, CreationTime: new Date(model.CreationTime) };
      },
      DeleteModel: ({ ModelName }, request) => {
        const model = state().models[ModelName];
        if (!model) throw validation(`Could not find model "${arnOf(request, 'model', String(ModelName))}".`);
        delete state().tags[model.ModelArn];
        delete state().models[ModelName];
        return {};
      },
      CreateEndpointConfig: (r, request) => {
        const name = checkName(r.EndpointConfigName, 'endpointConfigName');
        if (state().configs[name])
          throw validation(
            `Cannot create already existing endpoint configuration "${arnOf(request, 'endpoint-config', name)}".`
          );
        const variants: Json[] = r.ProductionVariants;
        validateVariants(request, variants);
        const capture = r.DataCaptureConfig;
        if (capture) {
          if (variants.some((v) => v.ServerlessConfig))
            throw validation('DataCaptureConfig is not supported for serverless endpoints.');
          const pct = capture.InitialSamplingPercentage;
          if (!(Number.isInteger(pct) && pct >= 0 && pct <= 100))
            throw validation('InitialSamplingPercentage must be between 0 and 100.');
          if (!/^(https|s3):\/\//.test(capture.DestinationS3Uri ?? ''))
            throw patternError(
              capture.DestinationS3Uri,
              'dataCaptureConfig.destinationS3Uri',
              '^(https|s3)://([^/])/?(.*)$'
            );
          if (
            !Array.isArray(capture.CaptureOptions) ||
            capture.CaptureOptions.length < 1 ||
            capture.CaptureOptions.length > 2
          )
            throw validation('CaptureOptions must have 1 or 2 members.');
        }
        const tags = checkTags(r.Tags);
        const EndpointConfigArn = arnOf(request, 'endpoint-config', name);
        state().configs[name] = {
          EndpointConfigName: name,
          EndpointConfigArn,
          ProductionVariants: variants.map((v) => ({ InitialVariantWeight: 1, ...v })),
          ...(capture ? { DataCaptureConfig: capture } : {}),
          CreationTime: emulator.now()
        };
        setTags(EndpointConfigArn, tags);
        return { EndpointConfigArn };
      },
      DescribeEndpointConfig: ({ EndpointConfigName }, request) => {
        const config = configOf(request, EndpointConfigName);
        return { ...config, CreationTime: new Date(config.CreationTime) };
      },
      DeleteEndpointConfig: ({ EndpointConfigName }, request) => {
        const config = configOf(request, EndpointConfigName);
        delete state().tags[config.EndpointConfigArn];
        delete state().configs[EndpointConfigName];
        return {};
      },
      ListEndpointConfigs: (r) => {
        const { items, next } = listing(Object.values(state().configs), r, (c) => c.EndpointConfigName);
        return {
          EndpointConfigs: items.map((c) => ({
            EndpointConfigName: c.EndpointConfigName,
            EndpointConfigArn: c.EndpointConfigArn,
            CreationTime: new Date(c.CreationTime)
          })),
          ...(next ? { NextToken: next } : {})
        };
      },
      ListModels: (r) => {
        const { items, next } = listing(Object.values(state().models), r, (m) => m.ModelName);
        return {
          Models: items.map((m) => ({
            ModelName: m.ModelName,
            ModelArn: m.ModelArn,
            CreationTime: new Date(m.CreationTime)
          })),
          ...(next ? { NextToken: next } : {})
        };
      },
      CreateEndpoint: (r, request) => {
        const name = checkName(r.EndpointName, 'endpointName');
        if (state().endpoints[name])
          throw validation(`Cannot create already existing endpoint "${arnOf(request, 'endpoint', name)}".`);
        const config = configOf(request, r.EndpointConfigName);
        validateDeploymentConfig(r.DeploymentConfig, undefined, config);
        checkCapacity(config);
        const tags = checkTags(r.Tags);
        const now = emulator.now();
        const endpoint: Endpoint = {
          name,
          arn: arnOf(request, 'endpoint', name),
          created: now,
          modified: now,
          status: 'Creating',
          config: config.EndpointConfigName,
          variants: [],
          // Stored for later updates: a first deployment is always all at once.
          deploymentConfig: r.DeploymentConfig
        };
        const { phases, push } = timeline();
        push(scaled(DURATIONS.provision), 'Creating', 1, 'Creating the endpoint');
        startOperation(endpoint, {
          kind: 'create',
          phases,
          target: config.EndpointConfigName,
          alarms: [],
          fault: takeFault()
        });
        state().endpoints[name] = endpoint;
        setTags(endpoint.arn, tags);
        return { EndpointArn: endpoint.arn };
      },
      DescribeEndpoint: ({ EndpointName }, request) => view(endpointOf(request, EndpointName)),
      UpdateEndpoint: (r, request) => {
        const endpoint = endpointOf(request, r.EndpointName);
        const target = configOf(request, r.EndpointConfigName);
        if (endpoint.status === 'Failed')
          throw validation(
            `Cannot update endpoint "${endpoint.arn}" because it is in Failed status: delete it and create it again.`
          );
        // An UpdateRollbackFailed endpoint can be updated: that is how a person repairs it.
        if (endpoint.status !== 'InService' && endpoint.status !== 'UpdateRollbackFailed')
          throw validation(`Cannot update in-progress endpoint "${endpoint.arn}".`);
        if (r.RetainAllVariantProperties === undefined && r.ExcludeRetainedVariantProperties !== undefined)
          throw validation('ExcludeRetainedVariantProperties requires RetainAllVariantProperties.');
        const dc = r.DeploymentConfig ?? (r.RetainDeploymentConfig ? endpoint.deploymentConfig : undefined);
        const current = state().configs[endpoint.config];
        validateDeploymentConfig(dc, current, target);
        if (
          current?.ProductionVariants?.some((v: Json) => !v.ServerlessConfig) &&
          target.ProductionVariants.some((v: Json) => v.ServerlessConfig)
        )
          throw validation(
            'An endpoint with instance-based variants cannot be updated to a serverless endpoint configuration.'
          );
        checkCapacity(target);
        endpoint.status = 'Updating';
        endpoint.failureReason = undefined;
        if (r.DeploymentConfig) endpoint.deploymentConfig = r.DeploymentConfig;
        startOperation(endpoint, {
          kind: 'update',
          phases: blueGreenPhases(target, dc),
          target: target.EndpointConfigName,
          previous: endpoint.config,
          alarms: (dc?.AutoRollbackConfiguration?.Alarms ?? []).map((a: Json) => a.AlarmName),
          fault: takeFault()
        });
        return { EndpointArn: endpoint.arn };
      },
      UpdateEndpointWeightsAndCapacities: ({ EndpointName, DesiredWeightsAndCapacities }, request) => {
        const endpoint = endpointOf(request, EndpointName);
        if (endpoint.status !== 'InService')
          throw validation(`Cannot update in-progress endpoint "${endpoint.arn}".`);
        if (
          !Array.isArray(DesiredWeightsAndCapacities) ||
          DesiredWeightsAndCapacities.length < 1 ||
          DesiredWeightsAndCapacities.length > 10
        )
          throw validation('DesiredWeightsAndCapacities must have between 1 and 10 members.');
        for (const d of DesiredWeightsAndCapacities) {
          const variant = endpoint.variants.find((v) => v.VariantName === d.VariantName);
          if (!variant)
            throw validation(
              `The variant name(s) [${d.VariantName}] is/are not present in the endpoint "${endpoint.arn}".`
            );
          if (d.DesiredWeight === undefined && d.DesiredInstanceCount === undefined)
            throw validation(`Give DesiredWeight or DesiredInstanceCount for variant ${d.VariantName}.`);
          if (d.DesiredWeight !== undefined && !(d.DesiredWeight >= 0))
            throw validation('DesiredWeight must be greater than or equal to 0.');
          if (d.DesiredInstanceCount !== undefined) {
            if (variant.CurrentServerlessConfig)
              throw validation('DesiredInstanceCount is not supported for serverless variants.');
            if (!(Number.isInteger(d.DesiredInstanceCount) && d.DesiredInstanceCount >= 0))
              throw validation('DesiredInstanceCount must be greater than or equal to 0.');
          }
        }
        const weights = endpoint.variants.map(
          (v) =>
            DesiredWeightsAndCapacities.find((d: Json) => d.VariantName === v.VariantName)?.DesiredWeight ??
            v.DesiredWeight
        );
        if (!weights.some((w) => w > 0))
          throw validation('At least one variant must have a weight greater than 0.');
        endpoint.status = 'Updating';
        const { phases, push } = timeline();
        push(scaled(DURATIONS.weights), 'Updating', 1, 'Updating weights and capacities');
        startOperation(endpoint, {
          kind: 'weights',
          phases,
          alarms: [],
          desired: DesiredWeightsAndCapacities
        });
        return { EndpointArn: endpoint.arn };
      },
      DeleteEndpoint: ({ EndpointName }, request) => {
        const endpoint = endpointOf(request, EndpointName);
        if (endpoint.status === 'Deleting') return {};
        endpoint.status = 'Deleting';
        const { phases, push } = timeline();
        push(scaled(DURATIONS.delete), 'Deleting', 0, 'Deleting the endpoint');
        startOperation(endpoint, { kind: 'delete', phases, alarms: [] });
        return {};
      },
      ListEndpoints: (r) => {
        const sortBy = r.SortBy ?? 'CreationTime';
        const order = r.SortOrder ?? 'Descending';
        if (!['Name', 'CreationTime', 'Status'].includes(sortBy))
          throw validation(
            `Value '${sortBy}' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: [Status, CreationTime, Name]`
          );
        const endpoints = Object.values(state().endpoints)
          .filter(
            (e) => !r.NameContains || e.name.toLowerCase().includes(String(r.NameContains).toLowerCase())
          )
          .filter((e) => !r.StatusEquals || e.status === r.StatusEquals)
          .sort((a, b) =>
            sortBy === 'Name'
              ? byName(a.name, b.name)
              : sortBy === 'Status'
                ? byName(a.status, b.status)
                : a.created - b.created
          );
        if (order === 'Descending') endpoints.reverse();
        const { items, next } = page(endpoints, r.MaxResults, r.NextToken);
        return {
          Endpoints: items.map((e) => ({
            EndpointName: e.name,
            EndpointArn: e.arn,
            EndpointStatus: e.status,
            CreationTime: new Date(e.created),
            LastModifiedTime: new Date(e.modified)
          })),
          ...(next ? { NextToken: next } : {})
        };
      },
      AddTags: ({ ResourceArn, Tags }) => {
        if (!resourceOf(ResourceArn))
          throw new AwsError('ResourceNotFound', `Resource ${ResourceArn} not found.`);
        const tags = checkTags(Tags);
        if (!tags.length)
          throw validation(
            "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1"
          );
        setTags(ResourceArn, tags);
        return { Tags: tags };
      },
      ListTags: ({ ResourceArn, MaxResults, NextToken }) => {
        if (!resourceOf(ResourceArn))
          throw new AwsError('ResourceNotFound', `Resource ${ResourceArn} not found.`);
        const tags = Object.entries(state().tags[ResourceArn] ?? {}).map(([Key, Value]) => ({ Key, Value }));
        const { items, next } = page(tags, MaxResults, NextToken, 50);
        return { Tags: items, ...(next ? { NextToken: next } : {}) };
      },
      DeleteTags: ({ ResourceArn, TagKeys }) => {
        if (!resourceOf(ResourceArn))
          throw new AwsError('ResourceNotFound', `Resource ${ResourceArn} not found.`);
        if (!Array.isArray(TagKeys) || TagKeys.length < 1 || TagKeys.length > 50)
          throw validation('TagKeys must have between 1 and 50 members.');
        for (const key of TagKeys) delete state().tags[ResourceArn]?.[key];
        return {};
      }
    }
  };
}
