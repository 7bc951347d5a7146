/**
 * What the GitHub runner would obey in a step's output, read the way it reads it: lines split at \r
 * and \n; `::name ...::data` after leading white space (TryParseV2) or `##[name ...]data` anywhere in
 * a line (TryParse); nothing between `::stop-commands::T` and `::T::` except the line that resumes.
 * Tests use it to prove that text from outside (inputs, build and container output) starts none.
 */
import type { BundleRun } from './bundle.js';

function commandName(line: string): string | undefined {
  const trimmed = line.replace(/^\s+/, '');
  const end = trimmed.startsWith('::') ? trimmed.indexOf('::', 2) : -1;
  if (end >= 0) return trimmed.slice(2, end).split(' ')[0];
  const v1 = /##\[([^\]]*)\]/.exec(line);
  return v1 ? v1[1].split(' ')[0] : undefined;
}

function commandData(line: string): string {
  const trimmed = line.replace(/^\s+/, '');
  if (trimmed.startsWith('::')) return trimmed.slice(trimmed.indexOf('::', 2) + 2);
  return line.slice(line.indexOf(']', line.indexOf('##[')) + 1);
}

/** The lines of `log` the runner would obey as workflow commands (stop-commands blocks skipped). */
export function obeyedCommands(log: string): string[] {
  const obeyed: string[] = [];
  let stopped: string | undefined;
  for (const line of log.split(/\r\n|\r|\n/)) {
    const name = commandName(line);
    if (name === undefined) continue;
    if (stopped !== undefined) {
      if (name.toLowerCase() === stopped.toLowerCase()) stopped = undefined;
      continue;
    }
    if (name === 'stop-commands') stopped = commandData(line);
    else obeyed.push(line);
  }
  return obeyed;
}

/** Lines that begin a workflow command (in a file the runner does not read as a log, e.g. the summary). */
export function commandLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/).filter((line) => /^\s*(::|##\[)/.test(line));
}

/**
 * The commands a test planted (whose data begins with `marker`, e.g. /^planted/ for
 * `::error::planted`) that a run would make the runner obey in its log, and the lines of its summary
 * and outputs that begin a command carrying `marker`. The action's own commands (its failure, its
 * annotations) may quote a planted value, escaped, but their data begins with the action's words.
 */
export function plantedCommands(run: BundleRun, marker: RegExp): string[] {
  const begins = new RegExp(`^(?:${marker.source.replace(/^\^/, '')})`, marker.flags);
  return [
    ...obeyedCommands(run.log).filter((line) => begins.test(commandData(line))),
    ...commandLines(run.summary)
      .filter((line) => marker.test(line))
      .map((line) => `summary: ${line}`),
    ...Object.entries(run.outputs).flatMap(([name, value]) =>
      commandLines(value)
        .filter((line) => marker.test(line))
        .map((line) => `output ${name}: ${line}`)
    )
  ];
}
