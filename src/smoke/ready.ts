/**
 * Before the first request: the endpoint exists, is InService (waited for with the deployment
 * watcher's polling, up to the caller's timeout) and has the target variant, if one is named.
 * Each failure is one sentence, and no request has been sent.
 */
import type { DescribeEndpointCommandOutput, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { InputError, UserError } from '../errors.js';
import type { Logger } from '../report.js';
import { describeEndpoint } from '../sagemaker/state.js';
import { describeState, waitForEndpoint, type PollTiming } from '../sagemaker/watch.js';

export interface ReadyOptions {
  sagemaker: SageMakerClient;
  log: Logger;
  signal?: AbortSignal;
  timeoutSeconds: number;
  targetVariant?: string;
  scale?: number;
  timing?: PollTiming;
}

export async function waitUntilInService(
  name: string,
  options: ReadyOptions
): Promise<DescribeEndpointCommandOutput> {
  let endpoint = await describeEndpoint(options.sagemaker, name);
  if (!endpoint) {
    throw new InputError(
      'endpoint-name',
      `Input "endpoint-name" names ${name}, which does not exist in this region: check the name and region, or deploy it first.`
    );
  }
  if (endpoint.EndpointStatus !== 'InService') {
    options.log.info(`endpoint ${name}: ${describeState(endpoint)}; waiting until it is InService.`);
    const watched = await waitForEndpoint(name, { ...options, timeoutSeconds: options.timeoutSeconds });
    if (watched.stopped) {
      throw new UserError(
        watched.stopped.kind === 'cancelled'
          ? `Cancelled while waiting for endpoint ${name} to be InService; no request was sent.`
          : watched.stopped.kind === 'timeout'
            ? `Endpoint ${name} was not InService after wait-timeout (it was left ${describeState(watched.endpoint)}); no request was sent: raise wait-timeout, or look at the endpoint in the console.`
            : `${watched.stopped.message.split('; it was')[0]}; no request was sent.`
      );
    }
    endpoint = watched.endpoint!;
  }
  if (endpoint.EndpointStatus !== 'InService') {
    const reason = endpoint.FailureReason ? ` (${endpoint.FailureReason.replace(/\.$/, '')})` : '';
    throw new UserError(
      `Endpoint ${name} is ${endpoint.EndpointStatus}${reason}, not InService: no request was sent.`
    );
  }
  const variants = (endpoint.ProductionVariants ?? []).map((v) => v.VariantName ?? '');
  if (options.targetVariant && !variants.includes(options.targetVariant)) {
    throw new InputError(
      'target-variant',
      `Input "target-variant" names ${options.targetVariant}, but endpoint ${name} has the variants ${variants.join(', ') || '(none)'}.`
    );
  }
  return endpoint;
}
