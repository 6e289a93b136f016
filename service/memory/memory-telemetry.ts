import type { Logger } from 'pino';
import type { ServiceMetrics } from '../metrics.js';
import type { StoredSummary, StoredTurn } from './turn-signing.js';
import type { MemoryStats } from './types.js';

/** Not a client-visible error (a cache failure never fails a turn), so not in the catalogue. */
export const cacheFailedCode = 'ORCH_ERR_CACHE_FAILED';

export interface MemoryTelemetry {
  forged(sessionId: string, where: string, forged: StoredTurn[]): void;
  forgedSummary(sessionId: string, where: string, summary: StoredSummary): void;
  cacheHit(): void;
  cacheMiss(reason: string, sessionId: string): void;
  cacheFailed(operation: string, sessionId: string, error: unknown): void;
  stats(): MemoryStats;
}

/** One place that counts what every store reports, in Prometheus and in `stats()`. */
export function memoryTelemetry(logger: Logger, metrics: ServiceMetrics): MemoryTelemetry {
  const counts: MemoryStats = { forgedTurnsDropped: 0, cacheHits: 0, cacheMisses: 0 };
  return {
    forged(sessionId, where, forged) {
      if (forged.length === 0) return;
      counts.forgedTurnsDropped += forged.length;
      metrics.forgedTurnsDropped.inc(forged.length);
      logger.warn({
        sessionId, where, dropped: forged.map((turn) => ({ idx: turn.idx, role: turn.role, signed: turn.sig !== undefined })),
      }, 'stored turns with a missing or wrong signature were dropped');
    },
    forgedSummary(sessionId, where, summary) {
      counts.forgedTurnsDropped += 1;
      metrics.forgedTurnsDropped.inc();
      logger.warn({ sessionId, where, throughIdx: summary.throughIdx, signed: summary.sig !== undefined },
        'a stored summary with a missing or wrong signature was dropped');
    },
    cacheHit() {
      counts.cacheHits += 1;
      metrics.cacheHits.inc({ cache: 'session' });
    },
    cacheMiss(reason, sessionId) {
      counts.cacheMisses += 1;
      metrics.cacheMisses.inc({ cache: 'session' });
      logger.debug({ sessionId, reason }, 'session cache miss');
    },
    cacheFailed(operation, sessionId, error) {
      metrics.errors.inc({ code: cacheFailedCode });
      logger.warn({ code: cacheFailedCode, operation, sessionId, err: error },
        'the Redis session cache failed; DynamoDB serves this request');
    },
    stats: () => ({ ...counts }),
  };
}
