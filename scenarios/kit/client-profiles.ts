/** The clients of the seeds, as the engine and the k6 scripts play them. */
import type { ClientProfile } from '../../engine/session-plan.ts';

/** Seed 001 s1's reconnect policy: 0.5 s doubling to 10 s, at most 10 tries. */
export const seed001Reconnect = { baseMs: 500, maxMs: 10_000, maxAttempts: 10 } as const;

// The service gives a turn 25 s (its turn budget, a restart of a failed stream on Haiku
// included) before it answers with a timeout of its own; 5 s more for its store write and the wire.
const turnTimeoutMs = 30_000;

/** The web widget on a desktop browser: answers the server's pings, reconnects like the app. */
export const desktopClient: ClientProfile = {
  kind: 'desktop', via: 'direct', answersServerPings: true, reconnect: { ...seed001Reconnect }, turnTimeoutMs,
};

/** The mobile app on Wi-Fi: no NAT in the way. */
export const mobileClient: ClientProfile = {
  kind: 'mobile', via: 'direct', answersServerPings: true, reconnect: { ...seed001Reconnect }, turnTimeoutMs,
};

/**
 * The mobile app behind a JP carrier's NAT, with every timer divided by `compression` (ratios
 * kept). It never pings on its own, as the original app did not: it relies on the server's pings.
 */
export function carrierMobileClient(compression: number, appTurnTimeoutMs: number): ClientProfile {
  return {
    kind: 'mobile',
    via: 'carrier',
    answersServerPings: true,
    reconnect: {
      baseMs: seed001Reconnect.baseMs / compression,
      maxMs: seed001Reconnect.maxMs / compression,
      maxAttempts: seed001Reconnect.maxAttempts,
    },
    turnTimeoutMs: appTurnTimeoutMs / compression,
  };
}
