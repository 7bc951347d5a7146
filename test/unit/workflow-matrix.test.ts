/** The local workflow runner: strategy.matrix (include/exclude, matrix and strategy contexts, fail-fast). */
import { expandMatrix } from '../../src/workflow/matrix.js';
import { gitRepo, run } from '../helpers/workflow-repo.js';

describe('expandMatrix', () => {
  it('takes the product, removes excludes, extends or adds includes as GitHub documents', () => {
    expect(
      expandMatrix({
        fruit: ['apple', 'pear'],
        animal: ['cat', 'dog'],
        exclude: [{ fruit: 'pear', animal: 'dog' }],
        include: [
          { color: 'green' },
          { color: 'pink', animal: 'cat' },
          { fruit: 'apple', shape: 'circle' },
          { fruit: 'banana' },
          { fruit: 'banana', animal: 'cat' }
        ]
      })
    ).toEqual([
      { fruit: 'apple', animal: 'cat', color: 'pink', shape: 'circle' },
      { fruit: 'apple', animal: 'dog', color: 'green', shape: 'circle' },
      { fruit: 'pear', animal: 'cat', color: 'pink' },
      { fruit: 'banana' },
      { fruit: 'banana', animal: 'cat' }
    ]);
  });
});

describe('matrix jobs', () => {
  it('runs one job per combination with matrix.* and strategy.*, and a failing leg fails the job', async () => {
    const repo = gitRepo({
      'w.yml': `
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix:
        python: ['3.10', '3.11']
        extra: [no]
        include:
          - python: '3.12'
            extra: yes
    outputs:
      last: \${{ steps.o.outputs.v }}
    steps:
      - id: o
        run: |
          echo "leg \${{ strategy.job-index }}/\${{ strategy.job-total }} python \${{ matrix.python }} extra \${{ matrix.extra }}"
          echo "v=\${{ matrix.python }}" >> "$GITHUB_OUTPUT"
          test "\${{ matrix.python }}" != 3.11
  after:
    needs: test
    if: always()
    runs-on: ubuntu-latest
    steps:
      - run: echo "test was \${{ needs.test.result }}"
`
    });
    const r = await run(repo, 'w.yml');
    expect(r.result.ok).toBe(false);
    expect(r.result.jobs.map((j) => [j.name, j.result])).toEqual([
      ['test (3.10, no)', 'success'],
      ['test (3.11, no)', 'failure'],
      ['test (3.12, yes)', 'success'],
      ['after', 'success']
    ]);
    expect(r.log).toContain('leg 0/3 python 3.10 extra no');
    expect(r.log).toContain('leg 2/3 python 3.12 extra yes');
    expect(r.log).toContain('test was failure');
    expect(r.job('test (3.12, yes)').matrix).toEqual({ python: '3.12', extra: 'yes' });
  });

  it('fail-fast (the default) cancels the legs after a failure', async () => {
    const repo = gitRepo({
      'w.yml': `
on: push
jobs:
  t:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        n: [1, 2, 3]
    steps:
      - run: test \${{ matrix.n }} -lt 2
`
    });
    const r = await run(repo, 'w.yml');
    expect(r.result.jobs.map((j) => j.result)).toEqual(['success', 'failure', 'cancelled']);
  });

  it("builds the matrix from an earlier job's output with fromJSON", async () => {
    const repo = gitRepo({
      'w.yml': `
on: push
jobs:
  plan:
    runs-on: ubuntu-latest
    outputs:
      sizes: \${{ steps.s.outputs.sizes }}
    steps:
      - id: s
        run: echo 'sizes=["small","large"]' >> "$GITHUB_OUTPUT"
  build:
    needs: plan
    runs-on: ubuntu-latest
    strategy:
      matrix:
        size: \${{ fromJSON(needs.plan.outputs.sizes) }}
    steps:
      - run: echo "size \${{ matrix.size }}"
`
    });
    const r = await run(repo, 'w.yml');
    r.assertOk();
    expect(r.result.jobs.map((j) => j.name)).toEqual(['plan', 'build (small)', 'build (large)']);
  });
});

describe('a job continue-on-error', () => {
  it('lets an experimental leg fail without failing the run or cancelling the others', async () => {
    const repo = gitRepo({
      'w.yml': `
on: push
jobs:
  t:
    runs-on: ubuntu-latest
    continue-on-error: \${{ matrix.experimental }}
    strategy:
      matrix:
        version: [1, 2]
        experimental: [false]
        include:
          - version: 3
            experimental: true
    steps:
      - run: test \${{ matrix.version }} -lt 3
  after:
    needs: t
    runs-on: ubuntu-latest
    steps:
      - run: echo "after ran"
`
    });
    const r = await run(repo, 'w.yml');
    r.assertOk();
    expect(r.result.jobs.map((j) => [j.name, j.result, Boolean(j.continueOnError)])).toEqual([
      ['t (1, false)', 'success', false],
      ['t (2, false)', 'success', false],
      ['t (3, true)', 'failure', true],
      ['after', 'success', false]
    ]);
    expect(r.log).toContain('after ran');
  });
});
