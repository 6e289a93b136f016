import type { ToxicKind } from '../toxic.js';
import { requireChoice, requireInteger } from './attribute-checks.js';
import { startTimer, TIMER_SLACK_MS } from './timed-release.js';

export const natIdleModes = ['blackhole', 'reset'] as const;
export type NatIdleMode = (typeof natIdleModes)[number];

/** Ours, not Toxiproxy's: `idle_ms` without a byte either way drops the NAT mapping. */
export type NatIdleAttributes = { idle_ms: number; mode: NatIdleMode };

/**
 * A carrier NAT (seed 001: JP carriers drop idle TCP after 30 s). When no byte has arrived
 * from either side for idle_ms, the mapping is gone for good: `blackhole` forwards nothing
 * more and sends no FIN or RST to either side, `reset` sends RST both ways. Removing the
 * toxic destroys the connections it blackholed.
 */
export const natIdleToxic: ToxicKind<NatIdleAttributes> = {
  type: 'nat_idle',
  defaults: { idle_ms: 30_000, mode: 'blackhole' },
  validate(attributes) {
    requireInteger(attributes, { struct: 'NatIdleToxic', name: 'idle_ms', type: 'int64' }, 1,
      'nat_idle toxic: idle_ms must be 1 or more milliseconds');
    requireChoice(attributes, { struct: 'NatIdleToxic', name: 'mode', type: 'string' }, natIdleModes,
      `nat_idle toxic: mode must be ${natIdleModes.join(' or ')}`);
  },
  createStage(context, attributes, next) {
    const { connection } = context;
    // A toxic added to a connection already idle gives it a full idle_ms, as a new NAT policy
    // would for a mapping it starts tracking, so a fault never kills at the instant it applies.
    const watchedSince = performance.now();
    let timer: NodeJS.Timeout | undefined;
    let mappingDropped = false;
    let blackholed = false;

    const clearTimer = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    };
    const dropMapping = (): void => {
      mappingDropped = true;
      if (attributes().mode === 'reset') {
        connection.reset();
      } else {
        blackholed = true;
        connection.blackhole();
      }
    };
    // Checked lazily when the deadline comes rather than re-armed on every chunk: traffic
    // only moves lastActivityAt, and the timer then waits the rest of the new deadline.
    // Only a timer drops the mapping, never a call from the proxy while it builds or updates.
    const checkAfter = (delayMs: number): void => {
      clearTimer();
      timer = startTimer(delayMs, () => {
        timer = undefined;
        if (mappingDropped) return;
        const idleSince = Math.max(connection.lastActivityAt(), watchedSince);
        const left = idleSince + attributes().idle_ms - performance.now();
        if (left <= TIMER_SLACK_MS) dropMapping();
        else checkAfter(left);
      });
    };
    checkAfter(attributes().idle_ms);

    return {
      write(chunk) {
        if (mappingDropped) context.dropped(chunk.length);
        else next.write(chunk);
      },
      end() {
        // A FIN sent into a vanished mapping never arrives.
        if (!mappingDropped) next.end();
      },
      updated: () => checkAfter(0),
      remove() {
        clearTimer();
        if (blackholed) connection.close();
      },
      destroy: clearTimer,
    };
  },
};
