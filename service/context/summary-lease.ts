import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** Gives one worker of the fleet at a time the right to summarise a session. */
export interface SummaryLease {
  /** A release function when this worker may summarise now; null when another one already does. */
  acquire(sessionId: string): Promise<(() => Promise<void>) | null>;
}

// Longer than any summary call (seed 004's timeout tops out at 25 s) plus its save, so a lease
// never lapses under a call that is still running; a worker that dies holding it blocks nobody for longer.
export const summaryLeaseMs = 30_000;

// Deletes the lease only while it is still ours: one that lapsed and was taken by another worker stays.
const releaseScript = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

const leaseKey = (sessionId: string) => `lease:summary:{${sessionId}}`;

/**
 * A short Redis lease (SET NX PX). It only saves duplicate Haiku calls: which summary is kept
 * is decided by the conditional write on the stored summary, so when Redis cannot be asked the
 * worker summarises without a lease rather than leaving the turns unsummarised.
 */
export function createSummaryLease(redis: Redis, logger: Logger): SummaryLease {
  return {
    async acquire(sessionId) {
      const key = leaseKey(sessionId);
      const token = randomUUID();
      try {
        if ((await redis.set(key, token, 'PX', summaryLeaseMs, 'NX')) !== 'OK') return null;
      } catch (error) {
        logger.warn({ err: error, sessionId }, 'summary lease unavailable; summarising without one');
        return () => Promise.resolve();
      }
      return async () => {
        try {
          await redis.eval(releaseScript, 1, key, token);
        } catch (error) {
          logger.warn({ err: error, sessionId }, 'summary lease not released; it lapses by itself');
        }
      };
    },
  };
}
