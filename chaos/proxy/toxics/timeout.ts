import type { ToxicKind } from '../toxic.js';
import { requireInteger } from './attribute-checks.js';
import { startTimer } from './timed-release.js';

export type TimeoutAttributes = { timeout: number };

/**
 * Drops all data and closes the connection `timeout` ms after the last chunk in its direction
 * (an idle timeout that eats data); 0 never closes (a black hole). Removing it closes the
 * connection it was holding, as Toxiproxy does.
 */
export const timeoutToxic: ToxicKind<TimeoutAttributes> = {
  type: 'timeout',
  defaults: { timeout: 0 },
  validate(attributes) {
    requireInteger(attributes, { struct: 'TimeoutToxic', name: 'timeout', type: 'int64' }, 0,
      'timeout toxic: timeout must be 0 or more milliseconds');
  },
  createStage(context, attributes, next) {
    let timer: NodeJS.Timeout | undefined;
    const clearTimer = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    };
    const restartTimer = (): void => {
      clearTimer();
      const { timeout } = attributes();
      if (timeout > 0) timer = startTimer(timeout, () => context.connection.close());
    };
    restartTimer();
    return {
      write(chunk) {
        context.dropped(chunk.length);
        restartTimer();
      },
      end() {
        clearTimer();
        next.end();
      },
      updated: restartTimer,
      remove() {
        clearTimer();
        context.connection.close();
      },
      destroy: clearTimer,
    };
  },
};
