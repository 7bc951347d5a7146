/** A DVC S3 remote's own settings reach the S3 client: region, keys, profile and credential files, TLS. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { s3ClientFor } from '../../../src/dvc/open.js';
import type { RemoteSpec } from '../../../src/dvc/config.js';

type S3Spec = Extract<RemoteSpec, { type: 's3' }>;
const spec = (options: Record<string, string>): S3Spec => ({
  name: 'storage',
  type: 's3',
  url: 's3://bucket/prefix',
  bucket: 'bucket',
  prefix: 'prefix',
  options
});
const open = (options: Record<string, string>, env: NodeJS.ProcessEnv = {}, region?: string): S3Client =>
  s3ClientFor(spec(options), 4, { action: 'dvc-pull', region, env });
const credentials = (client: S3Client) => client.config.credentials();

describe('S3 remote settings', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dvc-open-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('region: the remote, else the region input, else AWS_REGION, else us-east-1', async () => {
    expect(
      await open({ region: 'eu-west-3' }, { AWS_REGION: 'us-west-2' }, 'ap-south-1').config.region()
    ).toBe('eu-west-3');
    expect(await open({}, { AWS_REGION: 'us-west-2' }, 'ap-south-1').config.region()).toBe('ap-south-1');
    expect(await open({}, { AWS_REGION: 'us-west-2' }).config.region()).toBe('us-west-2');
    expect(await open({}, {}).config.region()).toBe('us-east-1');
  });

  it('keys in the config (config.local) win over every other source', async () => {
    const client = open({ access_key_id: 'AKIDREMOTE', secret_access_key: 'secret', session_token: 'token' });
    expect(await credentials(client)).toMatchObject({
      accessKeyId: 'AKIDREMOTE',
      secretAccessKey: 'secret',
      sessionToken: 'token'
    });
  });

  it('profile and credentialpath read that profile from that file', async () => {
    const file = path.join(dir, 'credentials');
    fs.writeFileSync(
      file,
      '[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = d\n' +
        '[ml]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = p\n'
    );
    const config = path.join(dir, 'config');
    fs.writeFileSync(config, '');
    expect(
      await credentials(open({ profile: 'ml', credentialpath: file, configpath: config }))
    ).toMatchObject({
      accessKeyId: 'AKIDPROFILE',
      secretAccessKey: 'p'
    });
    expect(await credentials(open({ credentialpath: file, configpath: config }))).toMatchObject({
      accessKeyId: 'AKIDDEFAULT'
    });
  });

  it('endpointurl with use_ssl false talks plain HTTP, path style', async () => {
    const client = open({ endpointurl: 'https://minio.example:9000', use_ssl: 'false' });
    const endpoint = await client.config.endpoint!();
    expect(endpoint.protocol).toBe('http:');
    expect(endpoint.hostname).toBe('minio.example');
    expect(client.config.forcePathStyle).toBe(true);
  });

  it('ssl_verify names a CA bundle, which must exist', () => {
    const missing = path.join(dir, 'missing.pem');
    expect(() => open({ endpointurl: 'https://s3.internal', ssl_verify: missing })).toThrow(
      `Remote "storage" sets ssl_verify = ${missing}, which is not a file: give the path of a CA bundle, or true or false.`
    );
  });
});
