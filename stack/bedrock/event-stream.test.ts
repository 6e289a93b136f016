import { EventStreamCodec, type MessageHeaders } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { describe, expect, it } from 'vitest';
import { chunkFrame, eventFrame, exceptionFrame } from './event-stream.js';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

function headers(messageType: string, typeHeader: string, typeValue: string): MessageHeaders {
  return {
    ':message-type': { type: 'string', value: messageType },
    [typeHeader]: { type: 'string', value: typeValue },
    ':content-type': { type: 'string', value: 'application/json' },
  };
}

describe('event-stream frames', () => {
  it('are byte for byte what the smithy codec encodes, CRCs included', () => {
    const payload = { delta: { text: '漫画 😀 "quoted"' }, contentBlockIndex: 0 };
    const expected = codec.encode({ headers: headers('event', ':event-type', 'contentBlockDelta'), body: fromUtf8(JSON.stringify(payload)) });
    expect(eventFrame('contentBlockDelta', payload).equals(Buffer.from(expected))).toBe(true);

    const exception = codec.encode({ headers: headers('exception', ':exception-type', 'throttlingException'),
      body: fromUtf8(JSON.stringify({ message: 'Too many tokens' })) });
    expect(exceptionFrame('throttlingException', 'Too many tokens').equals(Buffer.from(exception))).toBe(true);
  });

  it('wrap an Anthropic event as base64 bytes in a chunk the codec decodes', () => {
    const event = { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'こんにちは𠮷' } };
    const decoded = codec.decode(chunkFrame(event));
    expect(decoded.headers[':event-type']?.value).toBe('chunk');
    const wrapper = JSON.parse(toUtf8(decoded.body)) as { bytes: string };
    expect(JSON.parse(Buffer.from(wrapper.bytes, 'base64').toString('utf8'))).toEqual(event);
  });

  it('are rejected by the codec if a byte is changed, so the CRCs are checked', () => {
    const bytes = Buffer.from(eventFrame('messageStop', { stopReason: 'end_turn' }));
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 8) ^ 0xff, bytes.length - 8);
    expect(() => codec.decode(bytes)).toThrow(/checksum/i);
  });
});
