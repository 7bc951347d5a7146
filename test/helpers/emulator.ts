/** Starts the emulator in-process on a free port, with the variables that point the actions at it. */
import { Emulator, type EmulatorOptions } from '../../src/emulator/server.js';
import { ALL_SERVICES } from '../../src/emulator/services/index.js';

export interface RunningEmulator {
  emulator: Emulator;
  url: string;
  /** AWS_ENDPOINT_URL, region, dummy keys and MLOPS_ACTIONS_TIME_SCALE: pass to runBundle's env. */
  env: Record<string, string>;
  /** awsClient options that reach it from the test itself: `awsClient(S3Client, 'S3', emu.clientConfig)`. */
  clientConfig: {
    action: string;
    region: string;
    endpoint: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  stop(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emulator = new Emulator({ services: ALL_SERVICES, ...options });
  const url = await emulator.start();
  return {
    emulator,
    url,
    env: {
      AWS_ENDPOINT_URL: url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDEMULATOR',
      AWS_SECRET_ACCESS_KEY: 'emulator-secret',
      AWS_EC2_METADATA_DISABLED: 'true',
      MLOPS_ACTIONS_TIME_SCALE: String(options.timeScale ?? 1)
    },
    clientConfig: {
      action: 'test',
      region: 'us-east-1',
      endpoint: url,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' }
    },
    stop: () => emulator.stop()
  };
}
