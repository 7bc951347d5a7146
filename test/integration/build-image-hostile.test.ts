/**
 * build-image with hostile values, as the runner runs its bundle: label and build-arg values that
 * hold line breaks and workflow commands, and a build whose RUN step prints workflow commands. Docker
 * keeps such values, so they must keep working; what must not happen is that any of them starts a
 * workflow command in the log, the summary or the outputs. A fake Docker CLI (MLOPS_ACTIONS_DOCKER)
 * answers where no real build is needed; the real engine builds where it is.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBundle } from '../helpers/bundle.js';
import { docker } from '../helpers/docker.js';
import { removeLocalImages, uniqueName } from '../helpers/images.js';
import { obeyedCommands, plantedCommands } from '../helpers/workflow-commands.js';

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'build-image-hostile-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

const PLANTED = /planted|evil/;
const LABELS = [
  'org.example.note: |',
  '  first line',
  '  ::set-output name=image-uri::evil-label',
  '  ##[set-output name=digest;]evil-label-legacy',
  'org.example.team: "ml ##[error]planted-inline"',
  'org.example.spaced: "x\\n\\u00a0::warning::planted-after-a-no-break-space"'
].join('\n');
const BUILD_ARGS = 'NOTE: "one\\n::error::planted-arg"';

/** A Docker CLI that answers like buildx would, and prints hostile build output. */
function fakeDocker(dir: string): { binary: string; calls: () => string[][] } {
  const binary = path.join(dir, 'docker');
  const log = path.join(dir, 'calls.jsonl');
  const state = path.join(dir, 'labels.json');
  fs.writeFileSync(
    binary,
    `#!${process.execPath}
const fs = require('node:fs');
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify(args) + '\\n');
const out = (text) => process.stdout.write(text);
if (args[0] === 'version') out(JSON.stringify({ Client: { Version: '28.2.2' }, Server: { Version: '28.2.2' } }) + '\\n');
else if (args[0] === 'buildx' && args[1] === 'version') out('github.com/docker/buildx v0.26.1 1a8287f\\n');
else if (args[0] === 'buildx' && args[1] === 'build') {
  const labels = {};
  args.forEach((a, i) => { if (args[i - 1] === '--label') labels[a.slice(0, a.indexOf('='))] = a.slice(a.indexOf('=') + 1); });
  fs.writeFileSync(${JSON.stringify(state)}, JSON.stringify(labels));
  out('#5 [2/2] RUN echo\\n::set-output name=image-uri::evil-from-the-build\\n');
  out('  ##[set-output name=digest;]evil-legacy-from-the-build\\n');
  out('progress\\r::error::planted-after-a-carriage-return\\n');
  process.stderr.write('::add-mask::planted-mask\\n#5 DONE 0.1s\\n');
} else if (args[0] === 'image' && args[1] === 'inspect') {
  const labels = JSON.parse(fs.readFileSync(${JSON.stringify(state)}, 'utf8'));
  out(JSON.stringify({ Id: 'sha256:' + 'a'.repeat(64), Size: 1234, Config: { Labels: labels } }) + '\\n');
}
`,
    { mode: 0o755 }
  );
  return {
    binary,
    calls: () =>
      fs
        .readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as string[])
  };
}

