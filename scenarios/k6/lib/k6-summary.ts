/** handleSummary: k6's summary data as JSON at SUMMARY_PATH (gameday normalises it), and a short text on stdout. */

interface SummaryMetric {
  type: string;
  contains?: string;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface SummaryData {
  metrics: Record<string, SummaryMetric>;
  state?: { testRunDurationMs?: number };
}

function valueText(metric: SummaryMetric): string {
  const { values } = metric;
  const round = (value: number | undefined) => (value === undefined ? '-' : String(Math.round(value * 100) / 100));
  if (metric.type === 'trend') {
    const unit = metric.contains === 'time' ? 'ms' : '';
    return ['avg', 'med', 'p(95)', 'max'].map((key) => `${key}=${round(values[key])}${unit}`).join(' ');
  }
  if (metric.type === 'rate') return `rate=${round(values.rate)}`;
  if (metric.type === 'counter') return `count=${round(values.count)}`;
  return `value=${round(values.value)}`;
}

/** One line per metric with a threshold (✓/✗ each), then the other metrics. */
export function summaryText(incident: string, data: SummaryData): string {
  const judged: string[] = [];
  const others: string[] = [];
  let failed = 0;
  for (const name of Object.keys(data.metrics).sort()) {
    const metric = data.metrics[name] as SummaryMetric;
    const thresholds = Object.entries(metric.thresholds ?? {});
    if (thresholds.length === 0) {
      others.push(`  ${name}: ${valueText(metric)}`);
      continue;
    }
    failed += thresholds.filter(([, result]) => !result.ok).length;
    const marks = thresholds.map(([expression, result]) => `${result.ok ? '✓' : '✗'} ${expression}`).join(', ');
    judged.push(`  ${name}: ${valueText(metric)}  ${marks}`);
  }
  const seconds = Math.round((data.state?.testRunDurationMs ?? 0) / 100) / 10;
  const verdict = failed === 0 ? 'every gate held' : `${failed} threshold(s) failed`;
  return [`gameday ${incident} (k6, ${seconds} s): ${verdict}`, 'gate:', ...judged, 'other metrics:', ...others, ''].join('\n');
}

export function handleSummaryFor(incident: string, summaryPath: string) {
  return (data: SummaryData): Record<string, string> => ({
    [summaryPath]: JSON.stringify(data, null, 2),
    stdout: summaryText(incident, data),
  });
}
