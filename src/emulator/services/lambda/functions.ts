/** Functions: CreateFunction, GetFunction, GetFunctionConfiguration, Update*, ListFunctions, DeleteFunction. */
import { randomUUID } from 'node:crypto';
import { conflict, invalid, notFound, staleRevision } from './errors.js';
import { resolveImage } from './images.js';
import { functionArn, lambdaState, versionOf, type FunctionRecord, type VersionRecord } from './state.js';
import { DURATIONS, assertIdle, lambdaTime, startUpdate } from './timeline.js';
import * as check from './validate.js';
import { page, target, type Call, type Handler } from './call.js';
import { publish } from './versions.js';

/** A version's FunctionConfiguration as Lambda answers it. */
export function configuration(
  region: string,
  fn: FunctionRecord,
  record: VersionRecord,
  /** `true`: the version's own ARN; a string: that qualifier's (an alias); false: the function's. */
  qualified: boolean | string
): Record<string, unknown> {
  const optional = (key: keyof VersionRecord) => (record[key] === undefined ? {} : { [key]: record[key] });
  return {
    FunctionName: fn.FunctionName,
    FunctionArn: functionArn(
      region,
      fn.FunctionName,
      typeof qualified === 'string' ? qualified : qualified ? record.Version : undefined
    ),
    Role: record.Role,
    CodeSize: record.CodeSize,
    Description: record.Description,
    Timeout: record.Timeout,
    MemorySize: record.MemorySize,
    LastModified: record.LastModified,
    CodeSha256: record.CodeSha256,
    Version: record.Version,
    Environment: { Variables: record.Environment },
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: record.RevisionId,
    State: record.State,
    ...optional('StateReason'),
    ...optional('StateReasonCode'),
    LastUpdateStatus: record.LastUpdateStatus,
    ...optional('LastUpdateStatusReason'),
    ...optional('LastUpdateStatusReasonCode'),
    PackageType: record.PackageType,
    Architectures: record.Architectures,
    EphemeralStorage: { Size: 512 },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${fn.FunctionName}` }
  };
}

/** The version a qualifier names, or ResourceNotFoundException naming the qualified ARN. */
export function versionOrThrow(call: Call, fn: FunctionRecord, qualifier?: string): VersionRecord {
  const record = versionOf(fn, qualifier);
  if (!record) throw notFound(`Function not found: ${functionArn(call.region, fn.FunctionName, qualifier)}`);
  return record;
}

const createFunction: Handler = async (call) => {
  const input = call.body ?? {};
  const ref = check.functionRef(check.requireString(input.FunctionName, 'functionName'));
  if (ref.qualifier) throw invalid('Unqualified function name expected: a function is created as $LATEST.');
  const role = check.role(input.Role);
  if ((input.PackageType ?? 'Zip') !== 'Image' || !input.Code?.ImageUri) {
    throw invalid(
      'The emulator runs image functions only: give PackageType Image and Code.ImageUri (an ECR image); Zip packages are not emulated.'
    );
  }
  const state = lambdaState(call.emulator);
  if (state.functions[ref.name]) throw conflict(`Function already exist: ${ref.name}`);
  const record: Omit<VersionRecord, 'CodeSha256' | 'ImageUri' | 'ResolvedImageUri' | 'CodeSize'> = {
    Version: '$LATEST',
    Description: check.description(input.Description),
    PackageType: 'Image',
    Role: role,
    MemorySize: input.MemorySize === undefined ? 128 : check.memorySize(input.MemorySize),
    Timeout: input.Timeout === undefined ? 3 : check.timeout(input.Timeout),
    Environment: check.environment(input.Environment),
    Architectures: check.architectures(input.Architectures),
    RevisionId: randomUUID(),
    LastModified: lambdaTime(call.emulator.now()),
    State: 'Pending',
    StateReason: 'The function is being created.',
    StateReasonCode: 'Creating',
    LastUpdateStatus: 'Successful',
    settlesAt: call.emulator.now() + call.emulator.scaled(DURATIONS.create),
    codeChangedAt: call.emulator.now()
  };
  const image = await resolveImage(call.emulator, input.Code.ImageUri);
  if (state.functions[ref.name]) throw conflict(`Function already exist: ${ref.name}`);
  const fn: FunctionRecord = {
    FunctionName: ref.name,
    latest: { ...record, ...image },
    versions: {},
    nextVersion: 1,
    aliases: {},
    provisioned: {},
    urls: {},
    tags: { ...(input.Tags ?? {}) }
  };
  state.functions[ref.name] = fn;
  if (input.Publish) {
    return { status: 201, body: configuration(call.region, fn, publish(fn, ''), true) };
  }
  return { status: 201, body: configuration(call.region, fn, fn.latest, false) };
};

const getFunction: Handler = (call) => {
  const { fn, qualifier } = target(call);
  const record = versionOrThrow(call, fn, qualifier);
  return {
    status: 200,
    body: {
      Configuration: configuration(call.region, fn, record, qualifier ?? false),
      Code: { RepositoryType: 'ECR', ImageUri: record.ImageUri, ResolvedImageUri: record.ResolvedImageUri },
      ...(qualifier ? {} : { Tags: fn.tags })
    }
  };
};

const getFunctionConfiguration: Handler = (call) => {
  const { fn, qualifier } = target(call);
  const record = versionOrThrow(call, fn, qualifier);
  return { status: 200, body: configuration(call.region, fn, record, qualifier ?? false) };
};

/** Updates act on $LATEST only; an update's RevisionId must be the current one. */
function latestFor(call: Call): FunctionRecord {
  const { fn, qualifier } = target(call);
  if (qualifier && qualifier !== '$LATEST') {
    throw invalid('Unqualified function name expected: updates act on $LATEST.');
  }
  assertIdle(fn, call.region);
  const revision = call.body?.RevisionId;
  if (revision !== undefined && revision !== fn.latest.RevisionId) {
    throw staleRevision();
  }
  return fn;
}

const updateFunctionCode: Handler = async (call) => {
  const input = call.body ?? {};
  const fn = latestFor(call);
  if (input.ZipFile || input.S3Bucket) {
    throw invalid(
      'The emulator runs image functions only: give ImageUri (an ECR image); Zip packages are not emulated.'
    );
  }
  const image = await resolveImage(call.emulator, check.requireString(input.ImageUri, 'imageUri'));
  assertIdle(fn, call.region);
  const changes: Partial<VersionRecord> = {
    ...image,
    ...(input.Architectures ? { Architectures: check.architectures(input.Architectures) } : {}),
    codeChangedAt: call.emulator.now(),
    RevisionId: randomUUID(),
    LastModified: lambdaTime(call.emulator.now())
  };
  if (input.DryRun)
    return { status: 200, body: configuration(call.region, fn, { ...fn.latest, ...changes }, false) };
  startUpdate(call.emulator, fn, changes);
  if (input.Publish) {
    return { status: 200, body: configuration(call.region, fn, publish(fn, ''), true) };
  }
  return { status: 200, body: configuration(call.region, fn, fn.latest, false) };
};

const updateFunctionConfiguration: Handler = (call) => {
  const input = call.body ?? {};
  const fn = latestFor(call);
  const changes: Partial<VersionRecord> = {
    ...(input.MemorySize !== undefined ? { MemorySize: check.memorySize(input.MemorySize) } : {}),
    ...(input.Timeout !== undefined ? { Timeout: check.timeout(input.Timeout) } : {}),
    ...(input.Role !== undefined ? { Role: check.role(input.Role) } : {}),
    ...(input.Description !== undefined ? { Description: check.description(input.Description) } : {}),
    ...(input.Environment !== undefined ? { Environment: check.environment(input.Environment) } : {}),
    RevisionId: randomUUID(),
    LastModified: lambdaTime(call.emulator.now())
  };
  startUpdate(call.emulator, fn, changes);
  return { status: 200, body: configuration(call.region, fn, fn.latest, false) };
};

const listFunctions: Handler = (call) => {
  const all = call.query.get('FunctionVersion') === 'ALL';
  const functions = Object.values(lambdaState(call.emulator).functions).sort((a, b) =>
    a.FunctionName.localeCompare(b.FunctionName)
  );
  const items = functions.flatMap((fn) => [
    configuration(call.region, fn, fn.latest, false),
    ...(all ? Object.values(fn.versions).map((v) => configuration(call.region, fn, v, true)) : [])
  ]);
  const { items: Functions, NextMarker } = page(items, call.query);
  return { status: 200, body: { Functions, ...(NextMarker ? { NextMarker } : {}) } };
};

const deleteFunction: Handler = (call) => {
  const { fn, qualifier } = target(call);
  const functions = lambdaState(call.emulator).functions;
  if (qualifier === undefined) {
    delete functions[fn.FunctionName];
    return { status: 204 };
  }
  if (qualifier === '$LATEST') {
    throw invalid('$LATEST version cannot be deleted without deleting the function.');
  }
  if (!/^\d+$/.test(qualifier)) {
    throw invalid(
      `Deletion of aliases is not supported with DeleteFunction: use DeleteAlias for ${qualifier}.`
    );
  }
  versionOrThrow(call, fn, qualifier);
  const users = Object.values(fn.aliases)
    .filter((a) => a.FunctionVersion === qualifier || a.AdditionalVersionWeights?.[qualifier] !== undefined)
    .map((a) => a.Name);
  if (users.length) {
    throw conflict(
      `Unable to delete version because the following aliases reference it: [${users.join(', ')}]`
    );
  }
  delete fn.versions[qualifier];
  delete fn.provisioned[qualifier];
  return { status: 204 };
};

export const FUNCTION_HANDLERS = {
  createFunction,
  getFunction,
  getFunctionConfiguration,
  updateFunctionCode,
  updateFunctionConfiguration,
  listFunctions,
  deleteFunction
};
