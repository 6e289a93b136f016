import { describe, expect, it } from 'vitest';
import { planStats, realTimeTurnMs } from './capacity-step.js';
import { steady1mDay, steadyTurnsPerSession } from '../steady-1m-day.js';

describe('the plans a capacity step offers', () => {
  it('turn a message rate into session arrivals by the plans\' own mean turns (steady-1m-day: 3)', () => {
    const stats = planStats(steady1mDay.session, 1);
    expect(stats.meanTurnsPerSession).toBeCloseTo(steadyTurnsPerSession.mean, 1);
    // Two thinks of 1-3 s and three turns at real speed: one session length is the warm-up.
    expect(stats.meanSessionMs).toBeGreaterThan(2 * 2_000 + 3 * realTimeTurnMs - 1_000);
    expect(stats.meanSessionMs).toBeLessThan(2 * 2_000 + 3 * realTimeTurnMs + 1_000);
  });
});
