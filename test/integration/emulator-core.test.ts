/** The emulator's server core through the real AWS SDK: routing, the call log, faults, state file. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { awsClient } from '../../src/aws.js';
import { Emulator } from '../../src/emulator/server.js';
import { ALL_SERVICES } from '../../src/emulator/services/index.js';

const credentials = { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'secret' };
let emulator: Emulator;
const saved = { ...process.env };

beforeEach(async () => {
  emulator = new Emulator({ services: ALL_SERVICES });
  await emulator.start();
  process.env.AWS_ENDPOINT_URL = emulator.url;
  delete process.env.AWS_MAX_ATTEMPTS;
  delete process.env.AWS_RETRY_MODE;
});
afterEach(async () => {
  await emulator.stop();
  process.env = { ...saved };
});

const sts = () => awsClient(STSClient, 'STS', { action: 'test-action', region: 'us-east-1', credentials });

describe('emulator core', () => {
  it('answers the SDK through AWS_ENDPOINT_URL and records the call with the toolkit user agent', async () => {
    const identity = await sts().send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe('123456789012');
    expect(identity.Arn).toContain('AKIDEMULATOR');
    expect(emulator.calls).toHaveLength(1);
    expect(emulator.calls[0]).toMatchObject({
      service: 'sts',
      operation: 'GetCallerIdentity',
      mutating: false,
      status: 200
    });
    expect(emulator.calls[0].userAgent).toMatch(/mlops-actions\/\d+\.\d+\.\d+ test-action/);
  });

  it('throttles a share of calls and the SDK retries them (adaptive, 5 attempts)', async () => {
    emulator.faults.throttle = 0.5;
    const client = sts();
    for (let i = 0; i < 10; i++) await client.send(new GetCallerIdentityCommand({}));
    const throttled = emulator.calls.filter((c) => c.error === 'Throttling').length;
    expect(throttled).toBeGreaterThan(0);
    expect(emulator.calls.length).toBe(10 + throttled);
  });

  it('without retries a throttled call surfaces as Throttling', async () => {
    emulator.faults.throttle = 1;
    process.env.AWS_MAX_ATTEMPTS = '1';
    await expect(sts().send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'Throttling' });
  });

  it('has an admin API for the call log, faults and reset', async () => {
    await sts().send(new GetCallerIdentityCommand({}));
    const calls = (await (await fetch(`${emulator.url}/_emulator/calls`)).json()) as unknown[];
    expect(calls).toHaveLength(1);
    await fetch(`${emulator.url}/_emulator/faults`, {
      method: 'POST',
      body: JSON.stringify({ throttle: 0.3 })
    });
    expect(emulator.faults).toEqual({ throttle: 0.3 });
    await fetch(`${emulator.url}/_emulator/reset`, { method: 'POST' });
    expect(emulator.calls).toHaveLength(0);
    expect(emulator.faults).toEqual({});
    expect((await fetch(`${emulator.url}/_emulator/nope`)).status).toBe(404);
  });

  it('an unknown service or operation is an AWS-shaped error', async () => {
    const res = await fetch(emulator.url, {
      method: 'POST',
      headers: { 'x-amz-target': 'Nope.Do' },
      body: '{}'
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { __type: string }).__type).toBe('UnknownOperationException');
  });

  it('keeps state in a file so a restarted emulator sees it', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'emu-')), 'state.json');
    const first = new Emulator({ stateFile: file });
    first.stateOf('demo', () => ({ items: [] as string[] })).items.push('kept');
    first.faults.throttle = 0.1;
    first.save();
    const second = new Emulator({ stateFile: file });
    expect(second.stateOf('demo', () => ({ items: [] as string[] })).items).toEqual(['kept']);
    expect(second.faults).toEqual({ throttle: 0.1 });
  });
});
