import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SessionSummary, Turn } from './types.js';

/** A turn as it is stored: the turn and, unless signing is off, its signature. */
export type StoredTurn = Turn & { sig?: string };
export type StoredSummary = SessionSummary & { sig?: string };

export interface TurnSigner {
  /** undefined when signing is off (the naive unsignedTurns switch): nothing is written. */
  sign(payload: string): string | undefined;
  verify(payload: string, sig: unknown): boolean;
}

export function turnPayload(turn: Pick<Turn, 'idx' | 'role' | 'content'>): string {
  return `${turn.idx}:${turn.role}:${turn.content}`;
}

/** Entities sorted, because a stored map may come back in any key order. */
export function summaryPayload(summary: SessionSummary): string {
  const entities = Object.entries(summary.entities).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `summary:${summary.throughIdx}:${summary.text}:${JSON.stringify(entities)}`;
}

export function hmacSigner(secret: string): TurnSigner {
  const sign = (payload: string) => createHmac('sha256', secret).update(payload, 'utf8').digest('hex');
  return {
    sign,
    verify: (payload, sig) => {
      if (typeof sig !== 'string' || !/^[0-9a-f]{64}$/.test(sig)) return false;
      return timingSafeEqual(Buffer.from(sign(payload), 'hex'), Buffer.from(sig, 'hex'));
    },
  };
}

/** The naive unsignedTurns switch (seed 000 scenario 4): whatever is stored is believed. */
export const unsignedSigner: TurnSigner = {
  sign: () => undefined,
  verify: () => true,
};

export function signTurn(signer: TurnSigner, turn: Turn): StoredTurn {
  const sig = signer.sign(turnPayload(turn));
  return sig === undefined ? { ...turn } : { ...turn, sig };
}

export function signSummary(signer: TurnSigner, summary: SessionSummary): StoredSummary {
  const sig = signer.sign(summaryPayload(summary));
  const copy = { text: summary.text, throughIdx: summary.throughIdx, entities: { ...summary.entities } };
  return sig === undefined ? copy : { ...copy, sig };
}

/** Splits stored turns into the verified ones and the forged or unsigned ones, keeping the signatures. */
export function partitionVerified(signer: TurnSigner, stored: StoredTurn[]): { verified: StoredTurn[]; forged: StoredTurn[] } {
  const verified: StoredTurn[] = [];
  const forged: StoredTurn[] = [];
  for (const item of stored) (signer.verify(turnPayload(item), item.sig) ? verified : forged).push(item);
  return { verified, forged };
}

export function plainTurn(item: StoredTurn): Turn {
  return { idx: item.idx, role: item.role, content: item.content, messageId: item.messageId, ts: item.ts };
}

export function verifiedSummary(signer: TurnSigner, stored: StoredSummary | null): SessionSummary | null {
  if (!stored) return null;
  const summary = { text: stored.text, throughIdx: stored.throughIdx, entities: { ...stored.entities } };
  return signer.verify(summaryPayload(summary), stored.sig) ? summary : null;
}
