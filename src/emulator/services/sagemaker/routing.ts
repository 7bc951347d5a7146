/**
 * Which fleet answers an invocation, as SageMaker routes traffic: across production variants by
 * `CurrentWeight` over the sum (or the variant a request targets), and during a blue/green update,
 * within the variant, to the new fleet by the capacity share of the current traffic step (nothing
 * while it is created or after a rollback began, all of it while the old fleet waits to terminate).
 * Pure: the random source is given.
 */
import type { Endpoint, Json } from './state.js';
import type { Progress } from './timeline.js';

export type Route = { variant: string; fleet?: string; fleetKind: 'live' | 'new' } | { error: string };

/** The share of a variant's traffic the new fleet takes now, 0..1. */
export function newFleetShare(endpoint: Endpoint, p: Progress | undefined): number {
  if (endpoint.op?.kind !== 'update' || p?.state !== 'running') return 0;
  return p.phase.name === 'Creating' ? 0 : p.phase.share;
}

export function route(
  endpoint: Endpoint,
  p: Progress | undefined,
  targetVariant: string | undefined,
  fleets: Record<string, { variant: string }>,
  random: () => number
): Route {
  const variants: Json[] = endpoint.variants ?? [];
  let variant: Json | undefined;
  if (targetVariant !== undefined) {
    variant = variants.find((v) => v.VariantName === targetVariant);
    if (!variant)
      return {
        error: `The variant ${targetVariant} is not present in the endpoint ${endpoint.name}: it has ${variants.map((v) => v.VariantName).join(', ') || 'no variant in service'}.`
      };
  } else {
    const total = variants.reduce((sum, v) => sum + Math.max(0, v.CurrentWeight ?? 0), 0);
    if (!(total > 0)) return { error: `The endpoint ${endpoint.name} has no variant with a weight above 0.` };
    let pick = random() * total;
    variant = variants.find((v) => (pick -= Math.max(0, v.CurrentWeight ?? 0)) < 0) ?? variants.at(-1);
  }
  const name = variant!.VariantName as string;
  const of = (ids: string[] | undefined) => (ids ?? []).find((id) => fleets[id]?.variant === name);
  const candidate = of(endpoint.op?.fleets);
  if (candidate && random() < newFleetShare(endpoint, p))
    return { variant: name, fleet: candidate, fleetKind: 'new' };
  return { variant: name, fleet: of(endpoint.fleets), fleetKind: 'live' };
}
