import type { ToxicKind } from '../toxic.js';
import { requireInteger } from './attribute-checks.js';

export type LimitDataAttributes = { bytes: number };

/**
 * Forwards exactly `bytes` bytes in its direction, then ends the stream there, which closes
 * the connection (the proxy has no half-close). The count survives attribute updates.
 */
export const limitDataToxic: ToxicKind<LimitDataAttributes> = {
  type: 'limit_data',
  defaults: { bytes: 0 },
  validate(attributes) {
    requireInteger(attributes, { struct: 'LimitDataToxic', name: 'bytes', type: 'int64' }, 0,
      'limit_data toxic: bytes must be 0 or more');
  },
  createStage(context, attributes, next) {
    let forwarded = 0;
    let ended = false;
    return {
      write(chunk) {
        if (ended) {
          context.dropped(chunk.length);
          return;
        }
        const remaining = Math.max(0, attributes().bytes - forwarded);
        const passed = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
        if (passed.length > 0) {
          forwarded += passed.length;
          next.write(passed);
        }
        if (passed.length < chunk.length) context.dropped(chunk.length - passed.length);
        // As in Toxiproxy, the limit is checked when data comes, so limit 0 closes on the first chunk.
        if (forwarded >= attributes().bytes && !ended) {
          ended = true;
          next.end();
        }
      },
      end() {
        if (ended) return;
        ended = true;
        next.end();
      },
      remove() {},
      destroy() {},
    };
  },
};
