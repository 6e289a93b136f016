import type { Histogram } from 'hdr-histogram-js';
import { aggregate, aggregationFits, allowedAggregations, parseAggregation, trendAggregate, type TrendView } from './aggregate.js';
import type { MetricDefinition, MetricType } from './definitions.js';
import { createHistogram, encodeHistogram, TREND_SCALE } from './hdr.js';
import {
  SNAPSHOT_FORMAT,
  type CounterValues, type GaugeValues, type MetricSeries, type MetricsSnapshot, type MetricValues, type RateValues, type TrendValues,
} from './snapshot.js';

export { chatMetrics, type MetricContains, type MetricDefinition, type MetricType } from './definitions.js';
export { mergeSnapshots, type MetricSeries, type MetricsSnapshot, type MetricValues } from './snapshot.js';

export interface MetricSink {
  /** A trend sample, a counter increment or a gauge value; `at` is the sample time on the recorder's clock. */
  add(name: string, value: number, at?: number): void;
  /** A Rate sample: a hit (true) or a miss. */
  rate(name: string, hit: boolean, at?: number): void;
}

export interface RunMetricsOptions {
  /** The window every metric is also kept per; 10 s by default. */
  windowMs?: number;
  /** The clock samples are timed by; Date.now by default, so snapshots of several processes line up. */
  now?: () => number;
  /** The run's start on that clock (window 0 begins here); the construction time by default. */
  startedAt?: number;
}

interface TrendState extends TrendView { histogram: Histogram }
type State = TrendState | RateValues | CounterValues | GaugeValues;

interface Recorded {
  definition: Required<MetricDefinition>;
  total: State;
  windows: Map<number, State>;
}

const DEFAULT_WINDOW_MS = 10_000;

function emptyState(type: MetricType, histogram: 'dense' | 'sparse'): State {
  switch (type) {
    case 'trend': return { count: 0, sum: 0, min: null, max: null, histogram: createHistogram(histogram) };
    case 'rate': return { hits: 0, total: 0 };
    case 'counter': return { sum: 0, samples: 0 };
    case 'gauge': return { last: null, lastAt: null, min: null, max: null, samples: 0 };
  }
}

function record(type: MetricType, state: State, value: number, at: number): void {
  switch (type) {
    case 'trend': {
      const trend = state as TrendState;
      trend.count += 1;
      trend.sum += value;
      trend.min = trend.min === null ? value : Math.min(trend.min, value);
      trend.max = trend.max === null ? value : Math.max(trend.max, value);
      trend.histogram.recordValue(value);
      return;
    }
    case 'rate': {
      const rate = state as RateValues;
      rate.total += 1;
      rate.hits += value;
      return;
    }
    case 'counter': {
      const counter = state as CounterValues;
      counter.sum += value;
      counter.samples += 1;
      return;
    }
    case 'gauge': {
      const gauge = state as GaugeValues;
      gauge.last = value;
      gauge.lastAt = at;
      gauge.min = gauge.min === null ? value : Math.min(gauge.min, value);
      gauge.max = gauge.max === null ? value : Math.max(gauge.max, value);
      gauge.samples += 1;
    }
  }
}

function frozenValues(type: MetricType, state: State): MetricValues {
  if (type !== 'trend') return { ...state } as MetricValues;
  const { count, sum, min, max, histogram } = state as TrendState;
  const values: TrendValues = { count, sum, min, max, hdr: count > 0 ? encodeHistogram(histogram) : null };
  return values;
}

/**
 * The metrics of one run in one process: every metric whole-run and per window (by sample time
 * relative to the start). Trends go into HDR histograms, so snapshots of several generators merge
 * exactly (mergeSnapshots).
 */
export class RunMetrics implements MetricSink {
  readonly startedAt: number;
  readonly windowMs: number;
  private readonly now: () => number;
  private readonly recorded = new Map<string, Recorded>();

  constructor(definitions: readonly MetricDefinition[], options: RunMetricsOptions = {}) {
    this.now = options.now ?? Date.now;
    this.windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    if (!Number.isInteger(this.windowMs) || this.windowMs <= 0) throw new Error(`windowMs must be a positive whole number of ms, not ${this.windowMs}`);
    this.startedAt = options.startedAt ?? this.now();
    for (const definition of definitions) {
      if (this.recorded.has(definition.name)) throw new Error(`metric ${definition.name} is defined twice`);
      const full = { ...definition, contains: definition.contains ?? 'default' };
      this.recorded.set(definition.name, { definition: full, total: emptyState(definition.type, 'dense'), windows: new Map() });
    }
  }

  add(name: string, value: number, at?: number): void {
    const metric = this.metric(name);
    if (metric.definition.type === 'rate') throw new Error(`metric ${name} is a rate: record it with rate(name, hit)`);
    if (!Number.isFinite(value)) throw new Error(`metric ${name}: sample ${value} is not a finite number`);
    if (metric.definition.type === 'trend') {
      if (value < 0) throw new Error(`metric ${name}: trend sample ${value} is negative`);
      this.sample(metric, Math.round(value * TREND_SCALE), at);
    } else {
      this.sample(metric, value, at);
    }
  }

  rate(name: string, hit: boolean, at?: number): void {
    const metric = this.metric(name);
    if (metric.definition.type !== 'rate') throw new Error(`metric ${name} is a ${metric.definition.type}, not a rate: record it with add()`);
    this.sample(metric, hit ? 1 : 0, at);
  }

  /**
   * One live aggregation, in k6's words ('p(95)', 'count', 'rate'…), for a progress line.
   * Null while a rate has no samples.
   */
  stat(name: string, aggregationText: string): number | null {
    const metric = this.metric(name);
    const { type } = metric.definition;
    const aggregation = parseAggregation(aggregationText);
    if (!aggregation || !aggregationFits(type, aggregation)) {
      throw new Error(`"${aggregationText}" is not an aggregation of ${name}, a ${type}; a ${type} allows: ${allowedAggregations[type].join(', ')}`);
    }
    if (type === 'trend') return trendAggregate(metric.total as TrendState, aggregation, TREND_SCALE);
    return aggregate(type, metric.total as MetricValues, aggregation, { durationMs: this.now() - this.startedAt, trendScale: TREND_SCALE });
  }

  snapshot(): MetricsSnapshot {
    const metrics: Record<string, MetricSeries> = {};
    for (const [name, { definition, total, windows }] of this.recorded) {
      const indexes = [...windows.keys()].sort((a, b) => a - b);
      metrics[name] = {
        type: definition.type,
        contains: definition.contains,
        total: frozenValues(definition.type, total),
        windows: indexes.map((index) => ({ ...frozenValues(definition.type, windows.get(index) as State), index })),
      } as MetricSeries;
    }
    return { format: SNAPSHOT_FORMAT, startedAt: this.startedAt, endedAt: this.now(), windowMs: this.windowMs, trendScale: TREND_SCALE, metrics };
  }

  private metric(name: string): Recorded {
    const metric = this.recorded.get(name);
    if (!metric) throw new Error(`unknown metric ${name}: define it in the definitions given to RunMetrics`);
    return metric;
  }

  private sample(metric: Recorded, value: number, at: number | undefined): void {
    const time = at ?? this.now();
    const { type } = metric.definition;
    record(type, metric.total, value, time);
    const index = Math.max(0, Math.floor((time - this.startedAt) / this.windowMs));
    let window = metric.windows.get(index);
    if (!window) {
      window = emptyState(type, 'sparse');
      metric.windows.set(index, window);
    }
    record(type, window, value, time);
  }
}
