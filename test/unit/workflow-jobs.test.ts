/** The local workflow runner: jobs in needs order, outputs across jobs, if: and status functions. */
import { gitRepo, run, oneJob } from '../helpers/workflow-repo.js';

const NEEDS = `
name: chain
on: push
jobs:
  last:
    needs: [first, second]
    runs-on: ubuntu-latest
    steps:
      - run: echo "got \${{ needs.first.outputs.word }} and \${{ needs.second.outputs.number }}" > "$RUNNER_TEMP/x"; cat "$RUNNER_TEMP/x"
      - id: final
        run: echo "sentence=\${{ needs.first.outputs.word }}-\${{ needs.second.outputs.number }}" >> "$GITHUB_OUTPUT"
    outputs:
      sentence: \${{ steps.final.outputs.sentence }}
  first:
    runs-on: ubuntu-latest
    outputs:
      word: \${{ steps.w.outputs.word }}
    steps:
      - id: w
        run: echo "word=hello" >> "$GITHUB_OUTPUT"
  second:
    needs: first
    runs-on: ubuntu-latest
    outputs:
      number: \${{ steps.n.outputs.n }}
    steps:
      - id: n
        run: echo "n=\${{ needs.first.outputs.word == 'hello' && 42 || 0 }}" >> "$GITHUB_OUTPUT"
`;

describe('jobs in needs order', () => {
  it('runs needed jobs first and passes their outputs on', async () => {
    const repo = gitRepo({ '.github/workflows/chain.yml': NEEDS });
    const r = await run(repo, '.github/workflows/chain.yml');
    r.assertOk();
    expect(r.result.jobs.map((j) => j.id)).toEqual(['first', 'second', 'last']);
    expect(r.job('second').outputs).toEqual({ number: '42' });
    expect(r.job('last').outputs).toEqual({ sentence: 'hello-42' });
    expect(r.log).toContain('got hello and 42');
    expect(r.log).toMatch(/runner time/);
  });
});

const FAILING = `
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: echo before
      - run: exit 3
      - name: never
        run: echo "should not run"
      - name: cleanup
        if: always()
        run: echo "cleaning up"
      - name: on failure
        if: failure()
        run: echo "build failed"
  test:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: echo "should not run either"
  report:
    needs: test
    if: always()
    runs-on: ubuntu-latest
    steps:
      - run: echo "test was \${{ needs.test.result }}"
  notify:
    needs: build
    if: failure()
    runs-on: ubuntu-latest
    steps:
      - run: echo "notifying about \${{ needs.build.result }}"
`;

describe('failures', () => {
  it('a failing step fails its job, skips later steps unless their if: says so, and skips dependents', async () => {
    const repo = gitRepo({ 'w.yml': FAILING });
    const r = await run(repo, 'w.yml');
    expect(r.result.ok).toBe(false);
    const build = r.job('build');
    expect(build.result).toBe('failure');
    expect(build.steps.map((s) => s.outcome)).toEqual([
      'success',
      'failure',
      'skipped',
      'success',
      'success'
    ]);
    expect(build.steps[1].error).toContain('exited with code 3');
    expect(r.log).toContain('cleaning up');
    expect(r.log).toContain('build failed');
    expect(r.log).not.toContain('should not run');
    expect(r.job('test').result).toBe('skipped');
    expect(r.job('report').result).toBe('success');
    expect(r.log).toContain('test was skipped');
    expect(r.job('notify').result).toBe('success');
    expect(r.log).toContain('notifying about failure');
  });

  it('continue-on-error lets the job go on and succeed, with the step outcome kept', async () => {
    const repo = gitRepo({
      'w.yml': oneJob(`
      - id: flaky
        continue-on-error: true
        run: exit 1
      - run: echo "outcome=\${{ steps.flaky.outcome }} conclusion=\${{ steps.flaky.conclusion }}"
`)
    });
    const r = await run(repo, 'w.yml');
    r.assertOk();
    expect(r.job('j').steps[0]).toMatchObject({ outcome: 'failure', conclusion: 'success' });
    expect(r.log).toContain('outcome=failure conclusion=success');
  });

  it("a job skipped by its own if: is not a failure, and success() in a step's if: sees earlier failures", async () => {
    const repo = gitRepo({
      'w.yml': `
on: push
jobs:
  skipped:
    if: github.event_name == 'pull_request'
    runs-on: ubuntu-latest
    steps:
      - run: echo "pr only"
  ran:
    runs-on: ubuntu-latest
    steps:
      - if: success() && github.ref == 'refs/heads/main'
        run: echo "on main"
      - if: cancelled()
        run: echo "cancelled?"
`
    });
    const r = await run(repo, 'w.yml');
    r.assertOk();
    expect(r.job('skipped').result).toBe('skipped');
    expect(r.log).toContain('on main');
    expect(r.log).not.toContain('pr only');
    expect(r.job('ran').steps[1].outcome).toBe('skipped');
  });
});

