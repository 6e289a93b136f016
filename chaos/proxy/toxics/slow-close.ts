import type { ToxicKind } from '../toxic.js';
import { requireInteger } from './attribute-checks.js';
import { startTimer } from './timed-release.js';

export type SlowCloseAttributes = { delay: number };

/** Passes data at once but holds the end of the stream (the FIN) for `delay` ms. */
export const slowCloseToxic: ToxicKind<SlowCloseAttributes> = {
  type: 'slow_close',
  defaults: { delay: 0 },
  validate(attributes) {
    requireInteger(attributes, { struct: 'SlowCloseToxic', name: 'delay', type: 'int64' }, 0,
      'slow_close toxic: delay must be 0 or more milliseconds');
  },
  createStage(_context, attributes, next) {
    let endArrivedAt: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    const clearTimer = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    };
    const endNow = (): void => {
      clearTimer();
      endArrivedAt = undefined;
      next.end();
    };
    // Counted from when the end arrived, so an update shortens or lengthens the same wait.
    const scheduleEnd = (arrivedAt: number): void => {
      clearTimer();
      timer = startTimer(arrivedAt + attributes().delay - performance.now(), endNow);
    };
    return {
      write: (chunk) => next.write(chunk),
      end() {
        endArrivedAt = performance.now();
        scheduleEnd(endArrivedAt);
      },
      updated() {
        if (endArrivedAt !== undefined) scheduleEnd(endArrivedAt);
      },
      remove() {
        if (endArrivedAt !== undefined) endNow();
      },
      destroy: clearTimer,
    };
  },
};
