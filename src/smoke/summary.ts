/**
 * The job summary of smoke-test: what was sent, per-variant (SageMaker) or per-executed-version
 * (Lambda) counts and latency, the first failures.
 */
import { formatDuration } from '../duration.js';
import { keyValueTable, markdownTable, mermaid } from '../report.js';
import { percentText, type Limits } from './judge.js';
import type { LambdaTarget } from './lambda.js';
import { routingText, type Routing } from './lambda-ready.js';
import type { Stats } from './stats.js';

export interface SummaryInput {
  endpointName?: string;
  /** The Lambda alias tested instead of an endpoint, and its routing when it was read. */
  lambda?: LambdaTarget & { routing?: Routing };
  targetVariant?: string;
  cases: number;
  count?: number;
  durationSeconds?: number;
  concurrency: number;
  limits: Limits;
  stats: Stats;
  seconds: number;
  failure?: string;
}

const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

/** A body for a table cell: its text cut short, or its size when it is not text. */
export function bodyPreview(body: Uint8Array, contentType: string, max = 80): string {
  const text = Buffer.from(body).toString('utf8');
  // eslint-disable-next-line no-control-regex
  if (text.includes('\uFFFD') || /[\x00-\x08\x0e-\x1f]/.test(text))
    return `(${body.length} bytes of ${contentType})`;
  const flat = text.replace(/\s+/g, ' ');
  return code(flat.length > max ? `${flat.slice(0, max - 3)}...` : flat);
}

/** A variant name as a Mermaid label: nothing that closes the quotes or the line. */
function label(name: string): string {
  return name.replace(/[^\w .()-]/g, '_');
}

export function smokeSummary(s: SummaryInput): string {
  const { stats, limits } = s;
  const sent =
    s.durationSeconds !== undefined
      ? `for ${formatDuration(s.durationSeconds)}`
      : `${s.count} time${s.count === 1 ? '' : 's'}`;
  const { lambda } = s;
  const target = lambda ? `${lambda.functionName}:${lambda.alias}` : (s.endpointName ?? '');
  const noun = lambda ? 'Version' : 'Variant';
  const parts = [
    `## smoke-test: ${s.failure ? 'failed' : 'passed'} on ${code(target)}\n`,
    keyValueTable([
      ['Endpoint', s.endpointName ? code(s.endpointName) : undefined],
      ['Target variant', s.targetVariant ? code(s.targetVariant) : undefined],
      ['Function', lambda ? code(lambda.functionName) : undefined],
      [
        'Alias',
        lambda
          ? `${code(lambda.alias)}${lambda.routing ? `: ${routingText(lambda.routing)}` : ''}`
          : undefined
      ],
      [
        'Event',
        lambda
          ? lambda.event === 'raw'
            ? 'raw (the request body is the payload)'
            : 'api-gateway (REST proxy event; statusCode and body unwrapped)'
          : undefined
      ],
      [
        'Sent',
        `${stats.requests} requests in ${formatDuration(s.seconds)}: ${s.cases} cases, ${sent}, ${s.concurrency} at a time`
      ],
      [
        'Errors',
        `${stats.errors} (${percentText(stats.errorRate)}; max-error-rate ${percentText(limits.maxErrorRate)})`
      ],
      [
        'Latency',
        `p50 ${stats.p50Ms}ms, p95 ${stats.p95Ms}ms${limits.maxP95Ms !== undefined ? ` (max-p95-latency ${Math.round(limits.maxP95Ms)}ms)` : ''}`
      ]
    ])
  ];
  const variants = Object.entries(stats.variants);
  if (variants.length) {
    parts.push(
      lambda ? '\n### Executed versions\n' : '\n### Variants\n',
      markdownTable(
        [noun, 'Requests', 'Errors', 'p50', 'p95'],
        variants.map(([name, v]) => [code(name), v.requests, v.errors, `${v.p50Ms}ms`, `${v.p95Ms}ms`])
      ),
      '\n',
      mermaid(
        [
          `pie showData title Traffic observed${lambda ? ' by version' : ''}`,
          ...variants.map(([name, v]) => `  "${label(name)}" : ${v.requests}`)
        ].join('\n')
      )
    );
  }
  if (stats.failures.length) {
    parts.push(
      `\n### First failing requests (${stats.failures.length} of ${stats.errors})\n`,
      markdownTable(
        ['Request', noun, 'Why', 'Body'],
        stats.failures.map((f) => [
          f.case.name,
          f.variant ? code(f.variant) : '-',
          f.verdict.why,
          bodyPreview(f.case.body, f.case.contentType)
        ])
      )
    );
  }
  return parts.join('');
}
