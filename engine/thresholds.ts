import {
  aggregate, aggregationFits, aggregationLabel, allowedAggregations, hasSamples, parseAggregation, type Aggregation,
} from './metrics/aggregate.js';
import type { MetricType } from './metrics/definitions.js';
import { plateauWindows } from './offered-load.js';
import {
  mergeCounter, mergeGauge, mergeRate, mergeTrend, type MetricSeries, type MetricsSnapshot, type MetricValues,
} from './metrics/snapshot.js';

export type Operator = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';
export interface ParsedThreshold extends Aggregation { expression: string; operator: Operator; value: number }

/**
 * k6's forms: an expression, or `{ threshold, abortOnFail }`; ours adds `window` ('10s': it must
 * hold in every 10 s window) and `during: 'plateau'` (judged over the load's plateau as a whole,
 * ramp and drain left out; over the whole run for a shape without a plateau).
 */
export type ThresholdSpec = string | { threshold: string; abortOnFail?: boolean; window?: '10s' | string; during?: 'plateau' };

/** What a run knows beyond its metrics: where its load was held steady (ms from the start). */
export interface ThresholdContext { plateau?: { fromMs: number; toMs: number } | null }

export interface ThresholdResult {
  metric: string;
  expression: string;
  ok: boolean;
  /** The whole-run value, in the metric's unit; null when it has none (a rate without samples). */
  observed: number | null;
  windowed?: { windowMs: number; windows: number; failedWindows: number; worst: number | null };
  /** Judged over the plateau's whole windows only (`during: 'plateau'`), from..to in ms from the start. */
  during?: { fromMs: number; toMs: number };
  /** A latency threshold judged at a model time scale: the real-time expression it stands for. */
  realTime?: { real: string; judged: string; timeScale: number };
  abortOnFail?: boolean;
  /** Why a threshold holds without being evaluated. */
  note?: string;
}

const allAggregations = 'avg, min, max, med, p(N) for trends; rate for rates and counters; count for counters; value for gauges';
const allOperators = '<, <=, >, >=, ==, ===, !=';
const thresholdPattern = /^\s*([a-z]+(?:\([^)]*\))?)\s*(===|==|!=|<=|>=|<|>)\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*$/;

/** Reads a k6 threshold expression such as 'p(95) < 3000'; throws an Error that says what is allowed. */
export function parseThreshold(expression: string): ParsedThreshold {
  const match = thresholdPattern.exec(expression);
  const aggregation = match?.[1] === undefined ? null : parseAggregation(match[1]);
  if (!match || !aggregation) {
    throw new Error(`invalid threshold "${expression}": write <aggregation> <operator> <number>, e.g. "p(95)<3000". `
      + `Aggregations: ${allAggregations} (N from 0 to 100, decimals allowed). Operators: ${allOperators}.`);
  }
  return { ...aggregation, expression, operator: match[2] as Operator, value: Number(match[3]) };
}

function holds(operator: Operator, observed: number, value: number): boolean {
  switch (operator) {
    case '<': return observed < value;
    case '<=': return observed <= value;
    case '>': return observed > value;
    case '>=': return observed >= value;
    case '==':
    case '===': return observed === value;
    case '!=': return observed !== value;
  }
}

const durationPart = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A k6-style duration ('10s', '1m30s', '500ms') in ms; null when it is not one. */
export function parseDuration(text: string): number | null {
  durationPart.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let match = durationPart.exec(text); match; match = durationPart.exec(text)) {
    total += Number(match[1]) * (unitMs[match[2] as string] as number);
    consumed = durationPart.lastIndex;
  }
  return consumed === text.length && text.length > 0 ? total : null;
}

const mergeBy: Record<MetricType, (a: never, b: never) => MetricValues> = {
  trend: mergeTrend, rate: mergeRate, counter: mergeCounter, gauge: mergeGauge,
};

/** The run's windows grouped into threshold windows of `windowMs` (a multiple of the run's). */
function groupWindows(series: MetricSeries, runWindowMs: number, windowMs: number): Array<{ start: number; values: MetricValues }> {
  const merge = mergeBy[series.type] as (a: MetricValues, b: MetricValues) => MetricValues;
  const groups = new Map<number, MetricValues>();
  for (const window of series.windows as Array<MetricValues & { index: number }>) {
    const group = Math.floor((window.index * runWindowMs) / windowMs);
    const existing = groups.get(group);
    groups.set(group, existing ? merge(existing, window) : window);
  }
  return [...groups.entries()].sort(([a], [b]) => a - b).map(([group, values]) => ({ start: group * windowMs, values }));
}

function worstOf(parsed: ParsedThreshold, values: number[], failed: number[]): number | null {
  if (values.length === 0) return null;
  if (parsed.operator === '<' || parsed.operator === '<=') return Math.max(...values);
  if (parsed.operator === '>' || parsed.operator === '>=') return Math.min(...values);
  return failed[0] ?? values[0] ?? null;
}

