/**
 * Where this toolkit lives: its published repository name (ONE place: `uses:` of
 * `<owner>/mlops-actions/...` resolve to this package's own files) and its root on disk, the
 * package that holds the running code (dist/cli/index.js or src/workflow/toolkit.ts -> ../..).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository name under which the toolkit is published (any owner). */
export const PUBLISHED_REPOSITORY = 'mlops-actions';

export function toolkitRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}
