/** How the emulator's runtime picks the fleet that answers: weights, a target variant, a canary's share. */
import { route, newFleetShare } from '../../src/emulator/services/sagemaker/routing.js';
import type { Endpoint } from '../../src/emulator/services/sagemaker/state.js';
import type { Progress } from '../../src/emulator/services/sagemaker/timeline.js';

const fleets = { old: { variant: 'AllTraffic' }, new: { variant: 'AllTraffic' }, b: { variant: 'B' } };
function endpoint(over: Partial<Endpoint> = {}): Endpoint {
  return {
    name: 'e1',
    arn: 'arn',
    created: 0,
    modified: 0,
    status: 'InService',
    config: 'c1',
    variants: [
      { VariantName: 'AllTraffic', CurrentWeight: 3 },
      { VariantName: 'B', CurrentWeight: 1 }
    ],
    fleets: ['old', 'b'],
    ...over
  };
}
const phase = (name: string, share: number): Progress => ({
  state: 'running',
  phase: { name: name as never, from: 0, to: 1, share, message: '' }
});
const updating = () =>
  endpoint({
    status: 'Updating',
    op: { kind: 'update', started: 0, phases: [], alarms: [], rollbackMs: 0, fleets: ['new'] }
  });

describe('route', () => {
  it('splits by CurrentWeight over the sum', () => {
    expect(route(endpoint(), undefined, undefined, fleets, () => 0.74)).toMatchObject({
      variant: 'AllTraffic',
      fleet: 'old'
    });
    expect(route(endpoint(), undefined, undefined, fleets, () => 0.76)).toMatchObject({
      variant: 'B',
      fleet: 'b'
    });
  });
  it('sends a targeted request to its variant, and refuses an unknown one', () => {
    expect(route(endpoint(), undefined, 'B', fleets, () => 0)).toMatchObject({ variant: 'B' });
    expect(route(endpoint(), undefined, 'C', fleets, () => 0)).toEqual({
      error: 'The variant C is not present in the endpoint e1: it has AllTraffic, B.'
    });
  });
  it('refuses when no variant has weight', () => {
    const e = endpoint({ variants: [{ VariantName: 'AllTraffic', CurrentWeight: 0 }] });
    expect(route(e, undefined, undefined, fleets, () => 0)).toHaveProperty('error');
  });
  it('gives the new fleet the capacity share of the current step, nothing while it is created or rolled back', () => {
    const p = phase('Baking', 0.1);
    const e = updating();
    expect(newFleetShare(e, p)).toBe(0.1);
    expect(newFleetShare(e, phase('Creating', 0))).toBe(0);
    expect(newFleetShare(e, { state: 'rolling-back', since: 0, reason: '' })).toBe(0);
    expect(newFleetShare(e, phase('TerminationWait', 1))).toBe(1);
    // One draw picks the variant, the next the fleet.
    const draws = [0.1, 0.05];
    expect(route(e, p, undefined, fleets, () => draws.shift()!)).toMatchObject({
      fleet: 'new',
      fleetKind: 'new'
    });
    const later = [0.1, 0.5];
    expect(route(e, p, undefined, fleets, () => later.shift()!)).toMatchObject({
      fleet: 'old',
      fleetKind: 'live'
    });
  });
});
