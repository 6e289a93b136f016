import type { Redis } from 'ioredis';
import { ServiceError, serviceErrors } from '../errors.js';
import { checkPageLimit } from './dynamo-paging.js';
import type { StoredExchange } from './dynamo-items.js';
import type { MemoryTelemetry } from './memory-telemetry.js';
import { checkRecentTurns, toLoaded } from './raw-session.js';
import { ownerTokenMatches } from './session-ids.js';
import {
  buildExchange, checkNewExchange, checkSessionId, newSession, NextIdxRaceError, turnCountAfter, verifyExchange,
} from './session-records.js';
import {
  partitionVerified, plainTurn, signSummary, type StoredSummary, type StoredTurn, summaryPayload, type TurnSigner,
} from './turn-signing.js';
import type { Exchange, Memory, SessionMeta } from './types.js';

export interface RedisOnlyMemoryDeps {
  redis: Redis;
  signer: TurnSigner;
  /** null under noTtl: the keys never expire. */
  ttlSeconds: number | null;
  telemetry: MemoryTelemetry;
}

// Hash tags keep one session's keys in one slot, as a Redis Cluster would need.
const sessionKeys = (sessionId: string) => ({
  meta: `chat:sess:{${sessionId}}:meta`,
  turns: `chat:sess:{${sessionId}}`,
  messages: `chat:sess:{${sessionId}}:msg`,
  summary: `chat:sess:{${sessionId}}:summary`,
});
const customerKey = (customerId: string) => `chat:cust:${customerId}`;

// Atomic, so a retried messageId or a stale nextIdx cannot slip in between the check and the write.
const appendScript = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
if redis.call('HEXISTS', KEYS[3], ARGV[2]) == 1 then return 2 end
if cjson.decode(current).nextIdx ~= tonumber(ARGV[1]) then return 3 end
redis.call('RPUSH', KEYS[2], ARGV[3], ARGV[4])
redis.call('HSET', KEYS[3], ARGV[2], ARGV[5])
redis.call('SET', KEYS[1], ARGV[6])
local ttl = tonumber(ARGV[7])
if ttl > 0 then
  for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ttl) end
