import type { RunEntry, RunSamples } from './run-entry.js';
import { trendAggregate, trendView } from '../engine/metrics/aggregate.js';
import type { CounterValues, GaugeValues, MetricSeries, MetricsSnapshot, RateValues, TrendValues } from '../engine/metrics/snapshot.js';
import { parseThreshold } from '../engine/thresholds.js';

/** A value over [fromS, toS) seconds since the run start; a line draws it at the middle. */
export interface TimePoint { fromS: number; toS: number; value: number | null }

export interface TimeChart {
  title: string;
  /** What the y axis measures, with its unit. */
  yLabel: string;
  style: 'line' | 'bars';
  /** Counts: the y axis ticks whole numbers only. */
  integers?: boolean;
  xMaxS: number;
  points: TimePoint[];
  /** A gauge's lowest and highest value in each window, drawn as a shaded range. */
  range?: Array<{ fromS: number; toS: number; min: number; max: number }>;
  /** A horizontal line the values should stay under, e.g. the SLO. */
  limit?: { value: number; label: string };
  /** A second series drawn as a dashed line against the first, e.g. what the plan offered; both named in a legend. */
  compare?: { label: string; points: TimePoint[]; seriesLabel: string };
}

/** One chart's place in the report: the chart, or why the run folder cannot draw it. */
export interface ChartSlot { id: string; title: string; chart: TimeChart | null; missing: string }

/** DESIGN.md's SLO: the first useful words within 3 s at p95. */
const SLO_TTFT_MS = 3000;

interface Window<V> { fromS: number; toS: number; values: V }

function windowsOf<V>(snapshot: MetricsSnapshot, series: MetricSeries, runS: number): Array<Window<V>> {
  const windowS = snapshot.windowMs / 1000;
  const count = Math.max(1, Math.ceil(runS / windowS));
  const byIndex = new Map(series.windows.map((window) => [window.index, window as unknown as V]));
  const last = Math.max(count, ...[...byIndex.keys()].map((index) => index + 1));
  return Array.from({ length: last }, (_, index) => {
    const fromS = index * windowS;
    // The last window ends with the run; one past it (a sample at the very end) keeps its full width.
    const toS = fromS < runS ? Math.min(fromS + windowS, runS) : fromS + windowS;
    return { fromS, toS, values: byIndex.get(index) as V };
  });
}

/** The p95 line's limit: the run's own chat_ttft p(95) threshold, else the SLO. */
function ttftLimit(entry: RunEntry): { value: number; label: string } {
  for (const result of entry.thresholds) {
    if (result.metric !== 'chat_ttft') continue;
    try {
      const parsed = parseThreshold(result.expression);
      if (parsed.aggregation === 'p' && parsed.percentile === 95 && parsed.operator.startsWith('<')) {
        return { value: parsed.value, label: `gate: p(95) ${parsed.operator} ${parsed.value} ms` };
      }
    } catch {
      // An expression we cannot read draws the SLO instead.
    }
  }
  return { value: SLO_TTFT_MS, label: 'SLO: p95 < 3000 ms' };
}

type Slot = Omit<ChartSlot, 'id'>;

function fromSnapshot(entry: RunEntry, metric: string, title: string, draw: (snapshot: MetricsSnapshot, series: MetricSeries, runS: number) => TimeChart): Slot {
  const { snapshot } = entry;
  if (!snapshot) {
    const why = entry.engine === 'k6' ? 'k6 runs keep no per-window metrics' : 'this summary has no per-window metrics';
    return { title, chart: null, missing: `not recorded: ${why}` };
  }
  const series = snapshot.metrics[metric];
  if (!series) return { title, chart: null, missing: `not recorded: this run did not record ${metric}` };
  return { title, chart: draw(snapshot, series, (snapshot.endedAt - snapshot.startedAt) / 1000), missing: '' };
}

function ttftChart(entry: RunEntry): Slot {
  const title = 'p95 time to first token per 10 s window';
  return fromSnapshot(entry, 'chat_ttft', title, (snapshot, series, runS) => ({
    title, yLabel: 'p95 TTFT (ms)', style: 'line', xMaxS: runS, limit: ttftLimit(entry),
    points: windowsOf<TrendValues | undefined>(snapshot, series, runS).map(({ fromS, toS, values }) => ({
      fromS, toS, value: values && values.count > 0 ? trendAggregate(trendView(values), { aggregation: 'p', percentile: 95 }, snapshot.trendScale) : null,
    })),
  }));
}

function counterChart(entry: RunEntry, metric: string, title: string, yLabel: string, perSecond: boolean): Slot {
  return fromSnapshot(entry, metric, title, (snapshot, series, runS) => ({
    title, yLabel, style: 'bars', xMaxS: runS, integers: !perSecond,
    points: windowsOf<CounterValues | undefined>(snapshot, series, runS).map(({ fromS, toS, values }) => {
      const sum = values?.sum ?? 0;
      return { fromS, toS, value: perSecond ? sum / Math.max(toS - fromS, 0.001) : sum };
    }),
  }));
}

/**
 * Messages per second per window: achieved (sent, or turned away by the service) as bars, and
 * what the plan offered as a dashed line, so a load that was not offered shows at a glance.
 */
