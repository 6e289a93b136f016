import { describe, expect, it } from 'vitest';
import { bracketOf, capacityExitCode, judgeStep, type JudgedStep, type StepMeasure, stepRates } from './capacity-judge.js';
import { judgeGeneratorHealth } from '../../engine/self-monitor.js';

/** A healthy step: windows 2..5 judged, 100 messages offered and achieved in each, fast answers, no errors. */
function measure(overrides: Partial<StepMeasure> = {}): StepMeasure {
  return {
    windowMs: 10_000,
    judged: { first: 2, last: 5 },
    offered: 400,
    achieved: 400,
    ttftWindows: [2, 3, 4, 5].map((index) => ({ index, p95Ms: 1_200, samples: 100 })),
    errors: { hits: 0, total: 400 },
    generator: judgeGeneratorHealth(40, 12),
    ...overrides,
  };
}

const step = (rate: number, overrides: Partial<StepMeasure> = {}): JudgedStep => ({ rate, judgement: judgeStep(measure(overrides)) });
const broken = (rate: number) => step(rate, { errors: { hits: 40, total: 400 } });

describe('a capacity step', () => {
  it('holds when every gate holds', () => {
    const judged = judgeStep(measure());
    expect(judged.verdict).toBe('held');
    expect(judged.firstBroken).toBeNull();
    expect(judged.gates.map((gate) => [gate.gate, gate.broke])).toEqual([['ttft', false], ['errors', false], ['achieved', false]]);
  });

  it('breaks on one 10 s window whose p95 TTFT reaches 3 s, at the end of that window', () => {
    const judged = judgeStep(measure({ ttftWindows: [{ index: 2, p95Ms: 900, samples: 90 }, { index: 3, p95Ms: 3_000, samples: 95 }, { index: 4, p95Ms: 3_400, samples: 80 }] }));
    expect(judged.verdict).toBe('broke');
    expect(judged.firstBroken).toMatchObject({ gate: 'ttft', value: 3_400, brokeAtMs: 40_000 });
    expect(judged.firstBroken?.detail).toContain('3400 ms (40–50 s');
  });

  it('leaves warm-up windows out of the TTFT gate', () => {
    const judged = judgeStep(measure({ ttftWindows: [{ index: 0, p95Ms: 9_000, samples: 5 }, { index: 1, p95Ms: 4_000, samples: 50 }, { index: 2, p95Ms: 1_000, samples: 100 }] }));
    expect(judged.verdict).toBe('held');
  });

  it('breaks at 1 % errors over the step, not below', () => {
    expect(judgeStep(measure({ errors: { hits: 3, total: 400 } })).verdict).toBe('held');
    const judged = judgeStep(measure({ errors: { hits: 4, total: 400 } }));
    expect(judged.firstBroken).toMatchObject({ gate: 'errors', value: 0.01, brokeAtMs: 60_000 });
  });

  it('breaks when it achieved under 95 % of what the plan offered', () => {
    expect(judgeStep(measure({ achieved: 380 })).verdict).toBe('held');
    const judged = judgeStep(measure({ achieved: 379 }));
    expect(judged.firstBroken).toMatchObject({ gate: 'achieved', value: 379 / 400 });
    expect(judged.firstBroken?.detail).toContain('379 of 400');
  });

  it('names the gate that broke first in time: a window before the end beats the step-wide gates', () => {
    const judged = judgeStep(measure({ errors: { hits: 100, total: 400 }, ttftWindows: [{ index: 4, p95Ms: 5_000, samples: 50 }] }));
    expect(judged.firstBroken?.gate).toBe('ttft');
    expect(judged.gates.filter((gate) => gate.broke).map((gate) => gate.gate)).toEqual(['ttft', 'errors']);
    const atTheEnd = judgeStep(measure({ errors: { hits: 100, total: 400 }, achieved: 10, ttftWindows: [{ index: 5, p95Ms: 5_000, samples: 50 }] }));
    expect(atTheEnd.firstBroken?.gate).toBe('ttft');
    expect(judgeStep(measure({ errors: { hits: 100, total: 400 }, achieved: 10 })).firstBroken?.gate).toBe('errors');
  });

  it('is generator-bound when the generator saturated, whatever the gates say', () => {
    expect(judgeStep(measure({ generator: judgeGeneratorHealth(97, 20) })).verdict).toBe('generator-bound');
    expect(judgeStep(measure({ generator: judgeGeneratorHealth(50, 250), achieved: 100 })).verdict).toBe('generator-bound');
  });
});

describe('the bracket', () => {
  it('is the highest step held and the first that broke, with the gate', () => {
    const bracket = bracketOf([step(10), step(20), broken(30)]);
    expect(bracket).toMatchObject({ outcome: 'knee', held: 20, broke: 30, kneeRate: 20, generatorBound: null });
    expect(bracket.gate?.gate).toBe('errors');
    expect(capacityExitCode(bracket)).toBe(0);
  });

  it('says when every step held: the knee is above the top one', () => {
    const bracket = bracketOf([step(10), step(20)]);
    expect(bracket).toMatchObject({ outcome: 'top-held', held: 20, broke: null, kneeRate: 20 });
    expect(capacityExitCode(bracket)).toBe(0);
  });

  it('says when the first step broke: no knee at or above it (exit 99)', () => {
    const bracket = bracketOf([broken(10)]);
    expect(bracket).toMatchObject({ outcome: 'below-first', held: null, broke: 10, kneeRate: 0 });
    expect(capacityExitCode(bracket)).toBe(99);
  });

  it('never takes a generator-bound step for the knee, even one whose gates broke', () => {
    const saturated = step(30, { generator: judgeGeneratorHealth(99, 300), errors: { hits: 200, total: 400 } });
    const bracket = bracketOf([step(10), step(20), saturated]);
    expect(bracket).toMatchObject({ outcome: 'generator-bound', held: 20, broke: null, generatorBound: 30, gate: null });
    expect(capacityExitCode(bracket)).toBe(1);
  });
});

describe('step rates', () => {
  it('runs from --from by --step up to --max inclusive', () => {
    expect(stepRates(10, 10, 40)).toEqual([10, 20, 30, 40]);
    expect(stepRates(0.1, 0.2, 0.5)).toEqual([0.1, 0.3, 0.5]);
    expect(stepRates(20, 10, 25)).toEqual([20]);
  });

  it('refuses steps that never end or never start', () => {
    expect(() => stepRates(10, 0, 40)).toThrow(/step > 0/);
    expect(() => stepRates(30, 10, 20)).toThrow(/max ≥ from/);
  });
});