end
return 1
`;

/** Redis is the only copy here, so a Redis failure is a store failure. */
async function guarded<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ServiceError) throw error;
    const failure = serviceErrors.storeFailed(`${operation}: ${error instanceof Error ? error.message : String(error)}`);
    failure.cause = error;
    throw failure;
  }
}

/**
 * The naive redisOnlyStore switch (seed 002, the flash-sale memory wipe): each session is a list
 * in Redis and nothing else. Under allkeys-lru, memory pressure evicts live sessions, and a later
 * load finds no session, or a session missing its turns, without any error anywhere.
 */
export function createRedisOnlyMemory(deps: RedisOnlyMemoryDeps): Memory {
  const { redis, signer, telemetry } = deps;
  const ttlSeconds = deps.ttlSeconds ?? 0;

  const readMeta = async (sessionId: string): Promise<SessionMeta | null> => {
    checkSessionId(sessionId);
    const text = await redis.get(sessionKeys(sessionId).meta);
    return text === null ? null : (JSON.parse(text) as SessionMeta);
  };

  const verified = (sessionId: string, where: string, texts: string[]) => {
    const { verified: turns, forged } = partitionVerified(signer, texts.map((text) => JSON.parse(text) as StoredTurn));
    telemetry.forged(sessionId, where, forged);
    return { turns, dropped: forged.length };
  };

  const findExchange = (sessionId: string, messageId: string) => guarded('find exchange', async () => {
    checkSessionId(sessionId);
    const text = await redis.hget(sessionKeys(sessionId).messages, messageId);
    return text === null ? null : verifyExchange(signer, telemetry, sessionId, JSON.parse(text) as StoredExchange);
  });

  return {
    createSession: ({ customerId }) => guarded('create session', async () => {
      const now = Date.now();
      const created = newSession(customerId, now, ttlSeconds > 0 ? Math.floor(now / 1000) + ttlSeconds : undefined);
      const pipeline = redis.multi()
        .set(sessionKeys(created.meta.sessionId).meta, JSON.stringify(created.meta))
        .set(customerKey(customerId), created.meta.sessionId);
      if (ttlSeconds > 0) {
        pipeline.expire(sessionKeys(created.meta.sessionId).meta, ttlSeconds).expire(customerKey(customerId), ttlSeconds);
      }
      await pipeline.exec();
      return created;
    }),
    loadMeta: (sessionId) => guarded('read META', () => readMeta(sessionId)),
    loadSession: (sessionId, { recentTurns }) => guarded('load session', async () => {
      checkRecentTurns(recentTurns);
      const meta = await readMeta(sessionId);
      if (!meta) return null;
      const keys = sessionKeys(sessionId);
      const [recentTexts, firstTexts, summaryText] = await Promise.all([
        recentTurns === 'all' ? redis.lrange(keys.turns, 0, -1)
          : recentTurns === 0 ? Promise.resolve([]) : redis.lrange(keys.turns, -recentTurns, -1),
        redis.lrange(keys.turns, 0, 1),
        redis.get(keys.summary),
      ]);
      const recent = verified(sessionId, 'redis turns', recentTexts);
      const first = partitionVerified(signer, firstTexts.map((text) => JSON.parse(text) as StoredTurn)).verified;
      let summary = summaryText === null ? null : (JSON.parse(summaryText) as StoredSummary);
      let forgedSummary = 0;
      if (summary && !signer.verify(summaryPayload(summary), summary.sig)) {
        telemetry.forgedSummary(sessionId, 'redis summary', summary);
        summary = null;
        forgedSummary = 1;
      }
      return toLoaded({
        stored: { meta, summaryThroughIdx: summary?.throughIdx ?? -1 }, turns: recent.turns, firstTurns: first,
        summary, complete: true, droppedForgeries: recent.dropped + forgedSummary,
      }, recentTurns);
    }),
    findExchange,
    appendExchange: (sessionId, expectedNextIdx, input) => guarded('append exchange', async () => {
      checkNewExchange(expectedNextIdx, input);
      const meta = await readMeta(sessionId);
      if (!meta) throw serviceErrors.sessionNotFound();
      const now = Date.now();
      const stored = buildExchange(signer, expectedNextIdx, input, now);
      const next: SessionMeta = {
        ...meta, turnCount: meta.turnCount + 1, nextIdx: expectedNextIdx + 2, updatedAt: now,
        expiresAt: ttlSeconds > 0 ? Math.floor(now / 1000) + ttlSeconds : 0,
      };
      const keys = sessionKeys(sessionId);
      const outcome = await redis.eval(appendScript, 3, keys.meta, keys.turns, keys.messages,
        expectedNextIdx, input.messageId, JSON.stringify(stored.user), JSON.stringify(stored.assistant),
        JSON.stringify(stored), JSON.stringify(next), ttlSeconds);
      if (outcome === 0) throw serviceErrors.sessionNotFound();
      if (outcome === 2) {
        const exchange = await findExchange(sessionId, input.messageId);
        if (!exchange) throw serviceErrors.storeFailed(`message ${input.messageId} is stored but does not verify`);
        return { exchange, duplicate: true, turnCount: (await readMeta(sessionId))?.turnCount ?? meta.turnCount };
      }
      if (outcome === 3) throw new NextIdxRaceError(expectedNextIdx, (await readMeta(sessionId)) ?? meta);
      return {
        exchange: verifyExchange(signer, telemetry, sessionId, stored) as Exchange, duplicate: false,
        turnCount: turnCountAfter(expectedNextIdx),
      };
    }),
    saveSummary: (sessionId, summary) => guarded('save summary', async () => {
      if (!(await readMeta(sessionId))) throw serviceErrors.sessionNotFound();
      const text = JSON.stringify(signSummary(signer, summary));
      const key = sessionKeys(sessionId).summary;
      await (ttlSeconds > 0 ? redis.set(key, text, 'EX', ttlSeconds) : redis.set(key, text));
    }),
    listTurns: (sessionId, { limit, cursor }) => guarded('list turns', async () => {
      checkPageLimit(limit);
      if (!(await readMeta(sessionId))) throw serviceErrors.sessionNotFound();
      const start = cursor === undefined ? 0 : Number.parseInt(Buffer.from(cursor, 'base64url').toString('utf8'), 10);
      if (!Number.isInteger(start) || start < 0) throw serviceErrors.badRequest('the cursor is not one this service returned');
      const key = sessionKeys(sessionId).turns;
      const [texts, length] = await Promise.all([redis.lrange(key, start, start + limit - 1), redis.llen(key)]);
      const end = start + texts.length;
      return {
        turns: verified(sessionId, 'redis turns', texts).turns.map(plainTurn),
        nextCursor: end < length ? Buffer.from(String(end), 'utf8').toString('base64url') : null,
      };
    }),
    latestSessionForCustomer: (customerId) => guarded('latest session for customer', async () => {
      const sessionId = await redis.get(customerKey(customerId));
      return sessionId === null ? null : readMeta(sessionId);
    }),
    deleteSession: (sessionId) => guarded('delete session', async () => {
      checkSessionId(sessionId);
      const keys = sessionKeys(sessionId);
      await redis.del(keys.meta, keys.turns, keys.messages, keys.summary);
    }),
    verifyOwner: (meta, token) => ownerTokenMatches(meta.ownerTokenHash, token),
    stats: () => telemetry.stats(),
    close: async () => undefined,
  };
}
