/** The smoke-test engine with small fakes: paths, expectations, requests, statistics, the send loop, the verdict. */
import { InputError } from '../../../src/errors.js';
import { MemoryLogger } from '../../../src/report.js';
import { judgeAnswer, type Answer, type Expectation } from '../../../src/smoke/expect.js';
import { errorAnswer } from '../../../src/smoke/invoke.js';
import { verdict } from '../../../src/smoke/judge.js';
import { jsonEqual, lookup, parsePath } from '../../../src/smoke/jsonpath.js';
import { parseRate } from '../../../src/smoke/options.js';
import { parseRequests, type SmokeCase } from '../../../src/smoke/requests.js';
import { sendAll, type Invoke } from '../../../src/smoke/send.js';
import { percentile, Tally } from '../../../src/smoke/stats.js';
import { bodyPreview, smokeSummary } from '../../../src/smoke/summary.js';

const answer = (doc: unknown, extra: Partial<Answer> = {}): Answer => ({
  status: 200,
  body: Buffer.from(JSON.stringify(doc)),
  ...extra
});

const oneCase = (text: string): SmokeCase => parseRequests(text, 'r.jsonl', 'application/json')[0];

describe('JSON paths', () => {
  it.each([
    ['predictions.0.label', ['predictions', 0, 'label']],
    ['predictions[0].label', ['predictions', 0, 'label']],
    ['[1]', [1]],
    ['a[0][2]', ['a', 0, 2]],
    ['class-probabilities.class_0', ['class-probabilities', 'class_0']]
  ])('%s', (path, steps) => expect(parsePath(path)).toEqual(steps));

  it.each(['', '$', '$.a', 'a..b', '.a', 'a.', 'a[*]', 'a[x]', 'a b', '"a"', 'a[0', 'a]'])(
    'refuses %j',
    (path) => expect(parsePath(path)).toBeUndefined()
  );

  it('looks values up in objects and lists', () => {
    const doc = { predictions: [{ label: 'x', n: null }], scores: { '0': 1 } };
    expect(lookup(doc, ['predictions', 0, 'label'])).toEqual({ found: true, value: 'x' });
    expect(lookup(doc, ['predictions', 0, 'n'])).toEqual({ found: true, value: null });
    expect(lookup(doc, ['predictions', 1])).toEqual({ found: false });
    expect(lookup(doc, ['predictions', 'label'])).toEqual({ found: false });
    expect(lookup(doc, ['scores', 0])).toEqual({ found: true, value: 1 });
    expect(lookup(doc, ['predictions', 0, 'label', 'deeper'])).toEqual({ found: false });
    expect(lookup(doc, ['toString'])).toEqual({ found: false });
  });

  it('compares JSON values deeply, whatever the key order', () => {
    expect(jsonEqual({ a: [1, { b: 2 }], c: null }, { c: null, a: [1, { b: 2 }] })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual('1', 1)).toBe(false);
  });
});

describe('expectations', () => {
  const expectation = (json: Record<string, unknown>, status = 200): Expectation =>
    oneCase(JSON.stringify({ body: 1, expect: { status, json } })).expect;

  it('passes the right status and content', () => {
    const e = expectation({ 'predictions.0.label': 'class_0', 'predictions.0.score': { exists: true } });
    expect(judgeAnswer(e, answer({ predictions: [{ label: 'class_0', score: 0.3 }] }))).toEqual({ ok: true });
  });

  it('a wrong status or no answer is a status failure', () => {
    expect(judgeAnswer(expectation({}), { status: 500, error: 'ModelError: boom' })).toEqual({
      ok: false,
      kind: 'status',
      why: 'got status 500 (ModelError: boom) where 200 was expected'
    });
    expect(judgeAnswer(expectation({}), { error: 'ServiceUnavailable: try later' })).toMatchObject({
      kind: 'status',
      why: 'got no answer from the model (ServiceUnavailable: try later) where status 200 was expected'
    });
  });

  it('an expected error status passes, and its OriginalMessage is the body checked', () => {
    const e = expectation({ error: 'bad input' }, 400);
    expect(judgeAnswer(e, { status: 400, body: Buffer.from('{"error": "bad input"}') })).toEqual({
      ok: true
    });
  });

  it('says what differed', () => {
    const e = expectation({ 'predictions.0.label': 'class_1' });
    expect(judgeAnswer(e, answer({ predictions: [{ label: 'class_0' }] }))).toMatchObject({
      kind: 'content',
      why: 'answered predictions.0.label = "class_0" where "class_1" was expected'
    });
    expect(judgeAnswer(e, answer({ predictions: [] }))).toMatchObject({
      why: 'answered without predictions.0.label where "class_1" was expected'
    });
    expect(judgeAnswer(e, { status: 200, body: Buffer.from('class_1\n') })).toMatchObject({
      why: 'answered "class_1\\n", which is not JSON, where predictions.0.label was checked'
    });
    expect(judgeAnswer(expectation({ id: { exists: true } }), answer({}))).toMatchObject({
      why: 'answered without id'
    });
    expect(judgeAnswer(expectation({ debug: { exists: false } }), answer({ debug: 'x' }))).toMatchObject({
      why: 'answered debug = "x" where it was expected absent'
    });
  });

  it('an object other than {"exists": boolean} is a value to compare', () => {
    const e = expectation({ meta: { exists: 'yes' } });
    expect(e.json[0]).toMatchObject({ kind: 'equals', value: { exists: 'yes' } });
    expect(judgeAnswer(e, answer({ meta: { exists: 'yes' } }))).toEqual({ ok: true });
  });
});

