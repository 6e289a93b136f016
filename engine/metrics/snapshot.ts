import type { Histogram } from 'hdr-histogram-js';
import type { MetricContains, MetricType } from './definitions.js';
import { createHistogram, decodeHistogram, encodeHistogram } from './hdr.js';

export const SNAPSHOT_FORMAT = 'gameday-metrics/1';

/**
 * A trend's samples. `sum`, `min`, `max` and the histogram hold value × `trendScale` as integers,
 * so merged sums stay exact; `hdr` is the compressed base64 HDR histogram (null when empty).
 */
export interface TrendValues { count: number; sum: number; min: number | null; max: number | null; hdr: string | null }
export interface RateValues { hits: number; total: number }
/** `samples` counts the adds, so a window in which a counter was touched "has samples" even if it added 0. */
export interface CounterValues { sum: number; samples: number }
export interface GaugeValues { last: number | null; lastAt: number | null; min: number | null; max: number | null; samples: number }

export type Windowed<V> = V & { index: number };
interface Series<T extends MetricType, V> {
  type: T;
  contains: MetricContains;
  total: V;
  /** Only windows that have samples, sorted by index; window i covers [i·windowMs, (i+1)·windowMs) from the start. */
  windows: Array<Windowed<V>>;
}
export type MetricSeries =
  | Series<'trend', TrendValues>
  | Series<'rate', RateValues>
  | Series<'counter', CounterValues>
  | Series<'gauge', GaugeValues>;
export type MetricValues = TrendValues | RateValues | CounterValues | GaugeValues;

export interface MetricsSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  /** Epoch ms (on the recorder's clock) of the run start and of the snapshot. */
  startedAt: number;
  endedAt: number;
  windowMs: number;
  trendScale: number;
  metrics: Record<string, MetricSeries>;
}

const decoded = new WeakMap<TrendValues, Histogram>();

/** The histogram of a trend's values, decoded once per values object; null when empty. */
export function trendHistogram(values: TrendValues): Histogram | null {
  if (values.hdr === null) return null;
  let histogram = decoded.get(values);
  if (!histogram) {
    histogram = decodeHistogram(values.hdr);
    decoded.set(values, histogram);
  }
  return histogram;
}

const minOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
const maxOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.max(a, b));

export function mergeTrend(a: TrendValues, b: TrendValues): TrendValues {
  const merged = createHistogram('dense');
  for (const part of [a, b]) {
    const histogram = trendHistogram(part);
    if (histogram) merged.add(histogram);
  }
  const count = a.count + b.count;
  return { count, sum: a.sum + b.sum, min: minOf(a.min, b.min), max: maxOf(a.max, b.max), hdr: count > 0 ? encodeHistogram(merged) : null };
}

export function mergeRate(a: RateValues, b: RateValues): RateValues {
  return { hits: a.hits + b.hits, total: a.total + b.total };
}

export function mergeCounter(a: CounterValues, b: CounterValues): CounterValues {
  return { sum: a.sum + b.sum, samples: a.samples + b.samples };
}

/** Two generators' gauges: the later sample is the value (b wins a tie). */
export function mergeGauge(a: GaugeValues, b: GaugeValues): GaugeValues {
  const later = (a.lastAt ?? -Infinity) > (b.lastAt ?? -Infinity) ? a : b;
  return { last: later.last, lastAt: later.lastAt, min: minOf(a.min, b.min), max: maxOf(a.max, b.max), samples: a.samples + b.samples };
}

function mergeWindows<V>(a: Array<Windowed<V>>, b: Array<Windowed<V>>, merge: (x: V, y: V) => V): Array<Windowed<V>> {
  const byIndex = new Map<number, Windowed<V>>();
  for (const window of [...a, ...b]) {
    const existing = byIndex.get(window.index);
    byIndex.set(window.index, existing ? { ...merge(existing, window), index: window.index } : window);
  }
  return [...byIndex.values()].sort((x, y) => x.index - y.index);
}

function mergeSeries(name: string, a: MetricSeries, b: MetricSeries): MetricSeries {
  if (a.type !== b.type || a.contains !== b.contains) {
    throw new Error(`cannot merge metric ${name}: it is a ${a.type} (${a.contains}) in one snapshot and a ${b.type} (${b.contains}) in the other`);
  }
  const combine = <V>(x: Series<MetricType, V>, y: Series<MetricType, V>, merge: (p: V, q: V) => V) => ({
    type: x.type, contains: x.contains, total: merge(x.total, y.total), windows: mergeWindows(x.windows, y.windows, merge),
  });
  switch (a.type) {
    case 'trend': return combine(a, b as typeof a, mergeTrend) as MetricSeries;
    case 'rate': return combine(a, b as typeof a, mergeRate) as MetricSeries;
    case 'counter': return combine(a, b as typeof a, mergeCounter) as MetricSeries;
    case 'gauge': return combine(a, b as typeof a, mergeGauge) as MetricSeries;
  }
}

/**
 * Combines the snapshots of two generators. Exact: HDR counts add bucket by bucket, so every
 * percentile of the merge equals the one of a single recorder that saw all samples. Windows are
 * matched by index, i.e. by time since each generator's own start.
 */
export function mergeSnapshots(a: MetricsSnapshot, b: MetricsSnapshot): MetricsSnapshot {
  for (const snapshot of [a, b]) {
    if (snapshot.format !== SNAPSHOT_FORMAT) throw new Error(`cannot merge a metrics snapshot of format "${String(snapshot.format)}"; expected "${SNAPSHOT_FORMAT}"`);
  }
  if (a.windowMs !== b.windowMs) throw new Error(`cannot merge snapshots with different window sizes (${a.windowMs} ms and ${b.windowMs} ms)`);
  if (a.trendScale !== b.trendScale) throw new Error(`cannot merge snapshots with different trend scales (${a.trendScale} and ${b.trendScale})`);
  const metrics: Record<string, MetricSeries> = { ...a.metrics };
  for (const [name, series] of Object.entries(b.metrics)) {
    const existing = metrics[name];
    metrics[name] = existing ? mergeSeries(name, existing, series) : series;
  }
  return {
    format: SNAPSHOT_FORMAT,
    startedAt: Math.min(a.startedAt, b.startedAt),
    endedAt: Math.max(a.endedAt, b.endedAt),
    windowMs: a.windowMs,
    trendScale: a.trendScale,
    metrics,
  };
}
