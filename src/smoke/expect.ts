/**
 * What a smoke-test case expects of its answer, and the verdict on one answer. A wrong status (or no
 * answer at all) is an error, which `max-error-rate` may tolerate; a right status with the wrong
 * content is a wrong answer, which nothing tolerates.
 */
import { jsonEqual, lookup, type PathStep } from './jsonpath.js';

export type JsonCheck =
  | { path: string; steps: PathStep[]; kind: 'equals'; value: unknown }
  | { path: string; steps: PathStep[]; kind: 'exists'; present: boolean };

export interface Expectation {
  /** The container's status: 200 for an answer, OriginalStatusCode for a ModelError. */
  status: number;
  json: JsonCheck[];
}

/** What one InvokeEndpoint call gave. */
export interface Answer {
  /** The container's status; undefined when SageMaker gave no answer from it (`error` says why). */
  status?: number;
  /** The container's body (OriginalMessage for a ModelError). */
  body?: Uint8Array;
  contentType?: string;
  /** InvokedProductionVariant, when known. */
  variant?: string;
  /** Why the call failed, e.g. `ModelError: Received server error (500) from primary`. */
  error?: string;
}

export type Verdict = { ok: true } | { ok: false; kind: 'status' | 'content'; why: string };

/** A value from the endpoint, for a message: JSON, on one line, cut short. */
export function shownValue(value: unknown, max = 60): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

function oneLine(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 3)}...` : flat;
}

export function judgeAnswer(expect: Expectation, answer: Answer): Verdict {
  if (answer.status === undefined) {
    return {
      ok: false,
      kind: 'status',
      why: `got no answer from the model (${oneLine(answer.error ?? 'unknown error')}) where status ${expect.status} was expected`
    };
  }
  if (answer.status !== expect.status) {
    const said = answer.error ? ` (${oneLine(answer.error)})` : '';
    return {
      ok: false,
      kind: 'status',
      why: `got status ${answer.status}${said} where ${expect.status} was expected`
    };
  }
  if (!expect.json.length) return { ok: true };
  const text = Buffer.from(answer.body ?? new Uint8Array()).toString('utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return {
      ok: false,
      kind: 'content',
      why: `answered ${shownValue(text)}, which is not JSON, where ${expect.json[0].path} was checked`
    };
  }
  for (const check of expect.json) {
    const at = lookup(doc, check.steps);
    if (check.kind === 'exists') {
      if (at.found !== check.present) {
        return {
          ok: false,
          kind: 'content',
          why: check.present
            ? `answered without ${check.path}`
            : `answered ${check.path} = ${shownValue((at as { value: unknown }).value)} where it was expected absent`
        };
      }
    } else if (!at.found) {
      return {
        ok: false,
        kind: 'content',
        why: `answered without ${check.path} where ${shownValue(check.value)} was expected`
      };
    } else if (!jsonEqual(at.value, check.value)) {
      return {
        ok: false,
        kind: 'content',
        why: `answered ${check.path} = ${shownValue(at.value)} where ${shownValue(check.value)} was expected`
      };
    }
  }
  return { ok: true };
}
