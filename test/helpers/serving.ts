/**
 * Serving containers for the emulator's hosting tests: the fixture image test/fixtures/serving-image
 * (SageMaker's serving contract with knobs to misbehave), models and endpoints made through the real
 * SDK, and the containers an emulator left on the engine (there must be none after a test).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './bundle.js';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  SageMakerClient,
  type DescribeEndpointCommandOutput,
  type ProductionVariant
} from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { awsClient } from '../../src/aws.js';
import { docker } from './docker.js';
import { ensureBaseImage } from './images.js';

export const SERVING_IMAGE = 'mlops-test-serving:fixture';
export const ROLE = 'arn:aws:iam::123456789012:role/sagemaker-execution';
const credentials = { accessKeyId: 'AKID', secretAccessKey: 'secret' };

/** Builds the fixture serving image (seconds: a COPY on the example's base image). */
export function buildServingImage(): string {
  ensureBaseImage();
  docker([
    'build',
    '--network',
    'none',
    '-q',
    '-t',
    SERVING_IMAGE,
    path.join(ROOT, 'test/fixtures/serving-image')
  ]);
  return SERVING_IMAGE;
}

/** Containers of any emulator (label mlops-actions.emulator), running or not. */
export function emulatorContainers(): string[] {
  return execFileSync(
    'docker',
    ['ps', '--all', '--filter', 'label=mlops-actions.emulator', '--format', '{{.Names}}'],
    {
      encoding: 'utf8'
    }
  )
    .split('\n')
    .filter(Boolean);
}

export function clientsFor(url: string) {
  const config = { action: 'serving-test', region: 'us-east-1', endpoint: url, credentials };
  return {
    sagemaker: awsClient(SageMakerClient, 'SageMaker', config),
    runtime: awsClient(SageMakerRuntimeClient, 'SageMaker Runtime', config)
  };
}

export interface ModelSpec {
  name: string;
  environment?: Record<string, string>;
  modelDataUrl?: string;
  image?: string;
}

export async function createModel(sm: SageMakerClient, spec: ModelSpec): Promise<string> {
  await sm.send(
    new CreateModelCommand({
      ModelName: spec.name,
      ExecutionRoleArn: ROLE,
      PrimaryContainer: {
        Image: spec.image ?? SERVING_IMAGE,
        Environment: spec.environment,
        ...(spec.modelDataUrl ? { ModelDataUrl: spec.modelDataUrl } : {})
      }
    })
  );
  return spec.name;
}

export async function createConfig(
  sm: SageMakerClient,
  name: string,
  variants: Array<Partial<ProductionVariant> & { VariantName: string; ModelName: string }>
): Promise<string> {
  await sm.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: name,
      ProductionVariants: variants.map((v) => ({
        InstanceType: 'ml.m5.large',
        InitialInstanceCount: 1,
        ...v
      }))
    })
  );
  return name;
}

/** Polls DescribeEndpoint until the status is not one of `transient` (real time, at most `ms`). */
export async function waitForEndpoint(
  sm: SageMakerClient,
  name: string,
  ms = 60_000,
  transient = ['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'Deleting']
): Promise<DescribeEndpointCommandOutput> {
  const deadline = Date.now() + ms;
  for (;;) {
    const endpoint = await sm.send(new DescribeEndpointCommand({ EndpointName: name }));
    if (!transient.includes(endpoint.EndpointStatus ?? '') || Date.now() > deadline) return endpoint;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function createEndpoint(sm: SageMakerClient, name: string, config: string) {
  await sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: config }));
  return waitForEndpoint(sm, name);
}
