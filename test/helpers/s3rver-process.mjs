#!/usr/bin/env node
// An S3 server on 127.0.0.1 for tests and benches: `node --openssl-legacy-provider s3rver-process.mjs
// <data-dir> [bucket ...]` prints {"port": N} once listening and stops on SIGTERM. The legacy provider
// is needed for listings past 1,000 keys (s3rver makes its continuation tokens with DES).
import S3rver from '@20minutes/s3rver';

const [directory, ...buckets] = process.argv.slice(2);
if (!directory) {
  console.error('usage: s3rver-process.mjs <data-dir> [bucket ...]');
  process.exit(2);
}
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  directory,
  silent: true,
  // s3rver canonicalizes some query strings (list prefixes with /) unlike the SDK; signatures are not what is tested.
  allowMismatchedSignatures: true,
  configureBuckets: buckets.map((name) => ({ name, configs: [] }))
});
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
const stop = () => server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
