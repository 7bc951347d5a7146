/** The AWS wire protocols the emulator speaks: JSON 1.0/1.1 (X-Amz-Target) and query (form + XML). */

/** An AWS error as the SDK expects it: a code, a message and an HTTP status. */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400
  ) {
    super(message);
  }
}

export const validation = (message: string) => new AwsError('ValidationException', message);

/** JSON protocol body: Date values become epoch seconds, as the services send timestamps. */
export function jsonBody(value: unknown): string {
  return JSON.stringify(value ?? {}, function (this: Record<string, unknown>, key, v) {
    const original = this[key];
    return original instanceof Date ? original.getTime() / 1000 : v;
  });
}

/** `Action=X&Version=Y&A.member.1=v` as a flat record. */
export function parseForm(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body));
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A map in a query-protocol answer: `<entry><key>k</key><value>v</value></entry>` per key. */
export class XmlMap {
  constructor(readonly entries: Record<string, unknown>) {}
}

/** A small XML serializer for query-protocol answers: arrays become `<member>` lists. */
export function toXml(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (value instanceof XmlMap) {
    return Object.entries(value.entries)
      .map(([k, v]) => `<entry><key>${escapeXml(k)}</key><value>${toXml(v)}</value></entry>`)
      .join('');
  }
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v)}</member>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join('');
  }
  return escapeXml(String(value));
}

export function queryResponse(
  operation: string,
  namespace: string,
  result: unknown,
  requestId: string
): string {
  return (
    `<${operation}Response xmlns="${namespace}"><${operation}Result>${toXml(result)}</${operation}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`
  );
}

export function queryError(error: AwsError, requestId: string): string {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  return (
    `<ErrorResponse><Error><Type>${type}</Type><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}