describe('requests files', () => {
  it('reads bodies, content types and default expectations', () => {
    const cases = parseRequests(
      '{"body": {"a": 1}}\n\n{"body": "x,y", "content-type": "text/csv", "expect": {"status": 204}}\r\n',
      'r.jsonl',
      'application/json'
    );
    expect(
      cases.map((c) => [c.name, Buffer.from(c.body).toString(), c.contentType, c.expect.status])
    ).toEqual([
      ['line 1 of r.jsonl', '{"a":1}', 'application/json', 200],
      ['line 3 of r.jsonl', 'x,y', 'text/csv', 204]
    ]);
  });

  it.each([
    ['', 'r.jsonl holds no request'],
    ['{"body": 1}\n[1]', 'line 2 of r.jsonl is not a JSON object with a "body"'],
    ['{"body": 1', 'line 1 of r.jsonl is not JSON'],
    ['{"body": null}', 'has no "body"'],
    ['{"body": 1, "expect": {"json": {"a.*": 1}}}', 'checks the JSON path "a.*"'],
    ['{"body": 1, "expect": {"json": []}}', 'expect.json" that is not an object'],
    ['{"body": 1, "expect": {"status": 200.5}}', 'a status is an integer from 100 to 599'],
    ['{"body": 1, "expect": {"headers": {}}}', 'which takes status and json only'],
    ['{"body": 1, "content-type": "json"}', 'which is not a media type']
  ])('refuses %j', (text, message) => {
    expect(() => parseRequests(text, 'r.jsonl', 'application/json')).toThrow(InputError);
    expect(() => parseRequests(text, 'r.jsonl', 'application/json')).toThrow(message);
  });
});

describe('statistics', () => {
  it('nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 95)).toBe(0);
  });

  it('tallies per variant, keeps the first failures and the first wrong answer', () => {
    const c = oneCase('{"body": 1}');
    const tally = new Tally();
    for (let i = 0; i < 10; i++) {
      tally.add({
        case: c,
        variant: i % 2 ? 'Canary' : 'AllTraffic',
        ms: i * 10,
        verdict: i < 7 ? { ok: true } : { ok: false, kind: i === 9 ? 'content' : 'status', why: `#${i}` }
      });
    }
    tally.add({ case: c, ms: 5, verdict: { ok: false, kind: 'status', why: 'no variant' } });
    const stats = tally.stats();
    expect(stats).toMatchObject({ requests: 11, errors: 4, errorRate: 4 / 11 });
    expect(stats.variants).toEqual({
      '(unknown)': { requests: 1, errors: 1, p50Ms: 5, p95Ms: 5 },
      AllTraffic: { requests: 5, errors: 1, p50Ms: 40, p95Ms: 80 },
      Canary: { requests: 5, errors: 2, p50Ms: 50, p95Ms: 90 }
    });
    expect(stats.failures.map((f) => f.verdict.why)).toEqual(['#7', '#8', '#9', 'no variant']);
    expect(stats.firstWrongAnswer?.verdict).toMatchObject({ why: '#9' });
  });
});

/** A clock the fake invoke moves forward. */
const fakeClock = () => {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};
const noTimer = () => () => {};

