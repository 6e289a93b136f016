import { describe, expect, it } from 'vitest';
import { arrivalsDurationMs, arrivalTimes, scheduleArrivals, type Arrivals, type LoadShape } from './arrivals.js';

const times = (arrivals: Arrivals) => [...arrivalTimes(arrivals)];

describe('arrivalTimes', () => {
  it('spaces a constant rate as constant-arrival-rate: from 0, every 1/rate, within the duration', () => {
    expect(times({ kind: 'constant', perSecond: 4, durationMs: 1000 })).toEqual([0, 250, 500, 750]);
    expect(times({ kind: 'constant', perSecond: 3, durationMs: 10_000 })).toHaveLength(30);
    expect(times({ kind: 'constant', perSecond: 0, durationMs: 10_000 })).toEqual([]);
  });

  it('spaces a ramp as ramping-arrival-rate: an arrival each time the rate integral reaches a whole number', () => {
    // 0 → 2/s over 10 s: 10 arrivals, the i-th at √(10·i) s (integral t²/10 = i).
    const ramp = times({ kind: 'ramping', startPerSecond: 0, stages: [{ targetPerSecond: 2, durationMs: 10_000 }] });
    expect(ramp).toHaveLength(10);
    ramp.forEach((at, i) => expect(at).toBeCloseTo(Math.sqrt(10 * (i + 1)) * 1000, 6));
    // A flat stage is evenly spaced starting one period in, and the arrival on its end is kept.
    expect(times({ kind: 'ramping', startPerSecond: 5, stages: [{ targetPerSecond: 5, durationMs: 1000 }] }))
      .toEqual([200, 400, 600, 800, 1000]);
  });

  it('carries a fraction of an arrival into the next stage and follows ramps down', () => {
    const arrivals: Arrivals = {
      kind: 'ramping', startPerSecond: 0,
      stages: [{ targetPerSecond: 3, durationMs: 1000 }, { targetPerSecond: 3, durationMs: 1000 }, { targetPerSecond: 0, durationMs: 2000 }],
    };
    const all = times(arrivals);
    // Areas: 1.5 + 3 + 3 = 7.5 arrivals, so 7.
    expect(all).toHaveLength(7);
    expect(all[1]).toBeCloseTo(1000 + (0.5 * 1000) / 3, 6);
    expect([...all].sort((a, b) => a - b)).toEqual(all);
    expect(Math.max(...all)).toBeLessThanOrEqual(arrivalsDurationMs(arrivals));
  });

  it('jumps to a target at once on a zero-length stage, as k6 does', () => {
    const jumped = times({ kind: 'ramping', startPerSecond: 0, stages: [{ targetPerSecond: 10, durationMs: 0 }, { targetPerSecond: 10, durationMs: 500 }] });
    expect(jumped).toEqual([100, 200, 300, 400, 500]);
  });

  it('refuses negative or non-finite rates', () => {
    expect(() => times({ kind: 'constant', perSecond: -1, durationMs: 1000 })).toThrow(/perSecond must be a finite number/);
    expect(() => times({ kind: 'ramping', startPerSecond: 1, stages: [{ targetPerSecond: Number.NaN, durationMs: 1 }] }))
      .toThrow(/stages\[0\]\.targetPerSecond/);
  });
});

/** A clock that moves only when the scheduler sleeps, one macrotask later, so finished sessions free their slots first. */
function fakeTime() {
  let clock = 0;
  return {
    now: () => clock,
    sleep: (ms: number) => new Promise<void>((resolve) => setImmediate(() => { clock += ms; resolve(); })),
  };
}

const shape = (maxConcurrentSessions: number, perSecond = 10, durationMs = 1000): LoadShape =>
  ({ arrivals: { kind: 'constant', perSecond, durationMs }, maxConcurrentSessions });

describe('scheduleArrivals', () => {
  it('starts each session at its arrival time', async () => {
    const time = fakeTime();
    const startedAt: number[] = [];
    const result = await scheduleArrivals({ shape: shape(1), ...time, start: async () => { startedAt.push(time.now()); } });
    expect(startedAt).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
    expect(result).toEqual({ started: 10, dropped: 0, failed: 0, aborted: false });
  });

  it('drops, not queues, arrivals that find every slot taken, and waits for the started sessions', async () => {
    const time = fakeTime();
    const release: Array<() => void> = [];
    const dropped: Array<[number, number]> = [];
    let finished = 0;
    const done = scheduleArrivals({
      shape: shape(3), ...time,
      start: () => new Promise<void>((resolve) => release.push(() => { finished += 1; resolve(); })),
      onDropped: (index, atMs) => dropped.push([index, atMs]),
    });
    for (let turn = 0; turn < 1000 && time.now() < 900; turn++) await time.sleep(0);
    expect(release).toHaveLength(3);
    expect(dropped.map(([index]) => index)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(dropped[0]?.[1]).toBe(300);
    release.forEach((resolve) => resolve());
    expect(await done).toEqual({ started: 3, dropped: 7, failed: 0, aborted: false });
    expect(finished).toBe(3);
  });

  it('stops starting sessions on abort and reports failed sessions without throwing', async () => {
    const time = fakeTime();
    const controller = new AbortController();
    const errors: number[] = [];
    const result = await scheduleArrivals({
      shape: shape(100), ...time, signal: controller.signal,
      start: async (index) => {
        if (index === 4) controller.abort();
        if (index % 2 === 1) throw new Error('session failed');
      },
      onSessionError: (index) => errors.push(index),
    });
    expect(result).toEqual({ started: 5, dropped: 0, failed: 2, aborted: true });
    expect(errors).toEqual([1, 3]);
  });

  it('refuses a cap that is not a whole number of sessions', async () => {
    await expect(scheduleArrivals({ shape: shape(0), start: async () => undefined })).rejects.toThrow(/maxConcurrentSessions/);
  });
});
