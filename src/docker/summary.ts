/** Job summaries of build-image and test-in-docker. */
import { formatDuration } from '../duration.js';
import { formatBytes, keyValueTable, markdownTable, mermaid } from '../report.js';
import { BUILDER_NAMES } from './build.js';
import type { TestContainerResult } from './container.js';
import type { BuildResult } from './image.js';
import { testTitle, type JUnitReport, type TestCase } from './junit.js';

const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

export function buildSummary(result: BuildResult): string {
  const seconds = (name: string) => {
    const s = result.timeline.find((t) => t.step === name);
    return s ? formatDuration((s.end - s.start) / 1000) : undefined;
  };
  const repo = result.ecrRepository;
  const parts = [
    `## build-image: ${code(result.push ? result.imageUri : result.ref)}\n`,
    keyValueTable([
      ['Image URI (test and deploy this)', result.push ? code(result.imageUri) : 'not pushed'],
      ['Digest', code(result.digest)],
      ['Image ID', code(result.image.id)],
      ['Builder', BUILDER_NAMES[result.builder]],
      ['Docker', `client ${result.versions.client}, engine ${result.versions.server}`],
      [
        'Size',
        `${formatBytes(result.image.size)} in the engine${result.push?.size ? `, ${formatBytes(result.push.size)} compressed in the registry` : ''}`
      ],
      ['Build', seconds('build')],
      ['Push', seconds('push')],
      [
        'Repository',
        repo
          ? `${repo.name} (${repo.created ? 'created now, ' : ''}tags ${repo.mutability.toLowerCase().replace(/_/g, ' ')}${repo.scanOnPush ? ', scan on push' : ''})`
          : result.push
            ? result.repository
            : undefined
      ]
    ])
  ];
  if (result.push) {
    parts.push(
      '\n### Tags\n',
      markdownTable(
        ['Tag', 'Outcome', 'Digest'],
        result.push.tags.map((t) => [
          code(t.tag),
          t.note ? `${t.outcome} (${t.note})` : t.outcome,
          t.digest ? code(t.digest) : '-'
        ])
      )
    );
  } else {
    parts.push(
      `\nNot pushed (push: false): the image stays in the local engine as ${result.refs.map(code).join(', ')}.\n`
    );
  }
  const labels = Object.entries(result.image.labels);
  if (labels.length) {
    parts.push(
      `\n<details><summary>${labels.length} labels</summary>\n\n`,
      markdownTable(
        ['Label', 'Value'],
        labels.map(([k, v]) => [code(k), v])
      ),
      '\n</details>\n'
    );
  }
  if (result.timeline.length > 1) {
    const origin = result.timeline[0].start;
    const rows = result.timeline.map(
      (t) => `  ${t.step} :done, ${t.start - origin}, ${Math.max(t.end - origin, t.start - origin + 1)}`
    );
    parts.push(
      '\n',
      mermaid(['gantt', '  dateFormat x', '  axisFormat %M:%S', '  section build-image', ...rows].join('\n'))
    );
  }
  return parts.join('');
}

function failureRow(c: TestCase, file?: string): unknown[] {
  return [code(testTitle(c)), c.status, file ?? '-', (c.message ?? '').split('\n')[0].slice(0, 200)];
}

export function testSummary(
  spec: { image: string; command: string; network: string },
  result: TestContainerResult,
  report: JUnitReport | undefined,
  files: Map<TestCase, string | undefined>
): string {
  const outcome = result.timedOut
    ? 'timed out'
    : result.cancelled
      ? 'cancelled'
      : result.exitCode === 0
        ? 'passed'
        : `failed (exit code ${result.exitCode})`;
  const parts = [
    `## test-in-docker: ${outcome}\n`,
    keyValueTable([
      ['Image', code(spec.image)],
      ['Command', code(spec.command)],
      ['Working directory', result.workdir ? code(result.workdir) : "the image's"],
      ['Network', spec.network],
      ['Exit code', result.exitCode],
      ['Duration', formatDuration(result.seconds)],
      [
        'Tests',
        report
          ? `${report.tests}: ${report.passed} passed, ${report.failed} failed, ${report.errors} errors, ${report.skipped} skipped`
          : result.reportPath
            ? `no report at ${code(result.reportPath)}`
            : undefined
      ]
    ])
  ];
  if (report && report.tests) {
    const slices = [
      ['passed', report.passed],
      ['failed', report.failed],
      ['errors', report.errors],
      ['skipped', report.skipped]
    ].filter(([, n]) => Number(n) > 0);
    parts.push(
      '\n',
      mermaid(
        [`pie showData title ${report.tests} tests`, ...slices.map(([k, n]) => `  "${k}" : ${n}`)].join('\n')
      )
    );
    const failing = report.cases.filter((c) => c.status === 'failed' || c.status === 'error');
    if (failing.length) {
      parts.push(
        '\n### Failing tests\n',
        markdownTable(
          ['Test', 'Outcome', 'File', 'Message'],
          failing.map((c) => failureRow(c, files.get(c)))
        )
      );
    }
    const slowest = [...report.cases].sort((a, b) => b.seconds - a.seconds).slice(0, 5);
    if (report.tests > 5) {
      parts.push(
        '\n<details><summary>Slowest tests</summary>\n\n',
        markdownTable(
          ['Test', 'Seconds'],
          slowest.map((c) => [code(testTitle(c)), c.seconds.toFixed(2)])
        ),
        '\n</details>\n'
      );
    }
  }
  return parts.join('');
}
