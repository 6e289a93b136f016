/** The incident's load shape and gate as k6 `options`: one named arrival-rate scenario and the thresholds. */
import type { Arrivals, LoadShape } from '../../../engine/arrivals.ts';
import { scaleLatencyThresholds } from '../../../engine/latency-scale.ts';
import type { ThresholdSpec } from '../../../engine/thresholds.ts';
import type { Incident } from '../../incident.ts';
import type { K6Settings } from './settings.ts';

/**
 * k6 takes whole iterations per time unit; per hour keeps the quick scales' fractional session
 * rates (0.2 sessions/s is 720/h) within 0.1% of the built-in engine's.
 */
const timeUnit = '1h';
const perHour = (perSecond: number) => Math.round(perSecond * 3_600);
const duration = (ms: number) => `${Math.round(ms)}ms`;
/** As the built-in engine: sessions still running after the arrivals get 30 s to finish. */
export const gracefulStop = '30s';

export type K6Scenario = Record<string, string | number | Array<{ target: number; duration: string }>>;

export function k6Scenario(shape: LoadShape): K6Scenario {
  const vus = {
    preAllocatedVUs: Math.max(1, Math.ceil(shape.maxConcurrentSessions / 2)),
    maxVUs: shape.maxConcurrentSessions,
    // As the built-in engine: a shape whose sessions outlast 30 s (a real-time lane) names its own.
    gracefulStop: shape.gracefulStopMs === undefined ? gracefulStop : duration(shape.gracefulStopMs),
  };
  const arrivals: Arrivals = shape.arrivals;
  if (arrivals.kind === 'constant') {
    return { executor: 'constant-arrival-rate', rate: Math.max(1, perHour(arrivals.perSecond)), timeUnit, duration: duration(arrivals.durationMs), ...vus };
  }
  return {
    executor: 'ramping-arrival-rate',
    startRate: perHour(arrivals.startPerSecond),
    timeUnit,
    stages: arrivals.stages.map((stage) => ({ target: perHour(stage.targetPerSecond), duration: duration(stage.durationMs) })),
    ...vus,
  };
}

export type K6Threshold = string | { threshold: string; abortOnFail?: boolean };

/**
 * The incident's thresholds as k6 takes them. k6 judges a threshold over the whole run only (no
 * windows, k6 issue #1136), so a windowed threshold becomes its whole-run form; the built-in
 * engine still judges every 10 s window.
 */
export function k6Thresholds(thresholds: Record<string, ThresholdSpec[]>): Record<string, K6Threshold[]> {
  const result: Record<string, K6Threshold[]> = {};
  for (const [metric, specs] of Object.entries(thresholds)) {
    const seen = new Set<string>();
    const converted: K6Threshold[] = [];
    for (const spec of specs) {
      const expression = typeof spec === 'string' ? spec : spec.threshold;
      if (seen.has(expression)) continue;
      seen.add(expression);
      converted.push(typeof spec === 'string' || spec.abortOnFail === undefined ? expression : { threshold: expression, abortOnFail: spec.abortOnFail });
    }
    result[metric] = converted;
  }
  return result;
}

/** The trend statistics handleSummary gets: k6's defaults plus p(99). */
export const summaryTrendStats = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];

/** The incident's thresholds at the settings' model time scale, by the one rule both engines use. */
export function judgedThresholds(incident: Incident, settings: K6Settings): Record<string, ThresholdSpec[]> {
  return scaleLatencyThresholds(incident.thresholds, settings.timeScale, incident.realTimeLane).judged;
}

export function k6Options(incident: Incident, settings: K6Settings) {
  return {
    scenarios: { [incident.id]: k6Scenario(incident.load(settings.scale, settings.durationMs, settings.shape)) },
    thresholds: k6Thresholds(judgedThresholds(incident, settings)),
    summaryTrendStats,
    setupTimeout: '30s',
    tags: { incident: incident.id },
  };
}
