import { serviceErrors } from '../errors.js';
import type { Expiry, StoredExchange } from './dynamo-items.js';
import type { MemoryTelemetry } from './memory-telemetry.js';
import { checkRecentTurns, toLoaded } from './raw-session.js';
import { ownerTokenMatches } from './session-ids.js';
import {
  buildExchange, checkNewExchange, checkSessionId, newSession, NextIdxRaceError, turnCountAfter, verifyExchange,
} from './session-records.js';
import { partitionVerified, plainTurn, signSummary, type StoredSummary, type StoredTurn, summaryPayload, type TurnSigner } from './turn-signing.js';
import type { Exchange, Memory, SessionMeta } from './types.js';
import { checkPageLimit } from './dynamo-paging.js';

export interface InProcessMemoryDeps {
  signer: TurnSigner;
  expiry: Expiry;
  telemetry: MemoryTelemetry;
}

interface HeldSession {
  meta: SessionMeta;
  turns: StoredTurn[];
  exchanges: Map<string, StoredExchange>;
  summary: StoredSummary | null;
}

/**
 * The naive inProcessSessions switch (seed 000 scenario 2): sessions in a Map inside this worker,
 * fast and gone with it. Another worker, or this one after a restart, has never heard of them.
 */
export function createInProcessMemory(deps: InProcessMemoryDeps): Memory {
  const { signer, expiry, telemetry } = deps;
  const sessions = new Map<string, HeldSession>();
  const latestByCustomer = new Map<string, string>();

  const live = (sessionId: string): HeldSession | null => {
    checkSessionId(sessionId);
    const held = sessions.get(sessionId);
    if (!held) return null;
    if (!expiry.isLive({ ttl: held.meta.expiresAt || undefined }, Date.now())) {
      sessions.delete(sessionId);
      return null;
    }
    return held;
  };

  const verifiedTurns = (sessionId: string, turns: StoredTurn[]) => {
    const { verified, forged } = partitionVerified(signer, turns);
    telemetry.forged(sessionId, 'in-process turns', forged);
    return { verified, dropped: forged.length };
  };

  return {
    createSession: async ({ customerId }) => {
      const now = Date.now();
      const created = newSession(customerId, now, expiry.ttlFrom(now));
      sessions.set(created.meta.sessionId, { meta: created.meta, turns: [], exchanges: new Map(), summary: null });
      latestByCustomer.set(customerId, created.meta.sessionId);
      return created;
    },
    loadMeta: async (sessionId) => live(sessionId)?.meta ?? null,
    loadSession: async (sessionId, { recentTurns }) => {
      checkRecentTurns(recentTurns);
      const held = live(sessionId);
      if (!held) return null;
      const { verified, dropped } = verifiedTurns(sessionId, held.turns);
      let summary = held.summary;
      if (summary && !signer.verify(summaryPayload(summary), summary.sig)) {
        telemetry.forgedSummary(sessionId, 'in-process summary', summary);
        summary = null;
      }
      return toLoaded({
        stored: { meta: held.meta, summaryThroughIdx: summary?.throughIdx ?? -1 },
        turns: verified, firstTurns: verified.slice(0, 2), summary, complete: true,
        droppedForgeries: dropped + (summary === held.summary ? 0 : 1),
      }, recentTurns);
    },
    findExchange: async (sessionId, messageId) => {
      const stored = live(sessionId)?.exchanges.get(messageId);
      return stored ? verifyExchange(signer, telemetry, sessionId, stored) : null;
    },
    appendExchange: async (sessionId, expectedNextIdx, input) => {
      checkNewExchange(expectedNextIdx, input);
      const held = live(sessionId);
      if (!held) throw serviceErrors.sessionNotFound();
      const earlier = held.exchanges.get(input.messageId);
      if (earlier) {
        const exchange = verifyExchange(signer, telemetry, sessionId, earlier);
        if (!exchange) throw serviceErrors.storeFailed(`message ${input.messageId} is stored but does not verify`);
        return { exchange, duplicate: true, turnCount: held.meta.turnCount };
      }
      if (held.meta.nextIdx !== expectedNextIdx) throw new NextIdxRaceError(expectedNextIdx, { ...held.meta });
      const now = Date.now();
      const stored = buildExchange(signer, expectedNextIdx, input, now);
      held.turns.push(stored.user, stored.assistant);
      held.exchanges.set(input.messageId, stored);
      held.meta = {
        ...held.meta, turnCount: held.meta.turnCount + 1, nextIdx: expectedNextIdx + 2, updatedAt: now,
        expiresAt: expiry.ttlFrom(now) ?? 0,
      };
      latestByCustomer.set(held.meta.customerId, sessionId);
      return { exchange: verifyExchange(signer, telemetry, sessionId, stored) as Exchange, duplicate: false, turnCount: turnCountAfter(expectedNextIdx) };
    },
    saveSummary: async (sessionId, summary) => {
      const held = live(sessionId);
      if (!held) throw serviceErrors.sessionNotFound();
      if (!held.summary || held.summary.throughIdx <= summary.throughIdx) held.summary = signSummary(signer, summary);
    },
    listTurns: async (sessionId, { limit, cursor }) => {
      checkPageLimit(limit);
      const held = live(sessionId);
      if (!held) throw serviceErrors.sessionNotFound();
      const start = cursor === undefined ? 0 : Number.parseInt(Buffer.from(cursor, 'base64url').toString('utf8'), 10);
      if (!Number.isInteger(start) || start < 0) throw serviceErrors.badRequest('the cursor is not one this service returned');
      const page = held.turns.slice(start, start + limit);
      const end = start + page.length;
      return {
        turns: verifiedTurns(sessionId, page).verified.map(plainTurn),
        nextCursor: end < held.turns.length ? Buffer.from(String(end), 'utf8').toString('base64url') : null,
      };
    },
    latestSessionForCustomer: async (customerId) => {
      const sessionId = latestByCustomer.get(customerId);
      const held = sessionId ? live(sessionId) : null;
      return held ? { ...held.meta } : null;
    },
    deleteSession: async (sessionId) => {
      checkSessionId(sessionId);
      sessions.delete(sessionId);
    },
    verifyOwner: (meta, token) => ownerTokenMatches(meta.ownerTokenHash, token),
    stats: () => telemetry.stats(),
    close: async () => { sessions.clear(); latestByCustomer.clear(); },
  };
}
