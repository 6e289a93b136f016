import { ServiceError, serviceErrors } from '../errors.js';
import type { StoredExchange } from './dynamo-items.js';
import type { MemoryTelemetry } from './memory-telemetry.js';
import { hashOwnerToken, newOwnerToken, newSessionId, sessionIdPattern } from './session-ids.js';
import { partitionVerified, plainTurn, signTurn, type TurnSigner } from './turn-signing.js';
import type { Exchange, NewExchange, SessionMeta } from './types.js';

const messageIdPattern = /^[\x21-\x7e]{1,128}$/;
const customerIdPattern = /^[\x21-\x7e]{1,128}$/;

/** What every store does first; the API validates too, this keeps junk out of keys. */
export function checkSessionId(sessionId: string): void {
  if (!sessionIdPattern.test(sessionId)) throw serviceErrors.invalidSessionId();
}

export function checkNewExchange(expectedNextIdx: number, exchange: NewExchange): void {
  if (!messageIdPattern.test(exchange.messageId)) {
    throw serviceErrors.badRequest('messageId must be 1 to 128 printable ASCII characters without spaces');
  }
  if (!Number.isInteger(expectedNextIdx) || expectedNextIdx < 0 || expectedNextIdx % 2 !== 0) {
    throw serviceErrors.internal(`expectedNextIdx must be an even whole number, not ${expectedNextIdx}`);
  }
}

export function newSession(customerId: string, nowMs: number, ttl: number | undefined): { meta: SessionMeta; token: string } {
  if (!customerIdPattern.test(customerId)) {
    throw serviceErrors.badRequest('customerId must be 1 to 128 printable ASCII characters without spaces');
  }
  const token = newOwnerToken();
  return {
    token,
    meta: {
      sessionId: newSessionId(), customerId, ownerTokenHash: hashOwnerToken(token),
      turnCount: 0, nextIdx: 0, createdAt: nowMs, updatedAt: nowMs, expiresAt: ttl ?? 0,
    },
  };
}

/** The two signed turns of one exchange, numbered from the idx the caller saw as next. */
export function buildExchange(signer: TurnSigner, expectedNextIdx: number, input: NewExchange, nowMs: number): StoredExchange {
  const base = { messageId: input.messageId, ts: nowMs };
  return {
    messageId: input.messageId,
    user: signTurn(signer, { ...base, idx: expectedNextIdx, role: 'user', content: input.userText }),
    assistant: signTurn(signer, { ...base, idx: expectedNextIdx + 1, role: 'assistant', content: input.assistantText }),
    usage: { inputTokens: input.usage.inputTokens, outputTokens: input.usage.outputTokens },
    model: input.model,
    summarised: input.summarised,
  };
}

/** A stored exchange whose turns do not verify was not written by us: it is reported and ignored. */
export function verifyExchange(
  signer: TurnSigner, telemetry: MemoryTelemetry, sessionId: string, stored: StoredExchange,
): Exchange | null {
  const { verified, forged } = partitionVerified(signer, [stored.user, stored.assistant]);
  telemetry.forged(sessionId, 'exchange', forged);
  const [user, assistant] = verified;
  if (forged.length > 0 || !user || !assistant) return null;
  return { messageId: stored.messageId, user: plainTurn(user), assistant: plainTurn(assistant), usage: stored.usage, model: stored.model, summarised: stored.summarised };
}

/** The exchange count follows from the idx: every exchange adds exactly two turns. */
export function turnCountAfter(expectedNextIdx: number): number {
  return expectedNextIdx / 2 + 1;
}

/**
 * Another turn of the session committed first (two tabs, or a retry that raced a new message):
 * the caller's view is stale. Carries the reloaded META so the caller can reload and decide.
 */
export class NextIdxRaceError extends ServiceError {
  readonly current: SessionMeta;

  constructor(expectedNextIdx: number, current: SessionMeta) {
    const base = serviceErrors.concurrentTurn();
    super(base.code, base.status, base.messageJa,
      `expected nextIdx ${expectedNextIdx} but session ${current.sessionId} is at ${current.nextIdx} (turnCount ${current.turnCount})`);
    this.name = 'NextIdxRaceError';
    this.current = current;
  }
}
