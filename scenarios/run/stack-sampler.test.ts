import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, loopback } from '../../stack/ports.js';
import { type RunningRedis, startRedis, withRedis } from '../../stack/redis.js';
import { redisReadings, startStackSampler } from './stack-sampler.js';
import { workerRssSeries } from './worker-memory.js';

let dir: string;
let redis: RunningRedis;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gameday-sampler-'));
  redis = await startRedis({ dir, maxmemory: '2mb', maxmemoryPolicy: 'allkeys-lru' });
});

afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the stack sampler', () => {
  it('reads evictions, keys and memory from INFO', () => {
    expect(redisReadings({ evicted_keys: '12', used_memory: '1048576', db0: 'keys=40,expires=3,avg_ttl=0' }))
      .toEqual({ redis_evicted_keys: 12, redis_keys: 40, redis_used_memory_bytes: 1_048_576 });
    expect(redisReadings({ evicted_keys: '0', used_memory: '900000' })).toEqual({ redis_evicted_keys: 0, redis_keys: 0, redis_used_memory_bytes: 900_000 });
  });

  it('records the evictions a full Redis makes while it samples, in time order', async () => {
    const sampler = startStackSampler(redis.url, 100);
    await sleep(250);
    await withRedis(redis.url, async (client) => {
      const value = 'x'.repeat(10_000);
      for (let batch = 0; batch < 20; batch += 1) {
        const pipeline = client.pipeline();
        for (let key = 0; key < 50; key += 1) pipeline.set(`sampler:${batch}:${key}`, value);
        await pipeline.exec();
      }
    });
    await sleep(250);
    const samples = await sampler.stop();
    const evictions = samples.series.redis_evicted_keys ?? [];
    expect(evictions.length).toBeGreaterThanOrEqual(4);
    expect(evictions[0]?.[1]).toBe(0);
    expect(evictions.at(-1)?.[1]).toBeGreaterThan(0);
    expect(evictions.map(([t]) => t)).toEqual([...evictions.map(([t]) => t)].sort((a, b) => a - b));
    expect(samples.series.redis_keys?.length).toBe(evictions.length);
  });

  it('samples each worker\'s resident memory under its pid, and leaves out a pid that is gone', async () => {
    const gone = 2 ** 22 + 17;
    const sampler = startStackSampler(redis.url, 50, () => [process.pid, gone]);
    await sleep(180);
    const { series } = await sampler.stop();
    const own = series[workerRssSeries(process.pid)] ?? [];
    expect(own.length).toBeGreaterThanOrEqual(3);
    for (const [, bytes] of own) expect(bytes).toBeGreaterThan(10 * 1_024 * 1_024);
    expect(series[workerRssSeries(gone)]).toBeUndefined();
    expect(series.redis_keys?.length).toBe(own.length);
  });

  it('leaves out what an unreachable Redis does not answer, without failing', async () => {
    const sampler = startStackSampler(`redis://${loopback}:${await freePort()}`, 50);
    await sleep(150);
    expect(await sampler.stop()).toMatchObject({ series: {} });
  });
});
