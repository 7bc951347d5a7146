/**
 * SageMaker's validation of Model Registry requests (model package groups and versioned packages),
 * with SageMaker's field names, patterns and messages.
 */
import { validation } from '../../protocol.js';
import type { Json } from './state.js';
import { checkVariantInstanceType, patternError } from './validate.js';

export const APPROVAL_STATUSES = ['PendingManualApproval', 'Approved', 'Rejected'] as const;
const PACKAGE_TYPES = ['Versioned', 'Unversioned', 'Both'];
const S3_URI = /^(https|s3):\/\/([^/]+)\/?(.*)$/;
const S3_URI_PATTERN = '^(https|s3)://([^/]+)/?(.*)$';
const METADATA = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u;
const METADATA_PATTERN = '^([\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@]*)$';
const ENV_KEY = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const CLIENT_TOKEN = /^[a-zA-Z0-9-]+$/;

const lengthError = (value: unknown, field: string, bound: 'less' | 'greater', n: number) =>
  validation(
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have length ${bound} than or equal to ${n}`
  );

export const enumError = (value: unknown, field: string, values: readonly string[]) =>
  validation(
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(', ')}]`
  );

export function checkApprovalStatus(status: unknown): void {
  if (status !== undefined && !APPROVAL_STATUSES.includes(status as never))
    throw enumError(status, 'modelApprovalStatus', APPROVAL_STATUSES);
}

export function checkPackageType(type: unknown): void {
  if (type !== undefined && !PACKAGE_TYPES.includes(type as string))
    throw enumError(type, 'modelPackageType', PACKAGE_TYPES);
}

export function checkText(value: unknown, field: string, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'string') throw validation(`${field} must be a string.`);
  if (value.length > max) throw lengthError(value, field, 'less', max);
}

export function checkClientToken(token: unknown): void {
  if (token === undefined) return;
  if (typeof token !== 'string' || !token.length) throw lengthError(token, 'clientToken', 'greater', 1);
  if (token.length > 36) throw lengthError(token, 'clientToken', 'less', 36);
  if (!CLIENT_TOKEN.test(token)) throw patternError(token, 'clientToken', '^[a-zA-Z0-9-]+$');
}

/** CustomerMetadataProperties: 1 to 50 keys, keys up to 128 and values up to 256 characters. */
export function checkCustomerMetadata(props: unknown, field = 'customerMetadataProperties'): void {
  if (props === undefined) return;
  if (typeof props !== 'object' || props === null || Array.isArray(props))
    throw validation(`${field} must be a map of strings.`);
  const entries = Object.entries(props);
  if (entries.length < 1) throw lengthError('{}', field, 'greater', 1);
  if (entries.length > 50) throw lengthError(`${entries.length} entries`, field, 'less', 50);
  for (const [key, value] of entries) {
    if (!key.length || key.length > 128 || !METADATA.test(key))
      throw patternError(key, `${field}.key`, METADATA_PATTERN);
    if (typeof value !== 'string' || !value.length || value.length > 256 || !METADATA.test(value))
      throw patternError(value, `${field}.value`, METADATA_PATTERN);
  }
}

export function checkMetadataKeysToRemove(keys: unknown): void {
  if (keys === undefined) return;
  if (!Array.isArray(keys) || keys.length > 50)
    throw lengthError('[...]', 'customerMetadataPropertiesToRemove', 'less', 50);
  for (const key of keys)
    if (typeof key !== 'string' || !key.length || key.length > 128 || !METADATA.test(key))
      throw patternError(key, 'customerMetadataPropertiesToRemove.member', METADATA_PATTERN);
}

function checkMime(list: unknown, field: string): void {
  if (list === undefined) return;
  if (!Array.isArray(list)) throw validation(`${field} must be a list.`);
  for (const item of list)
    if (typeof item !== 'string' || !item.length || item.length > 256 || !/^[-\w]+\/.+$/.test(item))
      throw patternError(item, `${field}.member`, '^[-\\w]+\\/.+$');
}

