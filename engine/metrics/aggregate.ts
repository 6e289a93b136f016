import type { Histogram } from 'hdr-histogram-js';
import type { MetricType } from './definitions.js';
import { trendHistogram, type CounterValues, type GaugeValues, type MetricValues, type RateValues, type TrendValues } from './snapshot.js';

export type AggregationName = 'avg' | 'min' | 'max' | 'med' | 'p' | 'rate' | 'count' | 'value';
/** An aggregation as k6 names it: `p` carries its percentile (0–100), the others have none. */
export interface Aggregation { aggregation: AggregationName; percentile: number | null }

export const allowedAggregations: Readonly<Record<MetricType, readonly string[]>> = {
  trend: ['avg', 'min', 'max', 'med', 'p(N)'],
  rate: ['rate'],
  counter: ['count', 'rate'],
  gauge: ['value'],
};

const aggregationPattern = /^(avg|min|max|med|rate|count|value|p\(\s*(\d+(?:\.\d+)?)\s*\))$/;

/** Reads `avg`, `p(99.9)`, `rate`…; null when the text names no aggregation. */
export function parseAggregation(text: string): Aggregation | null {
  const match = aggregationPattern.exec(text.trim());
  if (!match?.[1]) return null;
  if (match[2] === undefined) return { aggregation: match[1] as AggregationName, percentile: null };
  const percentile = Number(match[2]);
  return percentile <= 100 ? { aggregation: 'p', percentile } : null;
}

export function aggregationLabel(a: Aggregation): string {
  return a.aggregation === 'p' ? `p(${a.percentile})` : a.aggregation;
}

export function aggregationFits(type: MetricType, a: Aggregation): boolean {
  const name = a.aggregation === 'p' ? 'p(N)' : a.aggregation;
  return allowedAggregations[type].includes(name);
}

/** A trend's statistics, live (a recorder's histogram) or from a snapshot; integers × scale. */
export interface TrendView { count: number; sum: number; min: number | null; max: number | null; histogram: Histogram | null }

export function trendView(values: TrendValues): TrendView {
  return { count: values.count, sum: values.sum, min: values.min, max: values.max, histogram: trendHistogram(values) };
}

/**
 * A trend aggregation in the metric's unit. An empty trend gives 0 for every aggregation, as
 * k6's TrendSink does (metrics/sink.go: P, Min, Max and Avg of an empty sink are 0).
 * HDR percentiles are clamped to the exact min and max, which a bucket's upper edge may pass.
 */
export function trendAggregate(view: TrendView, a: Aggregation, scale: number): number {
  if (view.count === 0 || view.min === null || view.max === null) return 0;
  switch (a.aggregation) {
    case 'avg': return view.sum / view.count / scale;
    case 'min': return view.min / scale;
    case 'max': return view.max / scale;
    case 'med':
    case 'p': {
      const percentile = a.aggregation === 'med' ? 50 : (a.percentile ?? 0);
      const raw = view.histogram ? view.histogram.getValueAtPercentile(percentile) : view.max;
      return Math.min(Math.max(raw, view.min), view.max) / scale;
    }
    default: throw new Error(`aggregation ${aggregationLabel(a)} does not apply to a trend`);
  }
}

export interface AggregateContext {
  /** The span the values cover (the run, or one window), for a counter's per-second rate. */
  durationMs: number;
  trendScale: number;
}

/**
 * One aggregation of one metric's values. Null when it has no value: a rate with no samples
 * (k6 leaves `rate` out of an empty Rate sink, see thresholds.go, so its threshold is not run).
 */
export function aggregate(type: MetricType, values: MetricValues, a: Aggregation, context: AggregateContext): number | null {
  if (!aggregationFits(type, a)) {
    throw new Error(`aggregation ${aggregationLabel(a)} does not apply to a ${type}; a ${type} allows: ${allowedAggregations[type].join(', ')}`);
  }
  switch (type) {
    case 'trend': return trendAggregate(trendView(values as TrendValues), a, context.trendScale);
    case 'rate': {
      const rate = values as RateValues;
      return rate.total === 0 ? null : rate.hits / rate.total;
    }
    case 'counter': {
      const counter = values as CounterValues;
      if (a.aggregation === 'count') return counter.sum;
      return context.durationMs > 0 ? counter.sum / (context.durationMs / 1000) : 0;
    }
    case 'gauge': return (values as GaugeValues).last ?? 0;
  }
}

/** Whether these values hold at least one sample. */
export function hasSamples(type: MetricType, values: MetricValues): boolean {
  switch (type) {
    case 'trend': return (values as TrendValues).count > 0;
    case 'rate': return (values as RateValues).total > 0;
    case 'counter': return (values as CounterValues).samples > 0;
    case 'gauge': return (values as GaugeValues).samples > 0;
  }
}
