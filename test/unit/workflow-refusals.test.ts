/**
 * The local workflow runner's refusals: one sentence naming the step or job, exit 1, before any step
 * runs; and the ways to run what it does not know (--local-action, local actions).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gitRepo, run, oneJob } from '../helpers/workflow-repo.js';

const job = (steps: string) => `
on: push
jobs:
  first:
    runs-on: ubuntu-latest
    steps:
      - run: touch "$RUNNER_TEMP/../../../first-ran"
  second:
    runs-on: ubuntu-latest
    steps:
${steps}
`;

async function refused(workflow: string, files: Record<string, string> = {}) {
  const repo = gitRepo({ 'w.yml': workflow, ...files });
  const r = await run(repo, 'w.yml');
  expect(r.result.ok).toBe(false);
  expect(r.result.jobs).toEqual([]);
  expect(fs.existsSync(path.join(path.dirname(r.result.summaryFile), 'first-ran'))).toBe(false);
  const lines = r.log.split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^mlops-actions workflow: [A-Z].*\.$/);
  return r.result.refusal ?? '';
}

describe('refusals', () => {
  it('names the step and the action it does not know, and how to map it', async () => {
    const message = await refused(job('      - name: Set up Python\n        uses: actions/setup-python@v5'));
    expect(message).toBe(
      `Step "Set up Python" of job "second" uses actions/setup-python@v5, which the local runner does not know; ` +
        `map it to a command with --local-action 'actions/setup-python@v5=<shell command>'.`
    );
  });

  it('refuses services: and container: naming the job', async () => {
    const message = await refused(`
on: push
jobs:
  db:
    runs-on: ubuntu-latest
    services:
      postgres:
        image: postgres
    steps:
      - run: echo hi
`);
    expect(message).toMatch(/^Job "db" uses services:, which the local runner does not run/);
  });

  it('refuses a workflow file the parser rejects, naming the file and the line', async () => {
    const message = await refused(job('      - run: echo ${{ github.sha'));
    expect(message).toMatch(/^The workflow file w\.yml is not valid: .*Line: \d+/);
    const noJobs = await refused('on: push\njobs: {}\n');
    expect(noJobs).toMatch(/^The workflow file w\.yml is not valid/);
  });

  it('refuses an event the workflow does not run on, and a missing reusable workflow', async () => {
    const repo = gitRepo({ 'w.yml': job('      - run: echo hi') });
    const r = await run(repo, 'w.yml', { event: 'pull_request' });
    expect(r.result.refusal).toBe('The workflow w.yml does not run on pull_request (it runs on push).');
    const missing = await refused('on: push\njobs:\n  call:\n    uses: ./.github/workflows/nope.yml\n');
    expect(missing).toMatch(
      /Unable to find reusable workflow: \.\/\.github\/workflows\/nope\.yml cannot be read \(ENOENT\)\.$/
    );
  });

  it('says plainly when --repo is not a git repository', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'not-git-'));
    fs.writeFileSync(path.join(dir, 'w.yml'), job('      - run: echo hi'));
    const r = await run(dir, 'w.yml');
    expect(r.result.refusal).toBe(
      `--repo ${dir} is not a git repository (run git init there, or pass --repo DIR).`
    );
  });

  it('fails the step (naming the expression) when an expression cannot be evaluated at run time', async () => {
    const repo = gitRepo({
      'w.yml': oneJob(`
      - name: Parse
        run: echo "\${{ fromJSON('not json') }}"
`)
    });
    const r = await run(repo, 'w.yml');
    expect(r.result.ok).toBe(false);
    expect(r.job('j').steps[0].error).toMatch(
      /^the expression "echo "\$\{\{ fromJSON\('not json'\) \}\}"" cannot be evaluated: Error parsing JSON/
    );
    expect(r.log).toMatch(/✗ Parse .*cannot be evaluated/);
  });
});

describe('what it runs instead', () => {
  it('--local-action maps an unknown action to a command with INPUT_* and GITHUB_OUTPUT', async () => {
    const repo = gitRepo({
      'w.yml': oneJob(`
      - id: py
        uses: actions/setup-python@v5
        with:
          python-version: '3.12'
      - run: echo "version \${{ steps.py.outputs.python-version }}"
`)
    });
    const r = await run(repo, 'w.yml', {
      localActions: {
        'actions/setup-python@v5':
          'echo "python-version=$(printenv INPUT_PYTHON-VERSION)" >> "$GITHUB_OUTPUT"'
      }
    });
    r.assertOk();
    expect(r.log).toContain('version 3.12');
  });

  it('runs a local node action and a composite action from the repository', async () => {
    const repo = gitRepo({
      'actions/hello/action.yml': `
name: hello
inputs:
  who:
    default: world
  shout-it:
    default: 'no'
outputs:
  greeting:
    description: the greeting
runs:
  using: node20
  main: index.mjs
`,
      'actions/hello/index.mjs': `
import fs from 'node:fs';
const who = process.env['INPUT_WHO'];
const greeting = \`hello \${who} shout=\${process.env['INPUT_SHOUT-IT']}\`;
console.log(greeting);
fs.appendFileSync(process.env.GITHUB_OUTPUT, \`greeting=\${greeting}\\n\`);
`,
      'actions/twice/action.yml': `
name: twice
inputs:
  word:
    required: true
outputs:
  doubled:
    value: \${{ steps.d.outputs.doubled }}
runs:
  using: composite
  steps:
    - id: d
      shell: bash
      run: echo "doubled=\${{ inputs.word }}\${{ inputs.word }}" >> "$GITHUB_OUTPUT"
`,
      'w.yml': oneJob(`
      - uses: actions/checkout@v4
      - id: h
        uses: ./actions/hello
      - id: t
        uses: ./actions/twice
        with:
          word: ab
      - run: echo "\${{ steps.h.outputs.greeting }} / \${{ steps.t.outputs.doubled }}"
`)
    });
    const r = await run(repo, 'w.yml');
    r.assertOk();
    expect(r.log).toContain('hello world shout=no / abab');
  });

  it('reads a local action from the workspace, so a job that did not check out fails that step', async () => {
    const repo = gitRepo({
      'actions/twice/action.yml':
        'name: twice\nruns:\n  using: composite\n  steps:\n    - run: echo hi\n      shell: bash\n',
      'w.yml': oneJob(`
      - name: Twice
        uses: ./actions/twice
`)
    });
    const r = await run(repo, 'w.yml');
    expect(r.result.ok).toBe(false);
    expect(r.job('j').steps[0].error).toMatch(
      /^step "Twice" of job "j" uses \.\/actions\/twice, but .*\/workspace\/actions\/twice\/action\.yml does not exist \(local actions are read from the workspace: check the repository out first\)\.$/
    );
  });
});

describe("the toolkit's own reusable workflows", () => {
  it("resolve <any owner>/mlops-actions/.github/workflows/<file>@<ref> to this package's file, and refuse others", async () => {
    const { reusableWorkflowFile } = await import('../../src/workflow/load.js');
    const { toolkitRoot } = await import('../../src/workflow/toolkit.js');
    expect(reusableWorkflowFile('acme/mlops-actions/.github/workflows/ml-deploy.yml@v1', '/repo')).toBe(
      path.join(toolkitRoot(), '.github/workflows/ml-deploy.yml')
    );
    expect(fs.existsSync(path.join(toolkitRoot(), 'dist/cli/index.js'))).toBe(true);
    expect(reusableWorkflowFile('./.github/workflows/x.yml', '/repo')).toBe('/repo/.github/workflows/x.yml');
    expect(() => reusableWorkflowFile('acme/other/.github/workflows/x.yml@v1', '/repo')).toThrow(
      /the reusable workflow "acme\/other\/\.github\/workflows\/x\.yml@v1" is neither in this repository/
    );
  });
});

describe('a node action without its built file', () => {
  it("fails the step (a local action's code may be built by an earlier step), naming the file", async () => {
    const repo = gitRepo({
      'actions/hello/action.yml': 'name: hello\nruns:\n  using: node20\n  main: dist/index.js\n',
      'w.yml': oneJob(`
      - uses: actions/checkout@v4
      - name: Greet
        uses: ./actions/hello
`)
    });
    const r = await run(repo, 'w.yml');
    expect(r.result.ok).toBe(false);
    expect(r.job('j').steps[1].error).toMatch(
      /^step "Greet" of job "j" uses \.\/actions\/hello, whose .*actions\/hello\/dist\/index\.js does not exist \(not built\?\)\.$/
    );
  });
});

describe('a workflow env that cannot be evaluated', () => {
  it('is refused in one sentence before any step runs', async () => {
    const message = await refused(`
on: push
env:
  CONFIG: \${{ fromJSON('{oops') }}
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - run: echo hi
`);
    expect(message).toMatch(
      /^The env: of the workflow w\.yml cannot be evaluated: the expression .*fromJSON/
    );
  });
});
