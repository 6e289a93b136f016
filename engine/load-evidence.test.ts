import { describe, expect, it } from 'vitest';
import { judgeEvidence, minimumAchievedShare, offeredVersusAchieved } from './load-evidence.js';
import { chatMetrics, RunMetrics } from './metrics/run-metrics.js';
import { judgeGeneratorHealth } from './self-monitor.js';

const start = 1_700_000_000_000;
const plateau = { fromMs: 20_000, toMs: 60_000 };

/** A run whose client sent `sent` messages and had `forfeited` turns turned away, per 10 s window. */
function snapshotOf(sent: number[], forfeited: number[] = []) {
  const metrics = new RunMetrics(chatMetrics, { startedAt: start, now: () => start + sent.length * 10_000 });
  sent.forEach((count, window) => { if (count > 0) metrics.add('chat_messages', count, start + window * 10_000 + 5_000); });
  forfeited.forEach((count, window) => { if (count > 0) metrics.add('chat_turns_forfeited', count, start + window * 10_000 + 5_000); });
  return metrics.snapshot();
}

describe('offered versus achieved', () => {
  it('counts messages sent and turns the service turned away per window, and sums the plateau\'s whole windows', () => {
    const load = offeredVersusAchieved(snapshotOf([50, 100, 100, 90, 100, 100, 20], [0, 0, 0, 10]), [50, 100, 100, 100, 100, 100], plateau);
    expect(load.achieved).toEqual([50, 100, 100, 100, 100, 100, 20]);
    expect(load.offered).toEqual([50, 100, 100, 100, 100, 100, 0]);
    expect(load.plateau).toEqual({ ...plateau, firstWindow: 2, lastWindow: 5 });
    expect([load.plateauOffered, load.plateauAchieved]).toEqual([400, 400]);
  });

  it('has no plateau for a shape without one, and then judges only the generator', () => {
    const load = offeredVersusAchieved(snapshotOf([10, 10]), [10, 10], undefined);
    expect(load.plateau).toBeNull();
    expect(judgeEvidence(load, null)).toEqual({ ok: true, reasons: [] });
  });
});

describe('a run is evidence only if it offered the load it claims', () => {
  it('holds at 95 % achieved and trips under it, saying by how much', () => {
    const at = (achieved: number) => ({ plateau: { ...plateau, firstWindow: 2, lastWindow: 5 }, plateauOffered: 400, plateauAchieved: achieved });
    expect(minimumAchievedShare).toBe(0.95);
    expect(judgeEvidence(at(380), null).ok).toBe(true);
    const short = judgeEvidence(at(379), null);
    expect(short.ok).toBe(false);
    expect(short.reasons).toEqual(['the plateau achieved 379 of the 400 messages offered (94.8 %, under 95.0 %): the load it claims was not offered']);
  });

  it('is not evidence when the generator was saturated, plateau or not', () => {
    const saturated = judgeGeneratorHealth(97, 20);
    expect(judgeEvidence(null, saturated)).toEqual({ ok: false, reasons: [saturated.reason] });
    expect(judgeEvidence(null, judgeGeneratorHealth(40, 20)).ok).toBe(true);
  });
});
