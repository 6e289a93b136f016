import { describe, expect, it } from 'vitest';
import { chunkPrefix, chunkTextStart, decodeEscapedText, escapedText, parseFrame, pongFor } from './chat-frames.js';

/** A chunk exactly as the service writes it (JSON.stringify of its frame object). */
const serviceChunk = (messageId: string, seq: number, text: string) => Buffer.from(JSON.stringify({ type: 'chunk', messageId, seq, text }));

function fastText(frame: Buffer, messageId: string): Buffer | null {
  const start = chunkTextStart(frame, chunkPrefix(messageId));
  return start < 0 ? null : frame.subarray(start, frame.length - 2);
}

describe('chunk frames read by bytes', () => {
  it('finds the text of this turn\'s chunks and decodes the joined spans to the exact reply', () => {
    const pieces = ['進撃の', '巨人🎉 "引用" ', 'back\\slash\n', '👨‍👩‍👧 𠮷', '', '\u2028end'];
    const spans = pieces.map((piece, seq) => fastText(serviceChunk('turn-1', seq, piece), 'turn-1'));
    expect(spans.every((span) => span !== null)).toBe(true);
    expect(spans[4]?.length).toBe(0);
    expect(decodeEscapedText(spans as Buffer[])).toBe(pieces.join(''));
  });

  it('leaves other frames to the full parse: another turn, other types, an extended or reordered chunk', () => {
    expect(fastText(serviceChunk('turn-2', 0, 'x'), 'turn-1')).toBeNull();
    expect(fastText(serviceChunk('turn-10', 0, 'x'), 'turn-1')).toBeNull();
    expect(fastText(Buffer.from(JSON.stringify({ type: 'done', messageId: 'turn-1', turnCount: 1 })), 'turn-1')).toBeNull();
    const extended = Buffer.from(JSON.stringify({ type: 'chunk', messageId: 'turn-1', seq: 0, text: 'a', lang: 'ja' }));
    expect(fastText(extended, 'turn-1')).toBeNull();
    const reordered = Buffer.from(JSON.stringify({ type: 'chunk', messageId: 'turn-1', text: 'a', seq: 0 }));
    expect(fastText(reordered, 'turn-1')).toBeNull();
    // A text that itself contains the key's bytes is still one span.
    const tricky = serviceChunk('turn-1', 3, '","text":"x"}');
    expect(decodeEscapedText([fastText(tricky, 'turn-1') as Buffer])).toBe('","text":"x"}');
  });

  it('a span made from a parsed frame joins the byte spans', () => {
    const fast = fastText(serviceChunk('turn-1', 0, 'こんにちは、'), 'turn-1') as Buffer;
    expect(decodeEscapedText([fast, escapedText('"世界"🎉')])).toBe('こんにちは、"世界"🎉');
  });

  it('parses any other frame without throwing and answers a ping with its ts', () => {
    expect(parseFrame(Buffer.from('{"type":"ready","sessionId":"s","turnCount":2}'))).toMatchObject({ type: 'ready', turnCount: 2 });
    expect(parseFrame(Buffer.from('not json'))).toEqual({});
    expect(parseFrame(Buffer.from('null'))).toEqual({});
    expect(JSON.parse(pongFor(1712345678901))).toEqual({ type: 'pong', ts: 1712345678901 });
    expect(JSON.parse(pongFor('x'))).toEqual({ type: 'pong', ts: 0 });
  });
});
