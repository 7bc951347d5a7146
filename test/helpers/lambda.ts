/**
 * Lambda functions for the emulator's Lambda runtime tests: the fixture image
 * (test/fixtures/lambda-runtime, a custom runtime whose handler does what the event asks) pushed to
 * the loopback registry, functions seeded straight into the emulator's Lambda state (`seedFunction`,
 * the one place to swap for CreateFunction / PublishVersion / CreateAlias calls once the control plane
 * is on the branch), and a test-only service that routes Invoke to handleInvoke, so the real SDK's
 * InvokeCommand goes over HTTP.
 */
import path from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { Emulator, ServiceDefinition } from '../../src/emulator/server.js';
import { handleInvoke } from '../../src/emulator/services/lambda/invoke.js';
import {
  lambdaState,
  parseFunctionName,
  type ProvisionedRecord,
  type VersionRecord
} from '../../src/emulator/services/lambda/state.js';
import { ROOT } from './bundle.js';
import { docker } from './docker.js';
import { ensureBaseImage, REGISTRY, registryDigest } from './images.js';

export const LAMBDA_REPOSITORY = 'mlops-test-lambda-runtime';
const credentials = { accessKeyId: 'AKID', secretAccessKey: 'secret' };

/** Builds the fixture, pushes it to the loopback registry; the image by digest, as Lambda resolves it. */
export async function buildLambdaImage(): Promise<string> {
  ensureBaseImage();
  const tagged = `${REGISTRY}/${LAMBDA_REPOSITORY}:fixture`;
  docker(['build', '--network', 'none', '-q', '-t', tagged, path.join(ROOT, 'test/fixtures/lambda-runtime')]);
  docker(['push', '-q', tagged]);
  const digest = await registryDigest(LAMBDA_REPOSITORY, 'fixture');
  if (!digest) throw new Error(`${tagged} is not in the registry after its push`);
  return `${REGISTRY}/${LAMBDA_REPOSITORY}@${digest}`;
}

/** Test-only: `POST /2015-03-31/functions/{name}/invocations` to handleInvoke (the control plane's router does this). */
export function invokeOnly(emulator: Emulator): ServiceDefinition {
  return {
    name: 'lambda',
    signingName: 'lambda',
    protocol: 'json1.1',
    operations: {},
    raw: async (req, res, body) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(url.pathname);
      if (!match || req.method !== 'POST') return undefined;
      const parsed = parseFunctionName(decodeURIComponent(match[1]));
      if (!parsed) return undefined;
      const qualifier = url.searchParams.get('Qualifier') ?? parsed.qualifier;
      await handleInvoke(emulator, req, res, parsed.name, qualifier, body);
      return 'Invoke';
    }
  };
}

export interface VersionSpec {
  environment?: Record<string, string>;
  timeout?: number;
  memorySize?: number;
  state?: VersionRecord['State'];
}

export interface FunctionSpec {
  image: string;
  latest?: VersionSpec;
  /** Published versions 1, 2, ... */
  versions?: VersionSpec[];
  aliases?: Record<string, { version: string; weights?: Record<string, number> }>;
  provisioned?: Record<string, number>;
  /** Qualifiers ('' for the function) with a function URL config (AuthType NONE). */
  urls?: string[];
}

function version(image: string, v: string, spec: VersionSpec = {}): VersionRecord {
  const digest = image.split('@sha256:')[1] ?? '0'.repeat(64);
  return {
    Version: v,
    Description: '',
    PackageType: 'Image',
    ImageUri: image,
    ResolvedImageUri: image,
    CodeSha256: digest,
    CodeSize: 0,
    Role: 'arn:aws:iam::123456789012:role/lambda',
    MemorySize: spec.memorySize ?? 256,
    Timeout: spec.timeout ?? 10,
    Environment: spec.environment ?? {},
    Architectures: ['x86_64'],
    RevisionId: `rev-${v}`,
    LastModified: '2026-12-06T13:00:00.000+0000',
    State: spec.state ?? 'Active',
    LastUpdateStatus: 'Successful',
    codeChangedAt: 1
  };
}

/** Writes a function into the emulator's Lambda state (what CreateFunction and friends will do). */
export function seedFunction(emulator: Emulator, name: string, spec: FunctionSpec): void {
  const now = new Date().toISOString().replace('Z', '+0000');
  const provisioned: Record<string, ProvisionedRecord> = {};
  for (const [q, n] of Object.entries(spec.provisioned ?? {}))
    provisioned[q] = {
      Qualifier: q,
      Requested: n,
      Allocated: 0,
      Available: 0,
      Status: 'IN_PROGRESS',
      LastModified: now
    };
  lambdaState(emulator).functions[name] = {
    FunctionName: name,
    latest: version(spec.image, '$LATEST', spec.latest),
    versions: Object.fromEntries(
      (spec.versions ?? []).map((v, i) => [String(i + 1), version(spec.image, String(i + 1), v)])
    ),
    nextVersion: (spec.versions ?? []).length + 1,
    aliases: Object.fromEntries(
      Object.entries(spec.aliases ?? {}).map(([alias, a]) => [
        alias,
        {
          Name: alias,
          FunctionVersion: a.version,
          Description: '',
          AdditionalVersionWeights: a.weights,
          RevisionId: 'r'
        }
      ])
    ),
    provisioned,
    urls: Object.fromEntries(
      (spec.urls ?? []).map((q) => [
        q,
        {
          Qualifier: q,
          AuthType: 'NONE' as const,
          InvokeMode: 'BUFFERED' as const,
          CreationTime: now,
          LastModifiedTime: now
        }
      ])
    ),
    tags: {}
  };
}

export function lambdaClients(url: string) {
  const config = { region: 'us-east-1', endpoint: url, credentials, maxAttempts: 1 };
  return {
    lambda: new LambdaClient(config),
    cloudwatch: new CloudWatchClient(config),
    logs: new CloudWatchLogsClient(config)
  };
}
