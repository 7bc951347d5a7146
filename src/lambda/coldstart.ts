/**
 * A version's cold starts, from the `REPORT RequestId: ... Init Duration: 812.34 ms` lines Lambda
 * writes to `/aws/lambda/<function>`, in the streams `YYYY/MM/DD/[<version>]<id>` of that version
 * (FilterLogEvents with a filter pattern, a stream prefix a day of the window).
 */
import { FilterLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { orUndefined } from '../aws.js';
import type { Window } from '../cloudwatch/window.js';
import { baseName } from './metrics.js';

export interface ColdStarts {
  version: string;
  /** The init durations seen, in ms. */
  inits: number[];
  /** REPORT lines seen (invocations that logged one). */
  reports: number;
}

const INIT = /Init Duration:\s*([\d.]+)\s*ms/;

/** The stream prefixes of `version` for each UTC day the window touches. */
export function streamPrefixes(version: string, window: Window): string[] {
  const day = 86_400_000;
  const prefixes: string[] = [];
  for (let t = Math.floor(window.start.valueOf() / day) * day; t <= window.end.valueOf(); t += day)
    prefixes.push(`${new Date(t).toISOString().slice(0, 10).replace(/-/g, '/')}/[${version}]`);
  return prefixes;
}

export function parseReports(version: string, messages: string[]): ColdStarts {
  const reports = messages.filter((m) => m.startsWith('REPORT'));
  const inits = reports
    .map((m) => INIT.exec(m)?.[1])
    .filter((v): v is string => !!v)
    .map(Number);
  return { version, inits, reports: reports.length };
}

export async function readColdStarts(
  logs: CloudWatchLogsClient,
  functionName: string,
  version: string,
  window: Window
): Promise<ColdStarts> {
  const messages: string[] = [];
  for (const prefix of streamPrefixes(version, window)) {
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await orUndefined(
        logs.send(
          new FilterLogEventsCommand({
            logGroupName: `/aws/lambda/${baseName(functionName)}`,
            logStreamNamePrefix: prefix,
            filterPattern: '"REPORT"',
            startTime: window.start.valueOf(),
            endTime: window.end.valueOf(),
            nextToken
          })
        )
      );
      // No log group yet: the version logged nothing, so no cold start was seen.
      if (!page) return parseReports(version, messages);
      for (const e of page.events ?? []) if (e.message) messages.push(e.message.trim());
      nextToken = page.nextToken;
    } while (nextToken && ++pages < 20);
  }
  return parseReports(version, messages);
}

/** `3 cold starts, init 812 ms median, 950 ms max`, or "not measured". */
export function coldStartText(c: ColdStarts | undefined): string {
  if (!c || !c.inits.length) return 'not measured (no cold start seen)';
  const sorted = [...c.inits].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const n = sorted.length;
  return `${n} cold start${n === 1 ? '' : 's'} of ${c.reports} invocations, init ${Math.round(median)} ms median, ${Math.round(sorted[n - 1])} ms max`;
}
