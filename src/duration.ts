/** Durations as users write them: `90s`, `15m`, `1h`, `1h30m`, `500ms`, or bare seconds (`300`). */

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };
// Each unit at most once, largest first: `1h30m` is a duration, `30m1h` and `1s1s` are typos.
const DURATION =
  /^(?=\d)(?:\d+(?:\.\d+)?d)?(?:\d+(?:\.\d+)?h)?(?:\d+(?:\.\d+)?m(?!s))?(?:\d+(?:\.\d+)?s)?(?:\d+(?:\.\d+)?ms)?$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** Seconds in `text`, or undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const value = text.trim().toLowerCase();
  if (/^\d+(?:\.\d+)?$/.test(value)) return Number(value);
  if (!DURATION.test(value)) return undefined;
  let seconds = 0;
  for (const [, amount, unit] of value.matchAll(PART)) seconds += Number(amount) * UNIT_SECONDS[unit];
  return seconds;
}

/** `3723.4` -> `1h 2m 3s`; under a minute keeps one decimal (`4.2s`). */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds * 10) / 10}s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return [h ? `${h}h` : '', m ? `${m}m` : '', s ? `${s}s` : ''].filter(Boolean).join(' ');
}
