/**
 * Whether a run is evidence: the load it claims was offered (achieved at least 95 % of what the
 * plan scheduled, over the plateau) and the generator was not saturated. A verdict on a run that
 * is not evidence says nothing about the service: it exits 1, never 0.
 */
import type { CounterValues, MetricsSnapshot } from './metrics/snapshot.js';
import { plateauWindows } from './offered-load.js';
import type { GeneratorHealth } from './self-monitor.js';

/** Under this share of the offered messages, a plateau was not offered. */
export const minimumAchievedShare = 0.95;

export interface OfferedVersusAchieved {
  windowMs: number;
  /** Messages the plan scheduled per window from the start. */
  offered: number[];
  /** Messages sent per window, plus turns the service turned away (chat_turns_forfeited). */
  achieved: number[];
  /** The plateau (ms from the start) and its whole windows; null for a shape without one. */
  plateau: { fromMs: number; toMs: number; firstWindow: number; lastWindow: number } | null;
  plateauOffered: number;
  plateauAchieved: number;
}

export interface Evidence {
  ok: boolean;
  /** Why the run is not evidence, one line each. */
  reasons: string[];
}

function perWindow(snapshot: MetricsSnapshot, metric: string, windows: number): number[] {
  const counts = new Array<number>(windows).fill(0);
  const series = snapshot.metrics[metric];
  if (!series) return counts;
  for (const window of series.windows as Array<CounterValues & { index: number }>) {
    if (window.index < windows) counts[window.index] = (counts[window.index] as number) + window.sum;
  }
  return counts;
}

const sumOf = (values: number[], first: number, last: number) => values.slice(first, last + 1).reduce((sum, value) => sum + value, 0);

/** Offered against achieved per window of a built-in engine run, and over its plateau. */
export function offeredVersusAchieved(
  snapshot: MetricsSnapshot, offered: number[], plateau: { fromMs: number; toMs: number } | undefined,
): OfferedVersusAchieved {
  const runWindows = Math.ceil((snapshot.endedAt - snapshot.startedAt) / snapshot.windowMs);
  const windows = Math.max(offered.length, runWindows);
  const sent = perWindow(snapshot, 'chat_messages', windows);
  const forfeited = perWindow(snapshot, 'chat_turns_forfeited', windows);
  const achieved = sent.map((count, index) => count + (forfeited[index] as number));
  const padded = [...offered, ...new Array<number>(windows - offered.length).fill(0)];
  const whole = plateau ? plateauWindows(plateau, snapshot.windowMs) : null;
  return {
    windowMs: snapshot.windowMs,
    offered: padded,
    achieved,
    plateau: plateau && whole ? { ...plateau, firstWindow: whole.first, lastWindow: whole.last } : null,
    plateauOffered: whole ? sumOf(padded, whole.first, whole.last) : 0,
    plateauAchieved: whole ? sumOf(achieved, whole.first, whole.last) : 0,
  };
}

const percent = (share: number) => `${(share * 100).toFixed(1)} %`;

/** The run's evidence: the plateau's offered load achieved, and a generator with headroom. */
export function judgeEvidence(load: Pick<OfferedVersusAchieved, 'plateau' | 'plateauOffered' | 'plateauAchieved'> | null, generator: GeneratorHealth | null): Evidence {
  const reasons: string[] = [];
  if (load?.plateau && load.plateauOffered > 0) {
    const share = load.plateauAchieved / load.plateauOffered;
    if (share < minimumAchievedShare) {
      reasons.push(`the plateau achieved ${load.plateauAchieved} of the ${load.plateauOffered} messages offered (${percent(share)}, `
        + `under ${percent(minimumAchievedShare)}): the load it claims was not offered`);
    }
  }
  if (generator?.saturated) reasons.push(generator.reason ?? 'the load generator was saturated');
  return { ok: reasons.length === 0, reasons };
}
