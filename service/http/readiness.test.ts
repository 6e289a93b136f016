import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisInfo, startRedis } from '../../stack/redis.js';
import { startServiceStack, type ServiceStack } from '../../test/service-app.js';
import { readinessTtlMs } from './ops-routes.js';

let stack: ServiceStack;

beforeAll(async () => {
  stack = await startServiceStack();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

/** PINGs the redis-server has answered: each readiness check sends exactly one. */
async function redisPings(url: string): Promise<number> {
  const stats = (await redisInfo(url, 'commandstats')).cmdstat_ping ?? 'calls=0';
  return Number(/calls=(\d+)/.exec(stats)?.[1] ?? 0);
}

describe('/readyz', () => {
  it('answers a probe storm with one dependency check per window, and shows draining at once', async () => {
    const service = await stack.start();
    const before = await redisPings(stack.redisUrl);
    const startedAt = performance.now();
    const answers = await Promise.all(Array.from({ length: 50 }, () => fetch(`${service.baseUrl}/readyz`).then((response) => response.status)));
    const windows = 1 + Math.floor((performance.now() - startedAt) / readinessTtlMs);
    expect(answers.every((status) => status === 200)).toBe(true);
    const checks = (await redisPings(stack.redisUrl)) - before;
    expect(checks).toBeGreaterThanOrEqual(1);
    expect(checks).toBeLessThanOrEqual(windows);

    // The cached verdict is "ready", yet a draining worker must leave the pool on the next probe.
    const draining = service.app.drain();
    const refused = await service.rest('GET', '/readyz');
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ code: 'ORCH_ERR_DRAINING' });
    await draining;
  });

  it('shows a dependency that went away as not ready once the window has passed', async () => {
    // A private redis-server, so stopping it touches nothing the other tests share.
    const dir = mkdtempSync(join(tmpdir(), 'gameday-readyz-'));
    const redis = await startRedis({ dir });
    try {
      const service = await stack.start({ REDIS_URL: redis.url });
      expect((await service.rest('GET', '/readyz')).status).toBe(200);
      await redis.stop();
      const stoppedAt = performance.now();
      let answer = await service.rest('GET', '/readyz');
      while (answer.status === 200) {
        expect(performance.now() - stoppedAt).toBeLessThan(readinessTtlMs + 500);
        await new Promise((resolve) => setTimeout(resolve, 50));
        answer = await service.rest('GET', '/readyz');
      }
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ code: 'ORCH_ERR_NOT_READY' });
      await service.close();
    } finally {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
