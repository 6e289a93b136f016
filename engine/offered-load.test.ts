import { describe, expect, it } from 'vitest';
import type { LoadShape } from './arrivals.js';
import { offeredMessagesBetween, offeredMessagesPerWindow, plateauWindows } from './offered-load.js';
import type { SessionFactory } from './session-plan.js';

// Three turns: at arrival, 4 s later, and 4 s after that.
const sessions: SessionFactory = (index) => ({
  client: { kind: 'desktop', via: 'direct', answersServerPings: true, reconnect: null, turnTimeoutMs: 30_000 },
  customerId: `c-${index}`,
  turns: [0, 4_000, 4_000].map((thinkBeforeMs) => ({ text: 'hi', thinkBeforeMs, expect: 'answer' as const })),
});

describe('the load a plan offers', () => {
  it('places each turn at its session\'s scheduled arrival plus the thinks before it, per window', () => {
    const shape: LoadShape = { arrivals: { kind: 'constant', perSecond: 1, durationMs: 10_000 }, maxConcurrentSessions: 100 };
    // Ten sessions at 0..9 s, turns at +0, +4 and +8 s: 10 + 6 + 2 in [0, 10 s), 0 + 4 + 8 in [10, 20 s).
    expect(offeredMessagesPerWindow(shape, sessions, 1, 10_000)).toEqual([18, 12]);
    expect(offeredMessagesBetween(shape, sessions, 1, 4_000, 8_000)).toBe(4 + 4);
  });

  it('holds a constant rate on a plateau, whatever the plan\'s session length', () => {
    const shape: LoadShape = { arrivals: { kind: 'constant', perSecond: 5, durationMs: 60_000 }, maxConcurrentSessions: 1_000, plateau: { fromMs: 8_000, toMs: 60_000 } };
    const windows = plateauWindows(shape.plateau!, 10_000)!;
    expect(windows).toEqual({ first: 1, last: 5 });
    const offered = offeredMessagesPerWindow(shape, sessions, 1, 10_000);
    for (let window = windows.first; window <= windows.last; window += 1) expect(offered[window]).toBe(150);
  });

  it('has no whole window in a plateau shorter than one, and refuses a bad window size', () => {
    expect(plateauWindows({ fromMs: 12_000, toMs: 19_000 }, 10_000)).toBeNull();
    expect(() => offeredMessagesPerWindow({ arrivals: { kind: 'constant', perSecond: 1, durationMs: 1_000 }, maxConcurrentSessions: 1 }, sessions, 1, 0)).toThrow(/windowMs/);
  });
});
