/**
 * The emulator's SageMaker hosting state: models, endpoint configs, endpoints, the fleets that serve
 * them and the tags. Plain JSON (the emulator saves it to its state file), shared by the control
 * plane, the container hosting and the runtime.
 */
import type { Emulator, RequestInfo } from '../../server.js';
import { ACCOUNT_ID } from '../sts.js';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export type Fault = 'Failed' | 'UpdateRollbackFailed' | 'HealthCheck';

export type PhaseName =
  'Creating' | 'ActivatingTraffic' | 'Baking' | 'TerminationWait' | 'Updating' | 'Deleting';

export interface Phase {
  name: PhaseName;
  /** Offsets from the start of the operation, in ms (already scaled). */
  from: number;
  to: number;
  /** Share of the new fleet's desired traffic it has during this phase, 0..1. */
  share: number;
  message: string;
}

export interface Operation {
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
  /** The new fleets this operation brings up (create and update), one per variant of the target. */
  fleets?: string[];
}

/**
 * One variant's serving containers (one container stands for the variant's instances). Its health is
 * what the hosting found: passed the ping health check at `healthy`, or failed at `failed.at`.
 */
export interface Fleet {
  id: string;
  endpoint: string;
  config: string;
  variant: string;
  image: string;
  modelDataUrl?: string;
  environment: Record<string, string>;
  /** The variant's ContainerStartupHealthCheckTimeoutInSeconds, when given. */
  healthCheckTimeout?: number;
  created: number;
  healthy?: number;
  failed?: { at: number; reason: string };
}

export interface Endpoint {
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
  /** The fleets serving the live config (docker hosting). */
  fleets?: string[];
}

export interface HostingState {
  models: Record<string, Json>;
  configs: Record<string, Json>;
  endpoints: Record<string, Endpoint>;
  tags: Record<string, Record<string, string>>;
  fleets?: Record<string, Fleet>;
  /** Counter for fleet ids. */
  fleetSerial?: number;
  /** Model Registry (registry.ts): groups by name, with the last version given (LatestVersion). */
  packageGroups?: Record<string, Json>;
  /** Versioned model packages by ARN. */
  packages?: Record<string, Json>;
  /** CreateModelPackage's ClientToken -> the ARN it made (idempotence). */
  packageTokens?: Record<string, string>;
  /** The containers (Image, ModelDataUrl, Environment) of models made from packages, by model name. */
  packageModels?: Record<string, Json[]>;
}

export function hostingState(emulator: Emulator): HostingState {
  return emulator.stateOf<HostingState>('sagemaker', () => ({
    models: {},
    configs: {},
    endpoints: {},
    tags: {}
  }));
}

export function arnOf(request: Pick<RequestInfo, 'region'>, kind: string, name: string): string {
  return `arn:aws:sagemaker:${request.region ?? 'us-east-1'}:${ACCOUNT_ID}:${kind}/${name.toLowerCase()}`;
}

/**
 * The container a model serves with: its PrimaryContainer, or the first of its Containers (the
 * emulator runs one container per variant, so an inference pipeline is served by its first). A
 * container that names a model package serves the package's image and model data, as resolved when
 * the model was made (HostingState.packageModels).
 */
export function primaryContainerOf(model: Json | undefined, state: HostingState): Json | undefined {
  const container = model?.PrimaryContainer ?? model?.Containers?.[0];
  if (!container?.ModelPackageName) return container;
  return state.packageModels?.[model!.ModelName]?.[0] ?? container;
}

/** Sorts names by code point, as SageMaker's listings do. */
export const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
