import type { CounterValues, MetricsSnapshot, RateValues, TrendValues } from './metrics/snapshot.js';
import type { ClientProfile } from './session-plan.js';

/** What the engine's tests read back from a run's metrics. */
export interface MetricReadings {
  counter(name: string): number;
  trendCount(name: string): number;
  /** Trend minimum in the metric's unit (ms for time), null when empty. */
  trendMin(name: string): number | null;
  rate(name: string): RateValues;
}

export function readings(snapshot: MetricsSnapshot): MetricReadings {
  const total = (name: string) => {
    const series = snapshot.metrics[name];
    if (!series) throw new Error(`no metric ${name} in the snapshot`);
    return series.total;
  };
  return {
    counter: (name) => (total(name) as CounterValues).sum,
    trendCount: (name) => (total(name) as TrendValues).count,
    trendMin: (name) => {
      const min = (total(name) as TrendValues).min;
      return min === null ? null : min / snapshot.trendScale;
    },
    rate: (name) => total(name) as RateValues,
  };
}

export const desktopProfile: ClientProfile = {
  kind: 'desktop', via: 'direct', answersServerPings: true, reconnect: null, turnTimeoutMs: 20_000,
};

/** Seed 001's mobile app with the waits shortened for tests. */
export function mobileProfile(overrides: Partial<ClientProfile> = {}): ClientProfile {
  return {
    kind: 'mobile', via: 'direct', answersServerPings: true,
    reconnect: { baseMs: 50, maxMs: 1_000, maxAttempts: 10 }, turnTimeoutMs: 10_000, ...overrides,
  };
}
