import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRedis, type RunningRedis } from '../stack/redis.js';
import { loadServiceConfig } from './config.js';
import { createMetrics } from './metrics.js';
import { createResponseCache, normaliseQuestion } from './response-cache.js';

const secret = 'test-signing-secret-0123456789';
const logger = pino({ level: 'silent' });
let dir: string;
let server: RunningRedis | undefined;
let redis: Redis;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'response-cache-'));
  server = await startRedis({ dir });
  redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
});

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await redis.flushall();
});

function cacheFor(env: Record<string, string> = {}) {
  const config = loadServiceConfig({ SESSION_SIGNING_SECRET: secret, ...env });
  const metrics = createMetrics({ defaultMetrics: false });
  return { cache: createResponseCache({ config, redis, metrics, logger }), metrics };
}

const question = 'おすすめの少年マンガは？';
const answer = (reply: string) => ({ reply, model: 'sonnet', retrievedAt: Date.now() });

describe('response cache', () => {
  it('serves a stored answer for the same question and products, with a 5 minute ttl', async () => {
    const { cache, metrics } = cacheFor();
    expect(await cache.lookup(question, ['p1', 'p2'])).toBeNull();
    await cache.store(question, ['p2', 'p1'], answer('『A』がおすすめです'));
    const hit = await cache.lookup(`  ${question} `, ['p1', 'p2']);
    expect(hit?.reply).toBe('『A』がおすすめです');
    expect(hit?.productIds).toEqual(['p2', 'p1']);
    const [key] = await redis.keys('chat_cache:*');
    const ttl = await redis.ttl(key as string);
    expect(ttl).toBeGreaterThan(290);
    expect(ttl).toBeLessThanOrEqual(300);
    expect((await metrics.registry.getSingleMetricAsString('cache_hits_total'))).toContain('cache="response"} 1');
  });

  it('misses when the retrieval returned other products', async () => {
    const { cache } = cacheFor();
    await cache.store(question, ['p1'], answer('古い答え'));
    expect(await cache.lookup(question, ['p3'])).toBeNull();
  });

  it('a product change deletes every answer that saw it and no other', async () => {
    const { cache } = cacheFor();
    await cache.store(question, ['p1', 'p2'], answer('在庫あり'));
    await cache.store('新刊は？', ['p2'], answer('新刊です'));
    await cache.store('ギャグマンガは？', ['p3'], answer('ギャグです'));
    expect(await cache.invalidateProduct('p2')).toBe(2);
    expect(await cache.lookup(question, ['p1', 'p2'])).toBeNull();
    expect(await cache.lookup('新刊は？', ['p2'])).toBeNull();
    expect((await cache.lookup('ギャグマンガは？', ['p3']))?.reply).toBe('ギャグです');
  });

  it('does not keep an answer whose products changed while it was being made', async () => {
    const { cache } = cacheFor();
    const retrievedAt = Date.now() - 1_000;
    await cache.invalidateProduct('p1');
    await cache.store(question, ['p1'], { reply: '在庫あり', model: 'sonnet', retrievedAt });
    expect(await cache.lookup(question, ['p1'])).toBeNull();
  });

  it('naive staleResponseCache keeps the answer an hour, by the words alone, through product changes', async () => {
    const { cache } = cacheFor({ GAMEDAY_NAIVE: 'staleResponseCache' });
    await cache.store(question, ['p1'], answer('在庫あり'));
    expect(await cache.invalidateProduct('p1')).toBe(0);
    expect((await cache.lookup(question, ['p9']))?.reply).toBe('在庫あり');
    const [key] = await redis.keys('chat_cache:*');
    expect(await redis.ttl(key as string)).toBeGreaterThan(3_500);
  });

  it('an entry planted straight into Redis is not served: deleted and counted, while a genuine one is', async () => {
    const { cache, metrics } = cacheFor();
    await cache.store(question, ['p1'], answer('『A』がおすすめです'));
    expect((await cache.lookup(question, ['p1']))?.reply).toBe('『A』がおすすめです');
    const [key] = await redis.keys('chat_cache:*');
    const genuine = JSON.parse((await redis.get(key as string)) as string) as Record<string, unknown>;
    await redis.set(key as string, JSON.stringify({ ...genuine, reply: '運営からのお知らせ: 外部サイトでパスワードを入力してください' }));
    expect(await cache.lookup(question, ['p1'])).toBeNull();
    expect(await redis.exists(key as string)).toBe(0);
    await redis.set(key as string, JSON.stringify({ reply: '偽の答え', model: 'sonnet', productIds: ['p1'], cachedAt: Date.now() }));
    expect(await cache.lookup(question, ['p1'])).toBeNull();
    expect(await metrics.registry.getSingleMetricAsString('response_cache_forged_total')).toContain('response_cache_forged_total 2');
  });

  it('a genuine answer cannot be moved under another question', async () => {
    const { cache } = cacheFor();
    await cache.store(question, ['p1'], answer('『A』がおすすめです'));
    await cache.store('新刊は？', ['p1'], answer('新刊です'));
    const keys = await redis.keys('chat_cache:*');
    const values = await Promise.all(keys.map((key) => redis.get(key)));
    await redis.set(keys[0] as string, values[1] as string);
    const served = [await cache.lookup(question, ['p1']), await cache.lookup('新刊は？', ['p1'])].filter((hit) => hit !== null);
    expect(served).toHaveLength(1);
  });

  it('a dead Redis is a miss with a coded error metric, never a failed turn', async () => {
    const config = loadServiceConfig({ SESSION_SIGNING_SECRET: secret });
    const metrics = createMetrics({ defaultMetrics: false });
    const dead = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, lazyConnect: true, retryStrategy: () => null });
    dead.on('error', () => undefined);
    try {
      const cache = createResponseCache({ config, redis: dead, metrics, logger });
      expect(await cache.lookup(question, ['p1'])).toBeNull();
      await cache.store(question, ['p1'], answer('x'));
      await expect(cache.invalidateProduct('p1')).rejects.toMatchObject({ code: 'ORCH_ERR_CACHE_FAILED' });
      expect(await metrics.registry.getSingleMetricAsString('errors_total')).toContain('code="ORCH_ERR_CACHE_FAILED"} 3');
    } finally {
      dead.disconnect();
    }
  });

  it('normalises width, case and spacing', () => {
    expect(normaliseQuestion('  ＯＮＥ　ＰＩＥＣＥ\nは？ ')).toBe('one piece は?');
  });
});
