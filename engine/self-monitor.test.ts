import { setTimeout as wait } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { CPU_LIMIT_PERCENT, EVENT_LOOP_P99_LIMIT_MS, judgeGeneratorHealth, startSelfMonitor } from './self-monitor.js';

describe('judgeGeneratorHealth', () => {
  it('trusts a generator under both limits', () => {
    expect(judgeGeneratorHealth(40, 12)).toEqual({ cpuPercent: 40, eventLoopP99Ms: 12, saturated: false, reason: null });
    expect(judgeGeneratorHealth(CPU_LIMIT_PERCENT, EVENT_LOOP_P99_LIMIT_MS).saturated).toBe(false);
  });

  it('says in words which limit a saturated generator passed', () => {
    expect(judgeGeneratorHealth(50, 340.4).reason)
      .toBe('the load generator was saturated (event-loop delay p99 340 ms): its latencies are not trustworthy');
    expect(judgeGeneratorHealth(97.2, 20).reason)
      .toBe('the load generator was saturated (CPU 97 % of one core): its latencies are not trustworthy');
    expect(judgeGeneratorHealth(99, 250).reason).toMatch(/\(event-loop delay p99 250 ms, CPU 99 % of one core\)/);
  });
});

describe('startSelfMonitor', () => {
  it('measures CPU time over wall time as a share of one core', () => {
    let wall = 0;
    let cpuMicros = 0;
    const monitor = startSelfMonitor({ now: () => wall, cpuUsage: () => ({ user: cpuMicros * 0.75, system: cpuMicros * 0.25 }) });
    wall = 2_000;
    cpuMicros = 1_900_000;
    const health = monitor.stop();
    expect(health.cpuPercent).toBeCloseTo(95, 6);
    expect(health.saturated).toBe(true);
    expect(health.reason).toMatch(/CPU 95 % of one core/);
    expect(monitor.stop()).toBe(health);
  });

  it('notices an event loop blocked far past the limit', async () => {
    const monitor = startSelfMonitor();
    await wait(30);
    const blockedUntil = performance.now() + 3 * EVENT_LOOP_P99_LIMIT_MS;
    while (performance.now() < blockedUntil) { /* keep the loop busy, as an overloaded generator does */ }
    await wait(30);
    const health = monitor.stop();
    expect(health.eventLoopP99Ms).toBeGreaterThan(EVENT_LOOP_P99_LIMIT_MS);
    expect(health.reason).toMatch(/^the load generator was saturated \(event-loop delay p99 \d+ ms/);
  });
});