function evaluateWindows(snapshot: MetricsSnapshot, series: MetricSeries, parsed: ParsedThreshold, windowMs: number) {
  const runMs = snapshot.endedAt - snapshot.startedAt;
  const observed: number[] = [];
  const failed: number[] = [];
  for (const { start, values } of groupWindows(series, snapshot.windowMs, windowMs)) {
    if (!hasSamples(series.type, values)) continue;
    // The last window ends with the run, so a counter's per-second rate divides by what it covered.
    const covered = runMs - start > 0 ? Math.min(windowMs, runMs - start) : windowMs;
    const value = aggregate(series.type, values, parsed, { durationMs: covered, trendScale: snapshot.trendScale });
    if (value === null) continue;
    observed.push(value);
    if (!holds(parsed.operator, value, parsed.value)) failed.push(value);
  }
  return { windowMs, windows: observed.length, failedWindows: failed.length, worst: worstOf(parsed, observed, failed) };
}

function windowSize(spec: string, metric: string, expression: string, runWindowMs: number): number {
  const ms = parseDuration(spec);
  if (ms === null || ms <= 0 || ms % runWindowMs !== 0) {
    throw new Error(`threshold "${expression}" on ${metric}: window "${spec}" must be a duration such as '10s' or '1m' `
      + `that is a whole multiple of the run's ${runWindowMs / 1000}s windows`);
  }
  return ms;
}

/** The series' windows wholly inside the plateau, merged: one value as if the run were the plateau alone. */
function plateauValues(snapshot: MetricsSnapshot, series: MetricSeries, plateau: { fromMs: number; toMs: number }): MetricValues | null {
  const { first, last } = plateauWindows(plateau, snapshot.windowMs) ?? { first: 1, last: 0 };
  const merge = mergeBy[series.type] as (a: MetricValues, b: MetricValues) => MetricValues;
  let merged: MetricValues | null = null;
  for (const window of series.windows as Array<MetricValues & { index: number }>) {
    if (window.index >= first && window.index <= last) merged = merged ? merge(merged, window) : window;
  }
  return merged;
}

function evaluateDuringPlateau(snapshot: MetricsSnapshot, series: MetricSeries, parsed: ParsedThreshold, plateau: { fromMs: number; toMs: number }) {
  const first = Math.ceil(plateau.fromMs / snapshot.windowMs) * snapshot.windowMs;
  const last = Math.floor(plateau.toMs / snapshot.windowMs) * snapshot.windowMs;
  const values = plateauValues(snapshot, series, plateau);
  const observed = values === null ? null : aggregate(series.type, values, parsed, { durationMs: Math.max(1, last - first), trendScale: snapshot.trendScale });
  return { observed, during: { fromMs: first, toMs: last } };
}

function evaluateOne(snapshot: MetricsSnapshot, metric: string, series: MetricSeries, spec: ThresholdSpec, context: ThresholdContext): ThresholdResult {
  const { threshold: expression, abortOnFail, window, during } = typeof spec === 'string'
    ? { threshold: spec, abortOnFail: undefined, window: undefined, during: undefined } : spec;
  const parsed = parseThreshold(expression);
  if (!aggregationFits(series.type, parsed)) {
    throw new Error(`threshold "${expression}" on ${metric}: aggregation ${aggregationLabel(parsed)} does not apply to a ${series.type}; `
      + `a ${series.type} allows: ${allowedAggregations[series.type].join(', ')}`);
  }
  const whole = { durationMs: snapshot.endedAt - snapshot.startedAt, trendScale: snapshot.trendScale };
  const overPlateau = during === 'plateau' && context.plateau ? evaluateDuringPlateau(snapshot, series, parsed, context.plateau) : null;
  const observed = overPlateau ? overPlateau.observed : aggregate(series.type, series.total, parsed, whole);
  const base = {
    metric, expression, observed, ...(abortOnFail === undefined ? {} : { abortOnFail }), ...(overPlateau ? { during: overPlateau.during } : {}),
    ...(during === 'plateau' && !context.plateau ? { note: 'the load has no plateau: judged over the whole run' } : {}),
  };
  if (window !== undefined) {
    const windowed = evaluateWindows(snapshot, series, parsed, windowSize(window, metric, expression, snapshot.windowMs));
    const empty = windowed.windows === 0 ? { note: 'no window had samples' } : {};
    return { ...base, ok: windowed.failedWindows === 0, windowed, ...empty };
  }
  if (observed === null) {
    // k6 does not run a threshold on a Rate without samples (thresholds.go leaves `rate` unset): it is not breached.
    return { ...base, ok: true, note: 'no samples: k6 does not evaluate a rate threshold before the rate has a sample' };
  }
  return { ...base, ok: holds(parsed.operator, observed, parsed.value) };
}

/**
 * Judges a run as k6 would at its end. An empty trend evaluates as 0 (k6's TrendSink), so
 * 'p(95)<3000' holds on a run without answers: gate that with a count threshold as well.
 * A windowed threshold must hold in every window that has samples; a window-free one over the run.
 */
export function evaluateThresholds(snapshot: MetricsSnapshot, thresholds: Record<string, ThresholdSpec[]>, context: ThresholdContext = {}): ThresholdResult[] {
  const results: ThresholdResult[] = [];
  for (const [metric, specs] of Object.entries(thresholds)) {
    const series = snapshot.metrics[metric];
    if (!series) {
      const tagged = metric.includes('{') ? ' (sub-metrics with tags are not supported by the built-in engine)' : '';
      throw new Error(`thresholds name the metric "${metric}", which this run does not record${tagged}; it records: ${Object.keys(snapshot.metrics).join(', ')}`);
    }
    for (const spec of specs) results.push(evaluateOne(snapshot, metric, series, spec, context));
  }
  return results;
}
