/**
 * The traffic arithmetic of a deployment: the share of the fleet a capacity size turns on (whole
 * instances), the traffic steps of each strategy, the waits they add up to, and SageMaker's
 * DeploymentConfig for them. Pure: no calls.
 */
import type { DeploymentConfig } from '@aws-sdk/client-sagemaker';
import { formatDuration } from '../duration.js';
import { InputError } from '../errors.js';
import type { CapacitySize, DeployOptions } from './options.js';
import type { TrafficStep } from './plan.js';

/**
 * The share of the new fleet a capacity size turns on. SageMaker turns on whole instances (at least
 * one), so on instances `10%` of 2 is 1 instance: half the traffic. Serverless shifts the percentage.
 */
export function capacityPercent(
  size: CapacitySize,
  options: Pick<DeployOptions, 'instanceCount' | 'serverless'>
): number {
  if (options.serverless) return Math.min(100, size.Value);
  const instances = options.instanceCount;
  const count =
    size.Type === 'INSTANCE_COUNT'
      ? size.Value
      : Math.max(1, Math.ceil((size.Value / 100) * instances - 1e-9));
  return Math.min(100, Math.round((count / instances) * 1000) / 10);
}

/** The traffic steps of a strategy, as percentages of traffic on the new version after each step. */
export function trafficSteps(
  options: Pick<
    DeployOptions,
    | 'strategy'
    | 'bakeSeconds'
    | 'canarySize'
    | 'linearStepPercent'
    | 'canaryWeight'
    | 'instanceCount'
    | 'serverless'
  >
): TrafficStep[] {
  const bake = options.bakeSeconds;
  if (options.strategy === 'all-at-once') return [{ percent: 100, bakeSeconds: bake }];
  if (options.strategy === 'weights') return [{ percent: options.canaryWeight, bakeSeconds: 0 }];
  if (options.strategy === 'canary') {
    return [
      { percent: capacityPercent(options.canarySize, options), bakeSeconds: bake },
      { percent: 100, bakeSeconds: bake }
    ];
  }
  const step = capacityPercent({ Type: 'CAPACITY_PERCENT', Value: options.linearStepPercent }, options);
  const steps: TrafficStep[] = [];
  for (let p = step; p < 100 - 1e-9; p = Math.round((p + step) * 10) / 10)
    steps.push({ percent: p, bakeSeconds: bake });
  return [...steps, { percent: 100, bakeSeconds: bake }];
}

/** Seconds SageMaker waits on purpose: every bake plus the termination wait. */
export function waitingSeconds(steps: TrafficStep[], terminationWaitSeconds: number): number {
  return steps.reduce((sum, s) => sum + s.bakeSeconds, 0) + terminationWaitSeconds;
}

/** Time SageMaker gets to create the new fleet and shift traffic, beyond the waits. */
export const PROVISIONING_ALLOWANCE = 1800;
/** SageMaker's limit on MaximumExecutionTimeoutInSeconds. */
export const MAX_EXECUTION_SECONDS = 28800;

/** SageMaker's DeploymentConfig (blue/green with traffic routing and auto-rollback alarms). */
export function deploymentConfig(options: DeployOptions): DeploymentConfig {
  const routing =
    options.strategy === 'canary'
      ? {
          Type: 'CANARY' as const,
          CanarySize: options.canarySize,
          WaitIntervalInSeconds: options.bakeSeconds
        }
      : options.strategy === 'linear'
        ? {
            Type: 'LINEAR' as const,
            LinearStepSize: { Type: 'CAPACITY_PERCENT' as const, Value: options.linearStepPercent },
            WaitIntervalInSeconds: options.bakeSeconds
          }
        : { Type: 'ALL_AT_ONCE' as const, WaitIntervalInSeconds: options.bakeSeconds };
  const waits = waitingSeconds(trafficSteps(options), options.terminationWaitSeconds);
  return {
    BlueGreenUpdatePolicy: {
      TrafficRoutingConfiguration: routing,
      TerminationWaitInSeconds: options.terminationWaitSeconds,
      // Longer than every wait plus time to provision the new fleet, within SageMaker's 600-28800.
      MaximumExecutionTimeoutInSeconds: Math.min(
        MAX_EXECUTION_SECONDS,
        Math.max(600, Math.ceil(waits + PROVISIONING_ALLOWANCE))
      )
    },
    ...(options.alarms.length
      ? { AutoRollbackConfiguration: { Alarms: options.alarms.map((AlarmName) => ({ AlarmName })) } }
      : {})
  };
}

/**
 * An update waits on purpose (every bake and the termination wait) before it can finish: a
 * wait-timeout shorter than that would certainly stop the action first. A first deployment has no
 * bakes, so it is not checked against them.
 */
export function checkWaitTimeout(options: DeployOptions): void {
  if (!options.wait || options.strategy === 'weights') return;
  const steps = trafficSteps(options);
  const waits = waitingSeconds(steps, options.terminationWaitSeconds);
  if (options.waitTimeoutSeconds > waits) return;
  throw new InputError(
    'wait-timeout',
    `Input "wait-timeout" is ${formatDuration(options.waitTimeoutSeconds)}, but this deployment waits ${formatDuration(waits)} (${waitsText(options)}) before it can finish: raise wait-timeout above that, or set wait to false.`
  );
}

/** `2 traffic steps baking 10m each and termination-wait 5m`. */
export function waitsText(options: DeployOptions): string {
  const steps = trafficSteps(options);
  return `${steps.length} traffic step${steps.length > 1 ? 's' : ''} baking ${formatDuration(options.bakeSeconds)} each${
    options.terminationWaitSeconds
      ? ` and termination-wait ${formatDuration(options.terminationWaitSeconds)}`
      : ''
  }`;
}
