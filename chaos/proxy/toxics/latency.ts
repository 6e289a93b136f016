import type { ToxicKind } from '../toxic.js';
import { requireInteger } from './attribute-checks.js';
import { TimedRelease } from './timed-release.js';

export type LatencyAttributes = { latency: number; jitter: number };

/** Delays each chunk by latency ± jitter ms (seeded), keeping order. */
export const latencyToxic: ToxicKind<LatencyAttributes> = {
  type: 'latency',
  defaults: { latency: 0, jitter: 0 },
  validate(attributes) {
    for (const name of ['latency', 'jitter']) {
      requireInteger(attributes, { struct: 'LatencyToxic', name, type: 'int64' }, 0,
        `latency toxic: ${name} must be 0 or more milliseconds`);
    }
  },
  createStage(context, attributes, next) {
    const release = new TimedRelease(next);
    // Toxiproxy draws the offset uniformly from [-jitter, jitter).
    const delay = (): number => {
      const { latency, jitter } = attributes();
      return jitter > 0 ? latency + Math.floor(context.random() * 2 * jitter) - jitter : latency;
    };
    return {
      write(chunk) {
        const now = performance.now();
        release.hold(chunk, now + delay(), now);
      },
      end: () => release.end(),
      updated: () => release.retime((held) => held.arrivedAt + delay()),
      remove: () => release.flush(),
      destroy: () => release.cancel(),
    };
  },
};
