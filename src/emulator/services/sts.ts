/** STS: GetCallerIdentity, so the actions (and users) can see who they are. */
import type { Emulator, ServiceDefinition } from '../server.js';

export const ACCOUNT_ID = '123456789012';

export function sts(_emulator: Emulator): ServiceDefinition {
  return {
    name: 'sts',
    signingName: 'sts',
    protocol: 'query',
    xmlNamespace: 'https://sts.amazonaws.com/doc/2011-06-15/',
    operations: {
      GetCallerIdentity: (_input, request) => ({
        UserId: `AROAEMULATOR:${request.accessKeyId ?? 'emulator'}`,
        Account: ACCOUNT_ID,
        Arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/emulator/${request.accessKeyId ?? 'emulator'}`
      })
    }
  };
}
