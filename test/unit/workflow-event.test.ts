/** The local workflow runner: the synthesized event (--ref, --base-ref, --event-path) and actions/checkout. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gitRepo, run } from '../helpers/workflow-repo.js';

const WORKFLOW = `
on: [push, pull_request]
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: |
          echo "subject=$(git log -1 --format=%s) sha-matches=$(test "$(git rev-parse HEAD)" = "$GITHUB_SHA" && echo yes)"
          echo "origin-main=$(git rev-parse --verify --quiet origin/main >/dev/null && echo yes) branch=$(git branch --show-current)"
          echo "head=$GITHUB_HEAD_REF base=$GITHUB_BASE_REF ref=$GITHUB_REF fork=\${{ github.event.pull_request.head.repo.fork }}"
      - uses: actions/checkout@v4
        with:
          ref: main
          path: base
      - run: echo "base has feature file=$(test -e base/feature.txt && echo yes || echo no)"
`;

function repoWithFeature(): string {
  const repo = gitRepo({ 'w.yml': WORKFLOW });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' });
  git('checkout', '--quiet', '-b', 'feature');
  fs.writeFileSync(path.join(repo, 'feature.txt'), 'new\n');
  git('add', '-A');
  git('commit', '--quiet', '-m', 'add the feature');
  git('checkout', '--quiet', 'main');
  return repo;
}

describe('the event', () => {
  it('pull_request --ref feature: checks out the head commit, origin/main exists, head/base refs set', async () => {
    const repo = repoWithFeature();
    const r = await run(repo, 'w.yml', { event: 'pull_request', ref: 'feature' });
    r.assertOk();
    expect(r.log).toContain('subject=add the feature sha-matches=yes');
    expect(r.log).toContain('origin-main=yes branch=');
    expect(r.log).toContain('head=feature base=main ref=refs/pull/1/merge fork=false');
    expect(r.log).toContain('base has feature file=no');
  });

  it('push (default HEAD of --repo): on the branch, GITHUB_REF refs/heads/main', async () => {
    const repo = repoWithFeature();
    const r = await run(repo, 'w.yml', { event: 'push' });
    r.assertOk();
    expect(r.log).toContain('subject=initial sha-matches=yes');
    expect(r.log).toContain('origin-main=yes branch=main');
    expect(r.log).toContain('head= base= ref=refs/heads/main fork=');
  });

  it('--event-path merges a payload over the synthesized one (a fork)', async () => {
    const repo = repoWithFeature();
    const payload = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'payload-')), 'event.json');
    fs.writeFileSync(
      payload,
      JSON.stringify({ number: 7, pull_request: { head: { repo: { fork: true, full_name: 'fork/x' } } } })
    );
    const r = await run(repo, 'w.yml', { event: 'pull_request', ref: 'feature', eventPath: payload });
    r.assertOk();
    expect(r.log).toContain('ref=refs/pull/7/merge fork=true');
    const event = JSON.parse(
      fs.readFileSync(path.join(path.dirname(r.result.summaryFile), 'event.json'), 'utf8')
    );
    expect(event.pull_request.head).toMatchObject({
      ref: 'feature',
      repo: { fork: true, full_name: 'fork/x' }
    });
    expect(event.pull_request.base.ref).toBe('main');
  });

  it('refuses a --ref that is not in the repository', async () => {
    const repo = repoWithFeature();
    const r = await run(repo, 'w.yml', { ref: 'nope' });
    expect(r.result.refusal).toBe(`--ref nope is not a commit, branch or tag of ${fs.realpathSync(repo)}.`);
  });
});
