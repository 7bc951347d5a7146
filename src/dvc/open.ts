/**
 * Opens a remote's store from its DVC settings: S3 through the shared AWS client factory (endpointurl,
 * region, profile, keys, credentialpath/configpath, use_ssl, ssl_verify; anything unset falls back to
 * the SDK's default chain), or a local folder.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import { fromIni } from '@aws-sdk/credential-provider-ini';
import { awsClient } from '../aws.js';
import { ConfigError, type RemoteSpec } from './config.js';
import { LocalRemote, type RemoteStore } from './remote.js';
import { S3Remote } from './s3.js';

const isFalse = (v: string | undefined) => /^(false|0|no)$/i.test(v ?? '');

export interface OpenerOptions {
  /** The action name, for the user agent. */
  action: string;
  /** The `region` input. */
  region?: string;
  env: NodeJS.ProcessEnv;
}

export function s3ClientFor(
  spec: Extract<RemoteSpec, { type: 's3' }>,
  jobs: number,
  options: OpenerOptions
): S3Client {
  const o = spec.options;
  let endpoint = o.endpointurl || undefined;
  if (endpoint && isFalse(o.use_ssl)) endpoint = endpoint.replace(/^https:/i, 'http:');
  let credentials: unknown;
  if (o.access_key_id && o.secret_access_key) {
    credentials = {
      accessKeyId: o.access_key_id,
      secretAccessKey: o.secret_access_key,
      sessionToken: o.session_token || undefined
    };
  } else if (o.profile || o.credentialpath || o.configpath) {
    credentials = fromIni({
      profile: o.profile || undefined,
      filepath: o.credentialpath || undefined,
      configFilepath: o.configpath || undefined
    });
  }
  const verify = o.ssl_verify;
  // Twice `jobs`: whole-object requests and the ranged GETs of large objects each get `jobs` (see s3.ts).
  const tls: https.AgentOptions = { keepAlive: true, maxSockets: jobs * 2 };
  if (isFalse(verify)) tls.rejectUnauthorized = false;
  else if (verify && !/^(true|1|yes)$/i.test(verify)) {
    if (!fs.existsSync(verify))
      throw new ConfigError(
        `Remote "${spec.name}" sets ssl_verify = ${verify}, which is not a file: give the path of a CA bundle, or true or false.`
      );
    tls.ca = fs.readFileSync(verify);
  }
  const env = options.env;
  return awsClient(S3Client, 'S3', {
    action: options.action,
    // The remote's own region, else the input, else the environment; S3 redirects a wrong guess.
    region: o.region || options.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    endpoint,
    credentials,
    env,
    config: {
      followRegionRedirects: true,
      requestHandler: {
        httpAgent: new http.Agent({ keepAlive: true, maxSockets: jobs * 2 }),
        httpsAgent: new https.Agent(tls)
      }
    }
  });
}

/** `(spec, jobs) => store`, as pull and push take it. */
export function remoteOpener(options: OpenerOptions): (spec: RemoteSpec, jobs: number) => RemoteStore {
  return (spec, jobs) => {
    if (spec.type === 's3')
      return new S3Remote(s3ClientFor(spec, jobs, options), spec.bucket, spec.prefix, jobs);
    if (spec.type === 'local') return new LocalRemote(spec.path);
    throw new Error(`remote "${spec.name}" (${spec.url}) has no native store`);
  };
}
