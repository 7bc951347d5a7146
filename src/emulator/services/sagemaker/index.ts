/**
 * SageMaker hosting in the emulator: models, endpoint configs, endpoints and tags, with SageMaker's
 * validation and error codes (ValidationException, ResourceNotFound, ResourceLimitExceeded). The
 * pieces: the pure endpoint timeline (timeline.ts), validation (validate.ts), models, configs, tags
 * and listings (resources.ts), the endpoint operations and views (endpoints.ts), the fleets that
 * serve (fleets.ts), the containers that run them (hosting.ts), the runtime API (runtime.ts) and the
 * Model Registry: package groups and versioned packages (registry.ts, registry-validate.ts).
 */
import type { Emulator, ServiceDefinition } from '../../server.js';
import { endpoints } from './endpoints.js';
import { resources } from './resources.js';
import { registerControl } from './control.js';
import { hostingOf } from './hosting.js';
import { modelRegistry } from './registry.js';

export { DURATIONS, capacityShare } from './timeline.js';
export { sagemakerRuntime } from './runtime.js';

export function sagemaker(emulator: Emulator): ServiceDefinition {
  const shared = resources(emulator);
  const hosting = endpoints(emulator, shared);
  const registry = modelRegistry(emulator, shared.setTags);
  registerControl(emulator, hosting);
  const containers = hostingOf(emulator, hosting.advance);
  return {
    name: 'sagemaker',
    signingName: 'sagemaker',
    protocol: 'json1.1',
    targetPrefix: 'SageMaker',
    advance: hosting.advance,
    close: () => containers?.close(),
    operations: { ...shared.operations, ...hosting.operations, ...registry.operations }
  };
}
