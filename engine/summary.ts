import { aggregate, hasSamples, parseAggregation, type Aggregation } from './metrics/aggregate.js';
import type { MetricContains, MetricType } from './metrics/definitions.js';
import type { MetricSeries, MetricsSnapshot, RateValues, GaugeValues } from './metrics/snapshot.js';
import { parseThreshold, type ThresholdResult } from './thresholds.js';

export interface K6MetricSummary {
  type: MetricType;
  /** k6 also has 'data' (data_sent, data_received). */
  contains: MetricContains | 'data';
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

export const SUMMARY_FORMAT = 'gameday-summary/1';

/** Our part of summary.json: the caller's `extra`, the gate results, and (built-in engine) the metrics. */
export interface GamedaySummary {
  [extra: string]: unknown;
  format: typeof SUMMARY_FORMAT;
  engine: 'builtin' | 'k6';
  thresholds: ThresholdResult[];
  /** The encoded HDR histograms and windows, to redraw per-window charts and merge; null from k6. */
  snapshot: MetricsSnapshot | null;
}

/** k6's handleSummary(data) shape, plus `gameday`. */
export interface K6Summary {
  metrics: Record<string, K6MetricSummary>;
  state: { isStdOutTTY: boolean; isStdErrTTY: boolean; testRunDurationMs: number };
  options: { summaryTrendStats: string[]; summaryTimeUnit: string; noColor: boolean };
  gameday: GamedaySummary;
}

const trendStats = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];
const reservedKeys = ['format', 'engine', 'thresholds', 'snapshot'];

function pick(extra: object): Record<string, unknown> {
  const clash = Object.keys(extra).filter((key) => reservedKeys.includes(key));
  if (clash.length > 0) throw new Error(`summary extra may not set ${clash.join(', ')}: the summary writes them itself`);
  return { ...extra };
}

