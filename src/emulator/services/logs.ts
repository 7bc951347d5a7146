/**
 * CloudWatch Logs (JSON 1.1, `Logs_20140328`): groups, streams and events, read by the train action
 * and written by the emulator's own training jobs and endpoints (`append`). Serves what the SDK and
 * the AWS CLI send, `aws logs tail` included (FilterLogEvents with `interleaved`, `startTime` and
 * `logStreamNames`; `--follow` polls it, the CLI has no StartLiveTail there). Retention is recorded
 * and answered, never applied: events are not expired.
 */
import type { Emulator, RequestInfo, ServiceDefinition } from '../server.js';
import { AwsError } from '../protocol.js';
import { ACCOUNT_ID } from './sts.js';

interface LogEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
}
interface Stream {
  name: string;
  created: number;
  events: LogEvent[];
}
interface Group {
  created: number;
  streams: Record<string, Stream>;
  retentionInDays?: number;
}
interface LogsState {
  groups: Record<string, Group>;
}

const PAGE = 10_000;

export class LogStore {
  constructor(private readonly emulator: Emulator) {}
  private get state(): LogsState {
    return this.emulator.stateOf<LogsState>('logs', () => ({ groups: {} }));
  }
  groups(): Record<string, Group> {
    return this.state.groups;
  }
  group(name: string, create = false): Group {
    const groups = this.state.groups;
    if (!groups[name] && create) groups[name] = { created: this.emulator.now(), streams: {} };
    if (!groups[name])
      throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
    return groups[name];
  }
  stream(group: string, name: string, create = false): Stream {
    const g = this.group(group, create);
    if (!g.streams[name] && create) g.streams[name] = { name, created: this.emulator.now(), events: [] };
    if (!g.streams[name])
      throw new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.');
    return g.streams[name];
  }
  /** Appends lines to a stream, creating the group and stream as needed. */
  append(group: string, streamName: string, messages: string[]): void {
    const stream = this.stream(group, streamName, true);
    const now = this.emulator.now();
    for (const message of messages) stream.events.push({ timestamp: now, message, ingestionTime: now });
  }
}

const RETENTION = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653
];
const GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const STREAM_NAME = /^[^:*]{1,512}$/;

const invalid = (message: string) => new AwsError('InvalidParameterException', message);

/** A list page: `limit` items from the offset in `nextToken`. */
function page<T>(
  items: T[],
  limit: unknown,
  nextToken: unknown,
  max: number
): { items: T[]; nextToken?: string } {
  const size = limit === undefined ? max : Number(limit);
  if (!Number.isInteger(size) || size < 1 || size > max) {
    throw invalid(
      `1 validation error detected: Value '${String(limit)}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to ${max}`
    );
  }
  const from = nextToken === undefined ? 0 : Number(nextToken);
  if (!Number.isInteger(from) || from < 0) throw invalid('The specified nextToken is not valid.');
  const end = from + size;
  return { items: items.slice(from, end), ...(end < items.length ? { nextToken: String(end) } : {}) };
}

const bytes = (events: LogEvent[]) => events.reduce((sum, e) => sum + Buffer.byteLength(e.message), 0);

