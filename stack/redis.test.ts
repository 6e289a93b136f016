import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { StackError } from './errors.js';
import { loopback } from './ports.js';
import { type RunningRedis, redisInfo, startRedis } from './redis.js';

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gameday-redis-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function started(options: Parameters<typeof startRedis>[0]): Promise<RunningRedis> {
  const redis = await startRedis(options);
  cleanups.push(() => redis.stop());
  return redis;
}

function connect(url: string): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: 0 });
  cleanups.push(() => { client.disconnect(); });
  return client;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Writes `count` keys of `bytes` each, collecting the errors instead of stopping at the first. */
async function fill(client: Redis, count: number, bytes: number): Promise<Error[]> {
  const value = 'x'.repeat(bytes);
  const pipeline = client.pipeline();
  for (let index = 0; index < count; index += 1) pipeline.set(`session:${index}`, value);
  const results = (await pipeline.exec()) ?? [];
  return results.flatMap(([error]) => (error ? [error] : []));
}

async function rejection(promise: Promise<unknown>): Promise<StackError> {
  const error = await promise.then(() => null, (reason: unknown) => reason);
  expect(error).toBeInstanceOf(StackError);
  return error as StackError;
}

describe('startRedis', () => {
  it('answers PING on loopback, and once stopped its process is gone', async () => {
    const redis = await started({ dir: tempDir() });
    expect(redis.url).toBe(`redis://${loopback}:${redis.port}`);
    expect(await connect(redis.url).ping()).toBe('PONG');

    await redis.stop();
    expect(redis.process.hasExited()).toBe(true);
    expect(isAlive(redis.pid)).toBe(false);
  });

  it('runs as a cache: bound to loopback, protected, nothing persisted, the given memory settings', async () => {
    const redis = await started({ dir: tempDir(), maxmemory: '64mb', maxmemoryPolicy: 'allkeys-lru' });
    const client = connect(redis.url);
    const setting = async (name: string) => ((await client.config('GET', name)) as string[])[1];
    expect(await setting('bind')).toBe(loopback);
    expect(await setting('protected-mode')).toBe('yes');
    expect(await setting('save')).toBe('');
    expect(await setting('appendonly')).toBe('no');
    expect(await setting('maxmemory')).toBe(String(64 * 1024 * 1024));
    expect(await setting('maxmemory-policy')).toBe('allkeys-lru');
  });

  it('evicts keys under allkeys-lru when more than maxmemory is written', async () => {
    const redis = await started({ dir: tempDir(), maxmemory: '2mb', maxmemoryPolicy: 'allkeys-lru' });
    const client = connect(redis.url);
    expect((await redisInfo(redis.url, 'stats')).evicted_keys).toBe('0');

    const errors = await fill(client, 400, 10_000);

    expect(errors).toEqual([]);
    expect(Number((await redisInfo(redis.url, 'stats')).evicted_keys)).toBeGreaterThan(0);
    expect(await client.dbsize()).toBeLessThan(400);
  });

  it('refuses writes with OOM instead of evicting under noeviction', async () => {
    const redis = await started({ dir: tempDir(), maxmemory: '2mb', maxmemoryPolicy: 'noeviction' });
    const client = connect(redis.url);

    const errors = await fill(client, 400, 10_000);

    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]?.message).toMatch(/^OOM/);
    const info = await redisInfo(redis.url);
    expect(info.evicted_keys).toBe('0');
    expect(info.maxmemory_policy).toBe('noeviction');
  });

  it('names a missing redis-server command in a StackError', async () => {
    const error = await rejection(startRedis({ dir: tempDir(), command: '/nonexistent/redis-server' }));
    expect(error.code).toBe('GAMEDAY_ERR_MISSING_REDIS');
    expect(error.message).toContain('/nonexistent/redis-server');
  });

  it('refuses a busy port with a StackError naming it', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, loopback, resolve));
    cleanups.push(() => new Promise<void>((resolve) => holder.close(() => resolve())));
    const port = (holder.address() as { port: number }).port;

    const error = await rejection(startRedis({ dir: tempDir(), port }));
    expect(error.code).toBe('GAMEDAY_ERR_PORT_BUSY');
    expect(error.message).toContain(String(port));
  });

  it('reports a server that exits during start-up with the tail of its log', async () => {
    const dir = tempDir();
    const broken = join(dir, 'broken-redis-server');
    writeFileSync(broken, '#!/bin/sh\necho "FATAL CONFIG FILE ERROR: simulated"\nexit 3\n');
    chmodSync(broken, 0o755);

    const error = await rejection(startRedis({ dir, command: broken }));
    expect(error.code).toBe('GAMEDAY_ERR_PROCESS_EXITED');
    expect(error.message).toContain('exit code 3');
    expect(error.message).toContain('FATAL CONFIG FILE ERROR: simulated');
  });

  it('rejects settings that are not Redis values before writing any config', async () => {
    const dir = tempDir();
    const sneaky = await rejection(startRedis({ dir, maxmemory: '64mb\nport 6379' }));
    expect(sneaky.code).toBe('GAMEDAY_ERR_BAD_REDIS_SETTING');
    expect(existsSync(join(dir, 'redis.conf'))).toBe(false);
    const policy = await rejection(startRedis({ dir: tempDir(), maxmemoryPolicy: 'allkeys-fifo' }));
    expect(policy.code).toBe('GAMEDAY_ERR_BAD_REDIS_SETTING');
    expect(policy.message).toContain('allkeys-lru');
  });
});
