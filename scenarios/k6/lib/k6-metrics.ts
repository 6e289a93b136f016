/**
 * DESIGN.md's metrics as k6 custom metrics, with the same names and types as the built-in
 * engine (engine/metrics/definitions.ts), behind the engine's MetricSink so both engines record
 * a turn with the same code (engine/turn-metrics.ts). dropped_iterations is k6's own.
 */
import { Counter, Gauge, Rate, Trend } from 'k6/metrics';
import { chatMetrics } from '../../../engine/metrics/definitions.ts';
import type { MetricSink } from '../../../engine/metrics/run-metrics.ts';

type K6Metric = Trend | Rate | Counter | Gauge;

const builtIn = new Set(['dropped_iterations']);
/** `llm_cost_usd{model:haiku}`: k6 makes submetrics from tags and thresholds, not from names; the base metric carries the total. */
const isSubmetric = (name: string) => name.includes('{');

function create(definition: (typeof chatMetrics)[number]): K6Metric {
  switch (definition.type) {
    case 'trend': return new Trend(definition.name, definition.contains === 'time');
    case 'rate': return new Rate(definition.name);
    case 'counter': return new Counter(definition.name);
    case 'gauge': return new Gauge(definition.name);
  }
}

/** Created in the init context, as k6 requires of custom metrics. */
export function createK6Metrics(): MetricSink & { zeroCounters(): void } {
  const metrics = new Map<string, K6Metric>();
  for (const definition of chatMetrics) {
    if (!builtIn.has(definition.name) && !isSubmetric(definition.name)) metrics.set(definition.name, create(definition));
  }
  const metric = (name: string): K6Metric => {
    const found = metrics.get(name);
    if (!found) throw new Error(`no metric "${name}" in engine/metrics/definitions.ts`);
    return found;
  };
  return {
    add: (name, value) => {
      if (!isSubmetric(name)) metric(name).add(value);
    },
    rate: (name, hit) => metric(name).add(hit ? 1 : 0),
    // A counter nobody added to is missing from k6's summary and its count==0 threshold unjudged.
    zeroCounters() {
      for (const definition of chatMetrics) if (definition.type === 'counter' && metrics.has(definition.name)) metric(definition.name).add(0);
    },
  };
}
