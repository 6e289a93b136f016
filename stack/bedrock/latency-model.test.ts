import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random.js';
import {
  calibrationTargets, formatCalibrationTable, formatParameterTable, measureCalibration, planLatency,
} from './latency-model.js';

const samples = 20_000;
const rows = measureCalibration(1, samples);

describe('calibration against the seeds (20,000 seeded plans per row)', () => {
  it.each(rows.map((row) => [row.target.id, row] as const))('%s meets its target', (_id, row) => {
    expect(row.misses).toEqual([]);
  });

  it('covers every row of the brief for both models', () => {
    expect(calibrationTargets.map((target) => target.id)).toEqual([
      'sonnet-short', 'sonnet-long', 'sonnet-ttft-3k', 'sonnet-ttft-10k', 'sonnet-ttft-30k',
      'haiku-short', 'haiku-long', 'haiku-ttft-3k', 'haiku-ttft-10k', 'haiku-ttft-30k',
    ]);
  });

  it.each([2, 3, 4])('still meets every target with seed %i, so the fit is not one lucky seed', (seed) => {
    expect(measureCalibration(seed, samples).flatMap((row) => row.misses)).toEqual([]);
  });

  it('reports a miss when a bound does not hold, so the row checks can fail', () => {
    // One plan per row has no tail: its "p95" is a typical short answer, far under 5.5 s.
    const shortRow = measureCalibration(1, 1).find((row) => row.target.id === 'sonnet-short');
    expect(shortRow?.misses).toEqual([expect.stringMatching(/^total p95 \d+ ms is below 5500 ms$/)]);
  });

  it('matches the tables written in calibration.md', () => {
    const document = readFileSync(new URL('./calibration.md', import.meta.url), 'utf8');
    expect(document).toContain(formatParameterTable());
    expect(document).toContain(formatCalibrationTable(rows));
  });
});

describe('planLatency', () => {
  it('gives the same plan for the same seed, and a different one for another seed', () => {
    const plan = (seed: number) => planLatency('sonnet', 2_500, 300, seededRandom(seed));
    expect(plan(11)).toEqual(plan(11));
    expect(plan(11)).not.toEqual(plan(12));
  });

  it('takes exactly six draws whatever happens, so later requests replay unchanged', () => {
    for (const [family, outputTokens] of [['sonnet', 300], ['haiku', 1], ['sonnet', 0]] as const) {
      for (let seed = 0; seed < 50; seed += 1) {
        const source = seededRandom(seed);
        let draws = 0;
        planLatency(family, 5_000, outputTokens, () => { draws += 1; return source(); });
        expect(draws).toBe(6);
      }
    }
  });

  it('adds up: total is TTFT plus one interval per token after the first', () => {
    const random = seededRandom(5);
    for (let i = 0; i < 1_000; i += 1) {
      const outputTokens = 1 + Math.floor(random() * 500);
      const plan = planLatency(i % 2 === 0 ? 'sonnet' : 'haiku', 2_000, outputTokens, random);
      expect(plan.totalMs).toBeCloseTo(plan.ttftMs + (outputTokens - 1) * plan.tokenIntervalMs, 6);
      expect(plan.ttftMs).toBeGreaterThan(0);
      expect(plan.tokenIntervalMs).toBeGreaterThanOrEqual(0);
    }
    const single = planLatency('sonnet', 2_000, 1, seededRandom(1));
    expect(single.totalMs).toBe(single.ttftMs);
  });

  it('multiplies every time by timeScale', () => {
    const full = planLatency('sonnet', 8_000, 4_000, seededRandom(9));
    const scaled = planLatency('sonnet', 8_000, 4_000, seededRandom(9), 0.05);
    expect(scaled.ttftMs).toBeCloseTo(full.ttftMs * 0.05, 6);
    expect(scaled.tokenIntervalMs).toBeCloseTo(full.tokenIntervalMs * 0.05, 6);
    expect(scaled.totalMs).toBeCloseTo(full.totalMs * 0.05, 6);
  });

  it('takes longer to the first token as the input grows', () => {
    const medianTtft = (inputTokens: number) => {
      const random = seededRandom(21);
      const values = Array.from({ length: 2_001 }, () => planLatency('sonnet', inputTokens, 300, random).ttftMs);
      return values.sort((a, b) => a - b)[1_000] ?? 0;
    };
    expect(medianTtft(10_000)).toBeGreaterThan(medianTtft(1_000) * 1.5);
    expect(medianTtft(200_000)).toBeGreaterThan(medianTtft(10_000) * 5);
  });
});
