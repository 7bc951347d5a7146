/** build-image: build once, push every tag, report the digest the registry holds. */
import os from 'node:os';
import path from 'node:path';
import * as core from '@actions/core';
import { ECRClient } from '@aws-sdk/client-ecr';
import { awsClient } from '../aws.js';
import { buildAndPush, registryLogin } from '../docker/image.js';
import { creationTime, imageLabels, readBuildOptions } from '../docker/options.js';
import { dockerCli } from '../docker/runner.js';
import { buildSummary } from '../docker/summary.js';
import { summary } from '../report.js';
import type { ActionContext } from '../runner.js';

export async function run(ctx: ActionContext): Promise<void> {
  const env = process.env;
  const options = readBuildOptions(ctx.inputs, ctx.github);
  const ecr =
    options.push && options.registryKind === 'ecr'
      ? awsClient(ECRClient, 'ECR', { action: ctx.name, region: options.region })
      : undefined;
  const credentials = await registryLogin(options, ecr);
  if (credentials) core.setSecret(credentials.password);

  const result = await buildAndPush(options, {
    docker: dockerCli(env.MLOPS_ACTIONS_DOCKER || 'docker', env),
    log: ctx.log,
    labels: imageLabels(ctx.github, creationTime(env, ctx.github.workspace), options.tags[0], options.labels),
    ecr,
    credentials,
    signal: ctx.signal,
    callerConfigDir: env.DOCKER_CONFIG || path.join(os.homedir(), '.docker'),
    tempRoot: env.RUNNER_TEMP || os.tmpdir()
  });

  ctx.setOutput('image', result.ref);
  ctx.setOutput('digest', result.digest);
  ctx.setOutput('image-uri', result.imageUri);
  ctx.setOutput('tags', result.published.join('\n'));
  ctx.setOutput('image-id', result.image.id);
  summary(buildSummary(result));
}
