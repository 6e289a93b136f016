import { describe, expect, it } from 'vitest';
import { defaultQuotas, QuotaTracker } from './quotas.js';

function trackerAt(clock: { now: number }, limits = { requestsPerMinute: 3, tokensPerMinute: 1_000 }) {
  return new QuotaTracker({ sonnet: limits, haiku: defaultQuotas.haiku }, 60_000, () => clock.now);
}

describe('QuotaTracker', () => {
  it('throttles the request past the per-minute count, with Bedrock\'s message', () => {
    const clock = { now: 0 };
    const tracker = trackerAt(clock);
    expect([1, 2, 3].map(() => tracker.admit('sonnet', 10))).toEqual([undefined, undefined, undefined]);
    const refusal = tracker.admit('sonnet', 10);
    expect(refusal?.type).toBe('ThrottlingException');
    expect(refusal?.status).toBe(429);
    expect(refusal?.message).toBe('Too many requests, please wait before trying again.');
  });

  it('throttles on tokens when a request would pass the per-minute token budget', () => {
    const tracker = trackerAt({ now: 0 });
    expect(tracker.admit('sonnet', 900)).toBeUndefined();
    expect(tracker.admit('sonnet', 200)?.message).toBe('Too many tokens, please wait before trying again.');
    expect(tracker.admit('sonnet', 100)).toBeUndefined();
  });

  it('slides: usage older than the window no longer counts, and refused requests never did', () => {
    const clock = { now: 0 };
    const tracker = trackerAt(clock);
    for (let i = 0; i < 3; i += 1) {
      clock.now = i * 10_000;
      tracker.admit('sonnet', 100);
    }
    clock.now = 30_000;
    expect(tracker.admit('sonnet', 100)).toBeDefined();
    clock.now = 60_001;
    expect(tracker.usage('sonnet')).toEqual({ requests: 2, tokens: 200 });
    expect(tracker.admit('sonnet', 100)).toBeUndefined();
  });

  it('counts each model family on its own', () => {
    const tracker = trackerAt({ now: 0 }, { requestsPerMinute: 0, tokensPerMinute: 0 });
    expect(tracker.admit('sonnet', 1)).toBeDefined();
    expect(tracker.admit('haiku', 1)).toBeUndefined();
  });

  it('takes new limits at run time and keeps its count', () => {
    const tracker = trackerAt({ now: 0 });
    tracker.admit('sonnet', 1);
    tracker.limits = { ...tracker.limits, sonnet: { requestsPerMinute: 1, tokensPerMinute: 1_000 } };
    expect(tracker.admit('sonnet', 1)?.type).toBe('ThrottlingException');
    tracker.clearUsage();
    expect(tracker.admit('sonnet', 1)).toBeUndefined();
  });

  it('counts exactly one window of usage over a long run', () => {
    const clock = { now: 0 };
    const tracker = trackerAt(clock, { requestsPerMinute: 1_000_000, tokensPerMinute: 1e12 });
    let refused = 0;
    for (let i = 0; i < 50_000; i += 1) {
      clock.now = i * 10;
      if (tracker.admit('sonnet', 2)) refused += 1;
    }
    expect(refused).toBe(0);
    expect(tracker.usage('sonnet')).toEqual({ requests: 6_000, tokens: 12_000 });
  });
});