describe('build-image with hostile labels, build args and build output', () => {
  it('the check reads the log as the runner does (so a pass means something)', () => {
    const run = (log: string, summary = '') => ({
      exitCode: 0,
      signal: null,
      outputs: {},
      summary,
      log,
      errors: []
    });
    expect(plantedCommands(run('ok\n::set-output name=a::evil'), PLANTED)).toHaveLength(1);
    expect(plantedCommands(run('a label ##[error]planted'), PLANTED)).toHaveLength(1);
    expect(plantedCommands(run('x\r\u00a0::error::planted'), PLANTED)).toHaveLength(1);
    expect(plantedCommands(run('::stop-commands::tok\n::error::planted\n::tok::\nafter'), PLANTED)).toEqual(
      []
    );
    expect(plantedCommands(run('::error::Input "tags" has "::error::planted"'), PLANTED)).toEqual([]);
    expect(plantedCommands(run('', '| a |\n::error::planted'), PLANTED)).toHaveLength(1);
  });

  it('keeps the values, and none of them (nor the build output) starts a workflow command', async () => {
    const workspace = fs.mkdtempSync(path.join(temp, 'workspace-'));
    fs.writeFileSync(path.join(workspace, 'Dockerfile'), 'FROM scratch\n');
    const fake = fakeDocker(fs.mkdtempSync(path.join(temp, 'docker-')));
    const run = await runBundle(
      'build-image',
      { repository: 'hostile', tags: 'v1', push: 'false', labels: LABELS, 'build-args': BUILD_ARGS },
      { workspace, env: { MLOPS_ACTIONS_DOCKER: fake.binary } }
    );
    if (run.exitCode !== 0) throw new Error(run.log);

    // Docker got the values as they were given, line breaks and all.
    const build = fake.calls().find((c) => c[1] === 'build')!;
    expect(build).toEqual(
      expect.arrayContaining([
        '--label',
        'org.example.note=first line\n::set-output name=image-uri::evil-label\n##[set-output name=digest;]evil-label-legacy\n',
        'org.example.team=ml ##[error]planted-inline',
        '--build-arg',
        'NOTE=one\n::error::planted-arg'
      ])
    );
    // Nothing planted is obeyed: not from the command line, the build output, the summary or the outputs.
    expect(plantedCommands(run, PLANTED)).toEqual([]);
    expect(obeyedCommands(run.log).filter((l) => !l.startsWith('::group::') && l !== '::endgroup::')).toEqual(
      []
    );
    // ...but all of it is shown: the command line on one line, quoted, and the build output as it came.
    expect(run.log).toContain(
      '--label "org.example.note=first line\\n::set-output name=image-uri::evil-label\\n##[set-output name=digest;]evil-label-legacy\\n"'
    );
    expect(run.log).toContain('--build-arg "NOTE=one\\n::error::planted-arg"');
    expect(run.log).toMatch(/^::set-output name=image-uri::evil-from-the-build$/m);
    expect(run.log).toContain('::add-mask::planted-mask');
    expect(run.outputs['image-uri']).toBe(`sha256:${'a'.repeat(64)}`);
    expect(run.outputs.digest).toBe(`sha256:${'a'.repeat(64)}`);
    expect(run.summary).toContain(
      '| `org.example.note` | first line<br>::set-output name=image-uri::evil-label<br>##[set-output name=digest;]evil-label-legacy<br> |'
    );
  });

  describe('on the real engine', () => {
    const name = uniqueName('hostile');
    afterAll(() => removeLocalImages(name));
    const workspace = fs.mkdtempSync(path.join(temp, 'real-'));
    fs.copyFileSync('/bin/busybox', path.join(workspace, 'busybox'));
    fs.writeFileSync(
      path.join(workspace, 'Dockerfile'),
      [
        'FROM scratch',
        'COPY busybox /busybox',
        'ARG NOTE',
        // A fresh step each run (not from the build cache), so its output is printed.
        `RUN ["/busybox", "sh", "-c", "echo \\"note: $NOTE\\" ${name}; echo ::set-output name=image-uri::evil-run; echo \\"##[error]planted-run\\""]`,
        ''
      ].join('\n')
    );

    it.each([
      ['the classic builder', 'docker', 'classic'],
      ['BuildKit in the daemon', '/usr/bin/docker', 'buildkit']
    ])('with %s: labels keep their line breaks and nothing is obeyed', async (_, binary, tag) => {
      const run = await runBundle(
        'build-image',
        {
          repository: name,
          tags: tag,
          push: 'false',
          network: 'none',
          labels: LABELS,
          'build-args': BUILD_ARGS
        },
        { workspace, env: { MLOPS_ACTIONS_DOCKER: binary }, timeoutMs: 300_000 }
      );
      if (run.exitCode !== 0) throw new Error(run.log);
      expect(plantedCommands(run, PLANTED)).toEqual([]);
      expect(run.log).toContain('note: one'); // the build arg reached the RUN step
      expect(run.log).toMatch(/^(#\d+ [\d.]+ )?::set-output name=image-uri::evil-run$/m); // shown, not obeyed
      const labels = JSON.parse(
        docker(['image', 'inspect', '--format', '{{json .Config.Labels}}', `${name}:${tag}`])
      ) as Record<string, string>;
      expect(labels['org.example.note']).toBe(
        'first line\n::set-output name=image-uri::evil-label\n##[set-output name=digest;]evil-label-legacy\n'
      );
      expect(run.outputs['image-uri']).toMatch(/^sha256:[0-9a-f]{64}$/);
    });
  });
});
