import type { Redis } from 'ioredis';
import { settleWithin } from '../settle-within.js';
import type { MemoryTelemetry } from './memory-telemetry.js';
import type { RawSession } from './raw-session.js';
import { partitionVerified, type StoredSummary, type StoredTurn, summaryPayload, type TurnSigner } from './turn-signing.js';
import type { SessionSummary } from './types.js';

export interface SessionCacheOptions {
  redis: Redis;
  signer: TurnSigner;
  telemetry: MemoryTelemetry;
  ttlSeconds: number;
  /** How many recent turns a cached copy keeps. */
  turnCapacity: number;
  /** A cache that answers later than this is treated as down for that request. */
  commandTimeoutMs?: number;
}

/**
 * The write-through L1: a copy of META, the recent turns and the summary per session. It is never
 * the only copy, so every failure here is reported and absorbed, never passed on to the turn.
 */
export interface SessionCache {
  /** null on a miss, on unreadable data and on any Redis failure. */
  get(sessionId: string): Promise<RawSession | null>;
  put(raw: RawSession): Promise<void>;
  /** After the exchange committed: extends the copy if it was current, drops it otherwise. */
  appendExchange(sessionId: string, expectedNextIdx: number, turns: [StoredTurn, StoredTurn]): Promise<void>;
  saveSummary(sessionId: string, summary: StoredSummary): Promise<void>;
  delete(sessionId: string): Promise<void>;
}

const cacheKey = (sessionId: string) => `l1:session:${sessionId}`;
const copyVersion = 1;

class CacheUnavailable extends Error {}

export function createSessionCache(options: SessionCacheOptions): SessionCache {
  const { redis, signer, telemetry } = options;
  const commandTimeoutMs = options.commandTimeoutMs ?? 500;

  // ioredis queues commands while it reconnects, which would stall a turn for as long as Redis
  // is down: a client that is not ready is skipped, and a slow answer is given up on.
  const command = async <T>(run: () => Promise<T>): Promise<T> => {
    if (redis.status !== 'ready') throw new CacheUnavailable(`redis client is ${redis.status}`);
    return settleWithin(run(), commandTimeoutMs, () => { throw new CacheUnavailable(`no answer within ${commandTimeoutMs} ms`); });
  };

  const absorb = async (operation: string, sessionId: string, run: () => Promise<void>): Promise<void> => {
    try {
      await run();
    } catch (error) {
      telemetry.cacheFailed(operation, sessionId, error);
    }
  };

  const write = (raw: RawSession) => {
    const turns = raw.turns.slice(Math.max(0, raw.turns.length - options.turnCapacity));
    const copy: RawSession & { v: number } = {
      v: copyVersion, ...raw, turns, complete: raw.complete && turns.length === raw.turns.length,
    };
    return command(() => redis.set(cacheKey(raw.stored.meta.sessionId), JSON.stringify(copy), 'EX', options.ttlSeconds));
  };

  const read = async (sessionId: string): Promise<RawSession | null> => {
    const text = await command(() => redis.get(cacheKey(sessionId)));
    if (text === null) return null;
    const parsed = JSON.parse(text) as Partial<RawSession> & { v?: number };
    if (parsed.v !== copyVersion || !parsed.stored || !Array.isArray(parsed.turns) || !Array.isArray(parsed.firstTurns)) {
      throw new Error('the cached copy has an unknown shape');
    }
    return parsed as RawSession;
  };

  /** Redis is not trusted more than DynamoDB: a turn planted in the copy is dropped and counted too. */
  const verified = (sessionId: string, raw: RawSession): RawSession => {
    const recent = partitionVerified(signer, raw.turns);
    const first = partitionVerified(signer, raw.firstTurns);
    telemetry.forged(sessionId, 'cached turns', [...recent.forged, ...first.forged]);
    let summary: StoredSummary | null = raw.summary;
    let forgedSummary = 0;
    if (summary && !signer.verify(summaryPayload(summary as SessionSummary), summary.sig)) {
      telemetry.forgedSummary(sessionId, 'cached summary', summary);
      summary = null;
      forgedSummary = 1;
    }
    return {
      ...raw, turns: recent.verified, firstTurns: first.verified, summary,
      droppedForgeries: raw.droppedForgeries + recent.forged.length + first.forged.length + forgedSummary,
    };
  };

  return {
    get: async (sessionId) => {
      try {
        const raw = await read(sessionId);
        return raw ? verified(sessionId, raw) : null;
      } catch (error) {
        telemetry.cacheFailed('get', sessionId, error);
        return null;
      }
    },
    put: (raw) => absorb('put', raw.stored.meta.sessionId, async () => { await write(raw); }),
    appendExchange: (sessionId, expectedNextIdx, turns) => absorb('append', sessionId, async () => {
      const raw = await read(sessionId);
      if (!raw || raw.stored.meta.nextIdx !== expectedNextIdx) {
        await command(() => redis.del(cacheKey(sessionId)));
        return;
      }
      const [user, assistant] = turns;
      const meta = raw.stored.meta;
      await write({
        ...raw,
        stored: {
          ...raw.stored,
          meta: { ...meta, nextIdx: expectedNextIdx + 2, turnCount: meta.turnCount + 1, updatedAt: assistant.ts },
        },
        turns: [...raw.turns, user, assistant],
        firstTurns: raw.firstTurns.length > 0 ? raw.firstTurns : [user, assistant],
      });
    }),
    saveSummary: (sessionId, summary) => absorb('save summary', sessionId, async () => {
      const raw = await read(sessionId);
      if (!raw) return;
      if (raw.stored.summaryThroughIdx > summary.throughIdx) return;
      await write({ ...raw, stored: { ...raw.stored, summaryThroughIdx: summary.throughIdx }, summary });
    }),
    delete: (sessionId) => absorb('delete', sessionId, async () => { await command(() => redis.del(cacheKey(sessionId))); }),
  };
}
