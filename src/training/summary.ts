/** The train action's job summary: what ran, how long, what it cost, the timeline and the metrics. */
import type { DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';
import { formatDuration } from '../duration.js';
import { keyValueTable, markdownTable, mermaid } from '../report.js';

export interface Phase {
  name: string;
  start: number;
  end: number;
}

export interface TrainReport {
  mode: string;
  jobName: string;
  status: string;
  instance?: string;
  seconds: number;
  billableSeconds?: number;
  spot?: boolean;
  modelData?: string;
  metrics: Record<string, number>;
  phases: Phase[];
  consoleUrl?: string;
}

/** SageMaker's secondary status transitions as phases. */
export function phasesOf(job: DescribeTrainingJobResponse): Phase[] {
  return (job.SecondaryStatusTransitions ?? [])
    .filter((t) => t.StartTime)
    .map((t) => ({
      name: t.Status ?? '?',
      start: t.StartTime!.valueOf(),
      end: (t.EndTime ?? t.StartTime!).valueOf()
    }));
}

export function timelineChart(phases: Phase[]): string {
  if (!phases.length) return '';
  const origin = phases[0].start;
  const lines = ['gantt', '  title Training timeline (seconds)', '  dateFormat X', '  axisFormat %s'];
  for (const p of phases) {
    const start = Math.round((p.start - origin) / 1000);
    const end = Math.max(start + 1, Math.round((p.end - origin) / 1000));
    lines.push(`  ${p.name.replace(/:/g, ' ')} : ${start}, ${end}`);
  }
  return mermaid(lines.join('\n'));
}

export function trainSummary(r: TrainReport): string {
  const saving =
    r.spot && r.billableSeconds !== undefined && r.seconds > 0
      ? ` (spot saved ${Math.round((1 - r.billableSeconds / r.seconds) * 100)}%)`
      : '';
  let md = `## Training ${r.status === 'Completed' ? 'completed' : r.status.toLowerCase()}: ${r.jobName}\n\n`;
  md += keyValueTable([
    ['Mode', r.mode],
    ['Job', r.consoleUrl ? `[${r.jobName}](${r.consoleUrl})` : r.jobName],
    ['Status', r.status],
    ['Instance', r.instance],
    ['Duration', formatDuration(r.seconds)],
    ['Billable', r.billableSeconds !== undefined ? `${r.billableSeconds}s${saving}` : undefined],
    ['Model', r.modelData]
  ]);
  md += '\n' + timelineChart(r.phases);
  const metrics = Object.entries(r.metrics);
  if (metrics.length) md += '\n### Final metrics\n\n' + markdownTable(['Metric', 'Value'], metrics);
  return md;
}
