/**
 * Text the toolkit did not write (inputs, tags, build and container output, training logs) must never
 * start a workflow command: the runner obeys any line that begins with `::` (or the old `##[`). Such
 * text is printed between `::stop-commands::<token>` and `::<token>::` with a fresh random token,
 * so the runner shows it and obeys nothing in it.
 */
import { randomBytes } from 'node:crypto';

/**
 * Whether some line of `text` would be read by the runner as a workflow command. The runner splits
 * lines at \r and \n, reads `::` after any leading white space (.NET's TrimStart, Unicode spaces
 * included), and the legacy `##[command]` anywhere in a line (ActionCommand.TryParse).
 */
export function startsCommand(text: string): boolean {
  return /(^|[\n\r])\s*::|##\[/.test(text);
}

/** A token nobody can guess, for one stop-commands block. */
export function stopToken(): string {
  return [...randomBytes(16)].map((b) => String.fromCharCode(97 + (b % 26))).join('');
}

/** `text` as it may be printed: itself, or wrapped so that the runner obeys none of its lines. */
export function inert(text: string): string {
  if (!startsCommand(text)) return text;
  const token = stopToken();
  return `::stop-commands::${token}\n${text}\n::${token}::`;
}
