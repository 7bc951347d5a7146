/**
 * `strategy.matrix` expanded as GitHub does: the product of its lists, minus `exclude` (partial
 * matches), then each `include` either extends the combinations it matches without overwriting an
 * original value, or is added as a combination of its own.
 */
import type { Json } from './expressions.js';

type Combination = Record<string, Json>;

const same = (a: Json, b: Json) => JSON.stringify(a) === JSON.stringify(b);

export function expandMatrix(matrix: Record<string, Json> | null | undefined): Combination[] {
  if (!matrix || typeof matrix !== 'object' || Array.isArray(matrix)) return [];
  const { include, exclude, ...dimensions } = matrix;
  let combos: Combination[] = [{}];
  for (const [key, values] of Object.entries(dimensions)) {
    const list = Array.isArray(values) ? values : [values];
    combos = combos.flatMap((c) => list.map((v) => ({ ...c, [key]: v })));
  }
  if (!Object.keys(dimensions).length) combos = [];
  const excluded = (Array.isArray(exclude) ? exclude : []) as Combination[];
  combos = combos.filter((c) => !excluded.some((ex) => Object.entries(ex).every(([k, v]) => same(c[k], v))));
  const originals = combos.map((c) => Object.keys(c));
  const extended = combos.map((c) => ({ ...c }));
  for (const entry of (Array.isArray(include) ? include : []) as Combination[]) {
    let matched = false;
    // Only the original combinations can be extended; added ones stay as they are.
    extended.slice(0, combos.length).forEach((combo, i) => {
      const fits = Object.entries(entry).every(
        ([k, v]) => !originals[i].includes(k) || same(combos[i][k], v)
      );
      if (fits) {
        Object.assign(combo, entry);
        matched = true;
      }
    });
    if (!matched) extended.push({ ...entry });
  }
  return extended;
}

/** `build (3.11, ubuntu)`: the job name with the combination's values, as GitHub shows it. */
export function matrixName(name: string, combo: Combination): string {
  const values = Object.values(combo).map((v) =>
    typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)
  );
  return values.length ? `${name} (${values.join(', ')})` : name;
}
