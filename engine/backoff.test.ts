import { describe, expect, it } from 'vitest';
import { seededRandom } from '../stack/random.js';
import { backoffDelay } from './backoff.js';
import { readings } from './engine-test-kit.js';
import { perModel, turnCostUsd } from './llm-cost.js';
import { chatMetrics, RunMetrics } from './metrics/run-metrics.js';
import { recordAnswer } from './turn-metrics.js';

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

  it('a turn counts its tokens and cost in the totals and under the model that answered it', () => {
    const metrics = new RunMetrics(chatMetrics);
    const answer = (model: string, inputTokens: number) => ({
      done: { messageId: 'm', turnCount: 1, usage: { inputTokens, outputTokens: 100 }, model, summarised: false }, ttftMs: 10, durationMs: 20, reply: null,
    });
    const turn = { text: 'x', thinkBeforeMs: 0, expect: 'answer' as const };
    recordAnswer(metrics, turn, answer('anthropic.claude-3-sonnet-20240229-v1:0', 1_000), 1, []);
    recordAnswer(metrics, turn, answer('anthropic.claude-3-haiku-20240307-v1:0', 3_000), 1, []);
    const count = (name: string) => readings(metrics.snapshot()).counter(name);
    expect(count('llm_input_tokens')).toBe(4_000);
    expect(count(perModel('llm_input_tokens', 'sonnet'))).toBe(1_000);
    expect(count(perModel('llm_input_tokens', 'haiku'))).toBe(3_000);
    expect(count(perModel('llm_output_tokens', 'haiku'))).toBe(100);
    expect(count(perModel('llm_cost_usd', 'haiku'))).toBeCloseTo((3_000 * 0.25 + 100 * 1.25) / 1e6, 12);
    expect(count(perModel('llm_cost_usd', 'sonnet')) + count(perModel('llm_cost_usd', 'haiku'))).toBeCloseTo(count('llm_cost_usd'), 12);
  });
});
