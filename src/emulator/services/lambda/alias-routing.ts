/**
 * Which version an alias invocation runs: FunctionVersion, or the one version of
 * AdditionalVersionWeights with its weight. Smooth weighted round robin (nginx's), per alias and
 * weights, so a split is exact over any window (0.5: the two versions alternate) and tests need no
 * luck; Lambda picks at random with the same shares.
 */
import type { AliasRecord } from './state.js';

const CURRENT = new Map<string, Map<string, number>>();

export function versionFor(fn: string, alias: AliasRecord): string {
  const extra = Object.entries(alias.AdditionalVersionWeights ?? {}).filter(([, w]) => w > 0);
  if (!extra.length) return alias.FunctionVersion;
  const weights = new Map<string, number>([
    [alias.FunctionVersion, Math.max(0, 1 - extra.reduce((sum, [, w]) => sum + w, 0))],
    ...extra
  ]);
  const key = `${fn}:${alias.Name}:${JSON.stringify([...weights])}`;
  let current = CURRENT.get(key);
  if (!current) {
    for (const old of CURRENT.keys()) if (old.startsWith(`${fn}:${alias.Name}:`)) CURRENT.delete(old);
    current = new Map([...weights.keys()].map((v) => [v, 0]));
    CURRENT.set(key, current);
  }
  let best = alias.FunctionVersion;
  for (const [version, weight] of weights) {
    current.set(version, current.get(version)! + weight);
    if (current.get(version)! > current.get(best)!) best = version;
  }
  current.set(best, current.get(best)! - 1);
  return best;
}
