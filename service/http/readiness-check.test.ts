import { describe, expect, it } from 'vitest';
import { cachedReadinessCheck } from './readiness-check.js';

describe('cachedReadinessCheck', () => {
  it('shares one check among concurrent callers and keeps a failed verdict for the window too', async () => {
    let clock = 0;
    let calls = 0;
    let failing = false;
    const check = cachedReadinessCheck(async () => {
      calls += 1;
      if (failing) throw new Error('redis down');
    }, { ttlMs: 1_000, now: () => clock });

    await Promise.all([check(), check(), check()]);
    expect(calls).toBe(1);

    failing = true;
    clock = 999;
    await check();
    expect(calls).toBe(1);

    clock = 1_000;
    await expect(check()).rejects.toThrow('redis down');
    failing = false;
    clock = 1_999;
    await expect(check()).rejects.toThrow('redis down');
    expect(calls).toBe(2);

    clock = 2_000;
    await check();
    expect(calls).toBe(3);
  });
});