describe('the send loop', () => {
  const cases = parseRequests('{"body": "a"}\n{"body": "b"}\n{"body": "c"}', 'r.jsonl', 'text/plain');

  it('sends the set count times, in order, never more than concurrency at once', async () => {
    let inFlight = 0;
    let most = 0;
    const bodies: string[] = [];
    const invoke: Invoke = async (request) => {
      bodies.push(Buffer.from(request.body).toString());
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      return { status: 200, body: new Uint8Array(), variant: 'AllTraffic' };
    };
    const result = await sendAll({
      cases,
      invoke,
      concurrency: 4,
      count: 5,
      log: new MemoryLogger(),
      every: noTimer
    });
    expect(result.stats.requests).toBe(15);
    expect(most).toBe(4);
    expect(bodies.slice(0, 6)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('starts no more workers than requests', async () => {
    let most = 0;
    let inFlight = 0;
    const invoke: Invoke = async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      return { status: 200 };
    };
    await sendAll({ cases, invoke, concurrency: 50, count: 1, log: new MemoryLogger(), every: noTimer });
    expect(most).toBe(3);
  });

  it('with a duration, sends until the clock says the time is up, and measures latency on that clock', async () => {
    const clock = fakeClock();
    const invoke: Invoke = async () => {
      clock.advance(100);
      return { status: 200, variant: 'AllTraffic' };
    };
    const result = await sendAll({
      cases,
      invoke,
      concurrency: 1,
      durationSeconds: 2,
      log: new MemoryLogger(),
      clock,
      every: noTimer
    });
    expect(result.stats.requests).toBe(20);
    expect(result.stats.p95Ms).toBe(100);
    expect(result.seconds).toBe(2);
  });

  it('logs progress on its timer', async () => {
    const clock = fakeClock();
    const log = new MemoryLogger();
    let tick = () => {};
    const invoke: Invoke = async () => {
      clock.advance(1000);
      tick();
      return { status: 200 };
    };
    await sendAll({
      cases,
      invoke,
      concurrency: 1,
      durationSeconds: 3,
      log,
      clock,
      every: (fn) => {
        tick = fn;
        return () => (tick = () => {});
      }
    });
    expect(log.lines[0]).toBe('smoke-test: 0 requests, 0 errors, 1s of 3s');
    expect(log.lines).toHaveLength(3);
  });

  it('judges each answer against its case', async () => {
    const [c] = parseRequests('{"body": 1, "expect": {"json": {"ok": true}}}', 'r.jsonl', 'application/json');
    let n = 0;
    const invoke: Invoke = async () => answer({ ok: ++n % 2 === 1 }, { variant: 'V' });
    const result = await sendAll({
      cases: [c],
      invoke,
      concurrency: 1,
      count: 4,
      log: new MemoryLogger(),
      every: noTimer
    });
    expect(result.stats).toMatchObject({ requests: 4, errors: 2 });
    expect(result.stats.firstWrongAnswer?.verdict).toMatchObject({
      why: 'answered ok = false where true was expected'
    });
  });

  it('an invoke that throws stops every worker and is rethrown', async () => {
    let calls = 0;
    const invoke: Invoke = async () => {
      if (++calls === 3) throw new Error('credentials refused');
      return { status: 200 };
    };
    await expect(
      sendAll({ cases, invoke, concurrency: 1, count: 10, log: new MemoryLogger(), every: noTimer })
    ).rejects.toThrow('credentials refused');
    expect(calls).toBe(3);
  });

  it('stops when the signal is aborted', async () => {
    const controller = new AbortController();
    let calls = 0;
    const invoke: Invoke = async () => {
      if (++calls === 2) controller.abort();
      return { status: 200 };
    };
    const result = await sendAll({
      cases,
      invoke,
      concurrency: 1,
      count: 10,
      log: new MemoryLogger(),
      signal: controller.signal,
      every: noTimer
    });
    expect(result).toMatchObject({ cancelled: true, stats: { requests: 2 } });
  });
});

describe('InvokeEndpoint errors', () => {
  it('a ModelError is the container status, with OriginalMessage as the body and the variant header', () => {
    const e = Object.assign(new Error('Received server error (500)'), {
      name: 'ModelError',
      OriginalStatusCode: 500,
      OriginalMessage: 'boom\n::error::x',
      $response: { headers: { 'x-amzn-invoked-production-variant': 'Canary' } }
    });
    const a = errorAnswer(e, 'news');
    expect(a).toMatchObject({ status: 500, variant: 'Canary', error: 'ModelError: boom ::error::x' });
    expect(Buffer.from(a.body!).toString()).toBe('boom\n::error::x');
  });

  it("SageMaker's own failures are answers without a status", () => {
    const e = Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' });
    expect(errorAnswer(e, 'news')).toEqual({
      variant: undefined,
      error: 'ServiceUnavailable: Service unavailable'
    });
  });

  it('a ValidationError and refused credentials stop the test', () => {
    const invalid = Object.assign(new Error('Endpoint news of account 1 not found.'), {
      name: 'ValidationError'
    });
    expect(() => errorAnswer(invalid, 'news')).toThrow(
      'SageMaker refused to invoke endpoint news (ValidationError: Endpoint news of account 1 not found): check endpoint-name, target-variant and the requests.'
    );
    const denied = Object.assign(new Error('no'), { name: 'AccessDeniedException' });
    expect(() => errorAnswer(denied, 'news')).toThrow('AWS refused the request');
  });
});

describe('the verdict', () => {
  const c = oneCase('{"body": 1}');
  const tallied = (verdicts: Array<'ok' | 'status' | 'content'>, ms = 10) => {
    const tally = new Tally();
    for (const v of verdicts)
      tally.add({
        case: c,
        variant: 'AllTraffic',
        ms,
        verdict:
          v === 'ok'
            ? { ok: true }
            : {
                ok: false,
                kind: v,
                why:
                  v === 'status'
                    ? 'got status 500 where 200 was expected'
                    : 'answered x = 1 where 2 was expected'
              }
      });
    return tally.stats();
  };

  it('passes within the limits', () => {
    expect(verdict(tallied(['ok', 'status', 'ok', 'ok']), { maxErrorRate: 0.25 })).toBeUndefined();
  });

  it('names the error rate, its limit and the first failing case', () => {
    expect(verdict(tallied(['ok', 'status', 'ok', 'ok']), { maxErrorRate: 0 })).toBe(
      '1 of 4 requests failed (25%), above max-error-rate 0%: the first, from line 1 of r.jsonl, got status 500 where 200 was expected (variant AllTraffic).'
    );
  });

  it('a wrong answer fails whatever max-error-rate allows', () => {
    expect(verdict(tallied(['ok', 'content']), { maxErrorRate: 1 })).toBe(
      'The request from line 1 of r.jsonl answered x = 1 where 2 was expected (variant AllTraffic); 1 of 2 requests failed.'
    );
  });

  it('names the p95 and its limit', () => {
    expect(verdict(tallied(['ok', 'ok'], 700), { maxErrorRate: 0, maxP95Ms: 500 })).toBe(
      'The p95 latency was 700ms, above max-p95-latency 500ms (p50 700ms over 2 requests).'
    );
  });
});

describe('max-error-rate', () => {
  it.each([
    ['0', 0],
    ['5%', 0.05],
    ['0.05', 0.05],
    ['.5', 0.5],
    ['1', 1],
    ['100%', 1],
    ['2.5 %', 0.025]
  ])('%s is %d', (text, rate) => expect(parseRate(text)).toBeCloseTo(rate));

  it.each(['5', '101%', '-1', 'some', '1e-2'])('refuses %s', (text) =>
    expect(parseRate(text)).toBeUndefined()
  );
});

describe('the summary', () => {
  it('shows a table and a pie per variant and the first failures with their body, Mermaid labels made safe', () => {
    const tally = new Tally();
    const c = oneCase('{"body": {"text": "a | b\\n::error::x"}}');
    tally.add({
      case: c,
      variant: 'A"l\nl',
      ms: 3,
      verdict: { ok: false, kind: 'status', why: 'got status 500 where 200 was expected' }
    });
    const text = smokeSummary({
      endpointName: 'news',
      cases: 1,
      count: 1,
      concurrency: 4,
      limits: { maxErrorRate: 0 },
      stats: tally.stats(),
      seconds: 1,
      failure: 'x'
    });
    expect(text).toContain('## smoke-test: failed on `news`');
    expect(text).toContain('  "A_l_l" : 1');
    expect(text).toContain('`{"text":"a \\| b\\n::error::x"}`');
    expect(text.split('\n').filter((l) => l.startsWith('::'))).toEqual([]);
  });

  it('shows a binary body by its size', () => {
    expect(bodyPreview(Buffer.from([0xff, 0xd8, 0x00, 0x01]), 'image/jpeg')).toBe('(4 bytes of image/jpeg)');
  });
});
