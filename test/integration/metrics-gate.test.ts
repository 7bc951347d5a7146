/**
 * metrics-gate end to end: the built bundle run as the runner runs it (INPUT_*, GITHUB_OUTPUT,
 * GITHUB_STEP_SUMMARY, GITHUB_EVENT_PATH, GITHUB_API_URL), in a workspace that is a real git
 * repository (for git:<ref>:<path> baselines), commenting through a loopback stand-in of GitHub's REST
 * API served under /api/v3 as GitHub Enterprise does.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBundle, type BundleRun } from '../helpers/bundle.js';
import { GitHubStandIn } from '../helpers/github-stand-in.js';
import { plantedCommands } from '../helpers/workflow-commands.js';

const TOKEN = 'ghs_standInToken0123456789abcdef';
const MARKER = '<!-- mlops-actions:metrics-gate:Model metrics -->';
const RULES = [
  'accuracy >= 0.9',
  'accuracy >= baseline - 0.01',
  'eval.f1_macro > baseline',
  'latency_p95 <= baseline * 1.1'
].join('\n');
const standIn = new GitHubStandIn();
let apiUrl: string;
let workspace: string;
let outside: string;
const events: Record<string, string> = {};

const write = (file: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(workspace, file)), { recursive: true });
  fs.writeFileSync(path.join(workspace, file), text);
};
const git = (...args: string[]) => execFileSync('git', args, { cwd: workspace, stdio: 'pipe' }).toString();
const metricsJson = (accuracy: number, f1: number, latency: number) =>
  JSON.stringify({ accuracy, eval: { f1_macro: f1, note: 'macro average' }, latency_p95: latency });

function gate(
  inputs: Record<string, string> = {},
  event: keyof typeof events | 'none' = 'pr',
  env: Record<string, string> = {}
): Promise<BundleRun> {
  return runBundle(
    'metrics-gate',
    {
      metrics: 'metrics.json',
      baseline: 'git:main:metrics.json',
      rules: RULES,
      'github-token': TOKEN,
      ...inputs
    },
    {
      workspace,
      env: {
        GITHUB_API_URL: apiUrl,
        GITHUB_EVENT_NAME: event === 'push' || event === 'none' ? 'push' : 'pull_request',
        GITHUB_EVENT_PATH: event === 'none' ? undefined : events[event],
        ...env
      }
    }
  );
}

beforeAll(async () => {
  apiUrl = await standIn.start();
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'gate-workspace-'));
  outside = fs.mkdtempSync(path.join(os.tmpdir(), 'gate-outside-'));
  fs.writeFileSync(path.join(outside, 'secret.json'), '{"accuracy": 1}');
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'ci@example.com');
  git('config', 'user.name', 'CI');
  write('metrics.json', metricsJson(0.94, 0.9, 100));
  write('models/metrics.yaml', 'accuracy: 0.9\n');
  git('add', '.');
  git('commit', '-q', '-m', 'main model');
  // The pull request's model: better accuracy and F1, a little slower.
  write('metrics.json', metricsJson(0.95, 0.92, 105));
  fs.symlinkSync(path.join(outside, 'secret.json'), path.join(workspace, 'linked.json'));
  const pr = (number: number, head: string) => ({
    action: 'synchronize',
    number,
    pull_request: {
      number,
      head: { ref: 'better-model', repo: { full_name: head } },
      base: { ref: 'main', repo: { full_name: 'octo-org/news-classifier' } }
    }
  });
  const event = (name: string, doc: unknown) => {
    events[name] = path.join(outside, `${name}.json`);
    fs.writeFileSync(events[name], JSON.stringify(doc));
  };
  event('pr', pr(7, 'octo-org/news-classifier'));
  event('busy', pr(8, 'octo-org/news-classifier'));
  event('fork', pr(9, 'a-stranger/news-classifier'));
  event('push', { ref: 'refs/heads/main', commits: [] });
});

afterAll(() => standIn.stop());
beforeEach(() => standIn.reset());

const noSecret = (run: BundleRun) => {
  // The one line that masks it, which the runner does not show.
  expect(run.log.split('\n').filter((l) => l.includes(TOKEN))).toEqual([`::add-mask::${TOKEN}`]);
  expect(run.summary).not.toContain(TOKEN);
  expect(JSON.stringify(run.outputs)).not.toContain(TOKEN);
};

describe('on a pull request', () => {
  it('comments once with the table and chart, then updates that comment on the next run', async () => {
    standIn.seed(7, ['LGTM', 'Please check latency']);
    const first = await gate();
    expect(first.errors).toEqual([]);
    expect(first.exitCode).toBe(0);
    expect(first.outputs.passed).toBe('true');
    expect(first.outputs['failed-rules']).toBe('');
    expect(first.outputs.report).toContain(
      '| accuracy | 0.94 | 0.95 | +0.01 (+1.1%) | `accuracy >= 0.9` | ✅ pass |'
    );
    expect(first.summary).toContain(
      '| eval.f1\\_macro | 0.9 | 0.92 | +0.02 (+2.2%) | `eval.f1_macro > baseline` | ✅ pass |'
    );
    expect(first.summary).toContain('xychart-beta');
    expect(first.summary).toContain('bar [0.95, 0.92, 105]');
    expect(first.summary).toContain('line [0.94, 0.9, 100]');
    expect(first.summary).toContain('Not numbers, ignored: eval.note (text)');
    expect(first.summary).toContain('metrics.json at main');
    const comments = standIn.commentsOn(7);
    expect(comments).toHaveLength(3);
    expect(comments[2].body.startsWith(MARKER)).toBe(true);
    expect(comments[2].body).toContain('✅ **Passed**: 4 of 4 rules passed.');
    expect(standIn.writes().map((c) => `${c.method} ${c.path}`)).toEqual([
      'POST /api/v3/repos/octo-org/news-classifier/issues/7/comments'
    ]);
    expect(standIn.calls[0].authorization).toBe(`token ${TOKEN}`);
    expect(first.log).toContain('Commented on pull request #7');
    noSecret(first);

    // The model gets worse: the same comment now says so, and the check fails.
    write('metrics.json', metricsJson(0.91, 0.88, 130));
    const second = await gate();
    write('metrics.json', metricsJson(0.95, 0.92, 105));
    expect(second.exitCode).toBe(1);
    expect(second.outputs.passed).toBe('false');
    expect(second.outputs['failed-rules'].split('\n')).toEqual([
      'accuracy >= baseline - 0.01',
      'eval.f1_macro > baseline',
      'latency_p95 <= baseline * 1.1'
    ]);
    expect(second.errors).toEqual([
      '3 of 4 metric rules failed: accuracy >= baseline - 0.01; eval.f1_macro > baseline; latency_p95 <= baseline * 1.1.'
    ]);
    expect(standIn.commentsOn(7)).toHaveLength(3);
    expect(standIn.writes().map((c) => c.method)).toEqual(['POST', 'PATCH']);
    expect(standIn.writes()[1].path).toBe(
      `/api/v3/repos/octo-org/news-classifier/issues/comments/${comments[2].id}`
    );
    expect(standIn.commentsOn(7)[2].body).toContain('❌ **Failed**: 3 of 4 rules failed.');
    expect(standIn.commentsOn(7)[2].body).toContain('❌ fail: 0.91 &gt;= 0.93 is false');
    expect(second.log).toContain('Updated the comment on pull request #7');
    noSecret(second);
  });

  it('finds its comment past the first page of comments (130 comments) and never adds a second', async () => {
    standIn.seed(
      8,
      Array.from({ length: 119 }, (_, i) => `comment ${i}`)
    );
    standIn.seed(8, [`${MARKER}\nold report`], 'github-actions[bot]');
    standIn.seed(
      8,
      Array.from({ length: 10 }, (_, i) => `later comment ${i}`)
    );
    const marked = standIn.commentsOn(8)[119];
    const run = await gate({}, 'busy');
    expect(run.exitCode).toBe(0);
    const lists = standIn.calls.filter((c) => c.method === 'GET');
    expect(lists.map((c) => c.query.page ?? '1')).toEqual(['1', '2']);
    expect(lists[0].query.per_page).toBe('100');
    expect(standIn.writes().map((c) => `${c.method} ${c.path}`)).toEqual([
      `PATCH /api/v3/repos/octo-org/news-classifier/issues/comments/${marked.id}`
    ]);
    expect(standIn.commentsOn(8)).toHaveLength(130);
    expect(marked.body).toContain('✅ **Passed**');
  });

  it('keeps one comment per comment-title', async () => {
    await gate();
    await gate({ 'comment-title': 'Latency', rules: 'latency_p95 <= 200' });
    await gate({ 'comment-title': 'Latency', rules: 'latency_p95 <= 200' });
    const bodies = standIn.commentsOn(7).map((c) => c.body.split('\n')[0]);
    expect(bodies).toEqual([MARKER, '<!-- mlops-actions:metrics-gate:Latency -->']);
  });

  it('a comment whose answer was lost is found and updated by the re-run, never duplicated', async () => {
    standIn.loseNextWriteAnswer = true;
    const first = await gate();
    // The comment was made, but the step never heard back: it warns and the gate still decides.
    expect(standIn.commentsOn(7)).toHaveLength(1);
    expect(first.exitCode).toBe(0);
    expect(first.outputs.passed).toBe('true');
    expect(first.log).toMatch(/Could not comment on pull request #7/);
    const second = await gate();
    expect(second.exitCode).toBe(0);
    expect(standIn.commentsOn(7)).toHaveLength(1);
    expect(standIn.writes().map((c) => c.method)).toEqual(['POST', 'PATCH']);
  });

  it('says so and does not fail when GitHub refuses the comment (403)', async () => {
    standIn.mode = 'forbidden';
    const run = await gate();
    expect(run.exitCode).toBe(0);
    expect(run.outputs.passed).toBe('true');
    expect(run.log).toContain('GitHub refused the comment on pull request #7 (HTTP 403)');
    expect(run.summary).toContain('GitHub refused the comment on pull request #7 (HTTP 403)');
    expect(run.summary).toContain('| accuracy |');
    expect(standIn.comments).toHaveLength(0);
    noSecret(run);
  });

  it('says so when the token may read but not write, and the gate still fails on its rules', async () => {
    standIn.mode = 'read-only';
    const run = await gate({ rules: 'accuracy >= 0.99' });
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual(['1 of 1 metric rules failed: accuracy >= 0.99.']);
    expect(run.summary).toContain('(HTTP 403)');
  });

  it('does not try to comment on a pull request from a fork', async () => {
    const run = await gate({}, 'fork');
    expect(run.exitCode).toBe(0);
    expect(standIn.calls).toEqual([]);
    expect(run.summary).toContain('Pull request #9 comes from the fork a-stranger/news-classifier');
    expect(run.log).toContain('comes from the fork');
  });

  it('only reports with fail-on: never', async () => {
    const run = await gate({ 'fail-on': 'never', rules: 'accuracy >= 0.99\nlatency_p95 < 50' });
    expect(run.exitCode).toBe(0);
    expect(run.outputs.passed).toBe('false');
    expect(run.outputs['failed-rules']).toBe('accuracy >= 0.99\nlatency_p95 < 50');
    expect(standIn.commentsOn(7)[0].body).toContain('❌ **Failed**: 2 of 2 rules failed.');
  });

  it('takes the unexpanded default token (outside the runner) as no token', async () => {
    const run = await gate({ 'github-token': '${{ github.token }}' });
    expect(run.exitCode).toBe(0);
    expect(standIn.calls).toEqual([]);
    expect(run.log).not.toContain('add-mask');
    expect(run.summary).toContain('No github-token: the report is not commented on pull request #7');
  });

  it('does not comment with comment: false', async () => {
    const run = await gate({ comment: 'false' });
    expect(run.exitCode).toBe(0);
    expect(standIn.calls).toEqual([]);
  });
});

describe('without a pull request', () => {
  it.each([
    ['a push event', 'push'],
    ['no event file', 'none']
  ] as const)('%s: the summary only', async (_, event) => {
    const run = await gate({}, event);
    expect(run.exitCode).toBe(0);
    expect(standIn.calls).toEqual([]);
    expect(run.summary).toContain('No pull request in this event: the report is in the job summary only.');
    expect(run.summary).toContain('| accuracy | 0.94 | 0.95 |');
  });
});

describe('baselines and metrics', () => {
  it('reads inline JSON, a YAML file baseline, and fails a rule that needs a baseline it lacks unless optional', async () => {
    const run = await gate(
      {
        metrics: '{"accuracy": 0.93, "recall": 0.8}',
        baseline: 'models/metrics.yaml',
        rules: 'accuracy >= baseline\nrecall >= baseline\nprecision? >= baseline\nf1 >= 0.5'
      },
      'push'
    );
    expect(run.exitCode).toBe(1);
    expect(run.outputs['failed-rules']).toBe('recall >= baseline\nf1 >= 0.5');
    expect(run.summary).toContain(
      '| recall | - | 0.8 | - | `recall >= baseline` | ❌ fail: no baseline value to compare with |'
    );
    expect(run.summary).toContain('➖ skipped: missing from the candidate (optional)');
    expect(run.summary).toContain('| f1 | - | - | - | `f1 >= 0.5` | ❌ fail: missing from the candidate |');
  });

  it('with no baseline, compares with numbers only', async () => {
    const run = await gate({ baseline: '', rules: 'accuracy >= 0.9\naccuracy >= baseline' }, 'push');
    expect(run.exitCode).toBe(1);
    expect(run.outputs['failed-rules']).toBe('accuracy >= baseline');
    expect(run.summary).toContain('No baseline');
    expect(run.summary).not.toContain('line [');
  });

  it('reads metrics relative to working-directory, and git paths too', async () => {
    const run = await gate(
      {
        'working-directory': 'models',
        metrics: 'metrics.yaml',
        baseline: 'git:main:metrics.yaml',
        rules: 'accuracy == baseline'
      },
      'push'
    );
    expect(run.errors).toEqual([]);
    expect(run.outputs.passed).toBe('true');
  });

  it('never reads a git repository above the workspace', async () => {
    const outer = fs.mkdtempSync(path.join(os.tmpdir(), 'gate-outer-'));
    const inner = path.join(outer, 'workspace');
    fs.mkdirSync(inner);
    fs.writeFileSync(path.join(outer, 'metrics.json'), '{"accuracy": 0.1}');
    fs.writeFileSync(path.join(inner, 'metrics.json'), '{"accuracy": 0.9}');
    execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: outer });
    execFileSync('git', ['-c', 'user.email=a@b', '-c', 'user.name=a', 'add', 'metrics.json'], { cwd: outer });
    execFileSync('git', ['-c', 'user.email=a@b', '-c', 'user.name=a', 'commit', '-qm', 'x'], { cwd: outer });
    const run = await runBundle(
      'metrics-gate',
      { metrics: 'metrics.json', baseline: 'git:main:workspace/metrics.json', rules: 'accuracy >= baseline' },
      { workspace: inner }
    );
    expect(run.exitCode).toBe(1);
    expect(run.errors).toEqual([
      'Input "baseline" is "git:main:workspace/metrics.json", but the working directory is not in a git repository (check out the repository first).'
    ]);
  });

  it('escapes hostile metric names in the table and never lets them start a workflow command', async () => {
    const hostile = {
      'x\n::error::planted by a metric': 1,
      'a|b <img src=x> @octocat': 2,
      '::add-mask::planted': 3
    };
    const run = await gate({ metrics: JSON.stringify(hostile), baseline: '', rules: '' }, 'pr');
    expect(run.exitCode).toBe(0);
    expect(plantedCommands(run, /planted/)).toEqual([]);
    const rows = run.summary.split('\n').filter((l) => l.startsWith('| '));
    expect(rows).toHaveLength(5);
    expect(rows.every((r) => r.split(/(?<!\\)\|/).length === 8)).toBe(true);
    expect(run.summary).not.toContain('<img');
    expect(rows.join('\n')).not.toContain('@octocat');
    expect(run.summary).toContain('| a\\|b &lt;img src=x&gt; &#64;octocat | - | 2 |');
    expect(standIn.commentsOn(7)[0].body).not.toContain('<img');
  });
});

describe('bad inputs: one sentence naming the input, exit 1, nothing commented', () => {
  it.each<[string, Record<string, string>, RegExp]>([
    [
      'an unparsable rule',
      { rules: 'accuracy >= 0.9\naccuracy >>= 0.9' },
      /^Input "rules" has the rule "accuracy >>= 0.9", which is not one rule per line/
    ],
    [
      'a rule with two operators',
      { rules: 'accuracy >= baseline - 0.01 * 2' },
      /^Input "rules" has the rule/
    ],
    ['no metrics', { metrics: '' }, /^Input "metrics" is required/],
    [
      'a missing metrics file',
      { metrics: 'missing.json' },
      /^Input "metrics": "missing.json" does not exist in the workspace/
    ],
    [
      'a metrics file outside the workspace',
      { metrics: '../outside.json' },
      /^Input "metrics" must be a path inside the workspace/
    ],
    [
      'a metrics link out of the workspace',
      { metrics: 'linked.json' },
      /^Input "metrics" must be a path inside the workspace, but "linked.json" leads outside it through a symbolic link/
    ],
    [
      'metrics that are not JSON',
      { metrics: '{"accuracy": ' },
      /^Input "metrics": the inline JSON is not valid JSON/
    ],
    ['metrics that are a folder', { metrics: 'models' }, /^Input "metrics": "models" is not a file/],
    [
      'a baseline ref that does not exist',
      { baseline: 'git:origin/main:metrics.json' },
      /^Input "baseline" names the git ref "origin\/main", which does not exist in the repository/
    ],
    [
      'a baseline path that does not exist at the ref',
      { baseline: 'git:main:nothere.json' },
      /^Input "baseline" names "nothere.json", which does not exist at main/
    ],
    [
      'a baseline ref that is an option',
      { baseline: 'git:--output=/tmp/x:metrics.json' },
      /^Input "baseline" names the git ref "--output=\/tmp\/x", which is not a ref git takes/
    ],
    ['a baseline without a path', { baseline: 'git:main' }, /^Input "baseline" must be git:<ref>:<path>/],
    [
      'a baseline file that does not exist',
      { baseline: 'old.json' },
      /^Input "baseline": "old.json" does not exist in the workspace/
    ],
    [
      'a baseline link out of the workspace',
      { baseline: 'linked.json' },
      /^Input "baseline" must be a path inside the workspace/
    ],
    ['a bad endpoint name', { baseline: 'endpoint:no_such!' }, /^Input "baseline" must be endpoint:<name>/],
    [
      'fail-on not rules or never',
      { 'fail-on': 'sometimes' },
      /^Input "fail-on" must be one of rules, never, but got "sometimes"/
    ],
    [
      'comment not a boolean',
      { comment: 'maybe' },
      /^Input "comment" must be true or false, but got "maybe"/
    ],
    [
      'a working-directory outside',
      { 'working-directory': '..' },
      /^Input "working-directory" must be a path inside the workspace/
    ]
  ])('%s', async (_, inputs, message) => {
    const run = await gate(inputs);
    expect(run.exitCode).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(message);
    expect(run.errors[0].split(/\.\s/).length).toBeLessThanOrEqual(2);
    expect(standIn.calls).toEqual([]);
    expect(run.summary).not.toContain('| Metric |');
    noSecret(run);
  });
});
