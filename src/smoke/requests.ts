/**
 * A smoke test's cases: a file of JSON lines, each `{"body": ..., "content-type": ..., "expect":
 * {"status": 200, "json": {"predictions.0.label": "class_0", "id": {"exists": true}}}}`, or a folder
 * of payload files sent as they are. Parsing is pure; every problem is one sentence naming the input
 * `requests`, the file and the line.
 */
import { InputError } from '../errors.js';
import type { Expectation, JsonCheck } from './expect.js';
import { parsePath } from './jsonpath.js';

export interface SmokeCase {
  /** Where the case comes from, for messages: `line 3 of tests/smoke.jsonl`, `payloads/cat.jpg`. */
  name: string;
  body: Uint8Array;
  contentType: string;
  expect: Expectation;
}

/** SageMaker's limit on a real-time InvokeEndpoint payload. */
export const MAX_BODY_BYTES = 25 * 1024 * 1024;
const CASE_KEYS = ['body', 'content-type', 'expect'];
const EXPECT_KEYS = ['status', 'json'];
const CONTENT_TYPE = /^[\w!#$&^.+-]+\/[\w!#$&^.+-]+(\s*;\s*[\w!#$&^.+-]+=("[^"\r\n]*"|[\w!#$&^.+-]+))*$/;

const INPUT = 'requests';

function fail(message: string): never {
  throw new InputError(INPUT, `Input "${INPUT}": ${message}.`);
}

function shown(text: string, max = 40): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max - 3)}...` : text);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function isContentType(value: string): boolean {
  return CONTENT_TYPE.test(value);
}

/** `{"exists": true}` or `{"exists": false}`: a presence check, not a value to compare. */
function presence(value: unknown): boolean | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === 'exists' && typeof value.exists === 'boolean'
    ? value.exists
    : undefined;
}

function readExpect(where: string, raw: unknown): Expectation {
  if (raw === undefined) return { status: 200, json: [] };
  if (!isObject(raw)) fail(`${where} has an "expect" that is not an object`);
  const unknown = Object.keys(raw).find((k) => !EXPECT_KEYS.includes(k));
  if (unknown) fail(`${where} has ${shown(unknown)} in "expect", which takes status and json only`);
  const status = raw.status ?? 200;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599)
    fail(
      `${where} expects the status ${shown(JSON.stringify(status))}, but a status is an integer from 100 to 599`
    );
  const json: JsonCheck[] = [];
  if (raw.json !== undefined) {
    if (!isObject(raw.json)) fail(`${where} has an "expect.json" that is not an object of JSON paths`);
    for (const [path, value] of Object.entries(raw.json)) {
      const steps = parsePath(path);
      if (!steps)
        fail(
          `${where} checks the JSON path ${shown(path)}, which is not of the syntax taken: keys of letters, digits, _ and - separated by dots, numbers for list items (predictions.0.label or predictions[0].label)`
        );
      const present = presence(value);
      json.push(
        present === undefined
          ? { path, steps, kind: 'equals', value }
          : { path, steps, kind: 'exists', present }
      );
    }
  }
  return { status, json };
}

/** The cases of a JSON-lines `text` read from `file` (its name in messages). */
export function parseRequests(text: string, file: string, contentType: string): SmokeCase[] {
  const cases: SmokeCase[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const where = `line ${i + 1} of ${file}`;
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch (e) {
      fail(`${where} is not JSON (${(e as Error).message.replace(/\.$/, '')})`);
    }
    if (!isObject(doc)) fail(`${where} is not a JSON object with a "body"`);
    const unknown = Object.keys(doc).find((k) => !CASE_KEYS.includes(k));
    if (unknown)
      fail(`${where} has the key ${shown(unknown)}, but a case takes body, content-type and expect`);
    if (doc.body === undefined || doc.body === null) fail(`${where} has no "body"`);
    const type = doc['content-type'] ?? contentType;
    if (typeof type !== 'string' || !isContentType(type))
      fail(
        `${where} has the content-type ${shown(String(type))}, which is not a media type such as application/json`
      );
    const body = Buffer.from(typeof doc.body === 'string' ? doc.body : JSON.stringify(doc.body), 'utf8');
    if (body.length > MAX_BODY_BYTES) fail(`${where} has a body over SageMaker's 25 MB limit`);
    cases.push({ name: where, body, contentType: type, expect: readExpect(where, doc.expect) });
  });
  if (!cases.length) fail(`${file} holds no request (one JSON object a line)`);
  return cases;
}

/** The cases of a folder's payload files (`files`: name and bytes, in order), each expecting status 200. */
export function payloadCases(
  files: Array<{ name: string; body: Uint8Array }>,
  folder: string,
  contentType: string
): SmokeCase[] {
  if (!files.length) fail(`the folder ${folder} holds no payload file`);
  return files.map(({ name, body }) => {
    if (body.length > MAX_BODY_BYTES) fail(`${name} is over SageMaker's 25 MB limit on a payload`);
    return { name, body, contentType, expect: { status: 200, json: [] } };
  });
}
