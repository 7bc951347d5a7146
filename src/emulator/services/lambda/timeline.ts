/**
 * Lambda's own work on the scaled clock: a new function is `Pending` then `Active`; each code or
 * configuration update `InProgress` then `Successful` (or `Failed` when the `lambdaUpdateFails` fault
 * names the function); provisioned concurrency `IN_PROGRESS` then `READY` (simulated hosting; with
 * Docker hosting the environments mark it). Each record keeps the moment it settles (`settlesAt`,
 * `readyAt`) and `advance` settles whatever is due, so the answer at a moment does not depend on who
 * polled, and a manual clock sees the transitions exactly.
 */
import type { Emulator } from '../../server.js';
import { conflict } from './errors.js';
import { functionArn, lambdaState, type FunctionRecord, type VersionRecord } from './state.js';

/** Service-side durations, in seconds before the time scale. */
export const DURATIONS = {
  /** CreateFunction: Pending -> Active. */
  create: 5,
  /** UpdateFunctionCode / UpdateFunctionConfiguration: InProgress -> Successful. */
  update: 3,
  /** PutProvisionedConcurrencyConfig in simulated hosting: IN_PROGRESS -> READY. */
  provisioned: 30
};

export const FAILED_UPDATE_REASON =
  "The emulator's fault switch lambdaUpdateFails failed this update; the function keeps its previous code and configuration.";

/** Lambda's time format: `2026-12-06T13:00:00.000+0000`. */
export function lambdaTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** Settles a version record whose moment has come. */
function settle(record: VersionRecord, now: number): void {
  if (record.settlesAt === undefined || now < record.settlesAt) return;
  delete record.settlesAt;
  if (record.State === 'Pending') {
    record.State = 'Active';
    delete record.StateReason;
    delete record.StateReasonCode;
  }
  if (record.LastUpdateStatus === 'InProgress') {
    if (record.failsWith) {
      Object.assign(record, record.rollback ?? {});
      record.LastUpdateStatus = 'Failed';
      record.LastUpdateStatusReason = record.failsWith;
      record.LastUpdateStatusReasonCode = 'InternalError';
    } else {
      record.LastUpdateStatus = 'Successful';
      delete record.LastUpdateStatusReason;
      delete record.LastUpdateStatusReasonCode;
    }
  }
  delete record.failsWith;
  delete record.rollback;
}

export function advanceFunction(emulator: Emulator, fn: FunctionRecord): void {
  const now = emulator.now();
  settle(fn.latest, now);
  for (const version of Object.values(fn.versions)) settle(version, now);
  if (emulator.options.hosting === 'docker') return;
  for (const config of Object.values(fn.provisioned)) {
    if (config.Status === 'IN_PROGRESS' && config.readyAt !== undefined && now >= config.readyAt) {
      config.Status = 'READY';
      config.Allocated = config.Requested;
      config.Available = config.Requested;
      config.LastModified = lambdaTime(config.readyAt);
      delete config.readyAt;
    }
  }
}

export function advance(emulator: Emulator): void {
  for (const fn of Object.values(lambdaState(emulator).functions)) advanceFunction(emulator, fn);
}

/** ResourceConflictException while the function is Pending or an update is InProgress. */
export function assertIdle(fn: FunctionRecord, region: string): void {
  if (fn.latest.State === 'Pending') {
    throw conflict(
      'The operation cannot be performed at this time. The function is currently in the following state: Pending'
    );
  }
  if (fn.latest.LastUpdateStatus === 'InProgress') {
    throw conflict(
      `The operation cannot be performed at this time. An update is in progress for resource: ${functionArn(region, fn.FunctionName)}`
    );
  }
}

/**
 * Starts an update of `$LATEST`: InProgress until `DURATIONS.update` passes. The fault switch
 * `lambdaUpdateFails` (a function name) makes this one update end Failed, the previous values back.
 */
export function startUpdate(emulator: Emulator, fn: FunctionRecord, changes: Partial<VersionRecord>): void {
  const record = fn.latest;
  const fails = emulator.faults.lambdaUpdateFails === fn.FunctionName;
  if (fails) {
    delete emulator.faults.lambdaUpdateFails;
    const keys = [...Object.keys(changes), 'RevisionId', 'LastModified'] as Array<keyof VersionRecord>;
    record.rollback = Object.fromEntries(keys.map((k) => [k, record[k]]));
    record.failsWith = FAILED_UPDATE_REASON;
  }
  Object.assign(record, changes);
  record.LastUpdateStatus = 'InProgress';
  record.LastUpdateStatusReason = 'The function is being created.';
  record.LastUpdateStatusReasonCode = 'Creating';
  record.settlesAt = emulator.now() + emulator.scaled(DURATIONS.update);
}
