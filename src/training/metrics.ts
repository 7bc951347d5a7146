/** Metrics from training output: each MetricDefinition regex over the log lines, the last match wins. */

export function scanMetrics(
  lines: Iterable<string>,
  definitions: Record<string, string>
): Record<string, number> {
  const compiled = Object.entries(definitions).map(([name, regex]) => [name, new RegExp(regex)] as const);
  const metrics: Record<string, number> = {};
  for (const line of lines) {
    for (const [name, regex] of compiled) {
      const match = regex.exec(line);
      const value = match ? Number(match[1] ?? match[0]) : NaN;
      if (Number.isFinite(value)) metrics[name] = value;
    }
  }
  // In the order of the definitions, whatever order the lines came in.
  return Object.fromEntries(
    compiled.filter(([name]) => name in metrics).map(([name]) => [name, metrics[name]])
  );
}

/** Reads a metrics JSON object a command wrote, keeping numeric values (nested keys joined with dots). */
export function flattenMetrics(value: unknown, prefix = ''): Record<string, number> {
  const out: Record<string, number> = {};
  if (typeof value === 'number' && Number.isFinite(value)) out[prefix || 'value'] = value;
  else if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value))
      Object.assign(out, flattenMetrics(v, prefix ? `${prefix}.${k}` : k));
  }
  return out;
}
