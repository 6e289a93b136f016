import type { Logger } from 'pino';
import type { ServiceConfig } from '../config.js';
import { asServiceError, countedByModelLayer } from '../errors.js';
import type { LoadedSession, SessionSummary, Turn } from '../memory/types.js';
import type { ServiceMetrics } from '../metrics.js';
import { newerSummary, turnsToFold, withExchange } from './build-context.js';
import type { SummaryLease } from './summary-lease.js';
import type { Summariser, SummarySource } from './types.js';

export interface SummariesAheadDeps {
  config: ServiceConfig;
  summariser: Summariser;
  /** Memory.saveSummary: its conditional write keeps the newest of racing summaries. */
  save(sessionId: string, summary: SessionSummary): Promise<void>;
  lease: SummaryLease;
  metrics: ServiceMetrics;
  logger: Logger;
}

export interface SummariesAhead extends SummarySource {
  /**
   * After a turn's done: folds the turns the next turn's window will drop into the stored
   * summary, in the background. `fixedTokens` is this turn's non-history share of the budget.
   */
  foldAfterTurn(session: LoadedSession, exchange: [user: Turn, assistant: Turn], fixedTokens: number): void;
  /** Resolves when no summary is being made on this worker (the drain waits on it). */
  settled(): Promise<void>;
}

// Summaries this worker made, kept so a turn loaded before one was saved still sees it; oldest forgotten first.
const rememberedSessions = 10_000;

/**
 * Summaries made off the hot path: one at a time per session on this worker (a new request
 * waits behind the running one and then folds only what is still uncovered), and one per
 * session across the fleet (the lease).
 */
export function createSummariesAhead(deps: SummariesAheadDeps): SummariesAhead {
  const { config, summariser, lease, metrics, logger } = deps;
  const inFlight = new Map<string, Promise<SessionSummary | null>>();
  const made = new Map<string, SessionSummary>();

  const remember = (sessionId: string, summary: SessionSummary) => {
    made.delete(sessionId);
    made.set(sessionId, summary);
    if (made.size > rememberedSessions) made.delete(made.keys().next().value as string);
  };
  const latest = (sessionId: string) => made.get(sessionId) ?? null;

  async function fold(session: LoadedSession, fixedTokens: number): Promise<SessionSummary | null> {
    const { sessionId } = session.meta;
    const previous = newerSummary(session.summary, latest(sessionId));
    const turns = turnsToFold(config, session, previous, fixedTokens);
    if (turns.length === 0) return previous;
    const release = await lease.acquire(sessionId);
    // Another worker is folding this session's turns; the next turn's done tries again.
    if (!release) return null;
    try {
      const summary = await summariser.summarise(turns, previous);
      await deps.save(sessionId, summary);
      remember(sessionId, summary);
      return summary;
    } catch (error) {
      // The turn was acknowledged long ago: a failed summary costs the next turn a few tokens
      // (its dropped turns go in whole while they fit), never an answer.
      const coded = asServiceError(error);
      if (!countedByModelLayer(coded)) metrics.errors.inc({ code: coded.code });
      logger.warn({ err: error, code: coded.code, sessionId }, 'background summary failed; the next turn tries again');
      return null;
    } finally {
      await release();
    }
  }

  return {
    latest,
    inFlight: (sessionId) => inFlight.get(sessionId),
    foldAfterTurn(session, exchange, fixedTokens) {
      if (config.naive.fullHistory) return;
      const { sessionId } = session.meta;
      const after = withExchange(session, exchange, config);
      const running = inFlight.get(sessionId);
      const work = (running ? running.then(() => fold(after, fixedTokens)) : fold(after, fixedTokens))
        .finally(() => { if (inFlight.get(sessionId) === work) inFlight.delete(sessionId); });
      inFlight.set(sessionId, work);
    },
    async settled() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight.values()]);
    },
  };
}
