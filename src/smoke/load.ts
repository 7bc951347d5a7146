/**
 * Reads the `requests` input from the workspace: a JSON-lines file, or a folder whose files are sent
 * as they are (in name order, dot files left out). The path, and every link on the way or in the
 * folder, must stay inside the workspace: the cases are read, never followed out of it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { insideWorkspace } from '../paths.js';
import { InputError } from '../errors.js';
import { parseRequests, payloadCases, type SmokeCase } from './requests.js';

const INPUT = 'requests';

function fail(message: string): never {
  throw new InputError(INPUT, `Input "${INPUT}": ${message}.`);
}

export function loadCases(value: string, workspace: string, contentType: string): SmokeCase[] {
  const real = insideWorkspace(INPUT, value, workspace);
  const shown = path.relative(fs.realpathSync(workspace), real) || '.';
  let stat: fs.Stats;
  try {
    stat = fs.statSync(real);
  } catch {
    return fail(`${JSON.stringify(value)} does not exist in the workspace`);
  }
  if (stat.isFile()) return parseRequests(fs.readFileSync(real, 'utf8'), shown, contentType);
  if (!stat.isDirectory()) fail(`${JSON.stringify(value)} is neither a file nor a folder`);
  const files = fs
    .readdirSync(real)
    .filter((name) => !name.startsWith('.'))
    .sort()
    .flatMap((name) => {
      const rel = path.join(shown, name);
      const file = insideWorkspace(INPUT, path.join(value, name), workspace);
      const entry = fs.statSync(file, { throwIfNoEntry: false });
      if (!entry) fail(`${rel} in the folder is a link to nothing`);
      return entry.isFile() ? [{ name: rel, body: fs.readFileSync(file) }] : [];
    });
  return payloadCases(files, shown, contentType);
}
