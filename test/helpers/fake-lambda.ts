/**
 * An in-memory Lambda behind aws-sdk-client-mock, for the engine's unit tests: one function with
 * published versions, aliases with RoutingConfig and RevisionId (a stale RevisionId is
 * PreconditionFailedException), function tags and provisioned concurrency (READY at once). Tests
 * read the calls (`mock.commandCalls(...)`) and can make a command misbehave once (`failOnce`).
 */
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  GetProvisionedConcurrencyConfigCommand,
  LambdaClient,
  LambdaServiceException,
  ListAliasesCommand,
  ListProvisionedConcurrencyConfigsCommand,
  ListTagsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  PutProvisionedConcurrencyConfigCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type AliasConfiguration,
  type FunctionConfiguration
} from '@aws-sdk/client-lambda';

export const ACCOUNT = '123456789012';
export const arnOf = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
export const imageOf = (hex: string) =>
  `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/news@sha256:${hex.repeat(64).slice(0, 64)}`;

export interface FakeFunction {
  name: string;
  latest: FunctionConfiguration & { image: string };
  versions: Map<string, FunctionConfiguration & { image: string }>;
  aliases: Map<string, AliasConfiguration>;
  tags: Record<string, string>;
  provisioned: Map<string, number>;
}

export function error(name: string, message = name): LambdaServiceException {
  return new LambdaServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

export const MUTATING = [
  CreateFunctionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  PublishVersionCommand,
  CreateAliasCommand,
  UpdateAliasCommand,
  PutProvisionedConcurrencyConfigCommand,
  DeleteProvisionedConcurrencyConfigCommand,
  DeleteFunctionCommand,
  TagResourceCommand,
  UntagResourceCommand
];

export class FakeLambda {
  readonly client = new LambdaClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' }
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly mock: AwsStub<any, any, any>;
  fn?: FakeFunction;
  private revision = 0;
  /** Commands to fail once before (or after: `applied`) doing their work. */
  private faults = new Map<string, { error: LambdaServiceException; applied: boolean }>();
  private hooks = new Map<string, () => void>();

  constructor() {
    this.mock = mockClient(this.client);
    this.wire();
  }

  /** Runs `change` once, just before the next `command` is answered: someone else acting meanwhile. */
  beforeOnce(command: { name: string }, change: () => void): void {
    this.hooks.set(command.name, change);
  }

  failOnce(command: { name: string }, e: LambdaServiceException, applied = false): void {
    this.faults.set(command.name, { error: e, applied });
  }

  mutatingCalls(): string[] {
    return this.mock
      .calls()
      .map((c) => c.args[0].constructor.name)
      .filter((n) => MUTATING.some((m) => m.name === n));
  }

  /** A function live on `alias` at version 1 (and more versions of other images). */
  seed(images: string[], alias = 'live', weighted?: { version: string; weight: number }): FakeFunction {
    this.fn = {
      name: 'news',
      latest: this.config('news', images[images.length - 1], '$LATEST'),
      versions: new Map(images.map((img, i) => [String(i + 1), this.config('news', img, String(i + 1))])),
      aliases: new Map(),
      tags: {},
      provisioned: new Map()
    };
    this.fn.aliases.set(alias, this.alias(alias, '1', weighted));
    return this.fn;
  }

  private config(name: string, image: string, version: string): FunctionConfiguration & { image: string } {
    return {
      FunctionName: name,
      FunctionArn: version === '$LATEST' ? arnOf(name) : `${arnOf(name)}:${version}`,
      Version: version,
      CodeSha256: image.split('@sha256:')[1],
      PackageType: 'Image',
      MemorySize: 128,
      Timeout: 3,
      Architectures: ['x86_64'],
      State: 'Active',
      LastUpdateStatus: 'Successful',
      image
    };
  }

  private alias(
    name: string,
    version: string,
    weighted?: { version: string; weight: number }
  ): AliasConfiguration {
    return {
      Name: name,
      AliasArn: `${arnOf('news')}:${name}`,
      FunctionVersion: version,
      RoutingConfig: { AdditionalVersionWeights: weighted ? { [weighted.version]: weighted.weight } : {} },
      RevisionId: `rev-${++this.revision}`
    };
  }

  private on<I>(command: { name: string }, handler: (input: I) => unknown): void {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    this.mock.on(command as any).callsFake(async (input: I) => {
      const hook = this.hooks.get(command.name);
      this.hooks.delete(command.name);
      hook?.();
      const fault = this.faults.get(command.name);
      if (fault && !fault.applied) {
        this.faults.delete(command.name);
        throw fault.error;
      }
      const answer = handler(input);
      if (fault) {
        this.faults.delete(command.name);
        throw fault.error;
      }
      return answer;
    });
  }

  private need(): FakeFunction {
    if (!this.fn) throw error('ResourceNotFoundException', 'Function not found');
    return this.fn;
  }

  private version(q?: string) {
    const fn = this.need();
    if (!q || q === '$LATEST') return fn.latest;
    const alias = fn.aliases.get(q);
    const v = fn.versions.get(alias?.FunctionVersion ?? q);
    if (!v) throw error('ResourceNotFoundException', `Function not found: ${q}`);
    return v;
  }

  private wire(): void {
    const strip = ({ image, ...c }: FunctionConfiguration & { image: string }) => ({ c, image });
    this.on<{ Qualifier?: string }>(GetFunctionCommand, (i) => {
      const { c, image } = strip(this.version(i.Qualifier));
      return { Configuration: c, Code: { ImageUri: image, ResolvedImageUri: image }, Tags: this.need().tags };
    });
    this.on<{ Qualifier?: string }>(
      GetFunctionConfigurationCommand,
      (i) => strip(this.version(i.Qualifier)).c
    );
    this.on<{ FunctionName: string; Code: { ImageUri: string }; Tags?: Record<string, string> }>(
      CreateFunctionCommand,
      (i) => {
        if (this.fn) throw error('ResourceConflictException', 'Function already exist');
        this.fn = {
          name: i.FunctionName,
          latest: this.config(i.FunctionName, i.Code.ImageUri, '$LATEST'),
          versions: new Map(),
          aliases: new Map(),
          tags: { ...(i.Tags ?? {}) },
          provisioned: new Map()
        };
        return strip(this.fn.latest).c;
      }
    );
    this.on<{ ImageUri: string }>(UpdateFunctionCodeCommand, (i) => {
      const fn = this.need();
      fn.latest = { ...fn.latest, image: i.ImageUri, CodeSha256: i.ImageUri.split('@sha256:')[1] };
      return strip(fn.latest).c;
    });
    this.on<{ MemorySize?: number }>(UpdateFunctionConfigurationCommand, (i) => {
      const fn = this.need();
      fn.latest = { ...fn.latest, ...(i.MemorySize ? { MemorySize: i.MemorySize } : {}) };
      return strip(fn.latest).c;
    });
    this.on<{ Description?: string; CodeSha256?: string }>(PublishVersionCommand, (i) => {
      const fn = this.need();
      if (i.CodeSha256 !== undefined && i.CodeSha256 !== fn.latest.CodeSha256)
        throw error(
          'InvalidParameterValueException',
          'CodeSHA256 is different from current CodeSHA256 in $LATEST.'
        );
      const last = [...fn.versions.values()].pop();
      if (last && last.CodeSha256 === fn.latest.CodeSha256 && last.MemorySize === fn.latest.MemorySize)
        return strip(last).c;
      const version = String(fn.versions.size + 1);
      fn.versions.set(version, {
        ...fn.latest,
        Version: version,
        FunctionArn: `${arnOf(fn.name)}:${version}`,
        Description: i.Description
      });
      return strip(fn.versions.get(version)!).c;
    });
    this.on<{ Name: string; FunctionVersion: string }>(CreateAliasCommand, (i) => {
      const fn = this.need();
      if (fn.aliases.has(i.Name)) throw error('ResourceConflictException', 'Alias already exists');
      fn.aliases.set(i.Name, this.alias(i.Name, i.FunctionVersion));
      return fn.aliases.get(i.Name);
    });
    this.on<{ Name: string }>(GetAliasCommand, (i) => {
      const a = this.need().aliases.get(i.Name);
      if (!a) throw error('ResourceNotFoundException', 'Alias not found');
      return a;
    });
    this.on<{
      Name: string;
      FunctionVersion: string;
      RevisionId?: string;
      RoutingConfig?: { AdditionalVersionWeights?: Record<string, number> };
    }>(UpdateAliasCommand, (i) => {
      const fn = this.need();
      const a = fn.aliases.get(i.Name)!;
      if (i.RevisionId && i.RevisionId !== a.RevisionId)
        throw error('PreconditionFailedException', 'The Revision Id provided does not match');
      const [w] = Object.entries(i.RoutingConfig?.AdditionalVersionWeights ?? {});
      fn.aliases.set(
        i.Name,
        this.alias(i.Name, i.FunctionVersion, w ? { version: w[0], weight: w[1] } : undefined)
      );
      return fn.aliases.get(i.Name);
    });
    this.on(ListAliasesCommand, () => ({ Aliases: [...this.need().aliases.values()] }));
    this.on(ListVersionsByFunctionCommand, () => ({
      Versions: [this.need().latest, ...this.need().versions.values()].map((v) => strip(v).c)
    }));
    this.on<{ Qualifier: string; ProvisionedConcurrentExecutions: number }>(
      PutProvisionedConcurrencyConfigCommand,
      (i) => {
        this.need().provisioned.set(i.Qualifier, i.ProvisionedConcurrentExecutions);
        return { Status: 'IN_PROGRESS' };
      }
    );
    this.on<{ Qualifier: string }>(GetProvisionedConcurrencyConfigCommand, (i) => {
      const n = this.need().provisioned.get(i.Qualifier);
      if (n === undefined) throw error('ProvisionedConcurrencyConfigNotFoundException', 'No config');
      return {
        Status: 'READY',
        AvailableProvisionedConcurrentExecutions: n,
        RequestedProvisionedConcurrentExecutions: n
      };
    });
    this.on<{ Qualifier: string }>(DeleteProvisionedConcurrencyConfigCommand, (i) => {
      if (!this.need().provisioned.delete(i.Qualifier))
        throw error(
          'ProvisionedConcurrencyConfigNotFoundException',
          'No Provisioned Concurrency Config found for this function'
        );
      return {};
    });
    this.on(ListProvisionedConcurrencyConfigsCommand, () => ({
      ProvisionedConcurrencyConfigs: [...this.need().provisioned.keys()].map((v) => ({
        FunctionArn: `${arnOf('news')}:${v}`
      }))
    }));
    this.on<{ Qualifier: string }>(DeleteFunctionCommand, (i) => {
      this.need().versions.delete(i.Qualifier);
      return {};
    });
    this.on(ListTagsCommand, () => ({ Tags: { ...this.need().tags } }));
    this.on<{ Tags: Record<string, string> }>(TagResourceCommand, (i) => {
      Object.assign(this.need().tags, i.Tags);
      return {};
    });
    this.on<{ TagKeys: string[] }>(UntagResourceCommand, (i) => {
      for (const k of i.TagKeys) delete this.need().tags[k];
      return {};
    });
  }
}