/** InferenceSpecification: 1 to 15 containers, each with an Image; MIME types; instance types. */
export function checkInferenceSpecification(spec: unknown): void {
  if (spec === undefined) return;
  const s = spec as Json;
  const containers = s?.Containers;
  const field = 'inferenceSpecification.containers';
  if (!Array.isArray(containers) || containers.length < 1) throw lengthError('[]', field, 'greater', 1);
  if (containers.length > 15) throw lengthError(`${containers.length} containers`, field, 'less', 15);
  for (const c of containers as Json[]) {
    if (typeof c?.Image !== 'string' || !c.Image.length || c.Image.length > 255 || /\s/.test(c.Image))
      throw patternError(c?.Image, `${field}.member.image`, '[\\S]+');
    if (
      c.ModelDataUrl !== undefined &&
      (typeof c.ModelDataUrl !== 'string' || c.ModelDataUrl.length > 1024 || !S3_URI.test(c.ModelDataUrl))
    )
      throw patternError(c.ModelDataUrl, `${field}.member.modelDataUrl`, S3_URI_PATTERN);
    const env = c.Environment ?? {};
    if (typeof env !== 'object' || Array.isArray(env))
      throw validation(`${field}.member.environment must be a map.`);
    if (Object.keys(env).length > 16)
      throw validation(
        `1 validation error detected: Value at '${field}.member.environment' failed to satisfy constraint: Member must have length less than or equal to 16`
      );
    for (const [key, value] of Object.entries(env)) {
      if (key.length > 1024 || !ENV_KEY.test(key))
        throw patternError(key, `${field}.member.environment.key`, '[a-zA-Z_][a-zA-Z0-9_]*');
      if (typeof value !== 'string' || value.length > 1024)
        throw lengthError(value, `${field}.member.environment.value`, 'less', 1024);
    }
  }
  checkMime(s.SupportedContentTypes, 'inferenceSpecification.supportedContentTypes');
  checkMime(s.SupportedResponseMIMETypes, 'inferenceSpecification.supportedResponseMIMETypes');
  const types = s.SupportedRealtimeInferenceInstanceTypes;
  if (types !== undefined) {
    if (!Array.isArray(types)) throw validation('SupportedRealtimeInferenceInstanceTypes must be a list.');
    for (const t of types)
      checkVariantInstanceType(t, 'inferenceSpecification.supportedRealtimeInferenceInstanceTypes.member');
  }
}

/**
 * ModelMetrics: its reports (ModelQuality.Statistics, Bias.Report, ...) are S3 documents, each a
 * MetricsSource with a ContentType and an S3Uri.
 */
export function checkModelMetrics(metrics: unknown): void {
  if (metrics === undefined) return;
  if (typeof metrics !== 'object' || metrics === null) throw validation('ModelMetrics must be a structure.');
  for (const [group, reports] of Object.entries(metrics as Json)) {
    for (const [report, source] of Object.entries((reports ?? {}) as Json)) {
      const field = `modelMetrics.${lower(group)}.${lower(report)}`;
      const s = source as Json;
      if (typeof s?.ContentType !== 'string' || !s.ContentType.length || s.ContentType.length > 256)
        throw validation(
          `1 validation error detected: Value null at '${field}.contentType' failed to satisfy constraint: Member must not be null`
        );
      if (typeof s.S3Uri !== 'string' || s.S3Uri.length > 1024 || !S3_URI.test(s.S3Uri))
        throw patternError(s.S3Uri, `${field}.s3Uri`, S3_URI_PATTERN);
    }
  }
}

const lower = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

const VERSIONED_ARN_OR_NAME =
  /^(arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:[0-9]{12}:[a-z-]*\/)?([a-zA-Z0-9]([a-zA-Z0-9-]){0,62})(?<!-)(\/[0-9]{1,9})?$/;
const PACKAGE_ARN = /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:[0-9]{12}:model-package\/\S{1,2048}$/;

/** DescribeModelPackage's and DeleteModelPackage's ModelPackageName: an ARN, a name or `<group>/<version>`. */
export function checkPackageName(name: unknown, field = 'modelPackageName'): void {
  if (typeof name !== 'string' || name.length > 176 || !VERSIONED_ARN_OR_NAME.test(name))
    throw patternError(
      name,
      field,
      '(arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:[a-z\\-]*\\/)?([a-zA-Z0-9]([a-zA-Z0-9-]){0,62})(?<!-)(\\/[0-9]{1,9})?'
    );
}

/** UpdateModelPackage's ModelPackageArn: an ARN only. */
export function checkPackageArn(arn: unknown): void {
  if (typeof arn !== 'string' || !PACKAGE_ARN.test(arn))
    throw patternError(
      arn,
      'modelPackageArn',
      'arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:model-package/[\\S]{1,2048}$'
    );
}
