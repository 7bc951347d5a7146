/**
 * SageMaker hosting in the emulator: models, endpoint configs, endpoints and tags, with SageMaker's
 * validation and error codes, and the endpoint state machine of ../shared specs: Creating -> InService;
 * Updating with a PendingDeploymentSummary while a blue/green deployment provisions the new fleet,
 * shifts traffic (canary, linear or all at once), bakes, and waits to terminate the old fleet; an
 * alarm in ALARM while baking rolls the update back to the old config with a FailureReason.
 *
 * Lazy: an operation is stored as a timeline and the state is computed when a request arrives, so a
 * state file carries it across separate runs and no timers run. All durations follow the time scale.
 *
 * Faults (POST /_emulator/faults): `sagemaker.nextUpdate`: "Failed" | "UpdateRollbackFailed" (the
 * next update or creation ends so); `sagemaker.failHealthCheck`: true (the next new fleet fails its
 * health check).
 */
import type { Emulator, ServiceDefinition } from '../server.js';
import { AwsError, validation } from '../protocol.js';
import { ACCOUNT_ID } from './sts.js';
import { alarmsOf } from './cloudwatch.js';

const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/;
const INSTANCE_LIMIT = 20;

/** Service-side durations, in seconds before the time scale. */
export const DURATIONS = { provision: 120, activate: 10, rollback: 60, weights: 30 };

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Step {
  /** Offsets from the start of the operation, in ms (already scaled). */
  from: number;
  to: number;
  /** Share of traffic on the new fleet during this step, 0..1. */
  share: number;
  phase: 'Creating' | 'ActivatingTraffic' | 'Baking' | 'TerminationWait';
  message: string;
}

interface Operation {
  kind: 'create' | 'update' | 'weights';
  target?: string;
  previous?: string;
  started: number;
  steps: Step[];
  alarms: string[];
  fault?: 'Failed' | 'UpdateRollbackFailed' | 'HealthCheck';
  rollback?: { at: number; reason: string; fails: boolean };
  desired?: Array<{ VariantName: string; DesiredWeight?: number; DesiredInstanceCount?: number }>;
}

interface Endpoint {
  name: string;
  arn: string;
  created: number;
  modified: number;
  status: string;
  config: string;
  failureReason?: string;
  variants: Json[];
  deploymentConfig?: Json;
  op?: Operation;
}

interface HostingState {
  models: Record<string, Json>;
  configs: Record<string, Json>;
  endpoints: Record<string, Endpoint>;
  tags: Record<string, Record<string, string>>;
}

const arn = (kind: string, name: string) =>
  `arn:aws:sagemaker:us-east-1:${ACCOUNT_ID}:${kind}/${name.toLowerCase()}`;

function capacityShare(size: Json | undefined, instances: number): number {
  if (!size) return 1;
  return size.Type === 'INSTANCE_COUNT' ? size.Value / Math.max(1, instances) : size.Value / 100;
}

