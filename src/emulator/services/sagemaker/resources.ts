/**
 * SageMaker's hosting resources that have no lifecycle of their own: models, endpoint configs and
 * tags, and the List* calls' filters, order and pages.
 */
import type { Emulator, RequestInfo, Operation as Handler } from '../../server.js';
import { AwsError, validation } from '../../protocol.js';
import { arnOf, byName, hostingState, type Json } from './state.js';
import { checkName, checkTags, patternError, ROLE_ARN, validateVariants } from './validate.js';
import { isRegistryArn, packageContainers } from './registry.js';

export function page<T>(items: T[], maxResults: unknown, nextToken: unknown, fallback = 10) {
  const max = maxResults === undefined ? fallback : Number(maxResults);
  if (!Number.isInteger(max) || max < 1 || max > 100) {
    throw validation(
      `1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100`
    );
  }
  const from = nextToken === undefined || nextToken === '' ? 0 : Number(nextToken);
  if (!Number.isInteger(from) || from < 0 || from > items.length)
    throw validation('Invalid pagination token.');
  return {
    items: items.slice(from, from + max),
    next: from + max < items.length ? String(from + max) : undefined
  };
}

/** A List* call's filters, order and page over resources with a name and a CreationTime. */
export function listing(all: Json[], r: Json, nameOf: (item: Json) => string) {
  const sortBy = r.SortBy ?? 'CreationTime';
  const order = r.SortOrder ?? 'Descending';
  if (!['Name', 'CreationTime'].includes(sortBy))
    throw validation(
      `Value '${sortBy}' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: [CreationTime, Name]`
    );
  if (!['Ascending', 'Descending'].includes(order))
    throw validation(
      `Value '${order}' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [Ascending, Descending]`
    );
  const items = all
    .filter((c) => !r.NameContains || nameOf(c).toLowerCase().includes(String(r.NameContains).toLowerCase()))
    .filter((c) => r.CreationTimeBefore === undefined || c.CreationTime < r.CreationTimeBefore * 1000)
    .filter((c) => r.CreationTimeAfter === undefined || c.CreationTime > r.CreationTimeAfter * 1000)
    .sort((a, b) =>
      sortBy === 'Name'
        ? byName(nameOf(a), nameOf(b))
        : a.CreationTime - b.CreationTime || byName(nameOf(a), nameOf(b))
    );
  if (order === 'Descending') items.reverse();
  return page(items, r.MaxResults, r.NextToken);
}

