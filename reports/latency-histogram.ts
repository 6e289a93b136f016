import type { RunEntry } from './run-entry.js';
import { trendHistogram, type TrendValues } from '../engine/metrics/snapshot.js';

/** How many samples fell in [fromMs, toMs]. */
export interface HistogramBin { fromMs: number; toMs: number; count: number }

export interface LatencyHistogram {
  metric: string;
  title: string;
  count: number;
  bins: HistogramBin[];
  /** The whole run's p95, from the same HDR data. */
  p95Ms: number;
}

const BINS = 24;

/**
 * The share (0–100 %) of samples at or below `value`, read back from the HDR histogram's
 * percentile lookup by bisection: the library exposes no bucket iterator, and 30 halvings are
 * far finer than its 3 significant digits.
 */
function percentileAtOrBelow(valueAt: (percentile: number) => number, value: number): number {
  if (valueAt(100) <= value) return 100;
  let low = 0;
  let high = 100;
  for (let step = 0; step < 30; step += 1) {
    const middle = (low + high) / 2;
    if (valueAt(middle) <= value) low = middle;
    else high = middle;
  }
  return low;
}

/**
 * A trend's samples in log-spaced bins from its minimum to its maximum (latencies spread over
 * decades), from the HDR histogram in the summary. Counts are cumulative differences, so they
 * add up to the trend's count exactly.
 */
export function binsOf(values: TrendValues, trendScale: number, binCount = BINS): HistogramBin[] {
  const histogram = trendHistogram(values);
  if (!histogram || values.count === 0 || values.min === null || values.max === null) return [];
  const low = Math.max(values.min, 1);
  const high = Math.max(values.max, low);
  if (high / low < 1.001) return [{ fromMs: values.min / trendScale, toMs: values.max / trendScale, count: values.count }];
  const edges = Array.from({ length: binCount + 1 }, (_, index) => low * (high / low) ** (index / binCount));
  const valueAt = (percentile: number) => histogram.getValueAtPercentile(percentile);
  const cumulative = edges.map((edge, index) => (index === binCount ? values.count : Math.round((values.count * percentileAtOrBelow(valueAt, edge)) / 100)));
  return edges.slice(0, -1).map((edge, index) => ({
    fromMs: (index === 0 ? values.min as number : edge) / trendScale,
    toMs: (edges[index + 1] as number) / trendScale,
    count: (cumulative[index + 1] as number) - (index === 0 ? 0 : cumulative[index] as number),
  }));
}

const histogrammed: Array<[string, string]> = [
  ['chat_ttft', 'Time to first token'],
  ['chat_turn_duration', 'Turn duration (send to final chunk)'],
];

/** The latency histograms of one incident-profile; empty when the run kept no HDR data (k6). */
export function latencyHistograms(entry: RunEntry): LatencyHistogram[] {
  const snapshot = entry.snapshot;
  if (!snapshot) return [];
  return histogrammed.flatMap(([metric, title]) => {
    const series = snapshot.metrics[metric];
    if (series?.type !== 'trend' || series.total.count === 0) return [];
    const histogram = trendHistogram(series.total);
    const p95 = histogram ? Math.min(Math.max(histogram.getValueAtPercentile(95), series.total.min ?? 0), series.total.max ?? 0) : 0;
    return [{ metric, title, count: series.total.count, bins: binsOf(series.total, snapshot.trendScale), p95Ms: p95 / snapshot.trendScale }];
  });
}
