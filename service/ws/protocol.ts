import type { ServiceError } from '../errors.js';
import { serviceErrors } from '../errors.js';
import type { Usage } from '../memory/types.js';

/** Protocol v1 (DESIGN.md): one JSON object per text frame. Extend it, never break it. */
export type ClientFrame =
  | { type: 'message'; messageId: string; text: string }
  | { type: 'ping'; ts: number }
  | { type: 'pong'; ts: number };

export type ServerFrame =
  | { type: 'ready'; sessionId: string; turnCount: number }
  | { type: 'chunk'; messageId: string; seq: number; text: string }
  // The answer's stream failed after chunks went out and starts again on another model: the
  // client drops the text it showed for messageId; the next chunk is seq 0 of the new answer.
  | { type: 'restart'; messageId: string; reason: string }
  | { type: 'done'; messageId: string; turnCount: number; usage: Usage; model: string; summarised: boolean }
  | { type: 'error'; messageId?: string; code: string; message: string }
  | { type: 'ping'; ts: number }
  | { type: 'pong'; ts: number };

/** Client-chosen ids: printable ASCII without spaces, short enough to be a key. */
export const messageIdPattern = /^[\x21-\x7e]{1,128}$/;

export type ParsedFrame = { ok: true; frame: ClientFrame } | { ok: false; error: ServiceError; messageId?: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refuse(detail: string, messageId?: string): ParsedFrame {
  return { ok: false, error: serviceErrors.malformedFrame(detail), ...(messageId === undefined ? {} : { messageId }) };
}

/** Never throws: whatever a client sends becomes a frame or a coded refusal. */
export function parseClientFrame(raw: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return refuse('the frame is not JSON');
  }
  if (!isRecord(value)) return refuse('the frame is not a JSON object');
  const messageId = typeof value.messageId === 'string' && messageIdPattern.test(value.messageId) ? value.messageId : undefined;
  switch (value.type) {
    case 'message':
      if (messageId === undefined) return refuse('messageId must be 1 to 128 printable ASCII characters');
      if (typeof value.text !== 'string') return refuse('text must be a string', messageId);
      return { ok: true, frame: { type: 'message', messageId, text: value.text } };
    case 'ping':
    case 'pong':
      if (typeof value.ts !== 'number' || !Number.isFinite(value.ts)) return refuse(`${value.type}.ts must be a number`);
      return { ok: true, frame: { type: value.type, ts: value.ts } };
    default:
      return refuse(`unknown frame type ${JSON.stringify(value.type)?.slice(0, 40) ?? 'undefined'}`, messageId);
  }
}

export function errorFrame(error: ServiceError, messageId?: string): ServerFrame {
  return { type: 'error', ...(messageId === undefined ? {} : { messageId }), code: error.code, message: error.messageJa };
}

/** Close codes: the standard ones, and 4000 + HTTP status for refusals at the door (4400, 4401, 4404). */
export const closeCodes = {
  tooLarge: 1009,
  serviceRestart: 1012,
  tryAgainLater: 1013,
  heartbeatTimeout: 4408,
  refused: (error: ServiceError) => 4000 + error.status,
} as const;
