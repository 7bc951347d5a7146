/**
 * Text from a training job (its CloudWatch log, its status messages) or from a training command
 * never starts a workflow command: the train action's run(), under the action runner with the
 * runner's own logger, prints it inside a stop-commands block. The SageMaker and CloudWatch Logs
 * clients are aws-sdk-client-mock fakes; stdout is what the GitHub runner would read.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CreateTrainingJobCommand,
  DescribeTrainingJobCommand,
  SageMakerClient
} from '@aws-sdk/client-sagemaker';
import {
  CloudWatchLogsClient,
  DescribeLogStreamsCommand,
  GetLogEventsCommand
} from '@aws-sdk/client-cloudwatch-logs';
import { run } from '../../src/actions/train.js';
import { inputVariable } from '../../src/inputs.js';
import { runAction } from '../../src/runner.js';
import { captureStdout } from '../helpers/capture.js';

const PLANTED = [
  '::set-output name=model-artifact::s3://evil',
  '::error::planted',
  '  ::add-mask::planted-mask',
  '::endgroup::',
  '##[set-output name=status;]planted'
];

/** Lines of stdout the runner would obey as commands: those starting with `::` or `##[` outside a stop-commands block. */
function obeyedCommands(stdout: string): string[] {
  const obeyed: string[] = [];
  let token: string | undefined;
  for (const line of stdout.split(/\r?\n/)) {
    if (token !== undefined) {
      if (line === `::${token}::`) token = undefined;
      continue;
    }
    const stop = /^::stop-commands::(.+)$/.exec(line);
    if (stop) token = stop[1];
    else if (/^[ \t]*(::|##\[)/.test(line)) obeyed.push(line);
  }
  return obeyed;
}

async function runTrain(inputs: Record<string, string>) {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'train-injection-'));
  const files = { GITHUB_OUTPUT: path.join(temp, 'output'), GITHUB_STEP_SUMMARY: path.join(temp, 'summary') };
  Object.values(files).forEach((f) => fs.writeFileSync(f, ''));
  const env: NodeJS.ProcessEnv = {
    ...files,
    GITHUB_WORKSPACE: temp,
    GITHUB_REPOSITORY: 'octo-org/news',
    GITHUB_SHA: '0123456789abcdef',
    GITHUB_RUN_ID: '1',
    MLOPS_ACTIONS_TIME_SCALE: '0.0001',
    ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [inputVariable(k), v]))
  };
  // @actions/core writes outputs to the file named by the process's own GITHUB_OUTPUT.
  const saved = process.env.GITHUB_OUTPUT;
  process.env.GITHUB_OUTPUT = files.GITHUB_OUTPUT;
  try {
    const { result, stdout } = await captureStdout(() =>
      runAction('train', run, { env, handleSignals: false })
    );
    return { result, stdout, outputFile: fs.readFileSync(files.GITHUB_OUTPUT, 'utf8') };
  } finally {
    if (saved === undefined) delete process.env.GITHUB_OUTPUT;
    else process.env.GITHUB_OUTPUT = saved;
  }
}

describe('planted workflow commands are printed inert', () => {
  const sm = mockClient(SageMakerClient);
  const logs = mockClient(CloudWatchLogsClient);
  afterAll(() => {
    sm.restore();
    logs.restore();
  });

  it('sagemaker mode: the job log and status messages', async () => {
    let described = 0;
    const job = {
      TrainingJobName: 'news-1',
      AlgorithmSpecification: { TrainingImage: 'news-train:1', TrainingInputMode: 'File' },
      OutputDataConfig: { S3OutputPath: 's3://models/news' },
      ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
      SecondaryStatusTransitions: [
        { Status: 'Training', StartTime: new Date(0), StatusMessage: `started\n${PLANTED[1]}` }
      ]
    };
    sm.on(DescribeTrainingJobCommand).callsFake(() => {
      if (++described === 1)
        throw Object.assign(new Error('Could not find training job "news-1"'), {
          name: 'ValidationException'
        });
      return described < 3
        ? { ...job, TrainingJobStatus: 'InProgress', SecondaryStatus: 'Training' }
        : {
            ...job,
            TrainingJobStatus: 'Completed',
            SecondaryStatus: 'Completed',
            ModelArtifacts: { S3ModelArtifacts: 's3://models/news/news-1/output/model.tar.gz' }
          };
    });
    sm.on(CreateTrainingJobCommand).resolves({ TrainingJobArn: 'arn:job' });
    logs.on(DescribeLogStreamsCommand).resolves({ logStreams: [{ logStreamName: 'news-1/algo-1-1' }] });
    logs
      .on(GetLogEventsCommand)
      .resolvesOnce({ events: PLANTED.map((message) => ({ message })), nextForwardToken: 't1' })
      .resolves({ events: [], nextForwardToken: 't1' });

    const { result, stdout, outputFile } = await runTrain({
      image: 'news-train:1',
      'role-arn': 'arn:aws:iam::123456789012:role/sagemaker',
      'job-name': 'news-1',
      'output-path': 's3://models/news',
      region: 'us-east-1'
    });
    expect(result.error).toBeUndefined();
    expect(result.outputs['model-data']).toBe('s3://models/news/news-1/output/model.tar.gz');
    for (const line of PLANTED) expect(stdout).toContain(line);
    expect(obeyedCommands(stdout)).toEqual([]);
    expect(outputFile).not.toContain('evil');
  });

  it('command mode: the command and its output', async () => {
    const script = PLANTED.map((l) => `echo '${l}'`).join('; ');
    const { result, stdout, outputFile } = await runTrain({ command: `${script}\n${PLANTED[0]} || true` });
    expect(result.error).toBeUndefined();
    for (const line of PLANTED) expect(stdout).toContain(line);
    expect(obeyedCommands(stdout)).toEqual([]);
    expect(outputFile).not.toContain('evil');
  });
});
