/**
 * The files a step writes to talk to the runner: GITHUB_OUTPUT and GITHUB_ENV (`name=value` lines and
 * `name<<DELIMITER` blocks), GITHUB_PATH (one directory a line).
 */
import fs from 'node:fs';

/** Parses a GITHUB_OUTPUT / GITHUB_ENV file. A block without its closing delimiter is an error. */
export function parseKeyValueFile(text: string, file: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line.trim()) continue;
    const heredoc = /^([^=]+?)<<(.+)$/.exec(line);
    const eq = line.indexOf('=');
    if (heredoc && (eq < 0 || eq > line.indexOf('<<'))) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      while (++i < lines.length && lines[i] !== delimiter) value.push(lines[i]);
      if (i >= lines.length)
        throw new Error(`${file}: the value of "${name}" never ends: no line "${delimiter}".`);
      values[name] = value.join('\n');
    } else if (eq > 0) {
      values[line.slice(0, eq)] = line.slice(eq + 1);
    } else {
      throw new Error(`${file}: the line "${line}" is neither name=value nor name<<DELIMITER.`);
    }
  }
  return values;
}

export function readKeyValueFile(file: string): Record<string, string> {
  return fs.existsSync(file) ? parseKeyValueFile(fs.readFileSync(file, 'utf8'), file) : {};
}

export function readPathFile(file: string): string[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}
