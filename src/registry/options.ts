/**
 * register-model and approve-model inputs, checked against the Model Registry's limits before any
 * call: each bad value is one sentence naming its input.
 */
import { InputError } from '../errors.js';
import type { Inputs } from '../inputs.js';
import { checkMap, checkTags, type MapLimits } from '../limits.js';
import { loadMetrics, type Metrics } from '../gate/metrics.js';
import type { RunContext } from '../github/context.js';
import { NAME } from '../sagemaker/options.js';
import { parsePackageRef, type PackageRef } from './reference.js';

export const APPROVALS = ['PendingManualApproval', 'Approved'] as const;
export const DECISIONS = ['Approved', 'Rejected'] as const;
export type Approval = (typeof APPROVALS)[number];
export type Decision = (typeof DECISIONS)[number];

/** Where the package came from: recorded in its metadata. */
export interface Provenance {
  sha: string;
  repository: string;
  runUrl?: string;
  actor: string;
}

export interface RegisterOptions {
  group: string;
  image: string;
  /** `sha256:<64 hex>`, from the image reference. */
  imageDigest: string;
  modelData?: string;
  environment: Record<string, string>;
  metrics?: Metrics;
  /** Where the statistics document goes: a bucket and a key prefix (no slashes at either end). */
  metricsPath?: { bucket: string; prefix: string };
  approval: Approval;
  description?: string;
  contentTypes: string[];
  instanceTypes: string[];
  /** Tags of the package group (versioned packages take their group's tags). */
  tags: Record<string, string>;
  region?: string;
  provenance: Provenance;
}

export interface ApproveOptions {
  ref: PackageRef;
  decision: Decision;
  /** The ApprovalDescription: who and why, with the run URL added. */
  description: string;
  region?: string;
}

const NAME_TEXT =
  'a model package group name: letters, digits and hyphens, at most 63 characters, starting and ending with a letter or digit';
const IMAGE_BY_DIGEST =
  /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?@(sha256:[a-f0-9]{64})$/;
const S3_OBJECT = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\S+$/;
const S3_PREFIX = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(\S*))?$/;
const MIME = /^[-\w.+]+\/[-\w.+]+$/;
const INSTANCE_TYPE = /^ml\.[a-z0-9-]+\.[a-z0-9]+$/;
/** SageMaker's ModelPackageContainerDefinition.Environment: at most 16 variables. */
const PACKAGE_ENVIRONMENT: MapLimits = {
  what: 'environment variables',
  count: 16,
  keyLength: 1024,
  valueLength: 1024,
  names: true
};
/** Tags the toolkit puts on a group it creates (mlops-actions:repository). */
export const OWN_GROUP_TAGS = 1;
const DESCRIPTION_LENGTH = 1024;

function fail(input: string, message: string): never {
  throw new InputError(input, message);
}

export function readGroupName(inputs: Inputs, input: string): string {
  const value = inputs.required(input, 'give the model package group');
  if (!NAME.test(value))
    fail(input, `Input "${input}" must be ${NAME_TEXT}, but got ${JSON.stringify(value)}.`);
  return value;
}

/** Free text on one line (white space runs, line breaks included, become one space). */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function checkLength(input: string, text: string, max: number, added = ''): string {
  if (text.length > max)
    fail(
      input,
      added
        ? `Input "${input}" has ${text.length} characters, but at most ${max} fit in SageMaker's 1024 with ${added}.`
        : `Input "${input}" has ${text.length} characters, but SageMaker takes at most ${max}.`
    );
  return text;
}

/** A comma or newline separated list whose items all match `pattern`; `what` says what the items are. */
function readList(inputs: Inputs, input: string, pattern: RegExp, what: string): string[] {
  const items = inputs.list(input);
  if (!items.length) fail(input, `Input "${input}" is empty: give ${what}.`);
  const bad = items.find((item) => !pattern.test(item) || item.length > 256);
  if (bad !== undefined)
    fail(input, `Input "${input}" must list ${what}, but ${JSON.stringify(bad)} is not one.`);
  return [...new Set(items)];
}

