/** Granular targets: which manifest entries a path inside a tracked folder selects. */
import { isWithin, narrowEntries } from '../../../src/dvc/granular.js';

const entries = [
  'images/cats/1.jpg',
  'images/cats/sub/2.jpg',
  'images/catsup.txt',
  'images/dogs/3.jpg',
  'readme'
].map((relpath) => ({ relpath, md5: '0'.repeat(32) }));
const out = (within?: string[]) => ({ path: 'data', source: 'data.dvc', within });
const paths = (within?: string[]) => narrowEntries(out(within), entries).map((e) => e.relpath);

describe('granular targets', () => {
  it('a folder selects what is below it, not its namesakes (cats is not catsup.txt)', () => {
    expect(paths(['images/cats'])).toEqual(['images/cats/1.jpg', 'images/cats/sub/2.jpg']);
    expect(isWithin('images/catsup.txt', ['images/cats'])).toBe(false);
  });

  it('a file selects itself; several targets add up; no target is the whole folder', () => {
    expect(paths(['readme', 'images/dogs'])).toEqual(['images/dogs/3.jpg', 'readme']);
    expect(paths(undefined)).toHaveLength(5);
  });

  it('a path the folder does not hold is refused in one sentence naming it', () => {
    expect(() => paths(['images/cats', 'images/birds'])).toThrow(
      'Input "targets" names data/images/birds, which the folder data (data.dvc) does not hold.'
    );
  });
});