/** How a threshold is keyed in `metrics.<name>.thresholds`: its expression, plus the window if it has one. */
export function thresholdKey(result: ThresholdResult): string {
  if (!result.windowed) return result.expression;
  const ms = result.windowed.windowMs;
  const size = ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`;
  return `${result.expression} (every ${size} window)`;
}

function valuesOf(series: MetricSeries, stats: string[], snapshot: MetricsSnapshot): Record<string, number> {
  const context = { durationMs: snapshot.endedAt - snapshot.startedAt, trendScale: snapshot.trendScale };
  const of = (text: string) => aggregate(series.type, series.total, parseAggregation(text) as Aggregation, context) ?? 0;
  switch (series.type) {
    case 'trend': return Object.fromEntries(stats.map((stat) => [stat, of(stat)]));
    case 'rate': {
      const { hits, total } = series.total as RateValues;
      return { rate: of('rate'), passes: hits, fails: total - hits };
    }
    case 'counter': return { count: of('count'), rate: of('rate') };
    case 'gauge': {
      const { min, max } = series.total as GaugeValues;
      return { value: of('value'), min: min ?? 0, max: max ?? 0 };
    }
  }
}

/**
 * The summary of a built-in engine run, in k6's handleSummary shape: a metric appears when it
 * has samples or thresholds (as in k6); trends in their unit (ms for time), with the percentiles
 * the thresholds use added to k6's default stats.
 */
export function toK6Summary(snapshot: MetricsSnapshot, results: ThresholdResult[], extra: object): K6Summary {
  const metrics: Record<string, K6MetricSummary> = {};
  for (const [name, series] of Object.entries(snapshot.metrics)) {
    const own = results.filter((result) => result.metric === name);
    if (own.length === 0 && !hasSamples(series.type, series.total)) continue;
    const thresholdPercentiles = own
      .map((result) => parseThreshold(result.expression))
      .filter((parsed) => parsed.aggregation === 'p')
      .map((parsed) => `p(${parsed.percentile})`);
    const stats = [...new Set([...trendStats, ...thresholdPercentiles])];
    metrics[name] = {
      type: series.type,
      contains: series.contains,
      values: valuesOf(series, stats, snapshot),
      ...(own.length > 0 ? { thresholds: Object.fromEntries(own.map((result) => [thresholdKey(result), { ok: result.ok }])) } : {}),
    };
  }
  return {
    metrics,
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: snapshot.endedAt - snapshot.startedAt },
    options: { summaryTrendStats: trendStats, summaryTimeUnit: '', noColor: false },
    gameday: { ...pick(extra), format: SUMMARY_FORMAT, engine: 'builtin', thresholds: results, snapshot },
  };
}

const metricTypes: readonly string[] = ['trend', 'rate', 'counter', 'gauge'];
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function readMetric(name: string, raw: unknown): K6MetricSummary {
  if (!isObject(raw) || !isObject(raw.values) || typeof raw.type !== 'string') {
    const hint = isObject(raw) && !('values' in raw) ? ' It looks like `k6 run --summary-export` output; write JSON.stringify(data) from handleSummary instead.' : '';
    throw new Error(`not a k6 handleSummary JSON: metrics.${name} has no type and values.${hint}`);
  }
  if (!metricTypes.includes(raw.type)) throw new Error(`not a k6 handleSummary JSON: metrics.${name} has the unknown type "${raw.type}"`);
  const values = Object.fromEntries(Object.entries(raw.values).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
  const thresholds = isObject(raw.thresholds)
    ? Object.fromEntries(Object.entries(raw.thresholds).map(([expression, state]) => [expression, { ok: isObject(state) && state.ok === true }]))
    : undefined;
  return { type: raw.type as MetricType, contains: raw.contains === 'time' || raw.contains === 'data' ? raw.contains : 'default', values, ...(thresholds ? { thresholds } : {}) };
}

function observedFromK6(expression: string, values: Record<string, number>): number | null {
  try {
    const parsed = parseThreshold(expression);
    return values[parsed.aggregation === 'p' ? `p(${parsed.percentile})` : parsed.aggregation] ?? null;
  } catch {
    return null;
  }
}

/**
 * Normalises the JSON a k6 script's handleSummary wrote (JSON.stringify(data)) into our summary,
 * so gates read `gameday.thresholds` whichever engine ran. Each `ok` is k6's own verdict.
 * Limits: no windows and no HDR histograms (`snapshot` is null), so no windowed thresholds, no
 * per-window charts and no exact merging; `observed` is null when k6's values lack the
 * aggregation (a percentile not in summaryTrendStats) or the expression is one we do not read.
 */
export function fromK6Summary(json: unknown, extra: object = {}): K6Summary {
  if (!isObject(json) || !isObject(json.metrics)) throw new Error('not a k6 handleSummary JSON: it has no "metrics" object');
  const state = isObject(json.state) ? json.state : {};
  if (typeof state.testRunDurationMs !== 'number') throw new Error('not a k6 handleSummary JSON: state.testRunDurationMs is missing');
  const metrics = Object.fromEntries(Object.entries(json.metrics).map(([name, raw]) => [name, readMetric(name, raw)]));
  const thresholds: ThresholdResult[] = Object.entries(metrics).flatMap(([metric, summary]) =>
    Object.entries(summary.thresholds ?? {}).map(([expression, { ok }]) => ({ metric, expression, ok, observed: observedFromK6(expression, summary.values) })));
  const options = isObject(json.options) ? json.options : {};
  return {
    metrics,
    state: { isStdOutTTY: state.isStdOutTTY === true, isStdErrTTY: state.isStdErrTTY === true, testRunDurationMs: state.testRunDurationMs },
    options: {
      summaryTrendStats: Array.isArray(options.summaryTrendStats) ? options.summaryTrendStats.map(String) : trendStats,
      summaryTimeUnit: typeof options.summaryTimeUnit === 'string' ? options.summaryTimeUnit : '',
      noColor: options.noColor === true,
    },
    gameday: { ...pick(extra), format: SUMMARY_FORMAT, engine: 'k6', thresholds, snapshot: null },
  };
}
