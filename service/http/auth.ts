import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { serviceErrors } from '../errors.js';
import { sessionIdPattern } from '../memory/session-ids.js';
import type { Memory, SessionMeta } from '../memory/types.js';

function bearerToken(request: FastifyRequest): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

/**
 * 400 for a malformed id, 401 without a token, and the same 404 for no such session and for
 * someone else's, so a token cannot be used to learn which session ids exist.
 */
export async function ownedSession(request: FastifyRequest, memory: Memory, sessionId: string): Promise<SessionMeta> {
  if (!sessionIdPattern.test(sessionId)) throw serviceErrors.invalidSessionId();
  const token = bearerToken(request);
  if (token === undefined) throw serviceErrors.unauthenticated();
  const meta = await memory.loadMeta(sessionId);
  if (!meta || !memory.verifyOwner(meta, token)) throw serviceErrors.sessionNotFound();
  return meta;
}

const digest = (token: string) => createHash('sha256').update(token).digest();

/**
 * The check every catalog change passes: 403 when no operator token is configured (the route
 * then refuses all), 401 without a bearer token, 403 for another one. Equal-length digests let
 * timingSafeEqual compare without leaking the token's length or its matching prefix.
 */
export function operatorCheck(operatorToken: string | undefined): (request: FastifyRequest) => void {
  const expected = operatorToken === undefined ? undefined : digest(operatorToken);
  return (request) => {
    if (expected === undefined) throw serviceErrors.operatorTokenNotConfigured();
    const token = bearerToken(request);
    if (token === undefined) throw serviceErrors.operatorUnauthenticated();
    if (!timingSafeEqual(digest(token), expected)) throw serviceErrors.notOperator();
  };
}
