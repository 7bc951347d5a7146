/**
 * Provisioned concurrency: Put/Get/Delete/ListProvisionedConcurrencyConfigs, on a published version
 * or an alias (never `$LATEST`). A config is IN_PROGRESS, then READY: after `DURATIONS.provisioned`
 * service seconds in simulated hosting; with Docker hosting when the environments are initialised
 * (environments.ts writes Status, Allocated and Available itself).
 */
import { LambdaError, invalid, validation } from './errors.js';
import { functionArn, type FunctionRecord, type ProvisionedRecord } from './state.js';
import { DURATIONS, lambdaTime } from './timeline.js';
import { aliasOrThrow } from './aliases.js';
import { versionOrThrow } from './functions.js';
import { page, target, type Call, type Handler } from './call.js';

function view(record: ProvisionedRecord): Record<string, unknown> {
  return {
    RequestedProvisionedConcurrentExecutions: record.Requested,
    AllocatedProvisionedConcurrentExecutions: record.Allocated,
    AvailableProvisionedConcurrentExecutions: record.Available,
    Status: record.Status,
    ...(record.StatusReason ? { StatusReason: record.StatusReason } : {}),
    LastModified: record.LastModified
  };
}

/** The qualifier of a provisioned concurrency call: an existing version or alias. */
function qualified(call: Call): { fn: FunctionRecord; qualifier: string } {
  const { fn, qualifier } = target(call);
  if (qualifier === undefined) {
    throw validation('qualifier', 'null', 'Member must not be null');
  }
  if (qualifier === '$LATEST') {
    throw invalid('Provisioned Concurrency Configs cannot be applied to unpublished function versions.');
  }
  if (/^\d+$/.test(qualifier)) versionOrThrow(call, fn, qualifier);
  else aliasOrThrow(call, fn, qualifier);
  return { fn, qualifier };
}

const notFound = () =>
  new LambdaError(
    'ProvisionedConcurrencyConfigNotFoundException',
    'No Provisioned Concurrency Config found for this function',
    404
  );

const putProvisionedConcurrencyConfig: Handler = (call) => {
  const { fn, qualifier } = qualified(call);
  const requested = call.body?.ProvisionedConcurrentExecutions;
  if (!Number.isInteger(requested) || requested < 1) {
    throw validation(
      'provisionedConcurrentExecutions',
      requested,
      'Member must have value greater than or equal to 1'
    );
  }
  const now = call.emulator.now();
  const simulated = call.emulator.options.hosting !== 'docker';
  const record: ProvisionedRecord = {
    Qualifier: qualifier,
    Requested: requested,
    Allocated: 0,
    Available: 0,
    Status: 'IN_PROGRESS',
    LastModified: lambdaTime(now),
    ...(simulated ? { readyAt: now + call.emulator.scaled(DURATIONS.provisioned) } : {})
  };
  fn.provisioned[qualifier] = record;
  return { status: 202, body: view(record) };
};

const getProvisionedConcurrencyConfig: Handler = (call) => {
  const { fn, qualifier } = qualified(call);
  const record = fn.provisioned[qualifier];
  if (!record) throw notFound();
  return { status: 200, body: view(record) };
};

const deleteProvisionedConcurrencyConfig: Handler = (call) => {
  const { fn, qualifier } = qualified(call);
  delete fn.provisioned[qualifier];
  return { status: 204 };
};

const listProvisionedConcurrencyConfigs: Handler = (call) => {
  const { fn, qualifier } = target(call);
  if (qualifier) {
    throw invalid(
      `Unqualified function name expected: ${functionArn(call.region, fn.FunctionName, qualifier)}`
    );
  }
  const records = Object.values(fn.provisioned).sort((a, b) => a.Qualifier.localeCompare(b.Qualifier));
  const { items, NextMarker } = page(records, call.query);
  return {
    status: 200,
    body: {
      ProvisionedConcurrencyConfigs: items.map((r) => ({
        FunctionArn: functionArn(call.region, fn.FunctionName, r.Qualifier),
        ...view(r)
      })),
      ...(NextMarker ? { NextMarker } : {})
    }
  };
};

export const PROVISIONED_HANDLERS = {
  putProvisionedConcurrencyConfig,
  getProvisionedConcurrencyConfig,
  deleteProvisionedConcurrencyConfig,
  listProvisionedConcurrencyConfigs
};