export function sagemaker(emulator: Emulator): ServiceDefinition {
  const state = () =>
    emulator.stateOf<HostingState>('sagemaker', () => ({ models: {}, configs: {}, endpoints: {}, tags: {} }));
  const scaled = (seconds: number) => emulator.scaled(seconds);

  function takeFault(): Operation['fault'] {
    const faults = emulator.faults;
    let fault: Operation['fault'];
    if (faults['sagemaker.failHealthCheck']) fault = 'HealthCheck';
    else if (
      faults['sagemaker.nextUpdate'] === 'Failed' ||
      faults['sagemaker.nextUpdate'] === 'UpdateRollbackFailed'
    ) {
      fault = faults['sagemaker.nextUpdate'] as Operation['fault'];
    }
    delete faults['sagemaker.failHealthCheck'];
    delete faults['sagemaker.nextUpdate'];
    return fault;
  }

  function liveVariants(configName: string): Json[] {
    const config = state().configs[configName];
    return (config?.ProductionVariants ?? []).map((v: Json) => ({
      VariantName: v.VariantName,
      // Plain data only: this is kept in the state file.
      DeployedImages: [{ SpecifiedImage: state().models[v.ModelName]?.PrimaryContainer?.Image }],
      CurrentWeight: v.InitialVariantWeight ?? 1,
      DesiredWeight: v.InitialVariantWeight ?? 1,
      ...(v.ServerlessConfig
        ? { CurrentServerlessConfig: v.ServerlessConfig, DesiredServerlessConfig: v.ServerlessConfig }
        : { CurrentInstanceCount: v.InitialInstanceCount, DesiredInstanceCount: v.InitialInstanceCount })
    }));
  }

  /** The timeline of a blue/green update: provision, traffic steps with bakes, termination wait. */
  function blueGreenSteps(config: Json, deployment: Json | undefined): Step[] {
    const policy = deployment?.BlueGreenUpdatePolicy;
    const routing = policy?.TrafficRoutingConfiguration ?? { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: 0 };
    const instances = config.ProductionVariants[0]?.InitialInstanceCount ?? 1;
    const bake = scaled(routing.WaitIntervalInSeconds ?? 0);
    const shares: number[] =
      routing.Type === 'CANARY'
        ? [capacityShare(routing.CanarySize, instances), 1]
        : routing.Type === 'LINEAR'
          ? (() => {
              const step = capacityShare(routing.LinearStepSize, instances);
              const out: number[] = [];
              for (let s = step; s < 1 - 1e-9; s += step) out.push(Math.round(s * 1000) / 1000);
              return [...out, 1];
            })()
          : [1];
    const steps: Step[] = [];
    let t = 0;
    const push = (length: number, share: number, phase: Step['phase'], message: string) => {
      steps.push({ from: t, to: t + length, share, phase, message });
      t += length;
    };
    push(scaled(DURATIONS.provision), 0, 'Creating', 'Creating the new fleet');
    for (const share of shares) {
      const percent = Math.round(share * 100);
      push(
        scaled(DURATIONS.activate),
        share,
        'ActivatingTraffic',
        `Shifting ${percent}% of traffic to the new fleet`
      );
      push(bake, share, 'Baking', `Baking with ${percent}% of traffic on the new fleet`);
    }
    const termination = scaled(policy?.TerminationWaitInSeconds ?? 0);
    if (termination) push(termination, 1, 'TerminationWait', 'Waiting before the old fleet is terminated');
    return steps;
  }

  function startRollback(endpoint: Endpoint, now: number, reason: string): void {
    const op = endpoint.op!;
    op.rollback = { at: now, reason, fails: op.fault === 'UpdateRollbackFailed' };
  }

  /** Brings one endpoint's state up to now. */
  function advance(endpoint: Endpoint): void {
    const op = endpoint.op;
    if (!op) return;
    const now = emulator.now();
    const elapsed = now - op.started;
    const finish = (status: string, config: string, failureReason?: string) => {
      endpoint.status = status;
      endpoint.config = config;
      endpoint.failureReason = failureReason;
      endpoint.modified = now;
      if (status === 'InService' && config === op.target) endpoint.variants = liveVariants(config);
      endpoint.op = undefined;
    };

    if (op.kind === 'weights') {
      if (elapsed < scaled(DURATIONS.weights)) return;
      for (const d of op.desired ?? []) {
        const v = endpoint.variants.find((x) => x.VariantName === d.VariantName);
        if (!v) continue;
        if (d.DesiredWeight !== undefined) v.CurrentWeight = v.DesiredWeight = d.DesiredWeight;
        if (d.DesiredInstanceCount !== undefined)
          v.CurrentInstanceCount = v.DesiredInstanceCount = d.DesiredInstanceCount;
      }
      return finish('InService', endpoint.config);
    }

    if (op.rollback) {
      if (now - op.rollback.at < scaled(DURATIONS.rollback)) return;
      if (op.rollback.fails) {
        return finish(
          'UpdateRollbackFailed',
          endpoint.config,
          `${op.rollback.reason} The rollback also failed: the endpoint may serve a mix of both fleets.`
        );
      }
      return finish('InService', op.previous ?? endpoint.config, op.rollback.reason);
    }

    const creating = op.steps[0];
    if (elapsed >= creating.to && op.fault && op.fault !== 'UpdateRollbackFailed') {
      const reason =
        op.fault === 'HealthCheck'
          ? 'The primary container for production variant AllTraffic did not pass the ping health check. Please check CloudWatch logs for this endpoint.'
          : 'Request to service failed. If failure persists after retry, contact customer support.';
      if (op.kind === 'create' || op.fault === 'Failed') return finish('Failed', endpoint.config, reason);
      startRollback(
        endpoint,
        op.started + creating.to,
        `The new fleet failed: ${reason} SageMaker rolled the update back.`
      );
      return advance(endpoint);
    }
    for (const step of op.steps) {
      if (step.from > elapsed) break;
      if (step.phase !== 'Baking' || !op.alarms.length) continue;
      const firing = op.alarms.find((name) => alarmsOf(emulator)[name]?.StateValue === 'ALARM');
      if (firing && elapsed < step.to) {
        startRollback(
          endpoint,
          now,
          `Alarm ${firing} went into ALARM while baking with ${Math.round(step.share * 100)}% of traffic on the new fleet, so SageMaker rolled the update back.`
        );
        return advance(endpoint);
      }
    }
    const firstBake = op.steps.find((step) => step.phase === 'Baking') ?? op.steps[0];
    if (op.fault === 'UpdateRollbackFailed' && elapsed >= firstBake.from) {
      startRollback(endpoint, op.started + firstBake.from, 'An error occurred while shifting traffic.');
      return advance(endpoint);
    }
    if (elapsed >= op.steps[op.steps.length - 1].to) finish('InService', op.target!);
  }

  function describeEndpoint(endpoint: Endpoint): Json {
    const op = endpoint.op;
    const out: Json = {
      EndpointName: endpoint.name,
      EndpointArn: endpoint.arn,
      EndpointConfigName: endpoint.config,
      EndpointStatus: endpoint.status,
      FailureReason: endpoint.failureReason,
      CreationTime: new Date(endpoint.created),
      LastModifiedTime: new Date(endpoint.modified),
      ProductionVariants: endpoint.variants,
      ...(endpoint.deploymentConfig ? { LastDeploymentConfig: endpoint.deploymentConfig } : {})
    };
    if (op && op.kind !== 'weights') {
      const elapsed = emulator.now() - op.started;
      const step = op.rollback
        ? undefined
        : (op.steps.find((s) => elapsed >= s.from && elapsed < s.to) ?? op.steps[op.steps.length - 1]);
      const target = state().configs[op.target!];
      const variantStatus = op.rollback
        ? [
            {
              Status: 'Deleting',
              StatusMessage: `Rolling back: ${op.rollback.reason}`,
              StartTime: new Date(op.rollback.at)
            }
          ]
        : [
            {
              Status: step!.phase === 'TerminationWait' ? 'Deleting' : step!.phase,
              StatusMessage: step!.message,
              StartTime: new Date(op.started + step!.from)
            }
          ];
      if (op.kind === 'update') {
        out.PendingDeploymentSummary = {
          EndpointConfigName: op.target,
          StartTime: new Date(op.started),
          ProductionVariants: (target?.ProductionVariants ?? []).map((v: Json) => ({
            VariantName: v.VariantName,
            CurrentWeight:
              Math.round((op.rollback ? 0 : step!.share) * (v.InitialVariantWeight ?? 1) * 1000) / 1000,
            DesiredWeight: v.InitialVariantWeight ?? 1,
            ...(v.ServerlessConfig
              ? { DesiredServerlessConfig: v.ServerlessConfig }
              : {
                  CurrentInstanceCount: step?.phase === 'Creating' ? 0 : v.InitialInstanceCount,
                  DesiredInstanceCount: v.InitialInstanceCount,
                  InstanceType: v.InstanceType
                }),
            VariantStatus: variantStatus
          }))
        };
      }
    }
    if (op?.kind === 'weights') {
      out.ProductionVariants = endpoint.variants.map((v) => {
        const d = op.desired?.find((x) => x.VariantName === v.VariantName);
        return {
          ...v,
          DesiredWeight: d?.DesiredWeight ?? v.DesiredWeight,
          DesiredInstanceCount: d?.DesiredInstanceCount ?? v.DesiredInstanceCount
        };
      });
    }
    return out;
  }

  function endpointOf(name: string): Endpoint {
    const endpoint = state().endpoints[name];
    if (!endpoint) throw validation(`Could not find endpoint "${arn('endpoint', name)}".`);
    advance(endpoint);
    return endpoint;
  }

  function configOf(name: string): Json {
    const config = state().configs[name];
    if (!config) throw validation(`Could not find endpoint configuration "${arn('endpoint-config', name)}".`);
    return config;
  }

  function checkName(name: unknown, field: string): string {
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw validation(
        `1 validation error detected: Value '${name}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`
      );
    }
    return name;
  }

  function setTags(resourceArn: string, tags: Array<{ Key: string; Value: string }> = []): void {
    const current = (state().tags[resourceArn] ??= {});
    for (const t of tags) current[t.Key] = t.Value;
    if (Object.keys(current).length > 50) throw validation('Tags cannot exceed 50 per resource.');
  }

  function findArn(resourceArn: string): boolean {
    const s = state();
    return (
      Object.values(s.models).some((m) => m.ModelArn === resourceArn) ||
      Object.values(s.configs).some((c) => c.EndpointConfigArn === resourceArn) ||
      Object.values(s.endpoints).some((e) => e.arn === resourceArn)
    );
  }

  function validateDeploymentConfig(dc: Json | undefined, current: Json | undefined, target: Json): void {
    if (!dc) return;
    const policy = dc.BlueGreenUpdatePolicy;
    if (dc.RollingUpdatePolicy) {
      if (
        target.ProductionVariants.length > 1 ||
        target.ProductionVariants.some((v: Json) => v.ServerlessConfig)
      ) {
        throw validation(
          'RollingUpdatePolicy is not supported for endpoints with multiple variants or serverless variants.'
        );
      }
    }
    if (policy) {
      const routing = policy.TrafficRoutingConfiguration ?? {};
      const wait = routing.WaitIntervalInSeconds ?? 0;
      if (wait < 0 || wait > 3600) throw validation('WaitIntervalInSeconds must be between 0 and 3600.');
      const termination = policy.TerminationWaitInSeconds ?? 0;
      if (termination < 0 || termination > 3600)
        throw validation('TerminationWaitInSeconds must be between 0 and 3600.');
      const instances = target.ProductionVariants[0]?.InitialInstanceCount ?? 1;
      if (routing.Type === 'CANARY') {
        const size = routing.CanarySize;
        if (!size || size.Value < 1) throw validation('CanarySize is required for CANARY traffic routing.');
        if (capacityShare(size, instances) > 0.5)
          throw validation('CanarySize must be at most 50% of the variant instance count.');
      }
      if (routing.Type === 'LINEAR') {
        const share = capacityShare(routing.LinearStepSize, instances);
        if (!routing.LinearStepSize || share < 0.1 || share > 0.5)
          throw validation('LinearStepSize must be between 10% and 50% of the variant instance count.');
      }
      const timeout = policy.MaximumExecutionTimeoutInSeconds;
      if (timeout !== undefined && (timeout < 600 || timeout > 28800))
        throw validation('MaximumExecutionTimeoutInSeconds must be between 600 and 28800.');
      if (current) {
        const names = (c: Json) =>
          c.ProductionVariants.map((v: Json) => v.VariantName)
            .sort()
            .join(',');
        if (names(current) !== names(target)) {
          throw validation(
            'Deployment guardrails require the new endpoint configuration to have the same production variant names as the current one.'
          );
        }
      }
    }
    const alarms = dc.AutoRollbackConfiguration?.Alarms ?? [];
    if (alarms.length > 10) throw validation('AutoRollbackConfiguration supports at most 10 alarms.');
  }

  return {
    name: 'sagemaker',
    signingName: 'sagemaker',
    protocol: 'json1.1',
    targetPrefix: 'SageMaker',
    advance: () => Object.values(state().endpoints).forEach(advance),
    operations: {
      CreateModel: (r) => {
        const name = checkName(r.ModelName, 'modelName');
        if (state().models[name])
          throw validation(`Cannot create already existing model "${arn('model', name)}".`);
        if (!ROLE_ARN.test(r.ExecutionRoleArn ?? ''))
          throw validation(
            `Value '${r.ExecutionRoleArn}' at 'executionRoleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ^arn:aws[a-z\\-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+$`
          );
        const container = r.PrimaryContainer ?? r.Containers?.[0];
        if (!container?.Image) throw validation('A primary container with an Image is required.');
        if (container.ModelDataUrl && !/^(https|s3):\/\//.test(container.ModelDataUrl))
          throw validation(
            `Value '${container.ModelDataUrl}' at 'primaryContainer.modelDataUrl' failed to satisfy constraint.`
          );
        const ModelArn = arn('model', name);
        state().models[name] = {
          ModelName: name,
          ModelArn,
          ExecutionRoleArn: r.ExecutionRoleArn,
          PrimaryContainer: container,
          CreationTime: emulator.now()
        };
        setTags(ModelArn, r.Tags);
        return { ModelArn };
      },
      DescribeModel: ({ ModelName }) => {
        const model = state().models[ModelName];
        if (!model) throw validation(`Could not find model "${arn('model', ModelName)}".`);
        return { ...model, CreationTime: new Date(model.CreationTime) };
      },
      DeleteModel: ({ ModelName }) => {
        if (!state().models[ModelName])
          throw validation(`Could not find model "${arn('model', ModelName)}".`);
        delete state().tags[state().models[ModelName].ModelArn];
        delete state().models[ModelName];
        return {};
      },
      CreateEndpointConfig: (r) => {
        const name = checkName(r.EndpointConfigName, 'endpointConfigName');
        if (state().configs[name])
          throw validation(
            `Cannot create already existing endpoint configuration "${arn('endpoint-config', name)}".`
          );
        const variants: Json[] = r.ProductionVariants ?? [];
        if (variants.length < 1 || variants.length > 10)
          throw validation('ProductionVariants must have between 1 and 10 variants.');
        const names = new Set<string>();
        for (const v of variants) {
          checkName(v.VariantName, 'productionVariants.member.variantName');
          if (names.has(v.VariantName)) throw validation(`Variant names must be unique: ${v.VariantName}.`);
          names.add(v.VariantName);
          if (!state().models[v.ModelName])
            throw validation(`Could not find model "${arn('model', v.ModelName ?? '')}".`);
          if (v.ServerlessConfig) {
            const { MemorySizeInMB: memory, MaxConcurrency: concurrency } = v.ServerlessConfig;
            if (![1024, 2048, 3072, 4096, 5120, 6144].includes(memory))
              throw validation('ServerlessConfig.MemorySizeInMB must be 1024 to 6144 in steps of 1024.');
            if (!(concurrency >= 1 && concurrency <= 200))
              throw validation('ServerlessConfig.MaxConcurrency must be between 1 and 200.');
          } else {
            if (!/^ml\.[a-z0-9]+\.[a-z0-9]+$/.test(v.InstanceType ?? ''))
              throw validation(
                `Value '${v.InstanceType}' at 'productionVariants.member.instanceType' failed to satisfy constraint: Member must satisfy enum value set.`
              );
            if (!(v.InitialInstanceCount >= 1)) throw validation('InitialInstanceCount must be at least 1.');
            if (v.InitialInstanceCount > INSTANCE_LIMIT) {
              throw new AwsError(
                'ResourceLimitExceeded',
                `The account-level service limit '${v.InstanceType} for endpoint usage' is ${INSTANCE_LIMIT} Instances, with current utilization of 0 Instances and a request delta of ${v.InitialInstanceCount} Instances. Please use AWS Service Quotas to request an increase for this quota.`
              );
            }
          }
          if ((v.InitialVariantWeight ?? 1) < 0) throw validation('InitialVariantWeight must be at least 0.');
        }
        if (variants.some((v) => v.ServerlessConfig) && variants.length > 1)
          throw validation('Serverless endpoints support only one production variant.');
        if (r.DataCaptureConfig && variants.some((v) => v.ServerlessConfig))
          throw validation('Data capture is not supported for serverless endpoints.');
        const pct = r.DataCaptureConfig?.InitialSamplingPercentage;
        if (r.DataCaptureConfig && !(pct >= 0 && pct <= 100))
          throw validation('InitialSamplingPercentage must be between 0 and 100.');
        const EndpointConfigArn = arn('endpoint-config', name);
        state().configs[name] = {
          EndpointConfigName: name,
          EndpointConfigArn,
          ProductionVariants: variants,
          DataCaptureConfig: r.DataCaptureConfig,
          CreationTime: emulator.now()
        };
        setTags(EndpointConfigArn, r.Tags);
        return { EndpointConfigArn };
      },
      DescribeEndpointConfig: ({ EndpointConfigName }) => {
        const config = configOf(EndpointConfigName);
        return { ...config, CreationTime: new Date(config.CreationTime) };
      },
      DeleteEndpointConfig: ({ EndpointConfigName }) => {
        const config = configOf(EndpointConfigName);
        delete state().tags[config.EndpointConfigArn];
        delete state().configs[EndpointConfigName];
        return {};
      },
      ListEndpointConfigs: ({
        NameContains,
        SortBy,
        SortOrder,
        MaxResults,
        NextToken,
        CreationTimeBefore,
        CreationTimeAfter
      }) => {
        let configs = Object.values(state().configs)
          .filter((c) => !NameContains || c.EndpointConfigName.includes(NameContains))
          .filter((c) => CreationTimeBefore === undefined || c.CreationTime < CreationTimeBefore * 1000)
          .filter((c) => CreationTimeAfter === undefined || c.CreationTime > CreationTimeAfter * 1000);
        configs.sort((a, b) =>
          SortBy === 'Name'
            ? a.EndpointConfigName.localeCompare(b.EndpointConfigName)
            : a.CreationTime - b.CreationTime || a.EndpointConfigName.localeCompare(b.EndpointConfigName)
        );
        if ((SortOrder ?? 'Descending') === 'Descending') configs = configs.reverse();
        const from = NextToken ? Number(NextToken) : 0;
        const max = Math.min(MaxResults ?? 10, 100);
        return {
          EndpointConfigs: configs.slice(from, from + max).map((c) => ({
            EndpointConfigName: c.EndpointConfigName,
            EndpointConfigArn: c.EndpointConfigArn,
            CreationTime: new Date(c.CreationTime)
          })),
          ...(from + max < configs.length ? { NextToken: String(from + max) } : {})
        };
      },
      CreateEndpoint: (r) => {
        const name = checkName(r.EndpointName, 'endpointName');
        if (state().endpoints[name])
          throw validation(`Cannot create already existing endpoint "${arn('endpoint', name)}".`);
        const config = configOf(r.EndpointConfigName);
        const now = emulator.now();
        const endpoint: Endpoint = {
          name,
          arn: arn('endpoint', name),
          created: now,
          modified: now,
          status: 'Creating',
          config: config.EndpointConfigName,
          variants: [],
          deploymentConfig: r.DeploymentConfig,
          op: {
            kind: 'create',
            target: config.EndpointConfigName,
            started: now,
            steps: [
              {
                from: 0,
                to: scaled(DURATIONS.provision),
                share: 1,
                phase: 'Creating',
                message: 'Creating the endpoint'
              }
            ],
            alarms: [],
            fault: takeFault()
          }
        };
        state().endpoints[name] = endpoint;
        setTags(endpoint.arn, r.Tags);
        return { EndpointArn: endpoint.arn };
      },
      DescribeEndpoint: ({ EndpointName }) => describeEndpoint(endpointOf(EndpointName)),
      UpdateEndpoint: (r) => {
        const endpoint = endpointOf(r.EndpointName);
        const target = configOf(r.EndpointConfigName);
        // UpdateRollbackFailed endpoints can be updated: that is how a person repairs one.
        if (endpoint.status !== 'InService' && endpoint.status !== 'UpdateRollbackFailed') {
          throw validation(`Cannot update in-progress endpoint "${endpoint.arn}".`);
        }
        const dc = r.DeploymentConfig ?? (r.RetainDeploymentConfig ? endpoint.deploymentConfig : undefined);
        validateDeploymentConfig(dc, state().configs[endpoint.config], target);
        const now = emulator.now();
        endpoint.status = 'Updating';
        endpoint.modified = now;
        endpoint.failureReason = undefined;
        if (r.DeploymentConfig) endpoint.deploymentConfig = r.DeploymentConfig;
        endpoint.op = {
          kind: 'update',
          target: target.EndpointConfigName,
          previous: endpoint.config,
          started: now,
          steps: blueGreenSteps(target, dc),
          alarms: (dc?.AutoRollbackConfiguration?.Alarms ?? []).map((a: Json) => a.AlarmName),
          fault: takeFault()
        };
        return { EndpointArn: endpoint.arn };
      },
      UpdateEndpointWeightsAndCapacities: ({ EndpointName, DesiredWeightsAndCapacities }) => {
        const endpoint = endpointOf(EndpointName);
        if (endpoint.status !== 'InService')
          throw validation(`Cannot update in-progress endpoint "${endpoint.arn}".`);
        for (const d of DesiredWeightsAndCapacities ?? []) {
          if (!endpoint.variants.some((v) => v.VariantName === d.VariantName)) {
            throw validation(
              `The variant name(s) [${d.VariantName}] is/are not present in the endpoint "${endpoint.arn}".`
            );
          }
          if (d.DesiredWeight !== undefined && d.DesiredWeight < 0)
            throw validation('DesiredWeight must be at least 0.');
        }
        endpoint.status = 'Updating';
        endpoint.modified = emulator.now();
        endpoint.op = {
          kind: 'weights',
          started: emulator.now(),
          steps: [],
          alarms: [],
          desired: DesiredWeightsAndCapacities
        };
        return { EndpointArn: endpoint.arn };
      },
      DeleteEndpoint: ({ EndpointName }) => {
        const endpoint = endpointOf(EndpointName);
        delete state().tags[endpoint.arn];
        delete state().endpoints[EndpointName];
        return {};
      },
      ListEndpoints: ({ NameContains, StatusEquals, SortBy, SortOrder, MaxResults, NextToken }) => {
        let endpoints = Object.values(state().endpoints)
          .filter((e) => !NameContains || e.name.includes(NameContains))
          .filter((e) => !StatusEquals || e.status === StatusEquals);
        endpoints.sort((a, b) =>
          SortBy === 'Name'
            ? a.name.localeCompare(b.name)
            : SortBy === 'Status'
              ? a.status.localeCompare(b.status)
              : a.created - b.created
        );
        if ((SortOrder ?? 'Descending') === 'Descending') endpoints = endpoints.reverse();
        const from = NextToken ? Number(NextToken) : 0;
        const max = Math.min(MaxResults ?? 10, 100);
        return {
          Endpoints: endpoints.slice(from, from + max).map((e) => ({
            EndpointName: e.name,
            EndpointArn: e.arn,
            EndpointStatus: e.status,
            CreationTime: new Date(e.created),
            LastModifiedTime: new Date(e.modified)
          })),
          ...(from + max < endpoints.length ? { NextToken: String(from + max) } : {})
        };
      },
      AddTags: ({ ResourceArn, Tags }) => {
        if (!findArn(ResourceArn)) throw validation(`Resource ${ResourceArn} not found.`);
        setTags(ResourceArn, Tags);
        return { Tags };
      },
      ListTags: ({ ResourceArn, MaxResults, NextToken }) => {
        if (!findArn(ResourceArn)) throw validation(`Resource ${ResourceArn} not found.`);
        const tags = Object.entries(state().tags[ResourceArn] ?? {}).map(([Key, Value]) => ({ Key, Value }));
        const from = NextToken ? Number(NextToken) : 0;
        const max = Math.min(MaxResults ?? 50, 100);
        return {
          Tags: tags.slice(from, from + max),
          ...(from + max < tags.length ? { NextToken: String(from + max) } : {})
        };
      },
      DeleteTags: ({ ResourceArn, TagKeys }) => {
        if (!findArn(ResourceArn)) throw validation(`Resource ${ResourceArn} not found.`);
        for (const key of TagKeys ?? []) delete state().tags[ResourceArn]?.[key];
        return {};
      }
    }
  };
}
