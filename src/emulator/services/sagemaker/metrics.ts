/**
 * The `AWS/SageMaker` metrics one invocation records, on the emulator's clock, with dimensions
 * EndpointName and VariantName: Invocations, InvocationsPerInstance, ModelLatency and
 * OverheadLatency (microseconds), and Invocation4XXErrors / Invocation5XXErrors (published only when
 * non-zero, as SageMaker does).
 */
import type { Emulator } from '../../server.js';
import { recordMetric } from '../cloudwatch/index.js';

export interface InvocationOutcome {
  endpoint: string;
  variant: string;
  /** The container's HTTP status, or 503 when no instance answered. */
  status: number;
  modelMicros?: number;
  overheadMicros: number;
  instances: number;
}

export function recordInvocation(emulator: Emulator, o: InvocationOutcome): void {
  const Dimensions = [
    { Name: 'EndpointName', Value: o.endpoint },
    { Name: 'VariantName', Value: o.variant }
  ];
  const put = (MetricName: string, Value: number, Unit: string) =>
    recordMetric(emulator, { Namespace: 'AWS/SageMaker', MetricName, Dimensions, Value, Unit });
  put('Invocations', 1, 'None');
  put('InvocationsPerInstance', 1 / Math.max(1, o.instances), 'None');
  if (o.status >= 400 && o.status < 500) put('Invocation4XXErrors', 1, 'None');
  if (o.status >= 500) put('Invocation5XXErrors', 1, 'None');
  if (o.modelMicros !== undefined) put('ModelLatency', o.modelMicros, 'Microseconds');
  put('OverheadLatency', o.overheadMicros, 'Microseconds');
}
