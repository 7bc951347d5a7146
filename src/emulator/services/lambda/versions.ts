/**
 * Versions: PublishVersion and ListVersionsByFunction. A version is a frozen copy of `$LATEST` under
 * the next number (never reused). As Lambda does, publishing when neither code nor configuration
 * changed since the last published version returns that version instead of a new one: a retried
 * PublishVersion whose first answer was lost publishes nothing twice.
 */
import { invalid, staleRevision } from './errors.js';
import { configuration } from './functions.js';
import { functionArn, type FunctionRecord, type VersionRecord } from './state.js';
import { assertIdle } from './timeline.js';
import * as check from './validate.js';
import { page, target, type Handler } from './call.js';

/** What makes two publications the same: the code and the configuration of `$LATEST`. */
function fingerprint(record: VersionRecord): string {
  const { CodeSha256, Role, MemorySize, Timeout, Environment, Architectures, Description } = record;
  return JSON.stringify([CodeSha256, Role, MemorySize, Timeout, Environment, Architectures, Description]);
}

function lastPublished(fn: FunctionRecord): VersionRecord | undefined {
  const numbers = Object.keys(fn.versions).map(Number);
  return numbers.length ? fn.versions[String(Math.max(...numbers))] : undefined;
}

/** Publishes `$LATEST` as the next version (whatever its status: CreateFunction/UpdateFunctionCode with Publish). */
export function publish(fn: FunctionRecord, description: string): VersionRecord {
  const version = String(fn.nextVersion++);
  const record: VersionRecord = {
    ...structuredClone(fn.latest),
    Version: version,
    Description: description,
    LastModified: fn.latest.LastModified,
    publishedFrom: fingerprint(fn.latest)
  };
  fn.versions[version] = record;
  return record;
}

const publishVersion: Handler = (call) => {
  const { fn, qualifier } = target(call);
  if (qualifier) throw invalid('Unqualified function name expected: a version is published from $LATEST.');
  const input = call.body ?? {};
  assertIdle(fn, call.region);
  if (input.RevisionId !== undefined && input.RevisionId !== fn.latest.RevisionId) throw staleRevision();
  if (input.CodeSha256 !== undefined && input.CodeSha256 !== fn.latest.CodeSha256) {
    throw invalid(
      `CodeSHA256 (${input.CodeSha256}) is different from current CodeSHA256 in $LATEST (${fn.latest.CodeSha256}). Please try again with the current CodeSHA256.`
    );
  }
  const description = check.description(input.Description);
  const last = lastPublished(fn);
  const record = last && last.publishedFrom === fingerprint(fn.latest) ? last : publish(fn, description);
  return { status: 201, body: configuration(call.region, fn, record, true) };
};

const listVersionsByFunction: Handler = (call) => {
  const { fn, qualifier } = target(call);
  if (qualifier) {
    throw invalid(
      `Unqualified function name expected: ${functionArn(call.region, fn.FunctionName, qualifier)}`
    );
  }
  const records = [
    fn.latest,
    ...Object.values(fn.versions).sort((a, b) => Number(a.Version) - Number(b.Version))
  ];
  const { items, NextMarker } = page(records, call.query);
  return {
    status: 200,
    body: {
      Versions: items.map((r) => configuration(call.region, fn, r, true)),
      ...(NextMarker ? { NextMarker } : {})
    }
  };
};

export const VERSION_HANDLERS = { publishVersion, listVersionsByFunction };
