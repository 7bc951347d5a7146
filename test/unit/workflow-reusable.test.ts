/** The local workflow runner: reusable workflows called through ./.github/workflows with inputs, secrets, outputs. */
import { gitRepo, run } from '../helpers/workflow-repo.js';

const CALLEE = `
on:
  workflow_call:
    inputs:
      size:
        type: number
        required: true
      verbose:
        type: boolean
        default: false
      label:
        type: string
        default: \${{ github.event_name }}-label
    secrets:
      api-key:
        required: true
    outputs:
      artifact:
        description: what was built
        value: \${{ jobs.build.outputs.name }}
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      name: \${{ steps.b.outputs.name }}
    steps:
      - id: b
        run: |
          echo "size \${{ inputs.size }} doubled-check \${{ inputs.size == 3 }} verbose \${{ inputs.verbose }} label \${{ inputs.label }}"
          echo "key \${{ secrets.api-key }} len $(echo -n "$KEY" | wc -c)"
          echo "name=model-\${{ inputs.size }}" >> "$GITHUB_OUTPUT"
        env:
          KEY: \${{ secrets.api-key }}
      - if: inputs.verbose
        run: echo "verbose on"
  check:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: echo "checking \${{ needs.build.outputs.name }}"
`;

const CALLER = `
on: push
jobs:
  prepare:
    runs-on: ubuntu-latest
    outputs:
      size: \${{ steps.p.outputs.size }}
    steps:
      - id: p
        run: echo "size=3" >> "$GITHUB_OUTPUT"
  call:
    needs: prepare
    uses: ./.github/workflows/build.yml
    with:
      size: \${{ fromJSON(needs.prepare.outputs.size) }}
      verbose: true
    secrets:
      api-key: \${{ secrets.KEY }}
  inherit:
    uses: ./.github/workflows/build.yml
    with:
      size: 5
    secrets: inherit
  use:
    needs: [call, inherit]
    runs-on: ubuntu-latest
    steps:
      - run: echo "got \${{ needs.call.outputs.artifact }} and \${{ needs.inherit.outputs.artifact }}"
`;

describe('reusable workflows', () => {
  it('passes typed inputs and secrets, shows callee jobs as caller / callee, and maps outputs back', async () => {
    const repo = gitRepo({ '.github/workflows/build.yml': CALLEE, '.github/workflows/ci.yml': CALLER });
    const r = await run(repo, '.github/workflows/ci.yml', {
      secrets: { KEY: 'k-123456', 'api-key': 'inherited-key' }
    });
    r.assertOk();
    expect(r.result.jobs.map((j) => j.id)).toEqual([
      'prepare',
      'call / build',
      'call / check',
      'call',
      'inherit / build',
      'inherit / check',
      'inherit',
      'use'
    ]);
    expect(r.log).toContain('size 3 doubled-check true verbose true label push-label');
    expect(r.log).toContain('key *** len 8');
    expect(r.log).toContain('verbose on');
    expect(r.log).toContain('checking model-3');
    expect(r.job('call').outputs).toEqual({ artifact: 'model-3' });
    expect(r.log).toContain('got model-3 and model-5');
    expect(r.log).not.toContain('k-123456');
    expect(r.log).not.toContain('inherited-key');
  });

  it('refuses a call without a required input before anything runs', async () => {
    const repo = gitRepo({
      '.github/workflows/build.yml': CALLEE,
      'ci.yml': `
on: push
jobs:
  call:
    uses: ./.github/workflows/build.yml
    with:
      verbose: true
    secrets:
      api-key: x
`
    });
    const r = await run(repo, 'ci.yml');
    expect(r.result.ok).toBe(false);
    expect(r.result.refusal).toMatch(/Input size is required, but not provided while calling/);
    expect(r.result.jobs).toEqual([]);
  });

  it('fails the calling job (naming it) when an input has the wrong type at run time, and skips what needs it', async () => {
    const repo = gitRepo({
      '.github/workflows/build.yml': CALLEE,
      'ci.yml': `
on: push
jobs:
  prep:
    runs-on: ubuntu-latest
    outputs:
      word: abc
    steps:
      - run: true
  call:
    needs: prep
    uses: ./.github/workflows/build.yml
    with:
      size: \${{ needs.prep.outputs.word }}
    secrets:
      api-key: x
  after:
    needs: call
    runs-on: ubuntu-latest
    steps:
      - run: echo after
`
    });
    const r = await run(repo, 'ci.yml');
    expect(r.result.ok).toBe(false);
    expect(r.job('call').result).toBe('failure');
    expect(r.log).toContain(
      'job "call" (calling ./.github/workflows/build.yml): input "size" must be a number, not "abc"'
    );
    expect(r.job('after').result).toBe('skipped');
  });

  it('fails a callee job, and so the calling job', async () => {
    const repo = gitRepo({
      '.github/workflows/bad.yml': `
on: workflow_call
jobs:
  boom:
    runs-on: ubuntu-latest
    steps:
      - run: exit 4
`,
      'ci.yml': `
on: push
jobs:
  call:
    uses: ./.github/workflows/bad.yml
`
    });
    const r = await run(repo, 'ci.yml');
    expect(r.result.ok).toBe(false);
    expect(r.job('call / boom').result).toBe('failure');
    expect(r.job('call').result).toBe('failure');
  });
});
