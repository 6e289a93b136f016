import type { StoredSummary, StoredTurn } from './turn-signing.js';
import type { SessionMeta, Usage } from './types.js';

/** The single-table layout of seed 003: one partition per session. */
export const keys = {
  pk: (sessionId: string) => `SESSION#${sessionId}`,
  meta: 'META',
  turnPrefix: 'TURN#',
  turn: (ts: number, idx: number) => `TURN#${String(ts).padStart(13, '0')}#${String(idx).padStart(6, '0')}`,
  msg: (messageId: string) => `MSG#${messageId}`,
  summaryPrefix: 'SUMMARY#',
  summary: (throughIdx: number) => `SUMMARY#${String(throughIdx).padStart(6, '0')}`,
  customer: (customerId: string) => `CUSTOMER#${customerId}`,
} as const;

export const turnSortKeyPattern = /^TURN#\d{13}#\d{6}$/;

type Item = Record<string, unknown>;

/** What every read does with an item's ttl: past it, the item is gone (DynamoDB deletes lazily). */
export interface Expiry {
  /** The ttl to write (epoch s), or undefined under the naive noTtl switch. */
  ttlFrom(nowMs: number): number | undefined;
  isLive(item: Item, nowMs: number): boolean;
}

export function expiry(ttlSeconds: number, enforced: boolean): Expiry {
  return {
    ttlFrom: (nowMs) => (enforced ? Math.floor(nowMs / 1000) + ttlSeconds : undefined),
    isLive: (item, nowMs) => !enforced || typeof item.ttl !== 'number' || item.ttl >= Math.floor(nowMs / 1000),
  };
}

/** Leaves `ttl` out entirely when there is none, rather than writing a null. */
export function withTtl<T extends Item>(item: T, ttl: number | undefined): T & { ttl?: number } {
  return ttl === undefined ? item : { ...item, ttl };
}

export function metaItem(meta: SessionMeta, ttl: number | undefined): Item {
  return withTtl({
    PK: keys.pk(meta.sessionId), SK: keys.meta,
    sessionId: meta.sessionId, customerId: meta.customerId, ownerTokenHash: meta.ownerTokenHash,
    turnCount: meta.turnCount, nextIdx: meta.nextIdx, createdAt: meta.createdAt, updatedAt: meta.updatedAt,
    summaryThroughIdx: -1,
    GSI1PK: keys.customer(meta.customerId), GSI1SK: meta.updatedAt,
  }, ttl);
}

/** The META item, and the idx its latest summary covers (-1 before any summary): the cache's version. */
export interface StoredMeta {
  meta: SessionMeta;
  summaryThroughIdx: number;
}

export function readMeta(item: Item): StoredMeta {
  return {
    meta: {
      sessionId: String(item.sessionId), customerId: String(item.customerId), ownerTokenHash: String(item.ownerTokenHash),
      turnCount: Number(item.turnCount), nextIdx: Number(item.nextIdx),
      createdAt: Number(item.createdAt), updatedAt: Number(item.updatedAt),
      expiresAt: typeof item.ttl === 'number' ? item.ttl : 0,
    },
    summaryThroughIdx: typeof item.summaryThroughIdx === 'number' ? item.summaryThroughIdx : -1,
  };
}

export function turnItem(sessionId: string, turn: StoredTurn, ttl: number | undefined): Item {
  return withTtl({ PK: keys.pk(sessionId), SK: keys.turn(turn.ts, turn.idx), ...turn }, ttl);
}

export function readTurn(item: Item): StoredTurn {
  const turn: StoredTurn = {
    idx: Number(item.idx), role: item.role === 'assistant' ? 'assistant' : 'user', content: String(item.content ?? ''),
    messageId: String(item.messageId ?? ''), ts: Number(item.ts),
  };
  // A role other than the two is not a turn we wrote: leave its sig out so it can never verify.
  if (typeof item.sig === 'string' && (item.role === 'user' || item.role === 'assistant')) turn.sig = item.sig;
  return turn;
}

export interface StoredExchange {
  messageId: string;
  user: StoredTurn;
  assistant: StoredTurn;
  usage: Usage;
  model: string;
  summarised: boolean;
}

export function msgItem(sessionId: string, exchange: StoredExchange, ttl: number | undefined): Item {
  return withTtl({
    PK: keys.pk(sessionId), SK: keys.msg(exchange.messageId),
    messageId: exchange.messageId, user: exchange.user, assistant: exchange.assistant,
    usage: exchange.usage, model: exchange.model, summarised: exchange.summarised,
  }, ttl);
}

export function readExchange(item: Item): StoredExchange {
  const usage = (item.usage ?? {}) as Partial<Usage>;
  return {
    messageId: String(item.messageId),
    user: readTurn((item.user ?? {}) as Item),
    assistant: readTurn((item.assistant ?? {}) as Item),
    usage: { inputTokens: Number(usage.inputTokens ?? 0), outputTokens: Number(usage.outputTokens ?? 0) },
    model: String(item.model ?? ''),
    summarised: item.summarised === true,
  };
}

export function summaryItem(sessionId: string, summary: StoredSummary, ttl: number | undefined): Item {
  return withTtl({ PK: keys.pk(sessionId), SK: keys.summary(summary.throughIdx), ...summary }, ttl);
}

export function readSummary(item: Item): StoredSummary {
  const summary: StoredSummary = {
    text: String(item.text ?? ''), throughIdx: Number(item.throughIdx),
    entities: Object.fromEntries(Object.entries((item.entities ?? {}) as Item).map(([key, value]) => [key, String(value)])),
  };
  if (typeof item.sig === 'string') summary.sig = item.sig;
  return summary;
}