export function readRegisterOptions(inputs: Inputs, github: RunContext): RegisterOptions {
  const group = readGroupName(inputs, 'model-package-group');
  const image = inputs.required(
    'image',
    'give the serving image by digest (the image-uri output of build-image)'
  );
  const digest = IMAGE_BY_DIGEST.exec(image);
  if (!digest)
    fail(
      'image',
      `Input "image" must be a container image by digest, such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/model@sha256:..., but got ${JSON.stringify(image)}.`
    );
  const modelData = inputs.string('model-data');
  if (modelData !== undefined && (!S3_OBJECT.test(modelData) || modelData.length > 1024))
    fail(
      'model-data',
      `Input "model-data" must be the S3 URI of a model.tar.gz, such as s3://bucket/model.tar.gz, but got ${JSON.stringify(modelData)}.`
    );
  const environment = checkMap('environment', inputs.map('environment'), PACKAGE_ENVIRONMENT);

  const metricsText = inputs.raw('metrics');
  const metrics = metricsText ? loadMetrics('metrics', metricsText, github.workspace) : undefined;
  if (metrics && !metrics.values.size)
    fail(
      'metrics',
      `Input "metrics" holds no numbers (${metrics.source}): give metrics such as {"accuracy": 0.97}.`
    );
  const pathText = inputs.raw('metrics-path');
  const pathMatch = pathText ? S3_PREFIX.exec(pathText) : undefined;
  if (pathText && !pathMatch)
    fail(
      'metrics-path',
      `Input "metrics-path" must be an S3 prefix such as s3://bucket/model-metrics, but got ${JSON.stringify(pathText)}.`
    );
  if (metrics && !pathMatch)
    fail(
      'metrics-path',
      'Input "metrics-path" is required with metrics: give the S3 prefix to store the statistics document under, such as s3://bucket/model-metrics.'
    );
  const approval = inputs.enum('approval', APPROVALS) ?? 'PendingManualApproval';
  const description = inputs.string('description');
  return {
    group,
    image,
    imageDigest: digest[1],
    modelData,
    environment,
    metrics,
    metricsPath: pathMatch
      ? { bucket: pathMatch[1], prefix: (pathMatch[2] ?? '').replace(/^\/+|\/+$/g, '') }
      : undefined,
    approval,
    description: description && checkLength('description', oneLine(description), DESCRIPTION_LENGTH),
    contentTypes: readList(inputs, 'content-types', MIME, 'MIME types such as application/json'),
    instanceTypes: readList(
      inputs,
      'instance-types',
      INSTANCE_TYPE,
      'SageMaker instance types such as ml.m5.large'
    ),
    tags: checkTags('tags', inputs.map('tags'), 50 - OWN_GROUP_TAGS),
    region: inputs.string('region'),
    provenance: provenanceOf(github)
  };
}

export function provenanceOf(github: RunContext): Provenance {
  return { sha: github.sha, repository: github.repository, runUrl: github.runUrl, actor: github.actor };
}

export function readApproveOptions(inputs: Inputs, github: RunContext): ApproveOptions {
  const packageText = inputs.required(
    'model-package',
    'give a model package ARN, or a group name with version'
  );
  const versionText = inputs.matching(
    'version',
    /^[1-9]\d{0,8}$/,
    'a positive integer, the package version such as 3'
  );
  const version = versionText === undefined ? undefined : Number(versionText);
  const ref = parsePackageRef('model-package', packageText, version, 'version');
  if (ref.version === undefined)
    fail(
      'version',
      `Input "version" is required when "model-package" names the group ${ref.group}: give the version to decide on, or the package's ARN.`
    );
  const decision =
    inputs.enum('decision', DECISIONS) ??
    fail('decision', 'Input "decision" is required: give Approved or Rejected.');
  const who =
    oneLine(inputs.raw('description')) || `${decision} by ${github.actor || 'mlops-actions approve-model'}`;
  const suffix = github.runUrl ? ` (run ${github.runUrl})` : '';
  checkLength('description', who, DESCRIPTION_LENGTH - suffix.length, suffix ? 'the run URL added' : '');
  return {
    ref,
    decision,
    description: `${who}${suffix}`,
    region: inputs.string('region') ?? ref.region
  };
}
