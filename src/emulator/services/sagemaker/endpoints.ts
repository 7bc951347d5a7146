/**
 * SageMaker endpoints in the emulator: CreateEndpoint, UpdateEndpoint (deployment guardrails),
 * UpdateEndpointWeightsAndCapacities, DeleteEndpoint, DescribeEndpoint and ListEndpoints, over the
 * pure timeline of timeline.ts. Each request first brings the endpoint up to now (`advance`): a
 * finished operation becomes its outcome, and the fleets it retired are forgotten.
 *
 * Faults (POST /_emulator/faults), each taken by the next CreateEndpoint or UpdateEndpoint:
 *   "sagemaker.nextUpdate": "Failed"                the operation ends with the endpoint Failed;
 *   "sagemaker.nextUpdate": "UpdateRollbackFailed"  the update fails when traffic starts to move and
 *                                                   its rollback fails too;
 *   "sagemaker.failHealthCheck": true               the new fleet fails its ping health check: a new
 *                                                   endpoint ends Failed, an update rolls back.
 * And a limit: "sagemaker.instanceLimit": N instances of one type for the account (default 50).
 */
import type { Emulator, RequestInfo, Operation as Handler } from '../../server.js';
import { validation } from '../../protocol.js';
import { firstAlarm } from '../cloudwatch/index.js';
import {
  arnOf,
  byName,
  hostingState,
  primaryContainerOf,
  type Endpoint,
  type Fault,
  type Json,
  type Operation
} from './state.js';
import { blueGreenPhases, DURATIONS, phaseStart, progress, timeline, type Progress } from './timeline.js';
import { checkCapacity, checkName, checkTags, validateDeploymentConfig } from './validate.js';
import { dropRetiredFleets, healthOf, newFleets } from './fleets.js';
import { page } from './resources.js';

