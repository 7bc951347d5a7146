/** The job summary's section on the Actions cache and on a pull without credentials. */
import { keyValueTable } from '../report.js';
import type { CacheOutcome } from './actions-cache.js';
import { listSome } from './report.js';

export interface CacheSection {
  outcome: CacheOutcome;
  /** Remotes (URLs) that had no credentials and were not contacted. */
  withoutCredentials: string[];
  /** Outputs that could not be got in full. */
  notGot: string[];
}

export function cacheMarkdown({ outcome, withoutCredentials, notGot }: CacheSection): string {
  const hit = !outcome.matched
    ? 'miss'
    : outcome.matched === outcome.key
      ? 'exact hit'
      : `partial hit: \`${outcome.matched}\``;
  const rows: Array<[string, unknown]> = [
    ['Key', `\`${outcome.key}\``],
    ['Restored', hit],
    ['Objects taken from it (md5 checked)', outcome.restored],
    ['Objects already in the DVC cache', outcome.present],
    ['Bad objects dropped (downloaded instead)', outcome.dropped.length ? listSome(outcome.dropped) : 0],
    ['Saved', outcome.saved ? 'yes' : `no: ${outcome.notSaved ?? 'not attempted'}`]
  ];
  let md = `### Actions cache\n\n${keyValueTable(rows)}\n`;
  if (withoutCredentials.length) {
    md += `\n**No credentials** for ${withoutCredentials.map((u) => `\`${u}\``).join(', ')}: it was not contacted; objects came only from the Actions cache entry the trusted workflow published.\n`;
    md += notGot.length
      ? `\nCould not get: ${notGot.map((p) => `\`${p}\``).join(', ')}.\n`
      : '\nEvery output was got from the Actions cache.\n';
  }
  return md;
}
