/** What an endpoint is now, read from SageMaker (read-only calls). */
import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListTagsCommand,
  type DescribeEndpointCommandOutput,
  type DescribeEndpointConfigCommandOutput,
  type DescribeModelCommandOutput,
  type SageMakerClient
} from '@aws-sdk/client-sagemaker';
import { orUndefined } from '../aws.js';
import { fromTagList, type Tags } from './tags.js';

export interface EndpointState {
  endpoint?: DescribeEndpointCommandOutput;
  /** The live endpoint config and its tags. */
  config?: DescribeEndpointConfigCommandOutput;
  configTags: Tags;
  /** The live models, by variant name. */
  models: Record<string, DescribeModelCommandOutput>;
}

export async function describeEndpoint(
  sm: SageMakerClient,
  name: string
): Promise<DescribeEndpointCommandOutput | undefined> {
  return orUndefined(sm.send(new DescribeEndpointCommand({ EndpointName: name })));
}

export async function configTags(sm: SageMakerClient, arn: string | undefined): Promise<Tags> {
  if (!arn) return {};
  const tags = await orUndefined(sm.send(new ListTagsCommand({ ResourceArn: arn, MaxResults: 100 })));
  return fromTagList(tags?.Tags);
}

export async function readEndpointState(sm: SageMakerClient, name: string): Promise<EndpointState> {
  const endpoint = await describeEndpoint(sm, name);
  if (!endpoint) return { configTags: {}, models: {} };
  const config = await orUndefined(
    sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName }))
  );
  const models: Record<string, DescribeModelCommandOutput> = {};
  for (const variant of config?.ProductionVariants ?? []) {
    const model = await orUndefined(sm.send(new DescribeModelCommand({ ModelName: variant.ModelName })));
    if (model) models[variant.VariantName!] = model;
  }
  return { endpoint, config, configTags: await configTags(sm, config?.EndpointConfigArn), models };
}
