/**
 * The alarms of a deployment as CloudWatch tells them: their states at the end (DescribeAlarms), and
 * why one went into ALARM while the deployment baked (DescribeAlarmHistory, else its StateReason).
 */
import {
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  type AlarmHistoryItem,
  type CloudWatchClient
} from '@aws-sdk/client-cloudwatch';
import { errorMessage, InputError } from '../errors.js';
import type { Logger } from '../report.js';
import type { Window } from './window.js';

export interface AlarmState {
  name: string;
  /** OK, ALARM or INSUFFICIENT_DATA; undefined when CloudWatch does not have the alarm. */
  state?: string;
  reason?: string;
  updated?: Date;
}

/** An alarm's change to ALARM and CloudWatch's reason for it. */
export interface AlarmCause {
  alarm: string;
  reason: string;
  /** Where the reason came from: the alarm's history, or its state now. */
  from: 'history' | 'state';
}

/** One line: CloudWatch's text with its line breaks and runs of spaces made single spaces. */
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The states of `names` now, in the order given (one DescribeAlarms call). Throws what CloudWatch throws. */
export async function alarmStates(cloudwatch: CloudWatchClient, names: string[]): Promise<AlarmState[]> {
  if (!names.length) return [];
  const found = new Map(
    ((await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names }))).MetricAlarms ?? []).map(
      (a) => [a.AlarmName, a]
    )
  );
  return names.map((name) => {
    const a = found.get(name);
    return {
      name,
      state: a?.StateValue,
      reason: a?.StateReason ? oneLine(a.StateReason) : undefined,
      updated: a?.StateUpdatedTimestamp
    };
  });
}

/** The reason of the first change to ALARM among StateUpdate items (HistoryData's newState). */
export function changeToAlarm(items: AlarmHistoryItem[]): string | undefined {
  const sorted = [...items].sort((a, b) => (a.Timestamp?.valueOf() ?? 0) - (b.Timestamp?.valueOf() ?? 0));
  for (const item of sorted) {
    if (item.HistoryItemType && item.HistoryItemType !== 'StateUpdate') continue;
    try {
      const data = JSON.parse(item.HistoryData ?? '') as {
        newState?: { stateValue?: string; stateReason?: string };
      };
      if (data.newState?.stateValue === 'ALARM')
        return oneLine(data.newState.stateReason || item.HistorySummary || 'no reason given');
    } catch {
      if (/to ALARM\b/.test(item.HistorySummary ?? '')) return oneLine(item.HistorySummary!);
    }
  }
  return undefined;
}

/**
 * Why one of `candidates` went into ALARM within `window`: the first with a change to ALARM in its
 * history; where the history cannot be read, the StateReason of the first candidate in ALARM now.
 * Never throws: without an answer there is no cause, and the deployment's outcome stays what it is.
 */
export async function alarmCause(
  cloudwatch: CloudWatchClient,
  candidates: string[],
  window: Window,
  states: AlarmState[],
  log: Logger
): Promise<AlarmCause | undefined> {
  try {
    for (const alarm of candidates) {
      const history = await cloudwatch.send(
        new DescribeAlarmHistoryCommand({
          AlarmName: alarm,
          HistoryItemType: 'StateUpdate',
          StartDate: window.start,
          EndDate: window.end,
          ScanBy: 'TimestampAscending',
          MaxRecords: 100
        })
      );
      const reason = changeToAlarm(history.AlarmHistoryItems ?? []);
      if (reason) return { alarm, reason, from: 'history' };
    }
  } catch (e) {
    log.debug(
      `DescribeAlarmHistory could not be read (${oneLine(errorMessage(e))}): using the alarms' StateReason.`
    );
  }
  const firing = candidates
    .map((c) => states.find((s) => s.name === c))
    .find((s) => s?.state === 'ALARM' && s.reason);
  return firing ? { alarm: firing.name, reason: firing.reason!, from: 'state' } : undefined;
}

/** Refuses alarm names CloudWatch does not have in this region (one DescribeAlarms call). */
export async function checkAlarmsExist(
  cloudwatch: CloudWatchClient | undefined,
  names: string[]
): Promise<void> {
  if (!cloudwatch || !names.length) return;
  const found = new Set((await alarmStates(cloudwatch, names)).filter((a) => a.state).map((a) => a.name));
  const missing = names.filter((a) => !found.has(a));
  if (missing.length)
    throw new InputError(
      'alarms',
      `Input "alarms" names ${missing.join(', ')}, which CloudWatch does not have in this region: create the alarm or fix the name.`
    );
}
