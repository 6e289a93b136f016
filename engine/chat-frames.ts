/**
 * Cheap reading of protocol-v1 server frames. Chunk frames are most of the traffic, so the
 * client recognises them by bytes (no JSON.parse, no string per frame) and keeps only the
 * escaped text span when it needs the reply; every other frame is parsed in full.
 */
const textKey = Buffer.from(',"text":"');
// Outside a JSON string only: inside one, a quote is always escaped, so `,"` cannot appear.
const keyStart = Buffer.from(',"');
const quote = 0x22;
const closeBrace = 0x7d;

/** `{"type":"chunk","messageId":"<id>",` as the service writes a chunk of this turn. */
export function chunkPrefix(messageId: string): Buffer {
  return Buffer.from(`{"type":"chunk","messageId":${JSON.stringify(messageId)},`);
}

/**
 * Where the escaped text of a chunk of this turn starts (it ends 2 bytes before the frame's
 * end), or -1 when the frame is not laid out as `…,"seq":N,"text":"…"}`; the caller then
 * parses it in full, so an extended frame is read correctly, only slower.
 */
export function chunkTextStart(data: Buffer, prefix: Buffer): number {
  const length = data.length;
  if (length < prefix.length + textKey.length + 2) return -1;
  if (data[length - 1] !== closeBrace || data[length - 2] !== quote) return -1;
  if (data.compare(prefix, 0, prefix.length, 0, prefix.length) !== 0) return -1;
  const key = data.indexOf(keyStart, prefix.length);
  if (key < 0 || data.compare(textKey, 0, textKey.length, key, key + textKey.length) !== 0) return -1;
  const start = key + textKey.length;
  // Another key after the text would put its `,"` in the span.
  return data.indexOf(keyStart, start) < 0 ? start : -1;
}

/** The escaped text span of a chunk whose frame was parsed in full, in the form chunkTextStart keeps. */
export function escapedText(text: string): Buffer {
  return Buffer.from(JSON.stringify(text).slice(1, -1));
}

/** Escaped spans concatenate into one escaped string: one parse per reply instead of one per chunk. */
export function decodeEscapedText(parts: Buffer[]): string {
  return JSON.parse(`"${Buffer.concat(parts).toString('utf8')}"`) as string;
}

export interface ParsedFrame {
  type?: unknown;
  messageId?: unknown;
  turnCount?: unknown;
  text?: unknown;
  code?: unknown;
  message?: unknown;
  ts?: unknown;
  usage?: { inputTokens?: unknown; outputTokens?: unknown };
  model?: unknown;
  summarised?: unknown;
}

/** A full parse that never throws: a frame that is not a JSON object reads as `{}`. */
export function parseFrame(data: Buffer): ParsedFrame {
  try {
    const value: unknown = JSON.parse(data.toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as ParsedFrame) : {};
  } catch {
    return {};
  }
}

export function pongFor(ts: unknown): string {
  return `{"type":"pong","ts":${typeof ts === 'number' && Number.isFinite(ts) ? ts : 0}}`;
}
