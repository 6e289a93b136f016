import { describe, expect, it } from 'vitest';
import { leakGate, leakGateDefaults, rssGrowth, rssGrowthMetric, vmRssBytes, workerRssSeries } from './worker-memory.js';

const mib = 1_024 * 1_024;

/** One sample a second from `fromS` to `toS`: `bytesAt(s)` (seconds since the run's start). */
function samples(fromS: number, toS: number, bytesAt: (s: number) => number): Array<[number, number]> {
  const points: Array<[number, number]> = [];
  for (let s = fromS; s <= toS; s += 1) points.push([s * 1_000, Math.round(bytesAt(s))]);
  return points;
}

/** 120 MiB after warm-up, growing linearly by `percent` over the 240 s judged after it; a GC sawtooth of ±2 MiB on top. */
function growingBy(percent: number) {
  const warmUpS = leakGateDefaults.warmUpMs / 1_000;
  return (s: number) => {
    const sawtooth = ((s % 7) - 3) * (2 * mib / 3);
    if (s < warmUpS) return 60 * mib + s * mib + sawtooth; // warming up: 60 MiB to 120 MiB
    return 120 * mib * (1 + (percent / 100) * ((s - warmUpS) / 240)) + sawtooth;
  };
}

describe('the leak gate on the workers\' resident memory', () => {
  it('reads VmRSS from /proc/<pid>/status in bytes', () => {
    expect(vmRssBytes('Name:\tnode\nVmPeak:\t 1 kB\nVmRSS:\t  123456 kB\nRssAnon:\t 1 kB\n')).toBe(123_456 * 1_024);
    expect(vmRssBytes('Name:\tkthreadd\n')).toBeNull();
  });

  it('trips on 15 % growth after warm-up and holds on 5 %', () => {
    const end = leakGateDefaults.warmUpMs / 1_000 + 240;
    const trips = leakGate({ [workerRssSeries(11)]: samples(0, end, growingBy(0)), [workerRssSeries(12)]: samples(0, end, growingBy(15)) });
    expect(trips.counters[rssGrowthMetric]).toBeGreaterThan(13);
    expect(trips.counters[rssGrowthMetric]).toBeLessThan(15.5);
    expect(trips.thresholds).toEqual({ [rssGrowthMetric]: ['value<10'] });
    expect(trips.growth?.workers.map((worker) => worker.pid).sort()).toEqual([11, 12]);

    const holds = rssGrowth({ [workerRssSeries(11)]: samples(0, end, growingBy(5)) });
    expect(holds.percent).toBeGreaterThan(3.5);
    expect(holds.percent).toBeLessThan(5.5);
  });

  it('reads the trend, not one GC: RSS that drops by a quarter and climbs back every 40 s, on a flat line, is not a leak', () => {
    const warmUpS = leakGateDefaults.warmUpMs / 1_000;
    const sawtooth = (s: number) => (s < warmUpS ? growingBy(0)(s) : 112 * mib + 38 * mib * (((s - warmUpS) % 40) / 40));
    const growth = rssGrowth({ [workerRssSeries(11)]: samples(0, warmUpS + 240, sawtooth) });
    // The line's ends still feel where in its cycle the run stopped: a few %, well under the gate.
    expect(Math.abs(growth.percent ?? Infinity)).toBeLessThan(5);
    // The same sawtooth on a 15 % rise still trips.
    const rising = (s: number) => sawtooth(s) * (s < warmUpS ? 1 : 1 + 0.15 * ((s - warmUpS) / 240));
    expect(rssGrowth({ [workerRssSeries(11)]: samples(0, warmUpS + 240, rising) }).percent).toBeGreaterThan(10);
  });

  it('leaves warm-up out: memory that doubles in the first minute and then stays is not a leak', () => {
    const growth = rssGrowth({ [workerRssSeries(11)]: samples(0, 300, growingBy(0)) });
    expect(Math.abs(growth.percent ?? Infinity)).toBeLessThan(2);
    // Judged from the start, the same worker would have tripped the gate.
    expect(rssGrowth({ [workerRssSeries(11)]: samples(0, 300, growingBy(0)) }, { ...leakGateDefaults, warmUpMs: 0 }).percent).toBeGreaterThan(20);
  });

  it('warms a worker started during the run (a replacement) up from its own first sample', () => {
    const replacement = samples(150, 420, (s) => growingBy(0)(s - 150));
    const growth = rssGrowth({ [workerRssSeries(13)]: replacement });
    expect(Math.abs(growth.percent ?? Infinity)).toBeLessThan(2);
    // A worker killed before it was judged long enough is left out, not judged on its stump.
    const killed = samples(0, 150, growingBy(50));
    expect(rssGrowth({ [workerRssSeries(13)]: replacement, [workerRssSeries(14)]: killed }).workers.map((worker) => worker.pid)).toEqual([13]);
  });

  it('is not evaluated, and says why, when no worker was sampled long enough or at all', () => {
    const short = leakGate({ [workerRssSeries(11)]: samples(0, 170, growingBy(30)), redis_keys: samples(0, 170, () => 4) });
    expect(short.thresholds).toEqual({});
    expect(short.notEvaluated).toEqual([{ metric: rssGrowthMetric, expression: 'value<10', reason: expect.stringMatching(/no worker was sampled for 180 s .*run longer \(--duration\)/) }]);
    expect(leakGate({ redis_keys: samples(0, 300, () => 4) }).notEvaluated[0]?.reason).toMatch(/no worker's resident memory was sampled/);
    expect(leakGate(null).notEvaluated[0]?.reason).toMatch(/--target/);
  });
});
