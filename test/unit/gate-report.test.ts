/** The gate's report (table, chart, escaping), the PR comment upsert and the event's pull request. */
import { flatten } from '../../src/gate/metrics.js';
import { publishComment } from '../../src/gate/publish.js';
import { change, chart, gateMarkdown, md, table, type GateReport } from '../../src/gate/report.js';
import { evaluateAll, parseRules } from '../../src/gate/rules.js';
import {
  commentMarker,
  upsertComment,
  type CommentsApi,
  type IssueComment
} from '../../src/github/comments.js';
import { pullRequestOf } from '../../src/github/event.js';
import { MemoryLogger } from '../../src/report.js';

function report(candidate: object, baseline: object | undefined, rules: string): GateReport {
  const c = flatten(candidate, 'metrics.json');
  const b = baseline ? flatten(baseline, 'git:main:metrics.json') : undefined;
  return {
    title: 'Model metrics',
    candidate: c,
    baseline: b,
    baselineNote: b ? 'Baseline: metrics.json at main.' : 'No baseline.',
    results: evaluateAll(parseRules(rules), c.values, b?.values)
  };
}

describe('the report', () => {
  it('has a row per rule and per metric without one, with the change', () => {
    const r = report(
      { accuracy: 0.95, loss: 0.2 },
      { accuracy: 0.9, auc: 0.8 },
      'accuracy >= baseline\naccuracy >= 0.99'
    );
    expect(table(r).split('\n')).toEqual([
      '| Metric | Baseline | Candidate | Change | Rule | Verdict |',
      '| --- | ---: | ---: | ---: | --- | --- |',
      '| accuracy | 0.9 | 0.95 | +0.05 (+5.6%) | `accuracy >= baseline` | ✅ pass |',
      '| accuracy | 0.9 | 0.95 | +0.05 (+5.6%) | `accuracy >= 0.99` | ❌ fail: 0.95 &gt;= 0.99 is false |',
      '| loss | - | 0.2 | - | - | - |',
      '| auc | 0.8 | - | - | - | - |',
      ''
    ]);
    expect(gateMarkdown(r)).toContain('❌ **Failed**: 1 of 2 rules failed.');
  });

  it('says how much changed, from a zero baseline too', () => {
    expect(change(0.9, 1)).toBe('-0.1 (-10.0%)');
    expect(change(3, 0)).toBe('+3');
    expect(change(1, 1)).toBe('0 (0.0%)');
    expect(change(undefined, 1)).toBe('-');
  });

  it('charts the candidate as bars and the baseline as a line, for the metrics both have', () => {
    const withBaseline = chart(report({ a: 1, b: 2, c: 1e-7 }, { a: 0.5, c: 2e-7, d: 1 }, ''));
    expect(withBaseline).toContain('x-axis ["a", "c"]');
    expect(withBaseline).toContain('bar [1, 0.0000001]');
    expect(withBaseline).toContain('line [0.5, 0.0000002]');
    expect(chart(report({ a: 1 }, { b: 1 }, ''))).not.toContain('line');
    expect(chart(report({ a: 1 }, undefined, ''))).not.toContain('line');
    expect(chart(report({}, undefined, ''))).toBe('');
  });

  it('charts at most 20 metrics and says so', () => {
    const many = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`m${i}`, i]));
    const text = chart(report(many, undefined, ''));
    expect(text.match(/"m\d+"/g)).toHaveLength(20);
    expect(text).toContain('The chart shows the first 20 of 25 metrics');
  });

  it('escapes names from files in the table and the chart', () => {
    expect(md('a|b\n::error::x <b>@me</b> *c* `d`')).toBe(
      'a\\|b ::error::x &lt;b&gt;&#64;me&lt;/b&gt; \\*c\\* \\`d\\`'
    );
    const text = chart(report({ 'x"] \nbar [9': 1 }, undefined, ''));
    expect(text).toContain(`x-axis ["x'_ 'bar _9"]`);
  });

  it('reports without rules', () => {
    expect(gateMarkdown(report({ a: 1 }, undefined, ''))).toContain(
      'No rules: the metrics are reported only.'
    );
  });
});

