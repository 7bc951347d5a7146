import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadActions, unionInputs } from '../../scripts/generate.mjs';
import { ROOT } from '../helpers/bundle.js';

function actionsDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'actions-'));
  for (const [name, yml] of Object.entries(files)) {
    fs.mkdirSync(path.join(dir, name));
    fs.writeFileSync(path.join(dir, name, 'action.yml'), yml);
  }
  return dir;
}

const action = (name: string, inputs: string) =>
  `name: ${name}\ndescription: does ${name}\ninputs:\n${inputs}\noutputs:\n  status:\n    description: how it went\nruns:\n  using: node24\n  main: ../../dist/${name}/index.js\n`;

describe('generated files', () => {
  it('are in sync with the action.yml files (npm run generate)', () => {
    expect(() =>
      execFileSync(process.execPath, [path.join(ROOT, 'scripts/generate.mjs'), '--check'], { stdio: 'pipe' })
    ).not.toThrow();
  });

  it('the umbrella takes the union of inputs that agree', () => {
    const dir = actionsDir({
      a: action(
        'a',
        '  wait:\n    description: wait for it\n    default: "true"\n  region:\n    description: AWS region'
      ),
      b: action('b', '  wait:\n    description: wait until done\n    default: "true"')
    });
    const union = unionInputs(loadActions(dir));
    expect([...union.keys()]).toEqual(['wait', 'region']);
    expect(union.get('wait')!.users).toEqual(['a', 'b']);
  });

  it('fails when two actions give one input different meanings', () => {
    const dir = actionsDir({
      a: action('a', '  timeout:\n    description: how long\n    default: 30m'),
      b: action('b', '  timeout:\n    description: how long\n    default: 60m')
    });
    expect(() => unionInputs(loadActions(dir))).toThrow(
      'Input "timeout" means different things: a default it to "30m" but b defaults it to "60m". Rename one of them or make them agree.'
    );
  });

  it('refuses an action.yml without descriptions or with the wrong runtime', () => {
    const dir = actionsDir({ c: action('c', '  x:\n    default: 1').replace('node24', 'node20') });
    expect(() => loadActions(dir)).toThrow('must declare runs.using: node24; input "x" needs a description.');
  });
});
