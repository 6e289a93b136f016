import type { Expiry } from './dynamo-items.js';
import type { DynamoStore } from './dynamo-memory.js';
import type { MemoryTelemetry } from './memory-telemetry.js';
import { canServe, checkRecentTurns, type RawSession, toLoaded } from './raw-session.js';
import type { SessionCache } from './redis-l1.js';
import { NextIdxRaceError } from './session-records.js';
import { signSummary, signTurn, type StoredTurn, type TurnSigner } from './turn-signing.js';
import type { LoadedSession, Memory } from './types.js';

export interface LayeredMemoryDeps {
  store: DynamoStore;
  cache: SessionCache;
  signer: TurnSigner;
  telemetry: MemoryTelemetry;
  /** How many recent turns a cached copy holds (a load asking for more reads DynamoDB). */
  cacheTurnCapacity: number;
  expiry: Expiry;
}

/**
 * The hardened memory: DynamoDB is the store, Redis a write-through copy written after each
 * commit. A copy is used only when its version (nextIdx and summary) matches META, read
 * strongly consistent from DynamoDB on every load: a copy left stale by a failed cache write,
 * a delete or an expiry is never served, so a cache can cost a read but never context.
 */
export function createLayeredMemory(deps: LayeredMemoryDeps): Memory {
  const { store, cache, signer, telemetry } = deps;

  const loadSession = async (sessionId: string, options: { recentTurns: number | 'all' }): Promise<LoadedSession | null> => {
    checkRecentTurns(options.recentTurns);
    const [stored, cached] = await Promise.all([store.readStoredMeta(sessionId), cache.get(sessionId)]);
    if (!stored) return null;
    if (cached) {
      const current = cached.stored.meta.nextIdx === stored.meta.nextIdx
        && cached.stored.summaryThroughIdx === stored.summaryThroughIdx;
      if (current && canServe(cached, options.recentTurns)) {
        telemetry.cacheHit();
        // A turn's ttl follows from when it was written, so the copy can drop expired turns like a read of DynamoDB does.
        const now = Date.now();
        const live = (turn: StoredTurn) => deps.expiry.isLive({ ttl: deps.expiry.ttlFrom(turn.ts) }, now);
        return toLoaded({ ...cached, stored, turns: cached.turns.filter(live), firstTurns: cached.firstTurns.filter(live) },
          options.recentTurns);
      }
      telemetry.cacheMiss(current ? 'the copy holds fewer turns than asked for' : 'the copy is older than META', sessionId);
    } else {
      telemetry.cacheMiss('no copy', sessionId);
    }
    const wanted = options.recentTurns === 'all' ? 'all' : Math.max(options.recentTurns, deps.cacheTurnCapacity);
    const raw: RawSession = await store.loadRawFrom(stored, wanted);
    await cache.put(raw);
    return toLoaded(raw, options.recentTurns);
  };

  return {
    createSession: async (input) => {
      const created = await store.createSession(input);
      await cache.put({
        stored: { meta: created.meta, summaryThroughIdx: -1 }, turns: [], firstTurns: [], summary: null, complete: true, droppedForgeries: 0,
      });
      return created;
    },
    loadSession,
    // META is read from DynamoDB on every load anyway; the cached copy holds nothing a token check needs.
    loadMeta: async (sessionId) => (await store.readStoredMeta(sessionId))?.meta ?? null,
    findExchange: (sessionId, messageId) => store.findExchange(sessionId, messageId),
    appendExchange: async (sessionId, expectedNextIdx, exchange) => {
      let result;
      try {
        result = await store.appendExchange(sessionId, expectedNextIdx, exchange);
      } catch (error) {
        if (error instanceof NextIdxRaceError) await cache.delete(sessionId);
        throw error;
      }
      if (!result.duplicate) {
        await cache.appendExchange(sessionId, expectedNextIdx,
          [signTurn(signer, result.exchange.user), signTurn(signer, result.exchange.assistant)]);
      }
      return result;
    },
    saveSummary: async (sessionId, summary) => {
      await store.saveSummary(sessionId, summary);
      await cache.saveSummary(sessionId, signSummary(signer, summary));
    },
    listTurns: (sessionId, options) => store.listTurns(sessionId, options),
    latestSessionForCustomer: (customerId) => store.latestSessionForCustomer(customerId),
    deleteSession: async (sessionId) => {
      await store.deleteSession(sessionId);
      await cache.delete(sessionId);
    },
    verifyOwner: (meta, token) => store.verifyOwner(meta, token),
    stats: () => telemetry.stats(),
    close: () => store.close(),
  };
}
