/**
 * Lambda's own log lines and names, as Lambda writes them to CloudWatch Logs: group
 * `/aws/lambda/<function>`, a stream per execution environment `YYYY/MM/DD/[<version>]<id>`, and
 * around each invocation `START RequestId: <id> Version: <v>`, `END RequestId: <id>` and the
 * tab-separated `REPORT` line (Init Duration only on an on-demand environment's first invocation).
 * Deploy tools read cold starts from those REPORT lines, so their shape is a contract.
 */
export function logGroupOf(fn: string): string {
  return `/aws/lambda/${fn}`;
}

export function logStreamOf(date: Date, version: string, environmentId: string): string {
  const day = date.toISOString().slice(0, 10).replace(/-/g, '/');
  return `${day}/[${version}]${environmentId}`;
}

export function startLine(requestId: string, version: string): string {
  return `START RequestId: ${requestId} Version: ${version}`;
}

export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}`;
}

export interface Report {
  requestId: string;
  durationMs: number;
  memorySize: number;
  maxMemoryUsed?: number;
  initMs?: number;
  /** `timeout` or `error` (with its type) when the invocation did not end in the runtime's answer. */
  status?: 'timeout' | 'error';
  errorType?: string;
}

const ms = (value: number) => value.toFixed(2);

export function reportLine(r: Report): string {
  // Image functions are billed for their init as well, rounded up to the millisecond.
  const billed = Math.max(1, Math.ceil(r.durationMs + (r.initMs ?? 0)));
  const parts = [
    `REPORT RequestId: ${r.requestId}`,
    `Duration: ${ms(r.durationMs)} ms`,
    `Billed Duration: ${billed} ms`,
    `Memory Size: ${r.memorySize} MB`,
    `Max Memory Used: ${Math.min(r.memorySize, r.maxMemoryUsed ?? 1)} MB`
  ];
  if (r.initMs !== undefined) parts.push(`Init Duration: ${ms(r.initMs)} ms`);
  if (r.status) parts.push(`Status: ${r.status}`);
  if (r.errorType) parts.push(`Error Type: ${r.errorType}`);
  return `${parts.join('\t')}\t`;
}

/** The `X-Amz-Log-Result` of an invocation: base64 of the last 4 KB of its log. */
export function logTail(lines: string[]): string {
  const text = Buffer.from(lines.map((line) => `${line}\n`).join(''), 'utf8');
  return text.subarray(Math.max(0, text.length - 4096)).toString('base64');
}
