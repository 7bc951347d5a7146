/**
 * Function URL configs: Create/Get/Update/DeleteFunctionUrlConfig, for the function (`$LATEST`) or an
 * alias. The URL is the emulator's own (`functionUrlOf`); its HTTP traffic is served elsewhere.
 */
import { conflict, invalid, notFound, validation } from './errors.js';
import { functionArn, functionUrlOf, type FunctionRecord, type UrlRecord } from './state.js';
import { lambdaTime } from './timeline.js';
import { aliasOrThrow } from './aliases.js';
import { target, type Call, type Handler } from './call.js';

function view(call: Call, fn: FunctionRecord, url: UrlRecord, withModified: boolean) {
  return {
    FunctionUrl: functionUrlOf(call.emulator, fn.FunctionName, url.Qualifier),
    FunctionArn: functionArn(call.region, fn.FunctionName, url.Qualifier || undefined),
    AuthType: url.AuthType,
    ...(url.Cors ? { Cors: url.Cors } : {}),
    CreationTime: url.CreationTime,
    ...(withModified ? { LastModifiedTime: url.LastModifiedTime } : {}),
    InvokeMode: url.InvokeMode
  };
}

/** The URL's qualifier: '' for the function itself, else an existing alias (never a version). */
function urlTarget(call: Call): { fn: FunctionRecord; qualifier: string } {
  const { fn, qualifier } = target(call);
  if (!qualifier || qualifier === '$LATEST') return { fn, qualifier: '' };
  if (/^\d+$/.test(qualifier)) {
    throw invalid(
      'A function URL points at the function or an alias, not a version: give an alias as Qualifier.'
    );
  }
  aliasOrThrow(call, fn, qualifier);
  return { fn, qualifier };
}

function authType(value: unknown): UrlRecord['AuthType'] {
  if (value !== 'NONE' && value !== 'AWS_IAM') {
    throw validation('authType', value, 'Member must satisfy enum value set: [AWS_IAM, NONE]');
  }
  return value;
}

function invokeMode(value: unknown): UrlRecord['InvokeMode'] {
  if (value !== 'BUFFERED' && value !== 'RESPONSE_STREAM') {
    throw validation('invokeMode', value, 'Member must satisfy enum value set: [BUFFERED, RESPONSE_STREAM]');
  }
  return value;
}

const missing = () => notFound('The resource you requested does not exist.');

const createFunctionUrlConfig: Handler = (call) => {
  const { fn, qualifier } = urlTarget(call);
  const input = call.body ?? {};
  const record: UrlRecord = {
    Qualifier: qualifier,
    AuthType: authType(input.AuthType),
    ...(input.Cors ? { Cors: input.Cors } : {}),
    InvokeMode: invokeMode(input.InvokeMode ?? 'BUFFERED'),
    CreationTime: lambdaTime(call.emulator.now()),
    LastModifiedTime: lambdaTime(call.emulator.now())
  };
  if (fn.urls[qualifier]) {
    throw conflict(
      `Failed to create function url config for [functionArn = ${functionArn(call.region, fn.FunctionName, qualifier || undefined)}]. Error message:  FunctionUrlConfig exists for this Lambda function`
    );
  }
  fn.urls[qualifier] = record;
  return { status: 201, body: view(call, fn, record, false) };
};

const getFunctionUrlConfig: Handler = (call) => {
  const { fn, qualifier } = urlTarget(call);
  const record = fn.urls[qualifier];
  if (!record) throw missing();
  return { status: 200, body: view(call, fn, record, true) };
};

const updateFunctionUrlConfig: Handler = (call) => {
  const { fn, qualifier } = urlTarget(call);
  const record = fn.urls[qualifier];
  if (!record) throw missing();
  const input = call.body ?? {};
  if (input.AuthType !== undefined) record.AuthType = authType(input.AuthType);
  if (input.InvokeMode !== undefined) record.InvokeMode = invokeMode(input.InvokeMode);
  if (input.Cors !== undefined) record.Cors = input.Cors;
  record.LastModifiedTime = lambdaTime(call.emulator.now());
  return { status: 200, body: view(call, fn, record, true) };
};

const deleteFunctionUrlConfig: Handler = (call) => {
  const { fn, qualifier } = urlTarget(call);
  if (!fn.urls[qualifier]) throw missing();
  delete fn.urls[qualifier];
  return { status: 204 };
};

export const URL_HANDLERS = {
  createFunctionUrlConfig,
  getFunctionUrlConfig,
  updateFunctionUrlConfig,
  deleteFunctionUrlConfig
};