export function endpoints(
  emulator: Emulator,
  shared: {
    setTags: (arn: string, tags: Array<{ Key: string; Value: string }>) => void;
    configOf: (request: RequestInfo, name: unknown) => Json;
  }
) {
  const state = () => hostingState(emulator);
  const scaled = (seconds: number) => emulator.scaled(seconds);
  const { setTags, configOf } = shared;

  /** Where an endpoint's operation is now. */
  function progressOf(endpoint: Endpoint, op: Operation): Progress {
    return progress(endpoint, op, emulator.now(), {
      health: healthOf(emulator, op),
      firstAlarm: (names, from, to) => firstAlarm(emulator, names, from, to)
    });
  }

  function takeFault(): Fault | undefined {
    const faults = emulator.faults;
    let fault: Fault | undefined;
    if (
      faults['sagemaker.nextUpdate'] === 'Failed' ||
      faults['sagemaker.nextUpdate'] === 'UpdateRollbackFailed'
    )
      fault = faults['sagemaker.nextUpdate'] as Fault;
    else if (faults['sagemaker.failHealthCheck']) fault = 'HealthCheck';
    delete faults['sagemaker.nextUpdate'];
    delete faults['sagemaker.failHealthCheck'];
    return fault;
  }

  /** The runtime variants of a config, as DescribeEndpoint shows them once it is live. */
  function runtimeVariants(configName: string, at: number): Json[] {
    const config = state().configs[configName];
    return (config?.ProductionVariants ?? []).map((v: Json) => {
      const image = primaryContainerOf(state().models[v.ModelName], state())?.Image;
      return {
        VariantName: v.VariantName,
        DeployedImages: image ? [{ SpecifiedImage: image, ResolvedImage: image, ResolutionTime: at }] : [],
        CurrentWeight: v.InitialVariantWeight ?? 1,
        DesiredWeight: v.InitialVariantWeight ?? 1,
        ...(v.ServerlessConfig
          ? { CurrentServerlessConfig: v.ServerlessConfig, DesiredServerlessConfig: v.ServerlessConfig }
          : { CurrentInstanceCount: v.InitialInstanceCount, DesiredInstanceCount: v.InitialInstanceCount })
      };
    });
  }

  /** Brings an endpoint's stored state up to now: a finished operation becomes its outcome. */
  function advance(endpoint: Endpoint): void {
    const op = endpoint.op;
    if (!op) return;
    const p = progressOf(endpoint, op);
    if (p.state !== 'done') return;
    endpoint.op = undefined;
    endpoint.modified = p.at;
    if (op.kind === 'delete') {
      delete state().tags[endpoint.arn];
      delete state().endpoints[endpoint.name];
      dropRetiredFleets(emulator);
      return;
    }
    endpoint.status = p.status;
    endpoint.failureReason = p.reason;
    if (op.kind === 'weights') {
      for (const d of op.desired ?? []) {
        const v = endpoint.variants.find((x) => x.VariantName === d.VariantName);
        if (!v) continue;
        if (d.DesiredWeight !== undefined) v.CurrentWeight = v.DesiredWeight = d.DesiredWeight;
        if (d.DesiredInstanceCount !== undefined)
          v.CurrentInstanceCount = v.DesiredInstanceCount = d.DesiredInstanceCount;
      }
      return;
    }
    if (p.status === 'InService' && p.config === op.target) {
      endpoint.config = p.config;
      endpoint.variants = runtimeVariants(p.config, p.at);
      if (op.fleets) endpoint.fleets = op.fleets;
    }
    // A failed endpoint serves nothing; after a rollback the old fleets serve on.
    if (p.status === 'Failed') endpoint.fleets = [];
    dropRetiredFleets(emulator);
  }

  /**
   * DescribeEndpoint's DataCaptureConfig (a DataCaptureConfigSummary) when the live config captures.
   * KmsKeyId only when the config has one: the SDK marks it required, but AWS's answers leave it
   * out when no key was given.
   */
  function dataCaptureOf(configName: string): Json {
    const capture = state().configs[configName]?.DataCaptureConfig;
    if (!capture) return {};
    const enabled = capture.EnableCapture ?? true;
    return {
      DataCaptureConfig: {
        EnableCapture: enabled,
        CaptureStatus: enabled ? 'Started' : 'Stopped',
        CurrentSamplingPercentage: capture.InitialSamplingPercentage,
        DestinationS3Uri: capture.DestinationS3Uri,
        ...(capture.KmsKeyId ? { KmsKeyId: capture.KmsKeyId } : {})
      }
    };
  }

  function view(endpoint: Endpoint): Json {
    const op = endpoint.op;
    const date = (ms: number) => new Date(ms);
    const out: Json = {
      EndpointName: endpoint.name,
      EndpointArn: endpoint.arn,
      EndpointConfigName: endpoint.config,
      EndpointStatus: endpoint.status,
      FailureReason: endpoint.failureReason,
      CreationTime: date(endpoint.created),
      LastModifiedTime: date(endpoint.modified),
      ProductionVariants: endpoint.variants.map((v) => ({
        ...v,
        DeployedImages: (v.DeployedImages ?? []).map((i: Json) => ({
          ...i,
          ResolutionTime: date(i.ResolutionTime)
        }))
      })),
      ...dataCaptureOf(endpoint.config),
      ...(endpoint.deploymentConfig ? { LastDeploymentConfig: endpoint.deploymentConfig } : {})
    };
    if (!out.ProductionVariants.length) delete out.ProductionVariants;
    if (!op) return out;
    const p = progressOf(endpoint, op);
    if (op.kind === 'weights') {
      out.ProductionVariants = out.ProductionVariants?.map((v: Json) => {
        const d = op.desired?.find((x) => x.VariantName === v.VariantName);
        return {
          ...v,
          DesiredWeight: d?.DesiredWeight ?? v.DesiredWeight,
          ...(v.CurrentInstanceCount !== undefined
            ? { DesiredInstanceCount: d?.DesiredInstanceCount ?? v.DesiredInstanceCount }
            : {})
        };
      });
      return out;
    }
    if (op.kind !== 'update') return out;
    const target = state().configs[op.target!];
    const status =
      p.state === 'rolling-back'
        ? { Status: 'Deleting', StatusMessage: `Rolling back: ${p.reason}`, StartTime: date(p.since) }
        : p.state === 'running'
          ? {
              Status: p.phase.name === 'TerminationWait' ? 'Deleting' : p.phase.name,
              StatusMessage: p.phase.message,
              StartTime: date(phaseStart(op, p.phase, healthOf(emulator, op)))
            }
          : undefined;
    const share = p.state === 'running' ? p.phase.share : 0;
    out.PendingDeploymentSummary = {
      EndpointConfigName: op.target,
      StartTime: date(op.started),
      ProductionVariants: (target?.ProductionVariants ?? []).map((v: Json) => {
        const image = primaryContainerOf(state().models[v.ModelName], state())?.Image;
        const weight = v.InitialVariantWeight ?? 1;
        return {
          VariantName: v.VariantName,
          DeployedImages: image ? [{ SpecifiedImage: image, ResolvedImage: image }] : [],
          CurrentWeight: Math.round(share * weight * 1000) / 1000,
          DesiredWeight: weight,
          ...(v.ServerlessConfig
            ? { DesiredServerlessConfig: v.ServerlessConfig }
            : {
                CurrentInstanceCount:
                  p.state === 'running' && p.phase.name !== 'Creating' ? v.InitialInstanceCount : 0,
                DesiredInstanceCount: v.InitialInstanceCount,
                InstanceType: v.InstanceType
              }),
          VariantStatus: status ? [status] : []
        };
      })
    };
    return out;
  }

  function endpointOf(request: RequestInfo, name: unknown): Endpoint {
    const endpoint = typeof name === 'string' ? state().endpoints[name] : undefined;
    if (endpoint) advance(endpoint);
    const live = typeof name === 'string' ? state().endpoints[name] : undefined;
    if (!live) throw validation(`Could not find endpoint "${arnOf(request, 'endpoint', String(name))}".`);
    return live;
  }

  function startOperation(endpoint: Endpoint, op: Omit<Operation, 'started' | 'rollbackMs'>): void {
    const now = emulator.now();
    endpoint.op = { ...op, started: now, rollbackMs: scaled(DURATIONS.rollback) };
    endpoint.modified = now;
  }

  const operations: Record<string, Handler> = {
    CreateEndpoint: (r, request) => {
      const name = checkName(r.EndpointName, 'endpointName');
      if (state().endpoints[name])
        throw validation(`Cannot create already existing endpoint "${arnOf(request, 'endpoint', name)}".`);
      const config = configOf(request, r.EndpointConfigName);
      validateDeploymentConfig(r.DeploymentConfig, undefined, config);
      checkCapacity(emulator, config);
      const tags = checkTags(r.Tags);
      const now = emulator.now();
      const endpoint: Endpoint = {
        name,
        arn: arnOf(request, 'endpoint', name),
        created: now,
        modified: now,
        status: 'Creating',
        config: config.EndpointConfigName,
        variants: [],
        // Stored for later updates: a first deployment is always all at once.
        deploymentConfig: r.DeploymentConfig
      };
      const { phases, push } = timeline();
      push(scaled(DURATIONS.provision), 'Creating', 1, 'Creating the endpoint');
      startOperation(endpoint, {
        kind: 'create',
        phases,
        target: config.EndpointConfigName,
        alarms: [],
        fault: takeFault(),
        fleets: newFleets(emulator, name, config)
      });
      state().endpoints[name] = endpoint;
      setTags(endpoint.arn, tags);
      return { EndpointArn: endpoint.arn };
    },
    DescribeEndpoint: ({ EndpointName }, request) => view(endpointOf(request, EndpointName)),
    UpdateEndpoint: (r, request) => {
      const endpoint = endpointOf(request, r.EndpointName);
      const target = configOf(request, r.EndpointConfigName);
      if (endpoint.status === 'Failed')
        throw validation(
          `Cannot update endpoint "${endpoint.arn}" because it is in Failed status: delete it and create it again.`
        );
      // An UpdateRollbackFailed endpoint can be updated: that is how a person repairs it.
      if (endpoint.status !== 'InService' && endpoint.status !== 'UpdateRollbackFailed')
        throw validation(`Cannot update in-progress endpoint "${endpoint.arn}".`);
      if (r.RetainAllVariantProperties === undefined && r.ExcludeRetainedVariantProperties !== undefined)
        throw validation('ExcludeRetainedVariantProperties requires RetainAllVariantProperties.');
      const dc = r.DeploymentConfig ?? (r.RetainDeploymentConfig ? endpoint.deploymentConfig : undefined);
      const current = state().configs[endpoint.config];
      validateDeploymentConfig(dc, current, target);
      if (
        current?.ProductionVariants?.some((v: Json) => !v.ServerlessConfig) &&
        target.ProductionVariants.some((v: Json) => v.ServerlessConfig)
      )
        throw validation(
          'An endpoint with instance-based variants cannot be updated to a serverless endpoint configuration.'
        );
      checkCapacity(emulator, target);
      endpoint.status = 'Updating';
      endpoint.failureReason = undefined;
      if (r.DeploymentConfig) endpoint.deploymentConfig = r.DeploymentConfig;
      startOperation(endpoint, {
        kind: 'update',
        phases: blueGreenPhases(target, dc, scaled),
        target: target.EndpointConfigName,
        previous: endpoint.config,
        alarms: (dc?.AutoRollbackConfiguration?.Alarms ?? []).map((a: Json) => a.AlarmName),
        fault: takeFault(),
        fleets: newFleets(emulator, endpoint.name, target)
      });
      return { EndpointArn: endpoint.arn };
    },
    UpdateEndpointWeightsAndCapacities: ({ EndpointName, DesiredWeightsAndCapacities }, request) => {
      const endpoint = endpointOf(request, EndpointName);
      if (endpoint.status !== 'InService')
        throw validation(`Cannot update in-progress endpoint "${endpoint.arn}".`);
      if (
        !Array.isArray(DesiredWeightsAndCapacities) ||
        DesiredWeightsAndCapacities.length < 1 ||
        DesiredWeightsAndCapacities.length > 10
      )
        throw validation('DesiredWeightsAndCapacities must have between 1 and 10 members.');
      for (const d of DesiredWeightsAndCapacities) {
        const variant = endpoint.variants.find((v) => v.VariantName === d.VariantName);
        if (!variant)
          throw validation(
            `The variant name(s) [${d.VariantName}] is/are not present in the endpoint "${endpoint.arn}".`
          );
        if (d.DesiredWeight === undefined && d.DesiredInstanceCount === undefined)
          throw validation(`Give DesiredWeight or DesiredInstanceCount for variant ${d.VariantName}.`);
        if (d.DesiredWeight !== undefined && !(d.DesiredWeight >= 0))
          throw validation('DesiredWeight must be greater than or equal to 0.');
        if (d.DesiredInstanceCount !== undefined) {
          if (variant.CurrentServerlessConfig)
            throw validation('DesiredInstanceCount is not supported for serverless variants.');
          if (!(Number.isInteger(d.DesiredInstanceCount) && d.DesiredInstanceCount >= 0))
            throw validation('DesiredInstanceCount must be greater than or equal to 0.');
        }
      }
      const weights = endpoint.variants.map(
        (v) =>
          DesiredWeightsAndCapacities.find((d: Json) => d.VariantName === v.VariantName)?.DesiredWeight ??
          v.DesiredWeight
      );
      if (!weights.some((w) => w > 0))
        throw validation('At least one variant must have a weight greater than 0.');
      endpoint.status = 'Updating';
      const { phases, push } = timeline();
      push(scaled(DURATIONS.weights), 'Updating', 1, 'Updating weights and capacities');
      startOperation(endpoint, {
        kind: 'weights',
        phases,
        alarms: [],
        desired: DesiredWeightsAndCapacities
      });
      return { EndpointArn: endpoint.arn };
    },
    DeleteEndpoint: ({ EndpointName }, request) => {
      const endpoint = endpointOf(request, EndpointName);
      if (endpoint.status === 'Deleting') return {};
      endpoint.status = 'Deleting';
      const { phases, push } = timeline();
      push(scaled(DURATIONS.delete), 'Deleting', 0, 'Deleting the endpoint');
      startOperation(endpoint, { kind: 'delete', phases, alarms: [] });
      return {};
    },
    ListEndpoints: (r) => {
      const sortBy = r.SortBy ?? 'CreationTime';
      const order = r.SortOrder ?? 'Descending';
      if (!['Name', 'CreationTime', 'Status'].includes(sortBy))
        throw validation(
          `Value '${sortBy}' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: [Status, CreationTime, Name]`
        );
      const endpoints = Object.values(state().endpoints)
        .filter((e) => !r.NameContains || e.name.toLowerCase().includes(String(r.NameContains).toLowerCase()))
        .filter((e) => !r.StatusEquals || e.status === r.StatusEquals)
        .filter((e) => r.CreationTimeBefore === undefined || e.created < r.CreationTimeBefore * 1000)
        .filter((e) => r.CreationTimeAfter === undefined || e.created > r.CreationTimeAfter * 1000)
        .filter((e) => r.LastModifiedTimeBefore === undefined || e.modified < r.LastModifiedTimeBefore * 1000)
        .filter((e) => r.LastModifiedTimeAfter === undefined || e.modified > r.LastModifiedTimeAfter * 1000)
        .sort((a, b) =>
          sortBy === 'Name'
            ? byName(a.name, b.name)
            : sortBy === 'Status'
              ? byName(a.status, b.status)
              : a.created - b.created
        );
      if (order === 'Descending') endpoints.reverse();
      const { items, next } = page(endpoints, r.MaxResults, r.NextToken);
      return {
        Endpoints: items.map((e) => ({
          EndpointName: e.name,
          EndpointArn: e.arn,
          EndpointStatus: e.status,
          CreationTime: new Date(e.created),
          LastModifiedTime: new Date(e.modified)
        })),
        ...(next ? { NextToken: next } : {})
      };
    }
  };
  return { operations, advance: () => Object.values(state().endpoints).forEach(advance), progressOf };
}
