import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ServiceConfig } from './config.js';
import { serviceErrors, type ServiceError } from './errors.js';
import { hmacSigner } from './memory/turn-signing.js';
import type { ServiceMetrics } from './metrics.js';
import { settleWithin } from './settle-within.js';

export interface CachedResponse {
  reply: string;
  model: string;
  productIds: string[];
  cachedAt: number;
}

/** As stored: the entry and the signature over it and the key it sits under. */
type StoredResponse = CachedResponse & { sig?: string };

/**
 * A served entry becomes a signed assistant turn, so whoever can write to Redis could plant
 * history through it; the key is signed too, so a genuine answer cannot be moved to another question.
 */
function entryPayload(key: string, entry: CachedResponse): string {
  return JSON.stringify(['response_cache', key, entry.reply, entry.model, entry.productIds, entry.cachedAt]);
}

function readEntry(raw: string): StoredResponse | null {
  try {
    const parsed = JSON.parse(raw) as Partial<StoredResponse> | null;
    if (typeof parsed?.reply !== 'string' || typeof parsed.model !== 'string' || typeof parsed.cachedAt !== 'number') return null;
    if (!Array.isArray(parsed.productIds) || !parsed.productIds.every((id) => typeof id === 'string')) return null;
    return { reply: parsed.reply, model: parsed.model, productIds: parsed.productIds, cachedAt: parsed.cachedAt, sig: parsed.sig };
  } catch {
    return null;
  }
}

/**
 * Seed 001 s4: answers to first-turn questions, keyed by the question and the products the
 * retrieval put in front of the model, and dropped the moment one of those products changes.
 */
export interface ResponseCache {
  lookup(question: string, productIds: readonly string[]): Promise<CachedResponse | null>;
  /** `retrievedAt`: when the products were read; a product changed since then makes the answer unsafe to keep. */
  store(question: string, productIds: readonly string[], answer: { reply: string; model: string; retrievedAt: number }): Promise<void>;
  /** Deletes every cached answer that saw the product; resolves to how many. Fails loudly. */
  invalidateProduct(productId: string): Promise<number>;
  ping(): Promise<void>;
}

const entryPrefix = 'chat_cache:';
const refsKey = (productId: string) => `product_cache_refs:${productId}`;
const changedKey = (productId: string) => `product_changed_at:${productId}`;
// A cache is an optimisation: a slow Redis must not hold a turn back longer than this.
const lookupTimeoutMs = 500;

const invalidateScript = `
local keys = redis.call('SMEMBERS', KEYS[1])
for _, key in ipairs(keys) do redis.call('DEL', key) end
redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])
return #keys`;

export function normaliseQuestion(question: string): string {
  return question.normalize('NFKC').trim().replace(/\s+/gu, ' ').toLowerCase();
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  return settleWithin(work, ms, () => { throw new Error(`${what} took longer than ${ms} ms`); });
}

export function createResponseCache(deps: { config: ServiceConfig; redis: Redis; metrics: ServiceMetrics; logger: Logger }): ResponseCache {
  const { config, redis, metrics, logger } = deps;
  // The naive switch is the incident's cache: an hour long, keyed by the words alone, never invalidated.
  const stale = config.naive.staleResponseCache;
  const ttlSeconds = config.responseCacheTtlSeconds;
  // Signed even under the naive switch: that one reproduces staleness, not forgery.
  const signer = hmacSigner(config.signingSecret);

  const keyOf = (question: string, productIds: readonly string[]) => {
    const material = stale ? normaliseQuestion(question) : `${normaliseQuestion(question)}\n${[...productIds].sort().join(',')}`;
    return `${entryPrefix}${createHash('sha256').update(material).digest('hex')}`;
  };

  const report = (error: ServiceError, cause: unknown) => {
    metrics.errors.inc({ code: error.code });
    logger.error({ code: error.code, err: cause }, error.detail);
  };

  return {
    async lookup(question, productIds) {
      try {
        const key = keyOf(question, productIds);
        const raw = await withTimeout(redis.get(key), lookupTimeoutMs, 'response cache lookup');
        if (raw === null) {
          metrics.cacheMisses.inc({ cache: 'response' });
          return null;
        }
        const stored = readEntry(raw);
        const entry: CachedResponse | null = stored && { reply: stored.reply, model: stored.model, productIds: stored.productIds, cachedAt: stored.cachedAt };
        if (!entry || !signer.verify(entryPayload(key, entry), stored?.sig)) {
          metrics.responseCacheForged.inc();
          metrics.cacheMisses.inc({ cache: 'response' });
          logger.warn({ key }, 'response cache entry with a missing or wrong signature deleted unserved');
          await redis.del(key);
          return null;
        }
        metrics.cacheHits.inc({ cache: 'response' });
        return entry;
      } catch (error) {
        report(serviceErrors.cacheFailed(`response cache lookup failed: ${String(error)}`), error);
        return null;
      }
    },

    async store(question, productIds, answer) {
      const key = keyOf(question, productIds);
      const entry: CachedResponse = { reply: answer.reply, model: answer.model, productIds: [...productIds], cachedAt: Date.now() };
      const stored: StoredResponse = { ...entry, sig: signer.sign(entryPayload(key, entry)) };
      try {
        if (stale) {
          await redis.set(key, JSON.stringify(stored), 'EX', ttlSeconds);
          return;
        }
        if (productIds.length > 0) {
          const changedAt = await redis.mget(productIds.map(changedKey));
          if (changedAt.some((value) => value !== null && Number(value) >= answer.retrievedAt)) return;
        }
        const write = redis.multi().set(key, JSON.stringify(stored), 'EX', ttlSeconds);
        for (const id of productIds) write.sadd(refsKey(id), key).expire(refsKey(id), ttlSeconds + 60);
        await write.exec();
      } catch (error) {
        report(serviceErrors.cacheFailed(`response cache store failed: ${String(error)}`), error);
      }
    },

    async invalidateProduct(productId) {
      if (stale) return 0;
      try {
        const removed = await redis.eval(invalidateScript, 2, refsKey(productId), changedKey(productId), String(Date.now()), String(ttlSeconds + 60));
        logger.info({ productId, removed }, 'response cache entries invalidated');
        return Number(removed);
      } catch (error) {
        const failure = serviceErrors.cacheFailed(`invalidating product ${productId} failed: ${String(error)}`);
        report(failure, error);
        throw failure;
      }
    },

    async ping() {
      await withTimeout(redis.ping(), lookupTimeoutMs, 'redis ping');
    },
  };
}
