import type { ToxicKind } from '../toxic.js';
import { requireInteger } from './attribute-checks.js';
import { startTimer } from './timed-release.js';

export type ResetPeerAttributes = { timeout: number };

/**
 * Resets the connection `timeout` ms after the first data (or end) in its direction, dropping
 * that data and all after it; an idle connection is left alone. Present when the connection
 * started it sends RST; added to a live connection it closes with FIN (Toxiproxy sets
 * SO_LINGER 0 only at connect).
 */
export const resetPeerToxic: ToxicKind<ResetPeerAttributes> = {
  type: 'reset_peer',
  defaults: { timeout: 0 },
  validate(attributes) {
    requireInteger(attributes, { struct: 'ResetToxic', name: 'timeout', type: 'int64' }, 0,
      'reset_peer toxic: timeout must be 0 or more milliseconds');
  },
  createStage(context, attributes) {
    let timer: NodeJS.Timeout | undefined;
    let triggered = false;
    const closeConnection = (): void => {
      timer = undefined;
      if (context.addedToLiveConnection === true) context.connection.close();
      else context.connection.reset();
    };
    const trigger = (): void => {
      if (triggered) return;
      triggered = true;
      timer = startTimer(attributes().timeout, closeConnection);
    };
    return {
      write(chunk) {
        context.dropped(chunk.length);
        trigger();
      },
      end: trigger,
      remove() {
        // Toxiproxy cannot interrupt the wait, and the bytes already dropped leave a hole in
        // the stream: a connection past its first data is closed now rather than carried on.
        if (timer === undefined) return;
        clearTimeout(timer);
        closeConnection();
      },
      destroy() {
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
      },
    };
  },
};
