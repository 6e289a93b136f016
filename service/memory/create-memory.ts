import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ServiceConfig } from '../config.js';
import type { ServiceMetrics } from '../metrics.js';
import { expiry } from './dynamo-items.js';
import { createDynamoStore } from './dynamo-memory.js';
import { createInProcessMemory } from './in-process-memory.js';
import { createLayeredMemory } from './layered-memory.js';
import { memoryTelemetry } from './memory-telemetry.js';
import { createSessionCache } from './redis-l1.js';
import { createRedisOnlyMemory } from './redis-only-memory.js';
import { hmacSigner, unsignedSigner } from './turn-signing.js';
import type { Memory } from './types.js';

export interface MemoryDeps {
  config: ServiceConfig;
  dynamo: DynamoDBDocumentClient;
  redis: Redis;
  logger: Logger;
  metrics: ServiceMetrics;
}

/**
 * The hardened memory (DynamoDB + Redis L1), or the naive store a switch asks for. With both
 * store switches on, inProcessSessions wins: it loses sessions in every multi-worker incident,
 * while a Redis-only store would survive a task kill; GAMEDAY_NAIVE=redisOnlyStore isolates eviction.
 */
export function createMemory(deps: MemoryDeps): Memory {
  const { config, logger, metrics } = deps;
  const telemetry = memoryTelemetry(logger, metrics);
  const signer = config.naive.unsignedTurns ? unsignedSigner : hmacSigner(config.signingSecret);
  const itemExpiry = expiry(config.sessionTtlSeconds, !config.naive.noTtl);
  if (config.naive.inProcessSessions) return createInProcessMemory({ signer, expiry: itemExpiry, telemetry });
  if (config.naive.redisOnlyStore) {
    return createRedisOnlyMemory({ redis: deps.redis, signer, ttlSeconds: config.naive.noTtl ? null : config.sessionTtlSeconds, telemetry });
  }
  const store = createDynamoStore({ documents: deps.dynamo, table: config.dynamodb.table, signer, expiry: itemExpiry, telemetry });
  const cacheTurnCapacity = 2 * config.context.maxRecentTurns;
  const cache = createSessionCache({ redis: deps.redis, signer, telemetry, ttlSeconds: config.cacheTtlSeconds, turnCapacity: cacheTurnCapacity });
  return createLayeredMemory({ store, cache, signer, telemetry, cacheTurnCapacity, expiry: itemExpiry });
}

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The document client for the session table. DynamoDB Local ignores credentials, so a loopback
 * endpoint gets fixed placeholders instead of needing an AWS profile on a laptop or CI runner.
 */
export function createSessionDocumentClient(config: ServiceConfig): DynamoDBDocumentClient {
  const { endpoint, region } = config.dynamodb;
  const local = endpoint !== undefined && loopbackHosts.has(new URL(endpoint).hostname);
  const client = new DynamoDBClient({
    region,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000, throwOnRequestTimeout: true },
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * A Redis client for a cache: commands fail at once while it is disconnected (no offline queue),
 * and it keeps reconnecting in the background, so an outage costs cache hits, never turns.
 */
export function createSessionRedisClient(config: ServiceConfig, logger: Logger): Redis {
  const client = new Redis(config.redis.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(2_000, attempt * 100),
  });
  client.on('error', (error: Error) => logger.warn({ err: error }, 'redis connection error'));
  return client;
}
