/**
 * CloudWatch Logs (JSON 1.1, `Logs_20140328`): groups, streams and events, read by the train action
 * and written by the emulator's own training jobs (`append`).
 */
import type { Emulator, ServiceDefinition } from '../server.js';
import { AwsError } from '../protocol.js';

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
interface LogsState {
  groups: Record<string, { created: number; streams: Record<string, Stream> }>;
}

const PAGE = 10_000;

export class LogStore {
  constructor(private readonly emulator: Emulator) {}
  private get state(): LogsState {
    return this.emulator.stateOf<LogsState>('logs', () => ({ groups: {} }));
  }
  group(name: string, create = false) {
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

export function logs(emulator: Emulator): ServiceDefinition {
  const store = new LogStore(emulator);
  const token = (direction: 'f' | 'b', index: number) => `${direction}/${String(index).padStart(20, '0')}`;
  return {
    name: 'logs',
    signingName: 'logs',
    protocol: 'json1.1',
    targetPrefix: 'Logs_20140328',
    operations: {
      CreateLogGroup: ({ logGroupName }) => {
        if (emulator.stateOf<LogsState>('logs', () => ({ groups: {} })).groups[logGroupName]) {
          throw new AwsError('ResourceAlreadyExistsException', 'The specified log group already exists');
        }
        store.group(logGroupName, true);
        return {};
      },
      CreateLogStream: ({ logGroupName, logStreamName }) => {
        if (store.group(logGroupName).streams[logStreamName]) {
          throw new AwsError('ResourceAlreadyExistsException', 'The specified log stream already exists');
        }
        store.stream(logGroupName, logStreamName, true);
        return {};
      },
      PutLogEvents: ({ logGroupName, logStreamName, logEvents }) => {
        const stream = store.stream(logGroupName, logStreamName);
        for (const e of logEvents ?? [])
          stream.events.push({ timestamp: e.timestamp, message: e.message, ingestionTime: emulator.now() });
        return { nextSequenceToken: String(stream.events.length) };
      },
      DescribeLogGroups: ({ logGroupNamePrefix }) => ({
        logGroups: Object.entries(emulator.stateOf<LogsState>('logs', () => ({ groups: {} })).groups)
          .filter(([name]) => !logGroupNamePrefix || name.startsWith(logGroupNamePrefix))
          .map(([name, g]) => ({ logGroupName: name, creationTime: g.created }))
      }),
      DescribeLogStreams: ({ logGroupName, logStreamNamePrefix, descending, orderBy }) => {
        let streams = Object.values(store.group(logGroupName).streams).filter(
          (s) => !logStreamNamePrefix || s.name.startsWith(logStreamNamePrefix)
        );
        streams.sort((a, b) =>
          orderBy === 'LastEventTime'
            ? (a.events.at(-1)?.timestamp ?? 0) - (b.events.at(-1)?.timestamp ?? 0)
            : a.name.localeCompare(b.name)
        );
        if (descending) streams = streams.reverse();
        return {
          logStreams: streams.map((s) => ({
            logStreamName: s.name,
            creationTime: s.created,
            firstEventTimestamp: s.events[0]?.timestamp,
            lastEventTimestamp: s.events.at(-1)?.timestamp,
            lastIngestionTime: s.events.at(-1)?.ingestionTime,
            storedBytes: 0
          }))
        };
      },
      GetLogEvents: ({ logGroupName, logStreamName, nextToken, startFromHead, limit }) => {
        const events = store.stream(logGroupName, logStreamName).events;
        const max = Math.min(limit ?? PAGE, PAGE);
        let from = startFromHead ? 0 : Math.max(0, events.length - max);
        if (nextToken) {
          const [dir, index] = String(nextToken).split('/');
          from = dir === 'f' ? Number(index) : Math.max(0, Number(index) - max);
        }
        const page = events.slice(from, from + max);
        return {
          events: page,
          nextForwardToken: token('f', from + page.length),
          nextBackwardToken: token('b', from)
        };
      },
      FilterLogEvents: ({
        logGroupName,
        logStreamNames,
        logStreamNamePrefix,
        filterPattern,
        startTime,
        endTime,
        nextToken,
        limit
      }) => {
        const streams = Object.values(store.group(logGroupName).streams).filter(
          (s) =>
            (!logStreamNames || logStreamNames.includes(s.name)) &&
            (!logStreamNamePrefix || s.name.startsWith(logStreamNamePrefix))
        );
        const terms = String(filterPattern ?? '')
          .split(/\s+/)
          .filter(Boolean)
          .map((t) => t.replace(/^"|"$/g, ''));
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
        const from = nextToken ? Number(nextToken) : 0;
        const max = Math.min(limit ?? PAGE, PAGE);
        const page = all.slice(from, from + max);
        return {
          events: page,
          searchedLogStreams: streams.map((s) => ({ logStreamName: s.name, searchedCompletely: true })),
          ...(from + max < all.length ? { nextToken: String(from + max) } : {})
        };
      }
    }
  };
}
