/**
 * The pure parts of the emulator's Lambda runtime: how an alias splits calls by its weights, the
 * REPORT line deploy tools read cold starts from, log stream names and the log tail, and how a
 * function URL maps a function's result back to HTTP.
 */
import { versionFor } from '../../src/emulator/services/lambda/alias-routing.js';
import { logStreamOf, logTail, reportLine } from '../../src/emulator/services/lambda/log-lines.js';
import { responseOf } from '../../src/emulator/services/lambda/events.js';

const alias = (weights?: Record<string, number>) => ({
  Name: `a${Math.random()}`,
  FunctionVersion: '1',
  Description: '',
  AdditionalVersionWeights: weights,
  RevisionId: 'r'
});

describe('alias routing', () => {
  it.each([
    [0.1, 10, 1],
    [0.25, 8, 2],
    [0.5, 6, 3],
    [0.9, 10, 9]
  ])('weight %p of the other version: %p calls, exactly %p run it', (weight, calls, expected) => {
    const a = alias({ '2': weight });
    const runs = Array.from({ length: calls }, () => versionFor('f', a));
    expect(runs.filter((v) => v === '2')).toHaveLength(expected);
  });

  it('runs FunctionVersion alone without weights or with a zero weight', () => {
    expect(versionFor('f', alias())).toBe('1');
    expect(Array.from({ length: 5 }, () => versionFor('f', alias({ '2': 0 })))).toEqual([
      '1',
      '1',
      '1',
      '1',
      '1'
    ]);
  });
});

describe('log lines', () => {
  it('writes REPORT as Lambda does, Init Duration only when given', () => {
    const base = { requestId: 'r-1', durationMs: 12.345, memorySize: 128, maxMemoryUsed: 40 };
    expect(reportLine(base)).toBe(
      'REPORT RequestId: r-1\tDuration: 12.35 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t'
    );
    expect(reportLine({ ...base, initMs: 200.5 })).toBe(
      'REPORT RequestId: r-1\tDuration: 12.35 ms\tBilled Duration: 213 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tInit Duration: 200.50 ms\t'
    );
    expect(reportLine({ ...base, status: 'timeout' })).toMatch(/\tStatus: timeout\t$/);
  });

  it('names streams by day, version and environment, and tails the last 4 KB', () => {
    expect(logStreamOf(new Date('2026-12-06T13:00:00Z'), '3', 'abc')).toBe('2026/12/06/[3]abc');
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i} ${'x'.repeat(30)}`);
    const tail = Buffer.from(logTail(lines), 'base64').toString('utf8');
    expect(Buffer.byteLength(tail)).toBe(4096);
    expect(tail.endsWith(`line 199 ${'x'.repeat(30)}\n`)).toBe(true);
  });
});

describe('function URL answers', () => {
  const of = (value: unknown) => responseOf(Buffer.from(JSON.stringify(value)));

  it('takes a result object with statusCode as it is', () => {
    const r = of({ statusCode: 418, headers: { 'X-A': 'b' }, cookies: ['c=d'], body: 'tea' });
    expect(r).toMatchObject({ status: 418, headers: { 'x-a': 'b' }, cookies: ['c=d'] });
    expect(r.body.toString()).toBe('tea');
    expect(of({ statusCode: 200, body: 'AAEC', isBase64Encoded: true }).body).toEqual(Buffer.from([0, 1, 2]));
  });

  it('answers any other value as 200 application/json of it', () => {
    for (const value of ['text', 42, [1, 2], { no: 'status' }, null]) {
      const r = of(value);
      expect(r.status).toBe(200);
      expect(r.headers['content-type']).toBe('application/json');
      expect(JSON.parse(r.body.toString())).toEqual(value);
    }
  });
});
