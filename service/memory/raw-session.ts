import { serviceErrors } from '../errors.js';
import type { StoredMeta } from './dynamo-items.js';
import { plainTurn, type StoredSummary, type StoredTurn } from './turn-signing.js';
import type { LoadedSession } from './types.js';

/** A session as read from the store, already verified, still carrying signatures so it can be cached. */
export interface RawSession {
  stored: StoredMeta;
  /** Verified, chronological; the most recent ones, or all of them when `complete`. */
  turns: StoredTurn[];
  firstTurns: StoredTurn[];
  summary: StoredSummary | null;
  /** True when `turns` holds every live turn of the session. */
  complete: boolean;
  droppedForgeries: number;
}

export function toLoaded(raw: RawSession, recentTurns: number | 'all'): LoadedSession {
  const turns = recentTurns === 'all' ? raw.turns : raw.turns.slice(Math.max(0, raw.turns.length - recentTurns));
  return {
    meta: { ...raw.stored.meta },
    turns: turns.map(plainTurn),
    firstTurns: raw.firstTurns.map(plainTurn),
    summary: raw.summary ? { text: raw.summary.text, throughIdx: raw.summary.throughIdx, entities: { ...raw.summary.entities } } : null,
    droppedForgeries: raw.droppedForgeries,
  };
}

/** Whether a copy can answer a request for `recentTurns` without going back to the store. */
export function canServe(raw: RawSession, recentTurns: number | 'all'): boolean {
  return raw.complete || (recentTurns !== 'all' && recentTurns <= raw.turns.length);
}

export function checkRecentTurns(recentTurns: number | 'all'): void {
  if (recentTurns !== 'all' && (!Number.isInteger(recentTurns) || recentTurns < 0)) {
    throw serviceErrors.internal(`recentTurns must be 'all' or a whole number, not ${recentTurns}`);
  }
}
