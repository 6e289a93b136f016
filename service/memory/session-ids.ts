import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const sessionIdPattern = /^[a-zA-Z0-9_-]{20,128}$/;

/** 24 characters of base64url from 18 random bytes (144 bits): unguessable, and safe in keys and URLs. */
export function newSessionId(): string {
  return randomBytes(18).toString('base64url');
}

/** The ownership token handed to the client once; only its hash is stored. */
export function newOwnerToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashOwnerToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Constant time in the token: both sides are 32-byte digests, so neither the token's length
 * nor how much of it matches changes how long the comparison takes.
 */
export function ownerTokenMatches(storedHashHex: string, token: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(storedHashHex)) return false;
  const presented = createHash('sha256').update(token, 'utf8').digest();
  return timingSafeEqual(presented, Buffer.from(storedHashHex, 'hex'));
}
