import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningRedis, startRedis } from '../../stack/redis.js';
import { FaultRevertError } from './fault.js';
import { testTargets } from './fault-test-kit.js';
import { redisEvictionFault } from './redis-eviction.js';

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function redis(): Promise<{ server: RunningRedis; client: Redis }> {
  const dir = mkdtempSync(join(tmpdir(), 'gameday-eviction-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const server = await startRedis({ dir, maxmemory: '256mb', maxmemoryPolicy: 'volatile-lru' });
  cleanups.push(() => server.stop());
  const client = new Redis(server.url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  cleanups.push(() => { client.disconnect(); });
  return { server, client };
}

const config = async (client: Redis, name: string) => ((await client.config('GET', name)) as string[])[1];

describe('the redis-eviction fault', () => {
  it('shrinks maxmemory, fills until keys are evicted, and revert restores the config and deletes its filler', async () => {
    const { server, client } = await redis();
    for (let i = 0; i < 50; i += 1) await client.set(`session:${i}`, 'x'.repeat(1000));
    const fault = redisEvictionFault.create({ maxmemory: '2mb', 'value-size': '8kb' }, testTargets({ redisUrl: server.url }));

    const applied = await fault.apply(new AbortController().signal);
    expect(applied).toMatchObject({ previousMaxmemory: 256 * 1024 * 1024, previousPolicy: 'volatile-lru', maxmemory: 2 * 1024 * 1024, policy: 'allkeys-lru', oom: false });
    expect(applied.evictedKeysAfterFill as number).toBeGreaterThan(applied.evictedKeysBefore as number);
    expect(await config(client, 'maxmemory')).toBe(String(2 * 1024 * 1024));
    expect(applied.fillerKeysWritten as number).toBeGreaterThan(0);

    const reverted = await fault.revert();
    expect(reverted).toMatchObject({ maxmemory: 256 * 1024 * 1024, policy: 'volatile-lru' });
    expect(reverted.evicted as number).toBeGreaterThan(0);
    expect(reverted.evictedKeysAfter).toBe((reverted.evictedKeysBefore as number) + (reverted.evicted as number));
    expect(await config(client, 'maxmemory')).toBe(String(256 * 1024 * 1024));
    expect(await config(client, 'maxmemory-policy')).toBe('volatile-lru');
    expect(await client.keys(`${applied.fillerPrefix as string}*`)).toEqual([]);
    expect(await client.keys('gameday:chaos:filler:*')).toEqual([]);
  });

  it('under noeviction the fill stops at the first OOM refusal, and revert still restores', async () => {
    const { server, client } = await redis();
    const fault = redisEvictionFault.create({ maxmemory: '1mb', policy: 'noeviction', 'value-size': '8kb' }, testTargets({ redisUrl: server.url }));
    const applied = await fault.apply(new AbortController().signal);
    expect(applied).toMatchObject({ oom: true, policy: 'noeviction' });
    expect(await fault.revert()).toMatchObject({ maxmemory: 256 * 1024 * 1024, policy: 'volatile-lru', evicted: 0 });
    expect(await client.dbsize()).toBe(0);
  });

  it('a revert against a redis that went away throws FaultRevertError with the command that restores it', async () => {
    const { server } = await redis();
    const fault = redisEvictionFault.create({ maxmemory: '3mb', fill: false }, testTargets({ redisUrl: server.url }));
    await fault.apply(new AbortController().signal);
    await server.stop();
    const error = await fault.revert().then(() => null, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(FaultRevertError);
    expect((error as Error).message).toContain(`CONFIG SET maxmemory ${256 * 1024 * 1024}`);
    expect((error as Error).message).toContain('maxmemory-policy volatile-lru');
  });
});
