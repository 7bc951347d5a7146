/** The local workflow runner's log: masking, workflow commands in step output, and never obeying it. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startsCommand } from '../../src/untrusted.js';
import { gitRepo, run, oneJob } from '../helpers/workflow-repo.js';

const WORKFLOW = oneJob(`
      - run: |
          echo "token is \${{ secrets.API_TOKEN }} and env $TOKEN"
          echo "::add-mask::generated-password-123"
          echo "later: generated-password-123"
          echo "::warning title=Heads up::disk%0Alow"
          echo "::error file=model.py,line=3::accuracy dropped"
          echo "::notice::fyi"
          echo "::debug::hidden unless debugging"
          echo "::group::Installing"
          echo "inside the group"
          echo "::endgroup::"
          echo "::set-output name=old::legacy"
          echo "  ::warning::indented commands are commands too"
        env:
          TOKEN: \${{ secrets.API_TOKEN }}
      - id: hostile
        run: |
          printf '::error::from a file\\n::set-output name=evil::1\\n##[error]legacy\\n' > hostile.txt
          echo "::stop-commands::tok123"
          cat hostile.txt
          echo "::tok123::"
          echo "::notice::obeyed again"
      - run: cat hostile.txt
`);

describe('the log', () => {
  it('masks secrets and add-mask values everywhere, and renders workflow commands', async () => {
    const repo = gitRepo({ 'w.yml': WORKFLOW });
    const r = await run(repo, 'w.yml', { secrets: { API_TOKEN: 'sk-very-secret-value' } });
    r.assertOk();
    expect(r.log).not.toContain('sk-very-secret-value');
    expect(r.log).not.toContain('generated-password-123');
    expect(r.log).toContain('token is *** and env ***');
    expect(r.log).toContain('later: ***');
    expect(r.log).toContain('warning: Heads up: disk\nlow');
    expect(r.log).toContain('error: accuracy dropped (model.py:3)');
    expect(r.log).toContain('notice: fyi');
    expect(r.log).not.toContain('hidden unless debugging');
    expect(r.log).toContain('▸ Installing');
    expect(r.log).toContain('inside the group');
    expect(r.log).toMatch(/set-output` command is deprecated/);
    expect(r.job('j').steps[0].outputs).toEqual({ old: 'legacy' });
    expect(r.log).toContain('warning: indented commands are commands too');
    const summary = fs.readFileSync(r.result.summaryFile, 'utf8');
    expect(summary).not.toContain('sk-very-secret-value');
  });

  it('masks secrets in the result file too', async () => {
    const repo = gitRepo({
      'w.yml': oneJob(`
      - run: echo "leak=\${{ secrets.API_TOKEN }}" >> "$GITHUB_OUTPUT"
`)
    });
    const resultFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'result-')), 'result.json');
    const r = await run(repo, 'w.yml', { secrets: { API_TOKEN: 'sk-very-secret-value' }, resultFile });
    r.assertOk();
    const text = fs.readFileSync(resultFile, 'utf8');
    expect(text).not.toContain('sk-very-secret-value');
    expect(JSON.parse(text).jobs[0].steps[0].outputs).toEqual({ leak: '***' });
  });

  it('obeys nothing between stop-commands and its token, and no line of the log starts a command', async () => {
    const repo = gitRepo({ 'w.yml': WORKFLOW });
    const r = await run(repo, 'w.yml', { secrets: { API_TOKEN: 'x-secret' } });
    r.assertOk();
    const hostile = r.job('j').steps[1];
    expect(hostile.outputs).toEqual({});
    expect(r.log).toContain('│ ::error::from a file');
    expect(r.log).toContain('notice: obeyed again');
    // The last step prints the file without stop-commands: its lines are read as commands by the
    // runner, as GitHub would, but the runner's own log still starts no command.
    expect(r.job('j').steps[2].outputs).toEqual({ evil: '1' });
    for (const line of r.log.split('\n')) expect(startsCommand(line)).toBe(false);
  });
});

describe('--quiet', () => {
  it("shows a step's output only when the step fails", async () => {
    const repo = gitRepo({
      'w.yml': oneJob(`
      - run: echo "chatty but fine"
      - run: |
          echo "the reason it broke"
          exit 1
`)
    });
    const r = await run(repo, 'w.yml', { quiet: true });
    expect(r.result.ok).toBe(false);
    expect(r.log).not.toContain('│ chatty but fine');
    expect(r.log).toContain('│ the reason it broke');
  });
});
