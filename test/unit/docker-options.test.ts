/** Paths from build-image's inputs stay inside the workspace, symbolic links included. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { insideWorkspace } from '../../src/paths.js';

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'docker-options-'));
const workspace = path.join(temp, 'workspace');
const outside = path.join(temp, 'outside');
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

beforeAll(() => {
  fs.mkdirSync(path.join(outside, 'app'), { recursive: true });
  fs.writeFileSync(path.join(outside, 'Dockerfile'), 'FROM scratch\n');
  fs.mkdirSync(path.join(workspace, 'app'), { recursive: true });
  fs.symlinkSync(outside, path.join(workspace, 'out'));
  fs.symlinkSync(path.join(outside, 'Dockerfile'), path.join(workspace, 'Dockerfile.link'));
  fs.symlinkSync(path.join(workspace, 'app'), path.join(workspace, 'inner'));
  fs.symlinkSync(path.join(outside, 'gone'), path.join(workspace, 'dangling'));
});

const outsideError = (input: string, value: string) =>
  `Input "${input}" must be a path inside the workspace, but "${value}" leads outside it through a symbolic link.`;

describe('insideWorkspace', () => {
  it('resolves paths inside, and links that stay inside, to their real path', () => {
    const real = fs.realpathSync(workspace);
    expect(insideWorkspace('context', '.', workspace)).toBe(real);
    expect(insideWorkspace('context', 'app', workspace)).toBe(path.join(real, 'app'));
    expect(insideWorkspace('context', 'inner', workspace)).toBe(path.join(real, 'app'));
    expect(insideWorkspace('dockerfile', 'app/not/yet', workspace)).toBe(path.join(real, 'app/not/yet'));
    expect(insideWorkspace('context', '..workspace-like', workspace)).toBe(
      path.join(real, '..workspace-like')
    );
  });

  it.each([
    ['context', 'out'],
    ['context', 'out/app'],
    ['dockerfile', 'Dockerfile.link'],
    ['dockerfile', 'out/nope/Dockerfile'],
    ['dockerfile', 'inner/../out/Dockerfile']
  ])('refuses %s %j, which leads out through a link', (input, value) =>
    expect(() => insideWorkspace(input, value, workspace)).toThrow(outsideError(input, value))
  );

  it('refuses a path outside by name, and a line break', () => {
    expect(() => insideWorkspace('context', '../outside', workspace)).toThrow(
      'Input "context" must be a path inside the workspace, but "../outside" is outside it.'
    );
    expect(() => insideWorkspace('context', 'app\n::error::planted', workspace)).toThrow(
      'Input "context" must be a single line, but it holds a line break.'
    );
  });

  it('a dangling link resolves no further than its parent (what it names does not exist)', () => {
    expect(insideWorkspace('context', 'dangling', workspace)).toBe(
      path.join(fs.realpathSync(workspace), 'dangling')
    );
  });
});