const DISPATCH = `
on:
  workflow_dispatch:
    inputs:
      deploy:
        type: boolean
        default: false
      replicas:
        type: number
        default: 2
      stage:
        type: choice
        options: [dev, prod]
        required: true
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - if: inputs.deploy
        run: echo "deploying \${{ inputs.replicas }} to \${{ inputs.stage }}"
      - if: \${{ !inputs.deploy }}
        run: echo "not deploying"
      - run: echo "types \${{ inputs.deploy == true }} \${{ inputs.replicas == 2 }} event \${{ github.event.inputs.stage }}"
`;

describe('typed inputs', () => {
  it('gives boolean and number inputs their types, so if: inputs.flag works', async () => {
    const repo = gitRepo({ 'w.yml': DISPATCH });
    const off = await run(repo, 'w.yml', { inputs: { stage: 'dev' } });
    expect(off.result.ok).toBe(true);
    expect(off.log).toContain('not deploying');
    expect(off.log).not.toContain('deploying 2');
    expect(off.log).toContain('types false true event dev');
    const on = await run(repo, 'w.yml', { inputs: { stage: 'prod', deploy: 'true', replicas: '3' } });
    expect(on.log).toContain('deploying 3 to prod');
  });

  it.each([
    [{}, 'the required input "stage" is missing (--input stage=VALUE)'],
    [{ stage: 'qa' }, 'input "stage" must be one of dev, prod, not "qa"'],
    [{ stage: 'dev', deploy: 'yes' }, 'input "deploy" must be true or false, not "yes"'],
    [{ stage: 'dev', replicas: 'many' }, 'input "replicas" must be a number, not "many"'],
    [{ stage: 'dev', colour: 'red' }, 'there is no input "colour"']
  ])('refuses inputs %j in one sentence before any step runs', async (inputs, message) => {
    const repo = gitRepo({ 'w.yml': DISPATCH });
    const r = await run(repo, 'w.yml', { inputs });
    expect(r.result.ok).toBe(false);
    expect(r.result.refusal).toContain(message);
    expect(r.result.jobs).toEqual([]);
    expect(r.log.split('\n')).toHaveLength(1);
    expect(r.log).toMatch(/^mlops-actions workflow: The workflow w\.yml: /);
  });
});

describe('--job and workflow_call', () => {
  it('--job runs that job alone, the jobs it needs not run (their outputs empty)', async () => {
    const repo = gitRepo({ '.github/workflows/chain.yml': NEEDS });
    const r = await run(repo, '.github/workflows/chain.yml', { job: 'second' });
    r.assertOk();
    expect(r.result.jobs.map((j) => j.id)).toEqual(['second']);
    expect(r.job('second').outputs).toEqual({ number: '0' });
    const unknown = await run(repo, '.github/workflows/chain.yml', { job: 'nope' });
    expect(unknown.result.refusal).toBe(
      '--job nope: the workflow has no such job (its jobs: last, first, second).'
    );
  });

  it('runs a workflow_call workflow on its own, with --input and a required --secret', async () => {
    const repo = gitRepo({
      'called.yml': `
on:
  workflow_call:
    inputs:
      n:
        type: number
        default: 1
    secrets:
      token:
        required: true
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - run: echo "n+1 is bigger \${{ inputs.n > 1 }} token \${{ secrets.token }}"
`
    });
    const missing = await run(repo, 'called.yml', { event: 'workflow_call' });
    expect(missing.result.refusal).toBe(
      'The workflow called.yml requires the secret "token" (--secret token=VALUE).'
    );
    const r = await run(repo, 'called.yml', {
      event: 'workflow_call',
      inputs: { n: '2' },
      secrets: { token: 'tok-1' }
    });
    r.assertOk();
    expect(r.log).toContain('n+1 is bigger true token ***');
  });
});
