/** Open-model load shapes the incidents share: sessions arrive on a schedule whatever the service does. */
import type { Arrivals, LoadShape } from '../../engine/arrivals.ts';

/** 1M messages a day (DESIGN.md): 11.57 msg/s on average. */
export const messagesPerSecondAt1MPerDay = 1_000_000 / 86_400;

/**
 * The cap on sessions open at once: Little's law (arrival rate x session length) with room for
 * twice that and a few more, so a hardened run never hits it, while a run whose sessions hang
 * (a naive profile waiting out timeouts) shows it as dropped_iterations instead of piling up.
 */
export function concurrencyCap(peakSessionsPerSecond: number, sessionMs: number): number {
  return Math.ceil(2 * peakSessionsPerSecond * (sessionMs / 1_000)) + 4;
}

/**
 * How long sessions still running after the arrivals may finish: k6's 30 s, or twice a session
 * where sessions are longer (a naive run's timeouts make them longer still), so the last
 * arrivals play their whole plan instead of being cut.
 */
export function gracefulStopFor(sessionMs: number): number {
  return Math.max(30_000, 2 * sessionMs);
}

export function constantSessions(perSecond: number, durationMs: number, sessionMs: number): LoadShape {
  const arrivals: Arrivals = { kind: 'constant', perSecond, durationMs };
  return { arrivals, maxConcurrentSessions: concurrencyCap(perSecond, sessionMs), gracefulStopMs: gracefulStopFor(sessionMs) };
}

export function peakArrivalRate(arrivals: Arrivals): number {
  if (arrivals.kind === 'constant') return arrivals.perSecond;
  return Math.max(arrivals.startPerSecond, ...arrivals.stages.map((stage) => stage.targetPerSecond));
}
