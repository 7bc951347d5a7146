/**
 * What the runtime needs of the control plane, registered by the SageMaker service when it is made:
 * bring the endpoints up to now, and where an endpoint's operation is.
 */
import type { Emulator } from '../../server.js';
import type { Endpoint, Operation } from './state.js';
import type { Progress } from './timeline.js';

export interface Control {
  advance: () => void;
  progressOf: (endpoint: Endpoint, op: Operation) => Progress;
}

const CONTROLS = new WeakMap<Emulator, Control>();

export function registerControl(emulator: Emulator, control: Control): void {
  CONTROLS.set(emulator, control);
}

export function controlOf(emulator: Emulator): Control | undefined {
  return CONTROLS.get(emulator);
}
