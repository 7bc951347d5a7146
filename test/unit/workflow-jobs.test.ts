/** The local workflow runner: jobs in needs order, outputs across jobs, if: and status functions. */
import { gitRepo, run } from '../helpers/workflow-repo.js';

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
    expect(r.result.ok).toBe(true);
    expect(r.result.jobs.map((j) => j.id)).toEqual(['first', 'second', 'last']);
    expect(r.job('second').outputs).toEqual({ number: '42' });
    expect(r.job('last').outputs).toEqual({ sentence: 'hello-42' });
    expect(r.log).toContain('got hello and 42');
    expect(r.log).toMatch(/runner time/);
    if (process.env.SHOW_LOG) console.log(r.log);
  });
});
