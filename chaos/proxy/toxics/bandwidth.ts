import type { ToxicKind } from '../toxic.js';
import { requireInteger } from './attribute-checks.js';
import { Fifo } from './fifo.js';
import { startTimer } from './timed-release.js';

/** `rate` in KB/s of 1000 bytes, as Toxiproxy counts it; which is also bytes per millisecond. */
export type BandwidthAttributes = { rate: number };

/** Toxiproxy lets a backlog out 100 ms at a time, so a rate shows smoothly and an update soon applies. */
const SLICE_MS = 100;

/**
 * Paces what passes to `rate` KB/s. Each chunk leaves once the time to send it at the rate
 * has passed (as in Toxiproxy), so a lone chunk is delayed too. Rate 0 holds everything.
 */
export const bandwidthToxic: ToxicKind<BandwidthAttributes> = {
  type: 'bandwidth',
  defaults: { rate: 0 },
  validate(attributes) {
    requireInteger(attributes, { struct: 'BandwidthToxic', name: 'rate', type: 'int64' }, 0,
      'bandwidth toxic: rate must be 0 or more KB/s (a negative rate crashes Toxiproxy)');
  },
  createStage(_context, attributes, next) {
    const held = new Fifo<Buffer>();
    let timer: NodeJS.Timeout | undefined;
    let endPending = false;
    let closed = false;
    // Bytes sent since `pacedFrom`: what the rate allows is measured from there, so the
    // pacing has no drift however late the timers fire.
    let pacedFrom = performance.now();
    let sentSincePacedFrom = 0;

    const clearTimer = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    };
    const restartPacing = (): void => {
      pacedFrom = performance.now();
      sentSincePacedFrom = 0;
    };
    const finishIfDone = (): void => {
      if (endPending && held.size === 0 && !closed) {
        closed = true;
        next.end();
      }
    };

    const pump = (): void => {
      clearTimer();
      const { rate } = attributes();
      if (rate <= 0 || closed) return;
      const elapsed = performance.now() - pacedFrom;
      let allowance = Math.floor(elapsed * rate) - sentSincePacedFrom;
      for (let first = held.peek(); first !== undefined && allowance > 0; first = held.peek()) {
        const piece = first.length <= allowance ? first : first.subarray(0, allowance);
        if (piece === first) held.take();
        else held.replaceHead(first.subarray(allowance));
        allowance -= piece.length;
        sentSincePacedFrom += piece.length;
        next.write(piece);
        if (closed) return;
      }
      const first = held.peek();
      if (first === undefined) return finishIfDone();
      const untilFirstFits = (sentSincePacedFrom + first.length) / rate - elapsed;
      timer = startTimer(Math.max(1, Math.min(SLICE_MS, untilFirstFits)), pump);
    };

    return {
      write(chunk) {
        if (closed) return;
        // An idle link earns no credit: the chunk after a pause waits its own time.
        if (held.size === 0) restartPacing();
        held.push(chunk);
        if (timer === undefined) pump();
      },
      end() {
        endPending = true;
        finishIfDone();
      },
      updated() {
        restartPacing();
        pump();
      },
      remove() {
        clearTimer();
        for (let chunk = held.take(); chunk !== undefined && !closed; chunk = held.take()) next.write(chunk);
        finishIfDone();
      },
      destroy() {
        closed = true;
        clearTimer();
        held.clear();
      },
    };
  },
};
