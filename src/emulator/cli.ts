/** `mlops-actions emulator [--port 4599] [--time-scale 0.01] [--state-file PATH]`. */
import { execFile } from 'node:child_process';
import { parseDuration } from '../duration.js';
import path from 'node:path';
import { splitList } from '../inputs.js';
import { Emulator } from './server.js';
import { S3Store } from './services/s3/index.js';
import { ALL_SERVICES } from './services/index.js';

const USAGE = `Usage: mlops-actions emulator [--port 4599] [--time-scale 1] [--state-file PATH] [--training docker|simulated]
                             [--hosting docker|simulated] [--registry 127.0.0.1:5000] [--buckets a,b]

Starts a local stand-in for the AWS services the actions use (SageMaker, S3, CloudWatch Logs, ECR, STS, ...),
on 127.0.0.1. Point the actions at it:
  export AWS_ENDPOINT_URL=http://127.0.0.1:4599 AWS_REGION=us-east-1
  export AWS_ACCESS_KEY_ID=emulator AWS_SECRET_ACCESS_KEY=emulator
  --port        TCP port on 127.0.0.1 (default 4599; 0 picks a free one)
  --time-scale  multiplies every service-side duration (0.01: a 10-minute bake takes 6 s)
  --state-file  keep state in this JSON file so separate runs share it (S3 data beside it)
  --data-dir    where S3 objects and training work live (default: beside the state file, or a temp dir)
  --training    docker (default: training jobs run their image on the local Docker engine) or
                simulated (the same timeline without containers)
  --hosting     docker (default when a Docker engine answers: each endpoint variant runs its image with
                "serve" on the local engine, --network host, listening on SAGEMAKER_BIND_TO_PORT, and
                answers InvokeEndpoint) or simulated (the same timeline without containers)
  --registry    the Docker registry ECR hands out (GetAuthorizationToken) and reads images from
                (DescribeImages): host:port of a registry such as Debian's docker-registry
                (default 127.0.0.1:5000)
  --buckets     S3 buckets to create at start, comma separated (for example a DVC remote's)
Admin API: GET /_emulator/calls, POST /_emulator/faults, GET /_emulator/state, POST /_emulator/reset.
Faults (POST /_emulator/faults): {"throttle": 0.3} throttles 30% of calls; {"sagemaker.nextUpdate":
"Failed"} or "UpdateRollbackFailed" ends the next endpoint update so; {"sagemaker.failHealthCheck": true}
fails the next new fleet's health check; {"sagemaker.instanceLimit": 8} sets the instance quota.
`;

/** Whether a Docker engine answers `docker info` within a few seconds. */
async function dockerAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 5000 }, (error) =>
      resolve(!error)
    );
  });
}

export async function emulatorCommand(args: string[]): Promise<number> {
  const options: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split(/=(.*)/s, 2);
    if (flag === '--help' || flag === '-h') {
      process.stdout.write(USAGE);
      return 0;
    }
    if (
      ![
        '--port',
        '--time-scale',
        '--state-file',
        '--data-dir',
        '--training',
        '--hosting',
        '--registry',
        '--buckets'
      ].includes(flag)
    ) {
      process.stderr.write(`mlops-actions emulator: unknown option "${flag}".\n${USAGE}`);
      return 2;
    }
    options[flag.slice(2)] = inline ?? args[++i] ?? '';
  }
  const port = Number(options.port ?? 4599);
  const timeScale = Number(options['time-scale'] ?? 1);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(
      `mlops-actions emulator: --port must be a port number, but got "${options.port}".\n`
    );
    return 2;
  }
  if (!(timeScale > 0) || parseDuration(String(timeScale)) === undefined) {
    process.stderr.write(
      `mlops-actions emulator: --time-scale must be a positive number, but got "${options['time-scale']}".\n`
    );
    return 2;
  }
  const training = options.training ?? 'docker';
  if (training !== 'docker' && training !== 'simulated') {
    process.stderr.write(
      `mlops-actions emulator: --training must be docker or simulated, but got "${training}".\n`
    );
    return 2;
  }
  const hosting = options.hosting ?? ((await dockerAnswers()) ? 'docker' : 'simulated');
  if (hosting !== 'docker' && hosting !== 'simulated') {
    process.stderr.write(
      `mlops-actions emulator: --hosting must be docker or simulated, but got "${hosting}".\n`
    );
    return 2;
  }
  const registry = options.registry ?? '127.0.0.1:5000';
  if (!/^(https?:\/\/)?[A-Za-z0-9.-]+(:\d{1,5})?\/?$/.test(registry)) {
    process.stderr.write(
      `mlops-actions emulator: --registry must be a registry address such as 127.0.0.1:5000, but got "${registry}".\n`
    );
    return 2;
  }
  const emulator = new Emulator({
    timeScale,
    registry,
    stateFile: options['state-file'],
    dataDir: options['data-dir'],
    training,
    hosting,
    services: ALL_SERVICES
  });
  try {
    for (const bucket of splitList(options.buckets ?? ''))
      new S3Store(path.join(emulator.dataDir, 's3')).createBucket(bucket);
  } catch (e) {
    process.stderr.write(`mlops-actions emulator: --buckets: ${(e as Error).message}\n`);
    return 2;
  }
  const url = await emulator.start(port);
  process.stdout.write(`AWS emulator listening on ${url} (time scale ${timeScale}).\n`);
  process.stdout.write(
    hosting === 'docker'
      ? 'Endpoints serve: each variant runs its image on the local Docker engine.\n'
      : 'Endpoints are simulated: no containers run and InvokeEndpoint refuses (--hosting docker serves).\n'
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await emulator.stop();
  return 0;
}
