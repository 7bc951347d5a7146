/**
 * The steps promote and rollback share on a live endpoint: their result, the endpoint they act on,
 * watching it more than once in a run, weights canaries (telling one, moving its traffic, keeping one
 * of its variants as a config of its own).
 */
import {
  CreateEndpointConfigCommand,
  DescribeEndpointConfigCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
  type DescribeEndpointConfigCommandOutput,
  type ProductionVariant
} from '@aws-sdk/client-sagemaker';
import { orUndefined } from '../aws.js';
import { UserError } from '../errors.js';
import { refusedAs, watchOptions, type Clients, type EngineContext } from './apply.js';
import type { Lease } from './lease.js';
import type { WaitOptions } from './options.js';
import { configTags, describeEndpoint, readEndpointState, type EndpointState } from './state.js';
import { TAG, toTagList, versionName, type Tags } from './tags.js';
import { waitForEndpoint, type Change, type Expected, type WatchResult } from './watch.js';

export type PromoteStatus =
  'promoted' | 'rolled-back' | 'unchanged' | 'in-progress' | 'failed' | 'superseded';

export interface PromoteResult {
  status: PromoteStatus;
  /** The config the endpoint serves (or is moving to). */
  endpointConfig?: string;
  rolledBackFrom?: string;
  /** Set when the action failed: one sentence. */
  reason?: string;
  message: string;
  /** What was done, step by step, for the summary. */
  steps: string[];
  /** rollback to-approved: the package the target version was made from, still Approved. */
  modelPackage?: { arn: string; version: number; status: string };
  changes: Change[];
}

export function isWeightsCanary(state: EndpointState): boolean {
  return state.configTags[TAG.strategy] === 'weights' && (state.config?.ProductionVariants?.length ?? 0) > 1;
}

export async function existing(options: WaitOptions, clients: Clients, verb: string): Promise<EndpointState> {
  const state = await readEndpointState(clients.sagemaker, options.endpointName);
  if (!state.endpoint)
    throw new UserError(
      `Endpoint ${options.endpointName} does not exist in this region: there is nothing to ${verb}; check endpoint-name and region.`
    );
  return state;
}

/** Collects the watches of one action run (their state changes, renewing the lease) and its steps. */
export class Watcher {
  readonly changes: Change[] = [];
  /** What was done, step by step, for the summary. */
  readonly steps: string[] = [];
  private offset = 0;
  constructor(
    private readonly options: WaitOptions,
    private readonly clients: Clients,
    private readonly ctx: EngineContext,
    private readonly lease?: Lease
  ) {}

  /** The run's result: `r` with the steps and the state changes seen. */
  done(r: Omit<PromoteResult, 'steps' | 'changes'>): PromoteResult {
    return { ...r, steps: this.steps, changes: this.changes };
  }

  /** Waits until the endpoint settles, or (given `expect`) moves to a config neither expected. */
  async watch(expect?: Expected): Promise<WatchResult> {
    const result = await waitForEndpoint(
      this.options.endpointName,
      watchOptions(this.options, this.clients, this.ctx, {
        expect,
        onPoll: () => this.lease?.renew() ?? Promise.resolve()
      })
    );
    for (const c of result.changes) this.changes.push({ seconds: this.offset + c.seconds, state: c.state });
    this.offset += result.seconds;
    return result;
  }
}

export async function configOf(
  clients: Clients,
  name: string | undefined
): Promise<DescribeEndpointConfigCommandOutput | undefined> {
  if (!name) return undefined;
  return orUndefined(clients.sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: name })));
}

export async function setWeights(
  weights: Record<string, number>,
  options: WaitOptions,
  clients: Clients,
  serving: string
): Promise<void> {
  await refusedAs(
    'UpdateEndpointWeightsAndCapacities',
    serving,
    () =>
      clients.sagemaker.send(
        new UpdateEndpointWeightsAndCapacitiesCommand({
          EndpointName: options.endpointName,
          DesiredWeightsAndCapacities: Object.entries(weights).map(([VariantName, DesiredWeight]) => ({
            VariantName,
            DesiredWeight
          }))
        })
      ),
    {
      // A lost answer: the endpoint already moves its weights to these.
      landed: async () =>
        ((await describeEndpoint(clients.sagemaker, options.endpointName))?.ProductionVariants ?? []).every(
          (v) => (v.DesiredWeight ?? v.CurrentWeight) === weights[v.VariantName!]
        )
    }
  );
}

/** Creates a config holding one variant of `from` (as `as`), tagged as a version of the endpoint. */
export async function singleVariantConfig(
  clients: Clients,
  from: DescribeEndpointConfigCommandOutput,
  variant: ProductionVariant,
  as: string,
  tags: Tags,
  options: WaitOptions,
  ctx: EngineContext,
  serving: string
): Promise<{ name: string; arn?: string }> {
  const name = versionName(options.endpointName, ctx.sha, ctx.now());
  const kept = { ...tags };
  for (const key of [
    TAG.previousConfig,
    TAG.liveVariant,
    TAG.candidateVariant,
    TAG.wentLive,
    TAG.rolledBack,
    TAG.rollbackReason,
    TAG.runUrl,
    TAG.madeBy
  ])
    delete kept[key];
  await refusedAs(
    'CreateEndpointConfig',
    serving,
    () =>
      clients.sagemaker.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: name,
          ProductionVariants: [{ ...variant, VariantName: as, InitialVariantWeight: 1 }],
          ...(from.DataCaptureConfig ? { DataCaptureConfig: from.DataCaptureConfig } : {}),
          Tags: toTagList({
            ...kept,
            [TAG.previousConfig]: from.EndpointConfigName!,
            [TAG.madeBy]: ctx.holder,
            ...(ctx.runUrl ? { [TAG.runUrl]: ctx.runUrl } : {})
          })
        })
      ),
    {
      landed: async () =>
        (await configTags(clients.sagemaker, (await configOf(clients, name))?.EndpointConfigArn))[
          TAG.madeBy
        ] === ctx.holder
    }
  );
  return { name, arn: (await configOf(clients, name))?.EndpointConfigArn };
}
