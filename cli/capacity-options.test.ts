import { describe, expect, it } from 'vitest';
import { parseFlags } from './args.js';
import { capacityFlags, capacityRequestFromArgs } from './capacity-options.js';
import { loadCliConfig } from './config.js';

const request = (...args: string[]) => capacityRequestFromArgs(parseFlags(args, capacityFlags), loadCliConfig({}, false));

describe('gameday capacity options', () => {
  it('defaults to steady-1m-day from 10 by 10 msg/s, 60 s holds, warm-up one session length', () => {
    const got = request();
    expect(got).toMatchObject({ holdMs: 60_000, workers: 2, quotas: {}, target: null, seed: 1, json: false });
    expect(got.incident.id).toBe('steady-1m-day');
    expect(got.rates.slice(0, 3)).toEqual([10, 20, 30]);
    expect(got.rates.at(-1)).toBe(200);
    expect(got.warmupMs).toBeGreaterThan(10_000);
    expect(got.warmupMs).toBeLessThan(20_000);
    expect(got.outDir).toMatch(/reports\/runs\/\d{8}-\d{6}Z-[a-z0-9]+$/);
  });

  it('takes the steps, quotas and workers it is given', () => {
    expect(request('--from', '20', '--step', '5', '--max', '35', '--hold', '40s', '--sonnet-rpm', '120', '--workers', '1'))
      .toMatchObject({ rates: [20, 25, 30, 35], holdMs: 40_000, quotas: { sonnetRpm: 120 }, workers: 1 });
  });

  it('refuses a hold that leaves no whole 10 s window after the warm-up, saying how long it must be', () => {
    expect(() => request('--hold', '25s')).toThrow(/--hold must be at least 30s/);
    expect(() => request('--hold', '25s', '--warmup', '5s')).not.toThrow();
  });

  it('refuses stack settings against a --target, and a --max under --from', () => {
    expect(() => request('--target', 'http://127.0.0.1:8080', '--workers', '1')).toThrow(/a --target keeps its own/);
    expect(() => request('--from', '30', '--max', '20')).toThrow(/--max \(20\) must be at least --from \(30\)/);
    expect(() => request('--incident', 'nope')).toThrow(/unknown incident "nope"/);
  });
});
