/**
 * Fleet records: what serves each variant of an endpoint with real containers (docker hosting). A
 * CreateEndpoint or UpdateEndpoint makes one fleet per variant of its config; the endpoint's live
 * fleets are replaced when an update completes and dropped when the endpoint goes. The container
 * hosting (hosting.ts) runs exactly the fleets recorded here and writes their health back; the
 * timeline reads that health. In simulated hosting no fleet is recorded and health follows the clock.
 */
import type { Emulator } from '../../server.js';
import { healthCheckReason, type Health } from './timeline.js';
import { hostingState, primaryContainerOf, type Fleet, type Json, type Operation } from './state.js';

export function hostsContainers(emulator: Emulator): boolean {
  return emulator.options.hosting === 'docker';
}

/** One fleet per production variant of `config`, recorded in the state (docker hosting only). */
export function newFleets(emulator: Emulator, endpoint: string, config: Json): string[] | undefined {
  if (!hostsContainers(emulator)) return undefined;
  const state = hostingState(emulator);
  state.fleets ??= {};
  return (config.ProductionVariants as Json[]).map((v) => {
    const model = state.models[v.ModelName];
    const container = primaryContainerOf(model, state) ?? {};
    state.fleetSerial = (state.fleetSerial ?? 0) + 1;
    const fleet: Fleet = {
      id: `${endpoint}-${String(state.fleetSerial).padStart(4, '0')}`,
      endpoint,
      config: config.EndpointConfigName,
      variant: v.VariantName,
      image: container.Image,
      ...(container.ModelDataUrl ? { modelDataUrl: container.ModelDataUrl } : {}),
      environment: container.Environment ?? {},
      ...(v.ContainerStartupHealthCheckTimeoutInSeconds
        ? { healthCheckTimeout: v.ContainerStartupHealthCheckTimeoutInSeconds }
        : {}),
      created: emulator.now()
    };
    state.fleets![fleet.id] = fleet;
    return fleet.id;
  });
}

/** The health of an operation's new fleet: from its containers, or from the clock when simulated. */
export function healthOf(emulator: Emulator, op: Operation): Health {
  const state = hostingState(emulator);
  const simulated = op.started + op.phases[0].to;
  const variant = state.configs[op.target ?? '']?.ProductionVariants?.[0]?.VariantName ?? 'AllTraffic';
  if (op.fault === 'HealthCheck')
    return { state: 'failed', at: simulated, reason: healthCheckReason(variant) };
  if (!op.fleets) return { state: 'healthy', at: simulated };
  const fleets = op.fleets.map((id) => state.fleets?.[id]);
  const failed = fleets.filter((f): f is Fleet => !!f?.failed).sort((a, b) => a.failed!.at - b.failed!.at)[0];
  if (failed) return { state: 'failed', at: failed.failed!.at, reason: failed.failed!.reason };
  if (fleets.length && fleets.every((f) => f?.healthy !== undefined))
    return { state: 'healthy', at: Math.max(...fleets.map((f) => f!.healthy!)) };
  return { state: 'pending' };
}

/** Every fleet an endpoint still needs: its live fleets and the new ones of a running operation. */
export function wantedFleets(emulator: Emulator): Set<string> {
  const wanted = new Set<string>();
  for (const e of Object.values(hostingState(emulator).endpoints)) {
    for (const id of e.fleets ?? []) wanted.add(id);
    for (const id of e.op?.fleets ?? []) wanted.add(id);
  }
  return wanted;
}

/** Forgets fleets no endpoint needs any more (their containers are then stopped by the hosting). */
export function dropRetiredFleets(emulator: Emulator): void {
  const state = hostingState(emulator);
  const wanted = wantedFleets(emulator);
  for (const id of Object.keys(state.fleets ?? {})) if (!wanted.has(id)) delete state.fleets![id];
}

/** The fleet of `variant` among `ids`. */
export function fleetOf(emulator: Emulator, ids: string[] | undefined, variant: string): Fleet | undefined {
  const fleets = hostingState(emulator).fleets ?? {};
  return (ids ?? []).map((id) => fleets[id]).find((f) => f?.variant === variant);
}
