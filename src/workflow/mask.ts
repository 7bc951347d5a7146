/**
 * Masking: secrets and every value a step masks with `::add-mask::` are replaced by `***` in
 * every line the runner prints from then on.
 */
export class Masker {
  private values: string[] = [];

  add(value: string | undefined): void {
    if (!value) return;
    for (const part of [value, ...value.split(/\r?\n/)]) {
      const v = part.trim();
      if (v.length < 2 || this.values.includes(v)) continue;
      this.values.push(v);
    }
    this.values.sort((a, b) => b.length - a.length);
  }

  mask(text: string): string {
    let result = text;
    for (const value of this.values) result = result.split(value).join('***');
    return result;
  }
}
