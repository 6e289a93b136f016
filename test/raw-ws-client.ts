import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import type { ServerFrame } from '../service/ws/protocol.js';

/**
 * A protocol v1 client on a bare TCP socket, for what the `ws` client will not do: stop reading
 * while it keeps writing, as a phone on a stalled link does. Frames are parsed as they arrive.
 */
export interface RawWebSocket {
  /** The text frames read so far. */
  frames: ServerFrame[];
  /** The close frame, once one has been read. */
  closeFrame: { code: number; reason: string } | null;
  /** Resolves when the TCP connection is gone, whichever side ended or reset it. */
  gone: Promise<void>;
  /** Resolves once `done()` holds after a read, rejects when the connection is gone first or after timeoutMs. */
  waitUntil(done: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** From now on nothing is read: the kernel's buffers fill, then the server's writes back up. */
  stopReading(): void;
  /** Writes the frames in one go; resolves true once the kernel has them, false if the connection is gone. */
  send(frames: unknown[]): Promise<boolean>;
  destroy(): void;
}

const acceptGuid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const opcodes = { text: 0x1, close: 0x8 } as const;

function maskedTextFrame(frame: unknown): Buffer {
  const payload = Buffer.from(typeof frame === 'string' ? frame : JSON.stringify(frame), 'utf8');
  const length = payload.length;
  const header = Buffer.alloc(length < 126 ? 2 : length < 65_536 ? 4 : 10);
  header[0] = 0x80 | opcodes.text;
  if (length < 126) header[1] = 0x80 | length;
  else if (length < 65_536) {
    header[1] = 0x80 | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = randomBytes(4);
  for (let i = 0; i < length; i += 1) payload[i] = (payload[i] as number) ^ (mask[i % 4] as number);
  return Buffer.concat([header, mask, payload]);
}

/** Splits whole server frames (never masked) off the front of `pending`; returns what is left. */
function readFrames(pending: Buffer, onFrame: (opcode: number, payload: Buffer) => void): Buffer {
  let rest = pending;
  for (;;) {
    if (rest.length < 2) return rest;
    const opcode = (rest[0] as number) & 0x0f;
    const short = (rest[1] as number) & 0x7f;
    const offset = short === 126 ? 4 : short === 127 ? 10 : 2;
    if (rest.length < offset) return rest;
    const length = short === 126 ? rest.readUInt16BE(2) : short === 127 ? Number(rest.readBigUInt64BE(2)) : short;
    if (rest.length < offset + length) return rest;
    onFrame(opcode, rest.subarray(offset, offset + length));
    rest = rest.subarray(offset + length);
  }
}

export async function connectRawWebSocket(wsUrl: string, params: Record<string, string>): Promise<RawWebSocket> {
  const url = new URL(wsUrl);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  const key = randomBytes(16).toString('base64');
  const socket = connect({ host: url.hostname, port: Number(url.port) });
  socket.on('error', () => undefined);
  const gone = new Promise<void>((resolve) => socket.once('close', () => resolve()));

  const frames: ServerFrame[] = [];
  let closeFrame: RawWebSocket['closeFrame'] = null;
  const wakers = new Set<() => void>();
  const wake = () => { for (const waker of wakers) waker(); };
  void gone.then(wake);

  let pending: Buffer = Buffer.alloc(0);
  let upgraded = false;
  const onFrame = (opcode: number, payload: Buffer) => {
    if (opcode === opcodes.text) frames.push(JSON.parse(payload.toString('utf8')) as ServerFrame);
    else if (opcode === opcodes.close) closeFrame = { code: payload.length >= 2 ? payload.readUInt16BE(0) : 1005, reason: payload.subarray(2).toString('utf8') };
  };
  const upgrade = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => socket.write([
      `GET ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, 'Upgrade: websocket', 'Connection: Upgrade',
      `Sec-WebSocket-Key: ${key}`, 'Sec-WebSocket-Version: 13', '', '',
    ].join('\r\n')));
    socket.on('data', (data: Buffer) => {
      pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
      if (!upgraded) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = pending.subarray(0, end).toString('latin1');
        const accept = createHash('sha1').update(key + acceptGuid).digest('base64');
        if (!head.startsWith('HTTP/1.1 101') || !head.includes(`Sec-WebSocket-Accept: ${accept}`)) {
          reject(new Error(`upgrade refused: ${head.split('\r\n')[0] ?? ''}`));
          socket.destroy();
          return;
        }
        upgraded = true;
        pending = pending.subarray(end + 4);
        resolve();
      }
      pending = readFrames(pending, onFrame);
      wake();
    });
    void gone.then(() => reject(new Error('the connection closed during the upgrade')));
  });
  await upgrade;

  return {
    frames,
    get closeFrame() { return closeFrame; },
    gone,
    waitUntil(done, what, timeoutMs = 30_000) {
      return new Promise<void>((resolve, reject) => {
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          wakers.delete(check);
          settle();
        };
        const check = () => {
          if (done()) finish(resolve);
          else if (socket.destroyed) finish(() => reject(new Error(`the connection is gone before ${what}`)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`no ${what} within ${timeoutMs} ms`))), timeoutMs);
        wakers.add(check);
        check();
      });
    },
    stopReading() {
      socket.pause();
    },
    send(toSend) {
      if (socket.destroyed) return Promise.resolve(false);
      return new Promise((resolve) => socket.write(Buffer.concat(toSend.map(maskedTextFrame)), (error) => resolve(!error)));
    },
    destroy() {
      socket.destroy();
    },
  };
}
