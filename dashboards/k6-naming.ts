import type { MetricDefinition } from '../engine/metrics/definitions.js';

/**
 * How k6's Prometheus remote-write output (`k6 run -o experimental-prometheus-rw`) names the
 * series of a k6 metric, so the load dashboard can query our custom metrics by their real names.
 *
 * Sources (grafana/k6, internal/output/prometheusrw/remotewrite/, formerly
 * grafana/xk6-output-prometheus-remote, pkg/remotewrite/):
 * - prometheus.go `MapSeries`: every name is `k6_` + metric name, then `_` + a suffix if any.
 * - remotewrite.go `MapPrompb`: a Counter gets the suffix `total`, a Rate `rate` (its value is
 *   the share of non-zero samples, 0..1), a Gauge none (so k6's built-in `vus` is `k6_vus`).
 * - remotewrite.go `setTrendStatsResolver` and trend.go `trendAsGauges.Append`: a Trend becomes
 *   one gauge per stat listed in K6_PROMETHEUS_RW_TREND_STATS (default `p(99)`), named with the
 *   stat as suffix, `p(95)` written `p95` (dots dropped: `p(99.9)` → `p999`).
 * - trend.go `adaptUnit`: a time Trend's values are sent in seconds (k6 keeps milliseconds).
 * - docs: grafana.com/docs/k6/latest/results-output/real-time/prometheus-remote-write
 *   ("All time series are prefixed with the k6_ namespace"; Counter `k6_*_total`, Rate
 *   `k6_*_rate`; `K6_PROMETHEUS_RW_TREND_STATS=p(90),p(95),max` gives `k6_*_p90`, `k6_*_p95`,
 *   `k6_*_max`).
 * With K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM=true trends are native histograms instead;
 * the load dashboard assumes the default (gauges) with the stats below.
 */

/** The trend stats the load dashboard reads: run k6 with K6_PROMETHEUS_RW_TREND_STATS set to `k6TrendStatsEnv`. */
export const k6TrendStats: readonly string[] = Object.freeze(['p(50)', 'p(95)', 'p(99)', 'max']);
export const k6TrendStatsEnv = k6TrendStats.join(',');

/** k6's own metrics the load dashboard reads (k6 docs, "Built-in metrics"): `vus` is a Gauge, `iterations` a Counter. */
export const k6BuiltInMetrics: readonly MetricDefinition[] = Object.freeze([
  { name: 'vus', type: 'gauge' },
  { name: 'vus_max', type: 'gauge' },
  { name: 'iterations', type: 'counter' },
  { name: 'dropped_iterations', type: 'counter' },
]);

export const k6Prefix = 'k6_';

/** `p(95)` → `p95`, `max` → `max`, as the output spells a stat in a series name. */
export function trendStatSuffix(stat: string): string {
  const percentile = /^p\((.+)\)$/.exec(stat);
  return percentile ? `p${(percentile[1] as string).replaceAll('.', '')}` : stat;
}

/** Every series name k6 writes for one metric. */
export function k6SeriesNames(definition: MetricDefinition, trendStats: readonly string[] = k6TrendStats): string[] {
  const base = `${k6Prefix}${definition.name}`;
  switch (definition.type) {
    case 'counter': return [`${base}_total`];
    case 'rate': return [`${base}_rate`];
    case 'gauge': return [base];
    case 'trend': return trendStats.map((stat) => `${base}_${trendStatSuffix(stat)}`);
  }
}

/** Series name → the k6 metric it comes from, for all the given definitions. */
export function k6SeriesIndex(definitions: readonly MetricDefinition[], trendStats: readonly string[] = k6TrendStats): Map<string, MetricDefinition> {
  const index = new Map<string, MetricDefinition>();
  for (const definition of definitions) {
    for (const series of k6SeriesNames(definition, trendStats)) index.set(series, definition);
  }
  return index;
}