export function resources(emulator: Emulator) {
  const state = () => hostingState(emulator);
  function setTags(resourceArn: string, tags: Array<{ Key: string; Value: string }>): void {
    const current = { ...(state().tags[resourceArn] ?? {}) };
    for (const t of tags) current[t.Key] = t.Value;
    if (Object.keys(current).length > 50)
      throw validation(`The resource ${resourceArn} cannot have more than 50 tags.`);
    state().tags[resourceArn] = current;
  }

  function resourceOf(resourceArn: unknown): boolean {
    const s = state();
    return (
      typeof resourceArn === 'string' &&
      (Object.values(s.models).some((m) => m.ModelArn === resourceArn) ||
        Object.values(s.configs).some((c) => c.EndpointConfigArn === resourceArn) ||
        Object.values(s.endpoints).some((e) => e.arn === resourceArn) ||
        isRegistryArn(s, resourceArn))
    );
  }

  function configOf(request: RequestInfo, name: unknown): Json {
    const config = typeof name === 'string' ? state().configs[name] : undefined;
    if (!config)
      throw validation(
        `Could not find endpoint configuration "${arnOf(request, 'endpoint-config', String(name))}".`
      );
    return config;
  }

  const operations: Record<string, Handler> = {
    CreateModel: (r, request) => {
      const name = checkName(r.ModelName, 'modelName');
      if (state().models[name])
        throw validation(`Cannot create already existing model "${arnOf(request, 'model', name)}".`);
      if (!ROLE_ARN.test(r.ExecutionRoleArn ?? ''))
        throw patternError(
          r.ExecutionRoleArn,
          'executionRoleArn',
          '^arn:aws[a-z\\-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+$'
        );
      if (r.PrimaryContainer && r.Containers)
        throw validation('Only one of PrimaryContainer and Containers can be specified.');
      if (r.Containers !== undefined && (!Array.isArray(r.Containers) || r.Containers.length > 15))
        throw validation(
          "1 validation error detected: Value at 'containers' failed to satisfy constraint: Member must have length less than or equal to 15"
        );
      const containers: Json[] = r.PrimaryContainer ? [r.PrimaryContainer] : (r.Containers ?? []);
      if (!containers.length || containers.some((c) => !c?.Image && !c?.ModelPackageName))
        throw validation('A primary container with an Image is required.');
      const field = r.PrimaryContainer ? 'primaryContainer' : 'containers.member';
      for (const container of containers) {
        if (
          container.ModelDataUrl !== undefined &&
          !/^(https|s3):\/\/([^/]+)\/?(.*)$/.test(container.ModelDataUrl)
        )
          throw patternError(container.ModelDataUrl, `${field}.modelDataUrl`, '^(https|s3)://([^/]+)/?(.*)$');
        const env = container.Environment ?? {};
        if (Object.keys(env).length > 100) throw validation('Environment can have at most 100 entries.');
      }
      if (r.EnableNetworkIsolation !== undefined && typeof r.EnableNetworkIsolation !== 'boolean')
        throw validation(
          `1 validation error detected: Value '${r.EnableNetworkIsolation}' at 'enableNetworkIsolation' failed to satisfy constraint: Member must be a boolean`
        );
      const tags = checkTags(r.Tags);
      const fromPackages = packageContainers(state(), containers);
      const ModelArn = arnOf(request, 'model', name);
      state().models[name] = {
        ModelName: name,
        ModelArn,
        ExecutionRoleArn: r.ExecutionRoleArn,
        // As given: DescribeModel answers PrimaryContainer or Containers, whichever was created.
        ...(r.PrimaryContainer ? { PrimaryContainer: r.PrimaryContainer } : { Containers: r.Containers }),
        ...(r.InferenceExecutionConfig ? { InferenceExecutionConfig: r.InferenceExecutionConfig } : {}),
        ...(r.VpcConfig ? { VpcConfig: r.VpcConfig } : {}),
        EnableNetworkIsolation: r.EnableNetworkIsolation ?? false,
        CreationTime: emulator.now()
      };
      if (fromPackages) (state().packageModels ??= {})[name] = fromPackages;
      else delete state().packageModels?.[name];
      setTags(ModelArn, tags);
      return { ModelArn };
    },
    DescribeModel: ({ ModelName }, request) => {
      const model = state().models[ModelName];
      if (!model) throw validation(`Could not find model "${arnOf(request, 'model', String(ModelName))}".`);
      return { ...model, CreationTime: new Date(model.CreationTime) };
    },
    DeleteModel: ({ ModelName }, request) => {
      const model = state().models[ModelName];
      if (!model) throw validation(`Could not find model "${arnOf(request, 'model', String(ModelName))}".`);
      delete state().tags[model.ModelArn];
      delete state().models[ModelName];
      return {};
    },
    CreateEndpointConfig: (r, request) => {
      const name = checkName(r.EndpointConfigName, 'endpointConfigName');
      if (state().configs[name])
        throw validation(
          `Cannot create already existing endpoint configuration "${arnOf(request, 'endpoint-config', name)}".`
        );
      const variants: Json[] = r.ProductionVariants;
      validateVariants(emulator, request, variants);
      const capture = r.DataCaptureConfig;
      if (capture) {
        if (variants.some((v) => v.ServerlessConfig))
          throw validation('DataCaptureConfig is not supported for serverless endpoints.');
        const pct = capture.InitialSamplingPercentage;
        if (!(Number.isInteger(pct) && pct >= 0 && pct <= 100))
          throw validation('InitialSamplingPercentage must be between 0 and 100.');
        if (!/^(https|s3):\/\//.test(capture.DestinationS3Uri ?? ''))
          throw patternError(
            capture.DestinationS3Uri,
            'dataCaptureConfig.destinationS3Uri',
            '^(https|s3)://([^/])/?(.*)$'
          );
        if (
          !Array.isArray(capture.CaptureOptions) ||
          capture.CaptureOptions.length < 1 ||
          capture.CaptureOptions.length > 2
        )
          throw validation('CaptureOptions must have 1 or 2 members.');
      }
      const tags = checkTags(r.Tags);
      const EndpointConfigArn = arnOf(request, 'endpoint-config', name);
      state().configs[name] = {
        EndpointConfigName: name,
        EndpointConfigArn,
        ProductionVariants: variants.map((v) => ({ InitialVariantWeight: 1, ...v })),
        ...(capture ? { DataCaptureConfig: capture } : {}),
        CreationTime: emulator.now()
      };
      setTags(EndpointConfigArn, tags);
      return { EndpointConfigArn };
    },
    DescribeEndpointConfig: ({ EndpointConfigName }, request) => {
      const config = configOf(request, EndpointConfigName);
      return { ...config, CreationTime: new Date(config.CreationTime) };
    },
    DeleteEndpointConfig: ({ EndpointConfigName }, request) => {
      const config = configOf(request, EndpointConfigName);
      delete state().tags[config.EndpointConfigArn];
      delete state().configs[EndpointConfigName];
      return {};
    },
    ListEndpointConfigs: (r) => {
      const { items, next } = listing(Object.values(state().configs), r, (c) => c.EndpointConfigName);
      return {
        EndpointConfigs: items.map((c) => ({
          EndpointConfigName: c.EndpointConfigName,
          EndpointConfigArn: c.EndpointConfigArn,
          CreationTime: new Date(c.CreationTime)
        })),
        ...(next ? { NextToken: next } : {})
      };
    },
    ListModels: (r) => {
      const { items, next } = listing(Object.values(state().models), r, (m) => m.ModelName);
      return {
        Models: items.map((m) => ({
          ModelName: m.ModelName,
          ModelArn: m.ModelArn,
          CreationTime: new Date(m.CreationTime)
        })),
        ...(next ? { NextToken: next } : {})
      };
    },
    AddTags: ({ ResourceArn, Tags }) => {
      if (!resourceOf(ResourceArn))
        throw new AwsError('ResourceNotFound', `Resource ${ResourceArn} not found.`);
      const tags = checkTags(Tags);
      if (!tags.length)
        throw validation(
          "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1"
        );
      setTags(ResourceArn, tags);
      return { Tags: tags };
    },
    ListTags: ({ ResourceArn, MaxResults, NextToken }) => {
      if (!resourceOf(ResourceArn))
        throw new AwsError('ResourceNotFound', `Resource ${ResourceArn} not found.`);
      const tags = Object.entries(state().tags[ResourceArn] ?? {}).map(([Key, Value]) => ({ Key, Value }));
      const { items, next } = page(tags, MaxResults, NextToken, 50);
      return { Tags: items, ...(next ? { NextToken: next } : {}) };
    },
    DeleteTags: ({ ResourceArn, TagKeys }) => {
      if (!resourceOf(ResourceArn))
        throw new AwsError('ResourceNotFound', `Resource ${ResourceArn} not found.`);
      if (!Array.isArray(TagKeys) || TagKeys.length < 1 || TagKeys.length > 50)
        throw validation('TagKeys must have between 1 and 50 members.');
      for (const key of TagKeys) delete state().tags[ResourceArn]?.[key];
      return {};
    }
  };
  return { operations, setTags, configOf };
}
