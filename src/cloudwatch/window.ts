/**
 * The stretch of time a deployment's metrics are read over, and how it is asked of CloudWatch on
 * AWS or on a time-scaled emulator (any service: SageMaker's variants, Lambda's versions).
 */

/** A stretch of time, in the caller's (real) clock. */
export interface Window {
  start: Date;
  end: Date;
}

/** The minute, in service time: 60 s against AWS, 60 * scale seconds in a time-scaled emulator. */
const minuteMs = (scale: number) => 60_000 * scale;

/**
 * The window as asked of CloudWatch: the start rounded down to a whole (service) minute, so that the
 * datapoint of the minute the bake began counts; a minute at least.
 */
export function queryWindow(window: Window, scale = 1): Window {
  const minute = minuteMs(scale);
  const start = Math.floor(window.start.valueOf() / minute) * minute;
  return { start: new Date(start), end: new Date(Math.max(window.end.valueOf(), start + minute)) };
}

/**
 * The period, in service seconds (the emulator stretches a period by its time scale like any other
 * duration): the window's length in service seconds, rounded up to a multiple of 60, at least 60. One
 * datapoint covers the window, or two where CloudWatch's periods do not line up with it.
 */
export function metricPeriod(window: Window, scale = 1): number {
  const seconds = (window.end.valueOf() - window.start.valueOf()) / 1000 / scale;
  return Math.max(60, Math.ceil(seconds / 60 - 1e-9) * 60);
}
