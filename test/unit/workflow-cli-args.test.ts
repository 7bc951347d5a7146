/** `mlops-actions workflow` flags: parsed as the help says, usage errors in one sentence. */
import { parseWorkflowArgs, WORKFLOW_HELP } from '../../src/workflow/cli.js';

describe('mlops-actions workflow flags', () => {
  it('parses every flag, repeated pairs, and --local-action commands that contain =', () => {
    const options = parseWorkflowArgs([
      '.github/workflows/ci.yml',
      '--event',
      'pull_request',
      '--input',
      'deploy=true',
      '--input=size=3',
      '--secret',
      'TOKEN=a=b',
      '--var',
      'STAGE=dev',
      '--job',
      'build',
      '--repo',
      '/r',
      '--ref',
      'feature',
      '--base-ref=develop',
      '--repository',
      'acme/x',
      '--event-path',
      'e.json',
      '--work-dir',
      '/w',
      '--summary',
      's.md',
      '--result-file',
      'r.json',
      '--local-action',
      'actions/setup-python@v5=echo "python-version=3.12" >> "$GITHUB_OUTPUT"',
      '--quiet'
    ]);
    expect(options).toEqual({
      file: '.github/workflows/ci.yml',
      event: 'pull_request',
      inputs: { deploy: 'true', size: '3' },
      secrets: { TOKEN: 'a=b' },
      vars: { STAGE: 'dev' },
      job: 'build',
      repoDir: '/r',
      ref: 'feature',
      baseRef: 'develop',
      repository: 'acme/x',
      eventPath: 'e.json',
      workDir: '/w',
      summaryFile: 's.md',
      resultFile: 'r.json',
      localActions: { 'actions/setup-python@v5': 'echo "python-version=3.12" >> "$GITHUB_OUTPUT"' },
      quiet: true
    });
  });

  it('documents every flag it accepts in --help', () => {
    for (const flag of [
      '--event',
      '--input',
      '--secret',
      '--var',
      '--job',
      '--repo',
      '--ref',
      '--base-ref',
      '--repository',
      '--event-path',
      '--work-dir',
      '--summary',
      '--result-file',
      '--local-action',
      '--quiet'
    ]) {
      expect(WORKFLOW_HELP).toContain(`  ${flag}`);
    }
  });

  it.each([
    [
      ['w.yml', '--event', 'release'],
      '--event must be one of push, pull_request, schedule, workflow_dispatch, workflow_call, not "release".'
    ],
    [['w.yml', '--input', 'novalue'], '--input takes name=value, not "novalue".'],
    [['w.yml', '--frobnicate'], 'unknown flag "--frobnicate"; see mlops-actions workflow --help.'],
    [['a.yml', 'b.yml'], 'unexpected argument "b.yml": one workflow file at a time.'],
    [['--job', 'x'], 'name the workflow file: mlops-actions workflow <file>.'],
    [['w.yml', '--ref'], '--ref needs a value.']
  ])('%j is a usage error: %s', (args, message) => {
    expect(() => parseWorkflowArgs(args)).toThrow(message);
  });
});
