import { describe, expect, it } from 'vitest';
import { seededRandom } from '../stack/random.js';
import { backoffDelay } from './backoff.js';
import { turnCostUsd } from './llm-cost.js';

const seed001 = { baseMs: 500, maxMs: 10_000, maxAttempts: 10 };

describe('reconnect backoff (seed 001: 0.5 s doubling to 10 s)', () => {
  it('doubles from base to max, each wait between half and all of its ceiling', () => {
    const random = seededRandom(1);
    const ceilings = [500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000];
    ceilings.forEach((ceiling, index) => {
      const delay = backoffDelay(index + 1, seed001, random);
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    });
  });

  it('draws its jitter from the seeded random, so a run replays exactly', () => {
    const draws = (seed: number) => { const random = seededRandom(seed); return [1, 2, 3].map((attempt) => backoffDelay(attempt, seed001, random)); };
    expect(draws(7)).toEqual(draws(7));
    expect(draws(7)).not.toEqual(draws(8));
  });
});

describe('turn cost (Sonnet $3/$15, Haiku $0.25/$1.25 per 1M tokens)', () => {
  it('prices by the model the done names, and a cache answer costs nothing', () => {
    const usage = { inputTokens: 1_000_000, outputTokens: 1_000_000 };
    expect(turnCostUsd('anthropic.claude-3-sonnet-20240229-v1:0', usage)).toBeCloseTo(18);
    expect(turnCostUsd('anthropic.claude-3-haiku-20240307-v1:0', usage)).toBeCloseTo(1.5);
    expect(turnCostUsd('anthropic.claude-3-haiku-20240307-v1:0', { inputTokens: 0, outputTokens: 0 })).toBe(0);
  });
});
