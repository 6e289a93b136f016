import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Redis } from 'ioredis';
import { pino, type Logger } from 'pino';
import { loadServiceConfig, type ServiceConfig } from '../service/config.js';
import { createMetrics, type ServiceMetrics } from '../service/metrics.js';
import { type DynamoDbOptions, localDynamoClient, type RunningDynamoDb, startDynamoDb } from '../stack/dynamodb.js';
import { type RedisOptions, type RunningRedis, startRedis } from '../stack/redis.js';
import { createSessionTable } from '../stack/session-table.js';

export const testSigningSecret = 'test-signing-secret-0123456789';
/** The operator token test services are configured with; a test sets GAMEDAY_OPERATOR_TOKEN '' for none. */
export const testOperatorToken = 'test-operator-token-0123456789';

/** Real redis-server and DynamoDB Local with the session table, for the service's tests. */
export interface ServiceDeps {
  redis: RunningRedis;
  dynamodb: RunningDynamoDb;
  table: string;
  documents: DynamoDBDocumentClient;
  /** A client that is closed by stop(); fails fast while Redis is down, like the service's. */
  redisClient(url?: string): Redis;
  /** The service config pointing at these processes; `env` adds or overrides variables. */
  config(env?: Record<string, string>): ServiceConfig;
  /** A temporary folder removed by stop(). */
  tempDir(prefix: string): string;
  stop(): Promise<void>;
}

export interface ServiceDepsOptions {
  redis?: Omit<RedisOptions, 'dir'>;
  dynamodb?: Omit<DynamoDbOptions, 'dir'>;
  table?: string;
}

export async function startServiceDeps(options: ServiceDepsOptions = {}): Promise<ServiceDeps> {
  const cleanups: Array<() => Promise<void> | void> = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch {
        // keep stopping the rest; a process that is already gone is not a failure here
      }
    }
  };
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  };
  try {
    const dir = tempDir('gameday-service-deps-');
    const [redis, dynamodb] = await Promise.all([
      startRedis({ ...options.redis, dir }).then((started) => { cleanups.push(() => started.stop()); return started; }),
      startDynamoDb({ ...options.dynamodb, dir }).then((started) => { cleanups.push(() => started.stop()); return started; }),
    ]);
    const table = options.table ?? 'mangaassist-sessions';
    const client = localDynamoClient(dynamodb.endpoint);
    cleanups.push(() => client.destroy());
    await createSessionTable(client, table);
    const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    return {
      redis, dynamodb, table, documents, tempDir, stop,
      redisClient: (url = redis.url) => {
        const redisClient = new Redis(url, {
          enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000,
          retryStrategy: (attempt) => Math.min(1_000, attempt * 100),
        });
        redisClient.on('error', () => undefined);
        cleanups.push(() => { redisClient.disconnect(); });
        return redisClient;
      },
      config: (env = {}) => loadServiceConfig({
        SESSION_SIGNING_SECRET: testSigningSecret,
        GAMEDAY_OPERATOR_TOKEN: testOperatorToken,
        REDIS_URL: redis.url,
        DYNAMODB_ENDPOINT: dynamodb.endpoint,
        DYNAMODB_TABLE: table,
        ...env,
      }),
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A pino logger whose lines a test can read, and fresh metrics without the process defaults. */
export function testObservability(): { logger: Logger; lines: Array<Record<string, unknown>>; metrics: ServiceMetrics } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines, metrics: createMetrics({ defaultMetrics: false }) };
}

/** Resolves once the Redis client has (re)connected, or rejects after `timeoutMs`. */
export async function redisReady(client: Redis, timeoutMs = 10_000): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis client not ready after ${timeoutMs} ms (${client.status})`)), timeoutMs);
    client.once('ready', () => { clearTimeout(timer); resolve(); });
  });
}