export function logs(emulator: Emulator): ServiceDefinition {
  const store = new LogStore(emulator);
  const token = (direction: 'f' | 'b', index: number) => `${direction}/${String(index).padStart(20, '0')}`;
  const groupArn = (request: RequestInfo, name: string) =>
    `arn:aws:logs:${request.region ?? 'us-east-1'}:${ACCOUNT_ID}:log-group:${name}`;
  /** logGroupName, or the name in logGroupIdentifier (a name or an ARN, with or without `:*`). */
  const groupName = (input: { logGroupName?: string; logGroupIdentifier?: string }): string => {
    if (input.logGroupName && input.logGroupIdentifier) {
      throw invalid('LogGroup name and LogGroup ARN are mutually exclusive parameters.');
    }
    const given = input.logGroupName ?? input.logGroupIdentifier;
    if (typeof given !== 'string' || !given) {
      throw invalid(
        "1 validation error detected: Value null at 'logGroupName' failed to satisfy constraint: Member must not be null"
      );
    }
    const arn = /^arn:aws[a-z-]*:logs:[^:]*:[^:]*:log-group:([^:]+)(?::\*)?$/.exec(given);
    return arn ? arn[1] : given;
  };
  const streamName = (name: unknown): string => {
    if (typeof name !== 'string' || !STREAM_NAME.test(name)) {
      throw invalid(
        `1 validation error detected: Value '${String(name)}' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*`
      );
    }
    return name;
  };
  return {
    name: 'logs',
    signingName: 'logs',
    protocol: 'json1.1',
    targetPrefix: 'Logs_20140328',
    operations: {
      CreateLogGroup: ({ logGroupName }) => {
        if (typeof logGroupName !== 'string' || !GROUP_NAME.test(logGroupName)) {
          throw invalid(
            `1 validation error detected: Value '${String(logGroupName)}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`
          );
        }
        if (store.groups()[logGroupName]) {
          throw new AwsError('ResourceAlreadyExistsException', 'The specified log group already exists');
        }
        store.group(logGroupName, true);
        return {};
      },
      DeleteLogGroup: (input) => {
        const name = groupName(input);
        store.group(name);
        delete store.groups()[name];
        return {};
      },
      PutRetentionPolicy: (input) => {
        const group = store.group(groupName(input));
        if (!RETENTION.includes(input.retentionInDays)) {
          throw invalid(
            `1 validation error detected: Value '${String(input.retentionInDays)}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION.join(', ')}]`
          );
        }
        group.retentionInDays = input.retentionInDays;
        return {};
      },
      DeleteRetentionPolicy: (input) => {
        delete store.group(groupName(input)).retentionInDays;
        return {};
      },
      CreateLogStream: (input) => {
        const group = store.group(groupName(input));
        const name = streamName(input.logStreamName);
        if (group.streams[name]) {
          throw new AwsError('ResourceAlreadyExistsException', 'The specified log stream already exists');
        }
        store.stream(groupName(input), name, true);
        return {};
      },
      DeleteLogStream: (input) => {
        const group = groupName(input);
        const name = streamName(input.logStreamName);
        store.stream(group, name);
        delete store.group(group).streams[name];
        return {};
      },
      PutLogEvents: (input) => {
        const stream = store.stream(groupName(input), streamName(input.logStreamName));
        const events: Array<{ timestamp: number; message: string }> = input.logEvents ?? [];
        if (!events.length) {
          throw invalid(
            "1 validation error detected: Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1"
          );
        }
        if (events.some((e, i) => i > 0 && e.timestamp < events[i - 1].timestamp)) {
          throw invalid('Log events in a single PutLogEvents request must be in chronological order.');
        }
        for (const e of events)
          stream.events.push({ timestamp: e.timestamp, message: e.message, ingestionTime: emulator.now() });
        return { nextSequenceToken: String(stream.events.length) };
      },
      DescribeLogGroups: (input, request) => {
        if (input.logGroupNamePrefix && input.logGroupNamePattern) {
          throw invalid('LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
        }
        const list = Object.entries(store.groups())
          .filter(([name]) => !input.logGroupNamePrefix || name.startsWith(input.logGroupNamePrefix))
          .filter(
            ([name]) =>
              !input.logGroupNamePattern ||
              name.toLowerCase().includes(String(input.logGroupNamePattern).toLowerCase())
          )
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        const { items, nextToken } = page(list, input.limit, input.nextToken, 50);
        return {
          logGroups: items.map(([name, g]) => ({
            logGroupName: name,
            creationTime: g.created,
            ...(g.retentionInDays ? { retentionInDays: g.retentionInDays } : {}),
            metricFilterCount: 0,
            arn: `${groupArn(request, name)}:*`,
            storedBytes: Object.values(g.streams).reduce((sum, s) => sum + bytes(s.events), 0),
            logGroupClass: 'STANDARD',
            logGroupArn: groupArn(request, name)
          })),
          ...(nextToken ? { nextToken } : {})
        };
      },
      DescribeLogStreams: (input, request) => {
        const name = groupName(input);
        const { logStreamNamePrefix, descending, orderBy } = input;
        if (orderBy !== undefined && !['LogStreamName', 'LastEventTime'].includes(orderBy)) {
          throw invalid(
            `1 validation error detected: Value '${String(orderBy)}' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]`
          );
        }
        if (orderBy === 'LastEventTime' && logStreamNamePrefix) {
          throw invalid('Cannot order by LastEventTime with a logStreamNamePrefix.');
        }
        let streams = Object.values(store.group(name).streams).filter(
          (s) => !logStreamNamePrefix || s.name.startsWith(logStreamNamePrefix)
        );
        streams.sort((a, b) =>
          orderBy === 'LastEventTime'
            ? (a.events.at(-1)?.timestamp ?? 0) - (b.events.at(-1)?.timestamp ?? 0)
            : a.name < b.name
              ? -1
              : a.name > b.name
                ? 1
                : 0
        );
        if (descending) streams = streams.reverse();
        const { items, nextToken } = page(streams, input.limit, input.nextToken, 50);
        return {
          logStreams: items.map((s) => ({
            logStreamName: s.name,
            creationTime: s.created,
            ...(s.events.length
              ? {
                  firstEventTimestamp: Math.min(...s.events.map((e) => e.timestamp)),
                  lastEventTimestamp: Math.max(...s.events.map((e) => e.timestamp)),
                  lastIngestionTime: s.events.at(-1)!.ingestionTime,
                  uploadSequenceToken: String(s.events.length)
                }
              : {}),
            arn: `${groupArn(request, name)}:log-stream:${s.name}`,
            // AWS has reported 0 for a stream since 2019.
            storedBytes: 0
          })),
          ...(nextToken ? { nextToken } : {})
        };
      },
      GetLogEvents: (input) => {
        const { nextToken, startFromHead, limit, startTime, endTime } = input;
        const events = store
          .stream(groupName(input), streamName(input.logStreamName))
          .events.filter(
            (e) =>
              (startTime === undefined || e.timestamp >= startTime) &&
              (endTime === undefined || e.timestamp < endTime)
          );
        const max = Math.min(limit ?? PAGE, PAGE);
        let from = startFromHead ? 0 : Math.max(0, events.length - max);
        if (nextToken) {
          const [dir, index] = String(nextToken).split('/');
          from = dir === 'f' ? Number(index) : Math.max(0, Number(index) - max);
        }
        const slice = events.slice(from, from + max);
        return {
          events: slice,
          nextForwardToken: token('f', from + slice.length),
          nextBackwardToken: token('b', from)
        };
      },
      FilterLogEvents: (input) => {
        const { logStreamNames, logStreamNamePrefix, filterPattern, startTime, endTime, nextToken, limit } =
          input;
        if (logStreamNames && logStreamNamePrefix) {
          throw invalid('Cannot specify both logStreamNames and logStreamNamePrefix.');
        }
        const streams = Object.values(store.group(groupName(input)).streams).filter(
          (s) =>
            (!logStreamNames || logStreamNames.includes(s.name)) &&
            (!logStreamNamePrefix || s.name.startsWith(logStreamNamePrefix))
        );
        const terms = String(filterPattern ?? '')
          .split(/\s+/)
          .filter(Boolean)
          .map((t) => t.replace(/^"|"$/g, ''));
        // Interleaved across streams (the only order AWS still offers), by time, then stream and position.
        const all = streams
          .flatMap((s) =>
            s.events.map((e, i) => ({ ...e, logStreamName: s.name, eventId: `${s.name}-${i}` }))
          )
          .filter(
            (e) =>
              (startTime === undefined || e.timestamp >= startTime) &&
              (endTime === undefined || e.timestamp <= endTime)
          )
          .filter((e) => terms.every((t) => e.message.includes(t)))
          .sort((a, b) => a.timestamp - b.timestamp);
        const { items, nextToken: next } = page(all, limit, nextToken, PAGE);
        return {
          events: items,
          searchedLogStreams: streams.map((s) => ({ logStreamName: s.name, searchedCompletely: true })),
          ...(next ? { nextToken: next } : {})
        };
      }
    }
  };
}
