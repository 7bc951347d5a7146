/**
 * The emulator's Lambda state: functions with their `$LATEST` configuration, published versions,
 * aliases, provisioned concurrency configs, function URL configs and tags. Plain JSON (the emulator
 * saves it to its state file), shared by the control plane (functions.ts, aliases.ts, ...), the
 * environments that run images on Docker (environments.ts) and Invoke / the runtime API.
 *
 * Times are the emulator clock's (`emulator.now()`, ms); durations of Lambda's own work (a function
 * Pending, an update InProgress, provisioned concurrency IN_PROGRESS in simulated mode) are service
 * seconds on the scaled clock (`emulator.scaled(seconds)`).
 */
import type { Emulator } from '../../server.js';
import { ACCOUNT_ID } from '../sts.js';

export type FunctionStateName = 'Pending' | 'Active' | 'Inactive' | 'Failed';
export type UpdateStatus = 'InProgress' | 'Successful' | 'Failed';

/** One configuration of a function: `$LATEST` (changing) or a published version (frozen). */
export interface VersionRecord {
  Version: string;
  Description: string;
  PackageType: 'Image';
  /** As given (an ECR image URI, by tag or digest). */
  ImageUri: string;
  /** The image by digest, as Lambda resolves it when the code is set (ECR's `repo@sha256:...`). */
  ResolvedImageUri: string;
  /** The image manifest's digest without `sha256:`, as Lambda reports an image function's CodeSha256. */
  CodeSha256: string;
  CodeSize: number;
  Role: string;
  MemorySize: number;
  Timeout: number;
  Environment: Record<string, string>;
  Architectures: string[];
  RevisionId: string;
  /** ISO time, as Lambda's `LastModified` (`2026-12-06T13:00:00.000+0000`). */
  LastModified: string;
  State: FunctionStateName;
  StateReason?: string;
  StateReasonCode?: string;
  LastUpdateStatus: UpdateStatus;
  LastUpdateStatusReason?: string;
  LastUpdateStatusReasonCode?: string;
  /** Emulator-clock ms when `State` Pending / `LastUpdateStatus` InProgress settles; unset when settled. */
  settlesAt?: number;
  /** Emulator-clock ms of the last change of code (new environments after it run the new image). */
  codeChangedAt: number;
  /** The reason the update in progress will end `Failed` with (the `lambdaUpdateFails` fault). */
  failsWith?: string;
  /** The values a failing update puts back when it ends. */
  rollback?: Partial<VersionRecord>;
  /**
   * Of a published version: the code and configuration of `$LATEST` it was published from, so a
   * PublishVersion with nothing changed since returns it instead of publishing another.
   */
  publishedFrom?: string;
}

export interface AliasRecord {
  Name: string;
  FunctionVersion: string;
  Description: string;
  /** At most ONE other version with a weight in [0, 1]; the rest goes to FunctionVersion. */
  AdditionalVersionWeights?: Record<string, number>;
  RevisionId: string;
}

export interface ProvisionedRecord {
  /** The alias name or version number it was put on. */
  Qualifier: string;
  Requested: number;
  Allocated: number;
  Available: number;
  Status: 'IN_PROGRESS' | 'READY' | 'FAILED';
  StatusReason?: string;
  LastModified: string;
  /** Emulator-clock ms when the simulated mode marks it READY (docker mode: the environments do). */
  readyAt?: number;
}

export interface UrlRecord {
  /** '' for the unqualified function, else an alias name. */
  Qualifier: string;
  AuthType: 'NONE' | 'AWS_IAM';
  Cors?: Record<string, unknown>;
  InvokeMode: 'BUFFERED' | 'RESPONSE_STREAM';
  CreationTime: string;
  LastModifiedTime: string;
}

export interface FunctionRecord {
  FunctionName: string;
  latest: VersionRecord;
  versions: Record<string, VersionRecord>;
  /** The number the next PublishVersion takes (Lambda never reuses one, even after a delete). */
  nextVersion: number;
  aliases: Record<string, AliasRecord>;
  provisioned: Record<string, ProvisionedRecord>;
  urls: Record<string, UrlRecord>;
  tags: Record<string, string>;
}

export interface LambdaState {
  functions: Record<string, FunctionRecord>;
}

export function lambdaState(emulator: Emulator): LambdaState {
  return emulator.stateOf<LambdaState>('lambda', () => ({ functions: {} }));
}

export function functionArn(region: string, name: string, qualifier?: string): string {
  return `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${name}${qualifier ? `:${qualifier}` : ''}`;
}

/**
 * The emulator's function URL of a function or alias: served by the emulator itself under
 * `/lambda-url/<function>/<qualifier or "$LATEST">/`, so any HTTP client can call it.
 */
export const URL_PREFIX = '/lambda-url/';
export function functionUrlOf(emulator: Emulator, name: string, qualifier: string): string {
  return `${emulator.url}${URL_PREFIX}${name}/${qualifier || '$LATEST'}/`;
}

/** The version a qualifier names: a version number, `$LATEST`, or an alias (its FunctionVersion). */
export function versionOf(fn: FunctionRecord, qualifier = '$LATEST'): VersionRecord | undefined {
  if (qualifier === '$LATEST') return fn.latest;
  if (/^\d+$/.test(qualifier)) return fn.versions[qualifier];
  const alias = fn.aliases[qualifier];
  return alias ? versionOf(fn, alias.FunctionVersion) : undefined;
}

/**
 * A FunctionName parameter as Lambda takes it: a name (`my-function`), a partial ARN
 * (`123456789012:function:my-function`) or an ARN, each optionally with `:<qualifier>`.
 */
export function parseFunctionName(value: string): { name: string; qualifier?: string } | undefined {
  const match =
    /^(?:(?:arn:aws[\w-]*:lambda:[a-z0-9-]+:)?\d{12}:function:)?([a-zA-Z0-9_-]{1,64})(?::(\$LATEST|[a-zA-Z0-9_-]+))?$/.exec(
      value
    );
  return match ? { name: match[1], qualifier: match[2] } : undefined;
}
