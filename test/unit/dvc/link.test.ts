/**
 * cache.type (DVC's link types): parsed and checked as dvc does, and each type places a cached object
 * in the workspace the way dvc leaves it: a hardlink shares the read-only object, a symlink points at
 * it, a copy stands alone; a type that cannot work there falls to the next.
 */
import { jest } from '@jest/globals';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, type DvcConfig } from '../../../src/dvc/config.js';
import { Linker, linkTypes, type LinkType } from '../../../src/dvc/link.js';
import { removeTempDirs, tempDir } from '../../helpers/dvc-repo.js';

afterAll(removeTempDirs);

const config = (type?: string): DvcConfig => ({
  root: '/repo',
  dvcDir: '/repo/.dvc',
  sections: type === undefined ? {} : { cache: { type } },
  files: ['.dvc/config']
});

describe('linkTypes (cache.type)', () => {
  it.each([
    [undefined, ['reflink', 'copy']],
    ['', ['reflink', 'copy']],
    ['hardlink', ['hardlink']],
    [' Hardlink , symlink,copy ', ['hardlink', 'symlink', 'copy']],
    ['symlink,symlink', ['symlink']]
  ])('%j gives %j', (type, expected) => {
    expect(linkTypes(config(type))).toEqual(expected);
  });

  it('refuses an unknown type in one sentence naming cache.type', () => {
    expect(() => linkTypes(config('hardlinks,copy'))).toThrow(ConfigError);
    expect(() => linkTypes(config('hardlinks,copy'))).toThrow(
      'cache.type in .dvc/config is "hardlinks,copy", but "hardlinks" is not a link type; use reflink, hardlink, symlink or copy, comma-separated in order of preference.'
    );
  });
});

/** A cache folder holding one read-only object, and an empty workspace folder. */
function setup(content = 'weights\n') {
  const root = tempDir('link');
  const cacheDir = path.join(root, 'cache');
  const workspace = path.join(root, 'ws');
  fs.mkdirSync(cacheDir);
  fs.mkdirSync(workspace);
  const source = path.join(cacheDir, 'object');
  fs.writeFileSync(source, content, { mode: 0o444 });
  const file = (name: string, isexec = false) => ({
    source,
    target: path.join(workspace, name),
    mode: isexec ? 0o755 : 0o644,
    isexec,
    size: Buffer.byteLength(content)
  });
  return { cacheDir, workspace, source, file };
}

const linker = (cacheDir: string, ...types: LinkType[]) => new Linker(cacheDir, types);

describe('Linker', () => {
  it('hardlink: the workspace file is the cached object, read-only, no second copy', async () => {
    const { cacheDir, workspace, source, file } = setup();
    const l = linker(cacheDir, 'hardlink', 'copy');
    expect(l.typeFor(workspace)).toBe('hardlink');
    expect(await l.install(file('model.bin'))).toBe('hardlink');
    const ws = fs.statSync(path.join(workspace, 'model.bin'));
    expect(ws.ino).toBe(fs.statSync(source).ino);
    expect(ws.nlink).toBe(2);
    expect(ws.mode & 0o777).toBe(0o444);
    expect(l.describe()).toBe('cache.type hardlink,copy: 1 hardlink');
    // No temporary file is left behind.
    expect(fs.readdirSync(workspace)).toEqual(['model.bin']);
  });

  it('hardlink of an isexec output gains the x bits and stays read-only', async () => {
    const { cacheDir, source, file } = setup();
    await linker(cacheDir, 'hardlink').install(file('run.sh', true));
    expect(fs.statSync(source).mode & 0o777).toBe(0o555);
  });

  it('hardlink of an empty object makes an empty file of its own (as dvc: link limits)', async () => {
    const { cacheDir, source, file } = setup('');
    const l = linker(cacheDir, 'hardlink');
    await l.install(file('empty'));
    const ws = fs.statSync(file('empty').target);
    expect(ws.ino).not.toBe(fs.statSync(source).ino);
    expect(ws.size).toBe(0);
    expect(ws.mode & 0o777).toBe(0o644);
  });

  it('symlink: the workspace file points at the cached object', async () => {
    const { cacheDir, workspace, source, file } = setup();
    const l = linker(cacheDir, 'symlink');
    expect(await l.install(file('model.bin'))).toBe('symlink');
    expect(fs.readlinkSync(path.join(workspace, 'model.bin'))).toBe(source);
    expect(fs.readFileSync(path.join(workspace, 'model.bin'), 'utf8')).toBe('weights\n');
  });

  it("copy: a file of its own with the caller's mode; the default types describe nothing", async () => {
    const { cacheDir, source, file } = setup();
    const l = linker(cacheDir, 'reflink', 'copy');
    const type = await l.install(file('model.bin'));
    const ws = fs.statSync(file('model.bin').target);
    // On a file system that clones (btrfs, XFS) reflink wins; elsewhere (ext4, tmpfs) a copy.
    expect(['reflink', 'copy']).toContain(type);
    expect(l.typeFor(path.dirname(file('x').target))).toBe(type);
    expect(ws.ino).not.toBe(fs.statSync(source).ino);
    expect(ws.mode & 0o777).toBe(0o644);
    if (type === 'copy') expect(l.describe()).toBeUndefined();
  });

  it('a type the probe found unworkable in a folder is not tried again for each file there', async () => {
    const { cacheDir, workspace, file } = setup();
    const l = linker(cacheDir, 'reflink', 'copy');
    if (l.typeFor(workspace) === 'reflink') return; // this file system clones: nothing falls
    const copyFile = jest.spyOn(fs.promises, 'copyFile');
    try {
      for (const name of ['a', 'b', 'c']) expect(await l.install(file(name))).toBe('copy');
      expect(copyFile).not.toHaveBeenCalled();
    } finally {
      copyFile.mockRestore();
    }
  });

  // A second device: /dev/shm (tmpfs) where the temp folder is elsewhere.
  const otherDevice = () => {
    if (!fs.existsSync('/dev/shm')) return undefined;
    const dir = fs.mkdtempSync('/dev/shm/link-test-');
    if (fs.statSync(dir).dev === fs.statSync(tempDir('dev')).dev) {
      fs.rmSync(dir, { recursive: true });
      return undefined;
    }
    return dir;
  };

  it('a hardlink across devices falls to the next type; with no next type it fails naming cache.type', async () => {
    const other = otherDevice();
    if (!other) return; // one device only here: nothing to cross
    try {
      const { cacheDir, file } = setup();
      const target = path.join(other, 'model.bin');
      const l = linker(cacheDir, 'hardlink', 'copy');
      expect(l.typeFor(other)).toBe('copy');
      expect(await l.install({ ...file('x'), target })).toBe('copy');
      expect(fs.readFileSync(target, 'utf8')).toBe('weights\n');
      const only = linker(cacheDir, 'hardlink');
      expect(only.typeFor(other)).toBe('hardlink');
      await expect(only.install({ ...file('x'), target: path.join(other, 'y.bin') })).rejects.toThrow(
        /could not be placed in the workspace with cache\.type hardlink \(.*EXDEV.*\); add copy to cache\.type/
      );
      expect(fs.readdirSync(other)).toEqual(['model.bin']);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});
