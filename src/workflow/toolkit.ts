/**
 * Where this toolkit lives: its published repository name (package.json's `repository`, the one
 * place, through src/version.ts: `uses:` of `<owner>/<name>/...` resolve to this package's own files,
 * whatever the owner, so a fork's copy runs too) and its root on disk, the package that holds the
 * running code (dist/cli/index.js or src/workflow/toolkit.ts -> ../..).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPOSITORY } from '../version.js';

/** The repository name under which the toolkit is published (any owner). */
export const PUBLISHED_REPOSITORY = REPOSITORY.split('/')[1];

export function toolkitRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}