/** An in-memory API over pages of 2 comments. */
function fakeApi(comments: IssueComment[]): CommentsApi & { writes: string[] } {
  const writes: string[] = [];
  let next = 100;
  return {
    writes,
    async find(_issue, found) {
      for (let i = 0; i < comments.length; i += 2) {
        const hit = comments.slice(i, i + 2).find(found);
        if (hit) return hit;
      }
      return undefined;
    },
    async create(_issue, body) {
      writes.push(`create ${body.split('\n')[0]}`);
      const c = { id: next++, body };
      comments.push(c);
      return c;
    },
    async update(id, body) {
      writes.push(`update ${id}`);
      comments.find((c) => c.id === id)!.body = body;
      return { id, body };
    }
  };
}

describe('the pull request comment', () => {
  const marker = commentMarker('metrics-gate', 'Model metrics');

  it('is created once and then updated, found by the marker at its start', async () => {
    const comments: IssueComment[] = [
      { id: 1, body: `> quoting\n${marker}` },
      { id: 2, body: 'hi' }
    ];
    const api = fakeApi(comments);
    expect(await upsertComment(api, 7, marker, 'first')).toMatchObject({ action: 'created', id: 100 });
    expect(await upsertComment(api, 7, marker, 'second')).toMatchObject({ action: 'updated', id: 100 });
    expect(api.writes).toEqual([`create ${marker}`, 'update 100']);
    expect(comments).toHaveLength(3);
    expect(comments[2].body).toBe(`${marker}\nsecond`);
  });

  it('has a marker that a title cannot break', () => {
    expect(commentMarker('metrics-gate', 'a --> b\nc')).toBe('<!-- mlops-actions:metrics-gate:a - b c -->');
  });

  it('is not tried without a pull request, on a fork, without a token, or with comment: false', async () => {
    const calls: string[] = [];
    const api = () => {
      calls.push('api');
      return fakeApi([]);
    };
    const base = {
      comment: true,
      title: 't',
      markdown: 'm',
      eventName: 'pull_request',
      token: 'x',
      api,
      log: new MemoryLogger()
    };
    const pr = { number: 3, fork: false };
    expect((await publishComment({ ...base })).note).toMatch(/^No pull request/);
    expect(
      (await publishComment({ ...base, pullRequest: { ...pr, fork: true, headRepository: 'f/r' } })).note
    ).toMatch(/from the fork f\/r/);
    expect((await publishComment({ ...base, pullRequest: pr, token: undefined })).note).toMatch(
      /^No github-token/
    );
    expect(await publishComment({ ...base, pullRequest: pr, comment: false })).toEqual({});
    expect(calls).toEqual([]);
    await publishComment({ ...base, eventName: 'pull_request_target', pullRequest: { ...pr, fork: true } });
    expect(calls).toEqual(['api']);
  });

  it('turns a refusal into a note, and any other failure into a warning, never a failure', async () => {
    const failing = (status: number): CommentsApi => ({
      find: () => Promise.reject(Object.assign(new Error(`HTTP ${status}`), { status })),
      create: () => Promise.reject(new Error('unused')),
      update: () => Promise.reject(new Error('unused'))
    });
    const log = new MemoryLogger();
    const base = {
      comment: true,
      title: 't',
      markdown: 'm',
      eventName: 'pull_request',
      token: 'x',
      log,
      pullRequest: { number: 3, fork: false }
    };
    expect((await publishComment({ ...base, api: () => failing(404) })).note).toMatch(
      /refused the comment on pull request #3 \(HTTP 404\)/
    );
    expect((await publishComment({ ...base, api: () => failing(502) })).note).toMatch(
      /Could not comment on pull request #3: HTTP 502/
    );
    expect(log.text()).toContain('warning: Could not comment');
  });
});

describe('the event', () => {
  const event = (head: string, base = 'o/r') => ({
    pull_request: { number: 5, head: { repo: { full_name: head } }, base: { repo: { full_name: base } } }
  });
  it('names the pull request and whether it comes from a fork', () => {
    expect(pullRequestOf(event('o/r'))).toEqual({ number: 5, fork: false, headRepository: 'o/r' });
    expect(pullRequestOf(event('x/r'))).toMatchObject({ fork: true });
    expect(pullRequestOf({ ref: 'refs/heads/main' })).toBeUndefined();
    expect(pullRequestOf(undefined)).toBeUndefined();
  });
});
