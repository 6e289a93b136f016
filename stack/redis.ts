import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { stackErrors } from './errors.js';
import { type RunningPart, startPart } from './managed-process.js';
import { loopback, startOnPort } from './ports.js';
import { redisConfig } from './redis-config.js';

export interface RedisOptions {
  /** A folder for the generated config and the log (it must exist). */
  dir: string;
  /** Default: a free port. */
  port?: number;
  /** Redis size syntax, e.g. '64mb'; default '256mb'. */
  maxmemory?: string;
  /** Default 'volatile-lru'; the flash-sale incident runs 'allkeys-lru'. */
  maxmemoryPolicy?: string;
  /** Default 'redis-server'. */
  command?: string;
}

export interface RunningRedis extends RunningPart {
  url: string;
}

const stopGraceMs = 5_000;

/** One short-lived connection that never reconnects or queues, so a dead server fails fast. */
export async function withRedis<T>(url: string, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2_000,
  });
  // Failures reach the caller through the rejected command; without a listener ioredis
  // would also print every one of them as an "unhandled error event".
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await use(client);
  } finally {
    client.disconnect();
  }
}

/** Redis INFO as key → value (section headers and blank lines dropped). */
export async function redisInfo(url: string, section?: string): Promise<Record<string, string>> {
  const text = await withRedis(url, (client) => (section ? client.info(section) : client.info()));
  const info: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const separator = line.indexOf(':');
    if (line.startsWith('#') || separator <= 0) continue;
    info[line.slice(0, separator)] = line.slice(separator + 1);
  }
  return info;
}

/**
 * Starts redis-server in the foreground from a config generated in `dir`, and resolves once
 * it answers PING. Its cwd is `dir` too, so even an explicit SAVE cannot write into the repo.
 */
export async function startRedis(options: RedisOptions): Promise<RunningRedis> {
  const command = options.command ?? 'redis-server';
  return startOnPort('redis', options.port, async (port) => {
    const configPath = join(options.dir, 'redis.conf');
    writeFileSync(configPath, redisConfig({
      port,
      maxmemory: options.maxmemory ?? '256mb',
      maxmemoryPolicy: options.maxmemoryPolicy ?? 'volatile-lru',
    }));

    const logPath = join(options.dir, 'redis.log');
    const url = `redis://${loopback}:${port}`;
    const part = await startPart({
      name: 'redis',
      command,
      args: [configPath],
      cwd: options.dir,
      logPath,
      port,
      onSpawnError: () => stackErrors.missingRedis(command),
      ready: { what: 'redis-server', timeoutMs: 15_000, probe: () => withRedis(url, (client) => client.ping()) },
      // SIGTERM makes redis shut down cleanly; with persistence off it saves nothing.
      stopGraceMs,
    });
    return { ...part, url };
  });
}
