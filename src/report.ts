/**
 * Reporting: the logger engines receive, job-summary helpers, Mermaid blocks, throttled progress and
 * collapsible log groups. Engines take a Logger; only the glue binds it to @actions/core.
 */
import * as core from '@actions/core';
import { formatDuration } from './duration.js';
import { inert } from './untrusted.js';

export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
}

/**
 * The runner's logger. Info lines are printed as they are, so any that carry text from outside and
 * look like a workflow command are made inert (core.warning and core.debug escape their own).
 */
export const coreLogger: Logger = {
  info: (m) => core.info(inert(m)),
  warning: (m) => core.warning(m),
  debug: (m) => core.debug(m)
};

/** A logger that remembers lines: for tests and for engines whose output is shown later. */
export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  info(m: string): void {
    this.lines.push(m);
  }
  warning(m: string): void {
    this.lines.push(`warning: ${m}`);
  }
  debug(m: string): void {
    this.lines.push(`debug: ${m}`);
  }
  text(): string {
    return this.lines.join('\n');
  }
}

export const silentLogger: Logger = { info: () => {}, warning: () => {}, debug: () => {} };

/** Runs `fn` inside a collapsible log group (`::group::`). */
export async function group<T>(title: string, fn: () => Promise<T>): Promise<T> {
  return core.group(title, fn);
}

/** Escapes text for a Markdown table cell. */
export function cell(value: unknown): string {
  if (value === undefined || value === null || value === '') return '-';
  return String(value).replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/** A Markdown table: the first row is the header. */
export function markdownTable(header: string[], rows: unknown[][]): string {
  const line = (r: unknown[]) => `| ${r.map(cell).join(' | ')} |`;
  const head = `| ${header.map((h) => h.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [head, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map(line)].join('\n') + '\n';
}

/** A two-column table of what an action did. */
export function keyValueTable(entries: Array<[string, unknown]>): string {
  return markdownTable(
    ['', ''],
    entries.filter(([, v]) => v !== undefined)
  );
}

export function mermaid(diagram: string): string {
  return '```mermaid\n' + diagram.trim() + '\n```\n';
}

/** Appends Markdown to the job summary buffer (written when the action ends). */
export function summary(markdown: string): void {
  core.summary.addRaw(markdown.endsWith('\n') ? markdown : markdown + '\n', true);
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let n = bytes;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(n >= 100 ? 0 : 1)} ${units[i]}`;
}

export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

/**
 * Progress of long work: `tick` counts items and bytes, and a line is logged at most once every
 * `intervalMs` (5 s by default) with counts, bytes, percent and rate. `done` logs the final line.
 */
export class Progress {
  private items = 0;
  private bytes = 0;
  private readonly started: number;
  private lastLog: number;

  constructor(
    private readonly label: string,
    private readonly totals: { items?: number; bytes?: number },
    private readonly log: Logger,
    private readonly clock: Clock = systemClock,
    private readonly intervalMs = 5000
  ) {
    this.started = clock.now();
    this.lastLog = this.started;
  }

  tick(items: number, bytes = 0): void {
    this.items += items;
    this.bytes += bytes;
    const now = this.clock.now();
    if (now - this.lastLog >= this.intervalMs) {
      this.lastLog = now;
      this.log.info(this.line(now));
    }
  }

  done(): { items: number; bytes: number; seconds: number } {
    const now = this.clock.now();
    this.log.info(this.line(now));
    return { items: this.items, bytes: this.bytes, seconds: (now - this.started) / 1000 };
  }

  private line(now: number): string {
    const seconds = Math.max((now - this.started) / 1000, 0.001);
    const { items: totalItems, bytes: totalBytes } = this.totals;
    const parts = [`${this.label}: ${this.items}${totalItems !== undefined ? `/${totalItems}` : ''}`];
    if (this.bytes || totalBytes) {
      parts.push(`${formatBytes(this.bytes)}${totalBytes ? ` of ${formatBytes(totalBytes)}` : ''}`);
    }
    const fraction = totalBytes ? this.bytes / totalBytes : totalItems ? this.items / totalItems : undefined;
    if (fraction !== undefined) parts.push(`${Math.min(100, Math.floor(fraction * 100))}%`);
    if (this.bytes) parts.push(`${formatBytes(this.bytes / seconds)}/s`);
    parts.push(formatDuration(seconds));
    return parts.join(', ');
  }
}
