/** What a k6 script counts on its load's plateau (pure: the Node side reads the same name back). */
import type { MetricSink } from '../../../engine/metrics/run-metrics.ts';

/** k6 has no per-window counts: what was sent (or turned away by the service) on the plateau is counted as it happens. */
export const plateauMessagesMetric = 'chat_plateau_messages';

/**
 * The sink every turn is recorded through, counting messages sent and turns forfeited while the
 * scenario is on its plateau (ms since its start), so offered versus achieved is judged there.
 */
export function plateauCounting(inner: MetricSink, plateau: { fromMs: number; toMs: number } | undefined, elapsedMs: () => number,
  count: (value: number) => void): MetricSink {
  return {
    add(name, value, at) {
      inner.add(name, value, at);
      if (!plateau || (name !== 'chat_messages' && name !== 'chat_turns_forfeited')) return;
      const elapsed = elapsedMs();
      if (elapsed >= plateau.fromMs && elapsed < plateau.toMs) count(value);
    },
    rate: (name, hit, at) => inner.rate(name, hit, at),
  };
}
