import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { withRedis } from '../../stack/redis.js';
import { redisEvictionPolicies } from '../../stack/redis-config.js';
import { type FaultDefinition, type FaultObservation, FaultRevertError } from './fault.js';
import { lifecycleFault } from './lifecycle.js';
import { FaultOptions } from './options.js';


interface EvictionSettings {
  redisUrl: string;
  maxmemory: number;
  policy: string;
  fill: boolean;
  fillLimitBytes: number;
  valueBytes: number;
  prefix: string;
}

const fillBatch = 16;
const fillTimeLimitMs = 30_000;
// A safety net should a run die before its revert; longer than the service's 30-min session TTL
// so that under volatile-ttl the filler does not shield the service's keys from eviction.
const fillerTtlSeconds = 3_600;
const scanLimit = 100_000;

async function infoField(client: Redis, section: string, field: string): Promise<number> {
  const match = new RegExp(`^${field}:(\\d+)`, 'm').exec(await client.info(section));
  return match ? Number(match[1]) : Number.NaN;
}

async function configValue(client: Redis, name: string): Promise<string> {
  const answer = (await client.config('GET', name)) as string[];
  return answer[1] ?? '';
}

/** Writes filler until Redis evicts something, the byte limit, the time limit or an abort. */
async function fillUntilEviction(client: Redis, settings: EvictionSettings, keyPrefix: string, evictedBefore: number, signal: AbortSignal) {
  const value = Buffer.alloc(settings.valueBytes, 'x');
  const deadline = performance.now() + fillTimeLimitMs;
  let keys = 0;
  let oom = false;
  let evicted = evictedBefore;
  while (keys * settings.valueBytes < settings.fillLimitBytes && evicted <= evictedBefore && !signal.aborted && performance.now() < deadline) {
    const pipeline = client.pipeline();
    for (let i = 0; i < fillBatch; i += 1) pipeline.set(`${keyPrefix}${keys + i}`, value, 'EX', fillerTtlSeconds);
    const results = (await pipeline.exec()) ?? [];
    keys += fillBatch;
    evicted = await infoField(client, 'stats', 'evicted_keys');
    if (results.some(([error]) => error && /OOM/.test(error.message))) {
      oom = true;
      break;
    }
  }
  return { fillerKeysWritten: keys, fillerBytes: keys * settings.valueBytes, oom, evictedKeysAfterFill: evicted };
}

async function deleteKeys(client: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  for (let scans = 0; scans < scanLimit; scans += 1) {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length > 0) deleted += await client.unlink(...keys);
    cursor = next;
    if (cursor === '0') return deleted;
  }
  throw new Error(`still finding keys matching ${pattern} after ${scanLimit} scans`);
}

/**
 * Memory pressure on the real redis-server (seed: the flash-sale eviction incident): a smaller
 * maxmemory and/or another policy, then filler until keys are evicted. Revert restores both
 * settings exactly and deletes only this run's filler keys.
 */
function createRedisEviction(settings: EvictionSettings) {
  const keyPrefix = `${settings.prefix}${randomBytes(4).toString('hex')}:`;
  let original: { maxmemory: string; policy: string } | null = null;
  let evictedBefore = Number.NaN;
  const changes = `maxmemory=${settings.maxmemory} policy=${settings.policy}`;
  const description = `redis-eviction ${changes}${settings.fill ? ` fill≤${settings.fillLimitBytes}B` : ''}`;

  return lifecycleFault({
    description,
    apply: (signal) => withRedis(settings.redisUrl, async (client): Promise<FaultObservation> => {
      original = { maxmemory: await configValue(client, 'maxmemory'), policy: await configValue(client, 'maxmemory-policy') };
      evictedBefore = await infoField(client, 'stats', 'evicted_keys');
      await client.config('SET', 'maxmemory', String(settings.maxmemory));
      await client.config('SET', 'maxmemory-policy', settings.policy);
      const fill = settings.fill ? await fillUntilEviction(client, settings, keyPrefix, evictedBefore, signal) : null;
      return {
        previousMaxmemory: Number(original.maxmemory),
        previousPolicy: original.policy,
        maxmemory: Number(await configValue(client, 'maxmemory')),
        policy: await configValue(client, 'maxmemory-policy'),
        evictedKeysBefore: evictedBefore,
        ...(fill ?? {}),
        fillerPrefix: keyPrefix,
        usedMemory: await infoField(client, 'memory', 'used_memory'),
      };
    }),
    async revert(): Promise<FaultObservation> {
      const broken: string[] = [];
      const observation: FaultObservation = { evictedKeysBefore: Number.isNaN(evictedBefore) ? null : evictedBefore };
      const restore = original;
      try {
        await withRedis(settings.redisUrl, async (client) => {
          if (restore) {
            await client.config('SET', 'maxmemory', restore.maxmemory);
            await client.config('SET', 'maxmemory-policy', restore.policy);
            observation.maxmemory = Number(await configValue(client, 'maxmemory'));
            observation.policy = await configValue(client, 'maxmemory-policy');
          }
          if (settings.fill) {
            try {
              observation.fillerKeysDeleted = await deleteKeys(client, `${keyPrefix}*`);
            } catch (error) {
              broken.push(`filler keys ${keyPrefix}* may remain in redis at ${settings.redisUrl} (${(error as Error).message}); they expire within ${fillerTtlSeconds} s`);
            }
          }
          const evictedAfter = await infoField(client, 'stats', 'evicted_keys');
          observation.evictedKeysAfter = evictedAfter;
          observation.evicted = Number.isNaN(evictedBefore) ? null : evictedAfter - evictedBefore;
        });
      } catch (error) {
        const settingsLeft = restore
          ? `redis at ${settings.redisUrl} may keep the fault's settings (${changes}); restore with CONFIG SET maxmemory ${restore.maxmemory} and CONFIG SET maxmemory-policy ${restore.policy}`
          : `redis at ${settings.redisUrl} could not be checked`;
        broken.push(`${settingsLeft} (${(error as Error).message})`);
      }
      if (broken.length > 0) throw new FaultRevertError(description, broken);
      return observation;
    },
  });
}

export const redisEvictionFault: FaultDefinition = {
  name: 'redis-eviction',
  summary: 'shrink redis maxmemory, set its eviction policy, and fill it until keys are evicted (flash-sale)',
  options: [
    { name: 'maxmemory', kind: 'size', default: '4mb', description: 'the maxmemory Redis gets while the fault holds' },
    { name: 'policy', kind: 'choice', choices: redisEvictionPolicies, default: 'allkeys-lru', description: 'the maxmemory-policy while the fault holds' },
    { name: 'fill', kind: 'boolean', default: true, description: 'write filler keys until evicted_keys rises' },
    { name: 'fill-limit', kind: 'size', default: '64mb', description: 'at most this much filler' },
    { name: 'value-size', kind: 'size', default: '16kb', description: 'size of each filler value' },
    { name: 'prefix', kind: 'string', default: 'gameday:chaos:filler:', description: 'filler key prefix (revert deletes only this run\'s keys)' },
  ],
  create(raw, targets) {
    const options = new FaultOptions('redis-eviction', redisEvictionFault.options, raw);
    return createRedisEviction({
      redisUrl: targets.redisUrl,
      maxmemory: options.number('maxmemory', { min: 1024 * 1024 }),
      policy: options.string('policy'),
      fill: options.boolean('fill'),
      fillLimitBytes: options.number('fill-limit', { min: 0, max: 4 * 1024 ** 3 }),
      valueBytes: options.number('value-size', { min: 1, max: 16 * 1024 * 1024 }),
      prefix: options.string('prefix'),
    });
  },
};
