/**
 * deploy-lambda's bundle run as the runner runs it (INPUT_* variables, GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files), against a loopback stand-in of Lambda's REST-JSON API that knows one
 * function state (read-only: it answers the reads, refuses nothing, records every request): a dry run
 * of a first deployment and of a canary, and an image already live. Until the emulator's Lambda lands
 * (test/integration/deploy-lambda.test.ts), this is what shows the outputs and the summary.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runBundle } from '../helpers/bundle.js';

const HEX = 'a'.repeat(64);
const LIVE = `123456789012.dkr.ecr.us-east-1.amazonaws.com/news@sha256:${HEX}`;
const NEW = LIVE.replace(HEX, 'b'.repeat(64));
const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:news';

let server: http.Server;
let url = '';
const requests: string[] = [];
/** Whether the function `news` exists (with version 1 of LIVE on alias live). */
let exists = false;

function answer(res: http.ServerResponse, status: number, body: unknown, error?: string): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    ...(error ? { 'x-amzn-errortype': error } : {})
  });
  res.end(JSON.stringify(body));
}

const config = (version: string) => ({
  FunctionName: 'news',
  FunctionArn: version === '$LATEST' ? ARN : `${ARN}:${version}`,
  Version: version,
  PackageType: 'Image',
  CodeSha256: HEX,
  MemorySize: 128,
  Timeout: 3,
  Architectures: ['x86_64'],
  State: 'Active',
  LastUpdateStatus: 'Successful'
});

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(`${req.method} ${u.pathname}`);
    req.resume();
    if (req.method !== 'GET') return answer(res, 500, { message: 'read-only stand-in' }, 'ServiceException');
    if (!exists) return answer(res, 404, { Message: 'Function not found' }, 'ResourceNotFoundException');
    if (u.pathname.startsWith('/2017-03-31/tags/')) return answer(res, 200, { Tags: {} });
    if (u.pathname === '/2015-03-31/functions/news/aliases/live')
      return answer(res, 200, {
        Name: 'live',
        AliasArn: `${ARN}:live`,
        FunctionVersion: '1',
        RevisionId: 'r1'
      });
    if (u.pathname === '/2015-03-31/functions/news') {
      const version = u.searchParams.get('Qualifier') ?? '$LATEST';
      return answer(res, 200, {
        Configuration: config(version),
        Code: { ImageUri: LIVE, ResolvedImageUri: LIVE }
      });
    }
    answer(res, 404, { Message: `no route ${u.pathname}` }, 'ResourceNotFoundException');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => requests.splice(0));

const env = () => ({
  AWS_ENDPOINT_URL: url,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDSTANDIN',
  AWS_SECRET_ACCESS_KEY: 'stand-in-secret',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_MAX_ATTEMPTS: '1'
});
const mutating = () => requests.filter((r) => !r.startsWith('GET '));

describe('deploy-lambda bundle, as the runner runs it', () => {
  it('a dry run of a first deployment: status planned, the plan in the log and the summary', async () => {
    exists = false;
    const run = await runBundle(
      'deploy-lambda',
      {
        'function-name': 'news',
        image: NEW,
        'role-arn': 'arn:aws:iam::123456789012:role/news-lambda',
        'dry-run': 'true',
        environment: 'API_KEY=s3cr3t'
      },
      { env: env() }
    );
    expect(run.errors).toEqual([]);
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toEqual({ status: 'planned' });
    expect(run.log).toContain('Plan for news:live: create, first deployment (the alias on the new version).');
    expect(run.summary).toContain('## deploy-lambda: news:live: 📝 planned');
    expect(run.summary).toContain('| Old version | none (first deployment) |');
    // Masked for the runner first; printed nowhere else.
    expect(run.log).toContain('::add-mask::s3cr3t');
    expect(run.log.replace('::add-mask::s3cr3t', '') + run.summary).not.toContain('s3cr3t');
    expect(mutating()).toEqual([]);
  });

  it('a first deployment without role-arn: one sentence naming it, exit 1, no mutating call', async () => {
    exists = false;
    const run = await runBundle('deploy-lambda', { 'function-name': 'news', image: NEW }, { env: env() });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      'Input "role-arn" is required on the first deployment: function news does not exist yet, give the role it runs as.'
    ]);
    expect(mutating()).toEqual([]);
  });

  it('a dry run of a canary: outputs previous-version and alias-arn, the chart of the planned steps', async () => {
    exists = true;
    const run = await runBundle(
      'deploy-lambda',
      { 'function-name': 'news', image: NEW, 'dry-run': 'true', 'canary-size': '25%' },
      { env: env() }
    );
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toEqual({ status: 'planned', 'previous-version': '1', 'alias-arn': `${ARN}:live` });
    expect(run.log).toContain('canary: 25% (bake 5m) → 100%, no alarms.');
    expect(run.summary).toContain('xychart-beta');
    expect(run.summary).toContain('line [0, 25, 100]');
    expect(mutating()).toEqual([]);
  });

  it('the image already live: status unchanged, version 1, no mutating call', async () => {
    exists = true;
    const run = await runBundle('deploy-lambda', { 'function-name': 'news', image: LIVE }, { env: env() });
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toEqual({
      status: 'unchanged',
      version: '1',
      'previous-version': '1',
      'alias-arn': `${ARN}:live`
    });
    expect(run.summary).toContain('unchanged');
    expect(mutating()).toEqual([]);
  });
});
