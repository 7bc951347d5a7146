/**
 * The JSON paths of a smoke test's expectations: keys separated by dots, a number picking an item of
 * a list (`predictions.0.label`, or `predictions[0].label`). A key is letters, digits, `_` and `-`;
 * anything else (`$`, `*`, `..`, quotes, spaces, filters) is refused rather than guessed at.
 */

export type PathStep = string | number;

const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** The steps of `path`, or undefined when it is not a path of this syntax. */
export function parsePath(path: string): PathStep[] | undefined {
  if (!path) return undefined;
  // `a[0]` is `a.0`; a bracket anywhere else (`a[x]`, `[0`, `a]`) stays and is refused below.
  const dotted = path.replace(/\[(\d+)\]/g, '.$1');
  const parts = (dotted.startsWith('.') && path.startsWith('[') ? dotted.slice(1) : dotted).split('.');
  if (!parts.every((p) => SEGMENT.test(p))) return undefined;
  return parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

export type Lookup = { found: true; value: unknown } | { found: false };

/** The value at `steps` in `doc`. A number indexes a list; on an object it is the key of that name. */
export function lookup(doc: unknown, steps: PathStep[]): Lookup {
  let at: unknown = doc;
  for (const step of steps) {
    if (Array.isArray(at)) {
      if (typeof step !== 'number' || step >= at.length) return { found: false };
      at = at[step];
    } else if (at !== null && typeof at === 'object') {
      const key = String(step);
      if (!Object.prototype.hasOwnProperty.call(at, key)) return { found: false };
      at = (at as Record<string, unknown>)[key];
    } else {
      return { found: false };
    }
  }
  return { found: true, value: at };
}

/** Deep equality of JSON values (key order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]))
    );
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return (
      ka.length === kb.length &&
      ka.every(
        (k) =>
          Object.prototype.hasOwnProperty.call(b, k) &&
          jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
      )
    );
  }
  return false;
}
