import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

/** The `application/vnd.amazon.eventstream` framing the SDK's stream iterators decode. */
export const eventStreamContentType = 'application/vnd.amazon.eventstream';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

const crcTable = new Uint32Array(256).map((_, index) => {
  let value = index;
  for (let bit = 0; bit < 8; bit += 1) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
  return value;
});

function crc32(bytes: Uint8Array, end: number): number {
  let crc = 0xffffffff;
  for (let i = 0; i < end; i += 1) crc = (crc >>> 8) ^ (crcTable[(crc ^ (bytes[i] as number)) & 0xff] as number);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * Every frame of one kind carries the same headers, so the codec encodes them once; a frame
 * is then the prelude, those bytes, the payload and two CRCs. Thousands of streams write tens
 * of thousands of frames a second, and encoding headers each time was a quarter of the CPU.
 */
const headerCache = new Map<string, Uint8Array>();

function headerBytes(messageType: 'event' | 'exception', name: string): Uint8Array {
  const key = `${messageType}:${name}`;
  let bytes = headerCache.get(key);
  if (!bytes) {
    bytes = codec.formatHeaders({
      ':message-type': { type: 'string', value: messageType },
      [messageType === 'event' ? ':event-type' : ':exception-type']: { type: 'string', value: name },
      ':content-type': { type: 'string', value: 'application/json' },
    });
    headerCache.set(key, bytes);
  }
  return bytes;
}

function frame(headers: Uint8Array, json: string): Buffer {
  const payloadLength = Buffer.byteLength(json, 'utf8');
  const length = 16 + headers.byteLength + payloadLength;
  const out = Buffer.allocUnsafe(length);
  out.writeUInt32BE(length, 0);
  out.writeUInt32BE(headers.byteLength, 4);
  out.writeUInt32BE(crc32(out, 8), 8);
  out.set(headers, 12);
  out.write(json, 12 + headers.byteLength, payloadLength, 'utf8');
  out.writeUInt32BE(crc32(out, length - 4), length - 4);
  return out;
}

/** One event of the stream's union, e.g. `messageStart` or `chunk`. */
export function eventFrame(eventType: string, payload: unknown): Buffer {
  return frame(headerBytes('event', eventType), JSON.stringify(payload));
}

/** InvokeModelWithResponseStream wraps each model event as base64 bytes inside a `chunk`. */
export function chunkFrame(modelEvent: unknown): Buffer {
  // Base64 needs no JSON escaping, so the wrapper is written as it is.
  const bytes = Buffer.from(JSON.stringify(modelEvent), 'utf8').toString('base64');
  return frame(headerBytes('event', 'chunk'), `{"bytes":"${bytes}"}`);
}

/** A mid-stream error; `exceptionName` is the union's camelCase member name. */
export function exceptionFrame(exceptionName: string, message: string): Buffer {
  return frame(headerBytes('exception', exceptionName), JSON.stringify({ message }));
}
