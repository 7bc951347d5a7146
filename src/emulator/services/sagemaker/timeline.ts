/**
 * The endpoint state machine as pure functions (shared/specs/sagemaker.md):
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
 * An operation is stored as a timeline (its start and the offsets of its phases); where it is at a
 * moment is a pure function of the timeline, the health of its new fleet (when it passed or failed
 * its ping health check), the alarms' history and the time. So the outcome does not depend on when
 * (or whether) anybody polled, and a state file carries an update across separate CLI runs. The
 * Creating phase ends when the new fleet's health is known: in simulated hosting after
 * `DURATIONS.provision`, with real containers when they pass (or fail) the health check; the phases
 * after it move with it.
 */
import type { Endpoint, Json, Operation, Phase, PhaseName } from './state.js';

/** Service-side durations, in seconds before the time scale. */
export const DURATIONS = {
  /** A new endpoint or a new fleet, until its instances pass the health check (simulated hosting). */
  provision: 240,
  /** Each shift of traffic to the new fleet. */
  activate: 10,
  /** Sending all traffic back to the old fleet and removing the new one. */
  rollback: 60,
  /** UpdateEndpointWeightsAndCapacities. */
  weights: 30,
  delete: 30
};

/** The new fleet's health check: not known yet, passed at a moment, or failed at a moment. */
export type Health =
  { state: 'pending' } | { state: 'healthy'; at: number } | { state: 'failed'; at: number; reason: string };

/** Where an operation is at a moment: still running (in a phase or rolling back) or done. */
export type Progress =
  | { state: 'running'; phase: Phase }
  | { state: 'rolling-back'; since: number; reason: string }
  | { state: 'done'; at: number; status: string; config: string; reason?: string };

export interface ProgressContext {
  health: Health;
  /** The first moment in [from, to) one of the alarms was in ALARM. */
  firstAlarm: (names: string[], from: number, to: number) => { name: string; at: number } | undefined;
}

export const INTERNAL_FAILURE =
  'Request to service failed. If failure persists after retry, contact customer support.';

export function healthCheckReason(variant: string): string {
  return `The primary container for production variant ${variant} did not pass the ping health check. Please check CloudWatch logs for this endpoint.`;
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

export function timeline(): {
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
export function blueGreenPhases(
  target: Json,
  deployment: Json | undefined,
  scaled: (seconds: number) => number
): Phase[] {
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

/**
 * The moment of an offset of `op`'s timeline: the phases after Creating start when the new fleet's
 * health became known (the simulated provisioning time until then).
 */
function clockOf(op: Operation, health: Health): (offset: number) => number {
  const creatingEnd = op.phases[0].to;
  const shift = health.state === 'pending' ? 0 : health.at - (op.started + creatingEnd);
  return (offset) => op.started + offset + (offset >= creatingEnd && op.kind !== 'weights' ? shift : 0);
}

/** Where `op` is at `now`: a pure function of the timeline, the fleet's health, the alarms and the clock. */
export function progress(endpoint: Endpoint, op: Operation, now: number, ctx: ProgressContext): Progress {
  if (op.kind === 'weights' || op.kind === 'delete') {
    const end = op.started + op.phases[op.phases.length - 1].to;
    return now >= end
      ? {
          state: 'done',
          at: end,
          status: op.kind === 'delete' ? 'Deleted' : 'InService',
          config: endpoint.config
        }
      : { state: 'running', phase: op.phases[0] };
  }
  const health = ctx.health;
  const at = clockOf(op, health);
  const creating = { state: 'running', phase: op.phases[0] } as const;
  if (health.state === 'pending' || now < health.at) return creating;
  const provisioned = health.at;

  if (op.kind === 'create') {
    if (health.state === 'failed')
      return { state: 'done', at: provisioned, status: 'Failed', config: op.target!, reason: health.reason };
    if (op.fault)
      return {
        state: 'done',
        at: provisioned,
        status: 'Failed',
        config: op.target!,
        reason: INTERNAL_FAILURE
      };
    return { state: 'done', at: provisioned, status: 'InService', config: op.target! };
  }

  // An update: find the first moment it went wrong, if it did.
  if (op.fault === 'Failed')
    return {
      state: 'done',
      at: provisioned,
      status: 'Failed',
      config: endpoint.config,
      reason: INTERNAL_FAILURE
    };
  let trip: { at: number; reason: string; rollbackFails: boolean } | undefined;
  if (health.state === 'failed')
    trip = { at: provisioned, reason: `The new fleet failed: ${health.reason}`, rollbackFails: false };
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
    const fired = ctx.firstAlarm(op.alarms, from, Math.min(at(phase.to), now + 1));
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
    return { state: 'done', at: rolledBack, status: 'InService', config: op.previous!, reason: trip.reason };
  }
  const end = at(op.phases[op.phases.length - 1].to);
  if (now >= end) return { state: 'done', at: end, status: 'InService', config: op.target! };
  const phase = op.phases.find((p) => now < at(p.to)) ?? op.phases[op.phases.length - 1];
  return { state: 'running', phase };
}

/** When a phase of `op` started, on the clock (for StatusMessage start times). */
export function phaseStart(op: Operation, phase: Phase, health: Health): number {
  return clockOf(op, health)(phase.from);
}
