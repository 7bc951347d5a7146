import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultKind, inputKind, loadActions, unionInputs } from '../../scripts/generate.mjs';
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
      a: action('a', '  wait:\n    description: wait for it\n    default: "true"'),
      b: action('b', '  wait:\n    description: how long to wait\n    default: 10m')
    });
    expect(() => unionInputs(loadActions(dir))).toThrow(
      'Input "wait" means different things: a defaults it to "true" (boolean) but b defaults it to "10m" (duration). Rename one of them.'
    );
  });

  it('fails when inputs without defaults take a list in one action and a map in another', () => {
    const dir = actionsDir({
      a: action('a', '  labels:\n    description: Labels of the image, a map.'),
      b: action('b', '  labels:\n    description: The labels, a list.')
    });
    expect(() => unionInputs(loadActions(dir), {})).toThrow(
      'Input "labels" means different things: a takes a map but b takes a list. Rename one of them.'
    );
    expect(unionInputs(loadActions(dir), { labels: 'both are the contract' }).get('labels')!.users).toEqual([
      'a',
      'b'
    ]);
    expect(inputKind({ description: 'x', default: '10m' })).toBe('duration');
  });

  it('allows different defaults of one kind: each action applies its own', () => {
    const dir = actionsDir({
      a: action('a', '  instance-type:\n    description: hosting instance\n    default: ml.m5.large'),
      b: action('b', '  instance-type:\n    description: training instance\n    default: ml.m5.xlarge')
    });
    expect(unionInputs(loadActions(dir)).get('instance-type')!.users).toEqual(['a', 'b']);
    expect(defaultKind('15m')).toBe('duration');
    expect(defaultKind('10%')).toBe('percent');
    expect(defaultKind('')).toBeUndefined();
  });

  it('refuses an action.yml without descriptions or with the wrong runtime', () => {
    const dir = actionsDir({ c: action('c', '  x:\n    default: 1').replace('node24', 'node20') });
    expect(() => loadActions(dir)).toThrow('must declare runs.using: node24; input "x" needs a description.');
  });
});
