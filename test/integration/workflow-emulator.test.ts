/**
 * The local workflow runner against the project's emulator: configure-aws-credentials hands the
 * emulator's credentials to a toolkit bundle, whose AWS calls (through the real SDK) reach it.
 */
import { startEmulator, type RunningEmulator } from '../helpers/emulator.js';
import { gitRepo, run } from '../helpers/workflow-repo.js';

let aws: RunningEmulator;
beforeAll(async () => {
  aws = await startEmulator();
});
afterAll(() => aws?.stop());

const WORKFLOW = `
on: push
jobs:
  smoke:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: actions/checkout@v4
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/smoke
          aws-region: eu-west-1
      - uses: mlops-actions/mlops-actions/actions/smoke-test@v1
        with:
          endpoint-name: ghost
          requests: cases.jsonl
`;

describe('a workflow against the emulator', () => {
  it("runs a toolkit bundle with the emulator's credentials and region, which answers it", async () => {
    const repo = gitRepo({ '.github/workflows/smoke.yml': WORKFLOW, 'cases.jsonl': '{"body": {"x": 1}}\n' });
    const r = await run(repo, '.github/workflows/smoke.yml', {
      env: {
        AWS_ENDPOINT_URL: aws.url,
        AWS_ACCESS_KEY_ID: '',
        AWS_SECRET_ACCESS_KEY: '',
        AWS_REGION: '',
        AWS_EC2_METADATA_DISABLED: 'true'
      }
    });
    expect(r.log).toContain(
      `using the local emulator at ${aws.url} instead of assuming arn:aws:iam::123456789012:role/smoke`
    );
    expect(r.job('smoke').result).toBe('failure');
    expect(r.job('smoke').steps[2].error).toBe(
      'Input "endpoint-name" names ghost, which does not exist in this region: check the name and region, or deploy it first.'
    );
    const calls = (await (await fetch(`${aws.url}/_emulator/calls`)).json()) as unknown;
    expect(JSON.stringify(calls)).toContain('DescribeEndpoint');
  });
});