function offeredChart(entry: RunEntry): Slot | null {
  const load = entry.load;
  if (!load || load.achieved.length === 0) return null;
  const title = 'Messages per second: offered by the plan (dashed) and achieved (10 s windows)';
  const windowS = load.windowMs / 1000;
  const xMaxS = Math.max(load.offered.length, load.achieved.length) * windowS;
  const per = (counts: number[]) => counts.map((count, index) => ({ fromS: index * windowS, toS: (index + 1) * windowS, value: count / windowS }));
  const plateau = load.plateau ? ` (plateau ${load.plateau.firstWindow * windowS}-${(load.plateau.lastWindow + 1) * windowS} s)` : '';
  return {
    title, missing: '',
    chart: {
      title, yLabel: 'messages / s', style: 'bars', xMaxS, points: per(load.achieved),
      compare: { label: `offered${plateau}`, seriesLabel: 'achieved', points: per(load.offered) },
    },
  };
}

/** The share of turns that errored in each window: drawn against the 1 % the gates judge over the plateau or run, not gated per window. */
function errorRateChart(entry: RunEntry): Slot {
  const title = 'Error rate per 10 s window (drawn, not gated per window)';
  return fromSnapshot(entry, 'chat_errors', title, (snapshot, series, runS) => ({
    title, yLabel: 'errored turns (%)', style: 'line', xMaxS: runS, limit: { value: 1, label: '1 %' },
    points: windowsOf<RateValues | undefined>(snapshot, series, runS).map(({ fromS, toS, values }) => ({
      fromS, toS, value: values && values.total > 0 ? (values.hits / values.total) * 100 : null,
    })),
  }));
}

function errorsChart(entry: RunEntry): Slot {
  const title = 'Errored turns per 10 s window';
  return fromSnapshot(entry, 'chat_errors', title, (snapshot, series, runS) => ({
    title, yLabel: 'turns ended in an error or timeout', style: 'bars', xMaxS: runS, integers: true,
    points: windowsOf<RateValues | undefined>(snapshot, series, runS).map(({ fromS, toS, values }) => ({ fromS, toS, value: values?.hits ?? 0 })),
  }));
}

function socketsChart(entry: RunEntry): Slot {
  const title = 'Open WebSockets (last in each window, shaded: lowest to highest)';
  return fromSnapshot(entry, 'ws_open_sockets', title, (snapshot, series, runS) => {
    const windows = windowsOf<GaugeValues | undefined>(snapshot, series, runS);
    return {
      title, yLabel: 'open sockets', style: 'line', xMaxS: runS, integers: true,
      points: windows.map(({ fromS, toS, values }) => ({ fromS, toS, value: values?.last ?? null })),
      range: windows.flatMap(({ fromS, toS, values }) => (values && values.min !== null && values.max !== null ? [{ fromS, toS, min: values.min, max: values.max }] : [])),
    };
  });
}

function sampledChart(entry: RunEntry, name: string, title: string, yLabel: string, unit: { divisor: number; integers: boolean }): Slot {
  const samples: RunSamples | null = entry.samples;
  const points = samples?.series[name];
  if (!samples || !points) {
    const why = entry.samples ? `this run did not sample ${name}` : 'this run sampled no Redis figures (older summaries and --target runs lack them)';
    return { title, chart: null, missing: `not recorded: ${why}` };
  }
  // The sampler starts beside the load, not with it: its t moves onto the metrics' time axis.
  const offsetS = samples.startedAt !== null && entry.snapshot ? (samples.startedAt - entry.snapshot.startedAt) / 1000 : 0;
  const at = (t: number) => Math.max(0, t / 1000 + offsetS);
  const lastS = Math.max(0, ...points.map(([t]) => at(t)));
  return {
    title, missing: '',
    chart: {
      title, yLabel, style: 'line', integers: unit.integers, xMaxS: Math.max(entry.runMs === null ? 0 : entry.runMs / 1000, lastS),
      points: points.map(([t, value]) => ({ fromS: at(t), toS: at(t), value: value / unit.divisor })),
    },
  };
}

/** The charts over time of one incident-profile, in the report's order; each drawn or marked not recorded. */
export function timeCharts(entry: RunEntry): ChartSlot[] {
  const slots: Array<[string, Slot]> = [
    ['ttft', ttftChart(entry)],
    ['messages', offeredChart(entry) ?? counterChart(entry, 'chat_messages', 'Messages sent per second (10 s windows)', 'messages / s', true)],
    ['errors', errorsChart(entry)],
    ['error-rate', errorRateChart(entry)],
    ['reconnects', counterChart(entry, 'ws_reconnects', 'WebSocket reconnects per 10 s window', 'reconnects', false)],
    ['sockets', socketsChart(entry)],
    ['evictions', sampledChart(entry, 'redis_evicted_keys', 'Redis evicted keys (cumulative)', 'evicted keys', { divisor: 1, integers: true })],
    ['redis-keys', sampledChart(entry, 'redis_keys', 'Redis keys held', 'keys', { divisor: 1, integers: true })],
    ['redis-memory', sampledChart(entry, 'redis_used_memory_bytes', 'Redis used memory', 'MiB', { divisor: 1024 * 1024, integers: false })],
  ];
  return slots.map(([id, slot]) => ({ id, ...slot }));
}
