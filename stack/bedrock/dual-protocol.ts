import { createServer as createHttp1Server, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { createServer as createHttp2Server, type Http2Session } from 'node:http2';
import { createServer as createNetServer, type Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';

/** One request and its response, the same whichever protocol carried it. */
export interface Exchange {
  readonly protocol: 'h2c' | 'http/1.1';
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readBody(limitBytes: number): Promise<Buffer>;
  writeHead(status: number, headers: OutgoingHttpHeaders): void;
  /** False when the client is not keeping up; wait for `onDrain` before writing more. */
  write(chunk: Buffer): boolean;
  end(chunk?: Buffer | string): void;
  onDrain(listener: () => void): void;
  /** Called once if the client goes away before the response ended. */
  onAbort(listener: () => void): void;
  readonly ended: boolean;
}

export type ExchangeHandler = (exchange: Exchange) => void;

export class BodyTooLargeError extends Error {}

interface NativeStream { readStop(): number; readStart(): number }

type NodeRequest = Readable & { method?: string; url?: string; headers: IncomingHttpHeaders };
type NodeResponse = Writable & { writeHead(status: number, headers: OutgoingHttpHeaders): unknown };

function readBody(request: NodeRequest, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    request.on('data', (part: Buffer) => {
      size += part.length;
      if (size > limitBytes) {
        request.removeAllListeners('data');
        request.resume();
        reject(new BodyTooLargeError(`the request body is larger than ${limitBytes} bytes`));
        return;
      }
      parts.push(part);
    });
    request.once('end', () => resolve(Buffer.concat(parts, size)));
    request.once('error', reject);
  });
}

function toExchange(protocol: Exchange['protocol'], request: NodeRequest, response: NodeResponse): Exchange {
  // The h2 compatibility layer reports a stream reset by the peer as finished, so "aborted"
  // means: closed before we ended it.
  let endedByUs = false;
  let aborted = false;
  response.once('close', () => { if (!endedByUs) aborted = true; });
  return {
    protocol,
    method: request.method ?? 'GET',
    url: request.url ?? '/',
    headers: request.headers,
    readBody: (limitBytes) => readBody(request, limitBytes),
    writeHead: (status, headers) => { response.writeHead(status, headers); },
    write: (chunk) => response.write(chunk),
    end: (chunk) => {
      endedByUs = true;
      if (chunk === undefined) response.end(); else response.end(chunk);
    },
    onDrain: (listener) => { response.once('drain', listener); },
    onAbort: (listener) => {
      if (aborted) listener();
      else response.once('close', () => { if (aborted) listener(); });
    },
    get ended() { return endedByUs || aborted; },
  };
}

export interface DualProtocolServer {
  readonly port: number;
  /**
   * Stops accepting and closes connections once their responses have ended (end them first);
   * after `graceMs` drops whatever is still open.
   */
  close(graceMs: number): Promise<void>;
}

// A connection that has not said which protocol it speaks by then is dropped.
const sniffTimeoutMs = 30_000;

// Every h2c client with prior knowledge opens with this; HTTP/1.1 never can.
const h2Preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/**
 * HTTP/2 cleartext (the SDK's default handler) and HTTP/1.1 (curl, NodeHttpHandler, fetch) on
 * one port: the first bytes of each connection decide which server gets the socket.
 */
export function listenDualProtocol(host: string, port: number, handler: ExchangeHandler): Promise<DualProtocolServer> {
  const sockets = new Set<Socket>();
  const http1Sockets = new Set<Socket>();
  const sessions = new Set<Http2Session>();

  // The SDK gives each event stream a session of its own, but sends all its other calls over one
  // shared session: thousands at once would not fit the default 10 MB budget.
  const h2 = createHttp2Server({ maxSessionMemory: 512, settings: { maxConcurrentStreams: 100_000 } });
  h2.on('request', (request, response) => handler(toExchange('h2c', request, response)));
  h2.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  const h1 = createHttp1Server({ keepAliveTimeout: 30_000 });
  h1.on('request', (request, response) => handler(toExchange('http/1.1', request, response)));

  /**
   * The h2 server reads the socket natively once it takes it, and picks up the bytes we put
   * back only on the next tick. Native reads stop until then, so that bytes arriving in the
   * meantime cannot overtake them.
   */
  const handOver = (socket: Socket, firstBytes: Buffer, isH2: boolean) => {
    const handle = (socket as unknown as { _handle?: NativeStream | null })._handle;
    handle?.readStop();
    socket.setTimeout(0);
    socket.pause();
    socket.unshift(firstBytes);
    if (isH2) {
      h2.emit('connection', socket);
    } else {
      http1Sockets.add(socket);
      h1.emit('connection', socket);
      socket.resume();
    }
    setImmediate(() => {
      if (socket.destroyed) return;
      handle?.readStart();
      // Flowing again (h2 has taken the bytes by now), or the end of the connection would
      // wait unseen in the paused stream.
      socket.resume();
    });
  };

  const net = createNetServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => { sockets.delete(socket); http1Sockets.delete(socket); });
    socket.on('error', () => socket.destroy());
    socket.setTimeout(sniffTimeoutMs, () => socket.destroy());
    let seen = Buffer.alloc(0);
    const sniff = (data: Buffer) => {
      seen = Buffer.concat([seen, data]);
      const compared = Math.min(seen.length, h2Preface.length);
      const looksLikeH2 = seen.subarray(0, compared).equals(h2Preface.subarray(0, compared));
      if (looksLikeH2 && seen.length < h2Preface.length) return;
      socket.off('data', sniff);
      handOver(socket, seen, looksLikeH2);
    };
    socket.on('data', sniff);
  });

  return new Promise((resolve, reject) => {
    net.once('error', reject);
    net.listen({ host, port }, () => {
      net.off('error', reject);
      const address = net.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      resolve({
        port: bound,
        close: async (graceMs) => {
          const closed = new Promise<void>((done) => net.close(() => done()));
          for (const session of sessions) session.close();
          // Ends after what is already written has flushed; a keep-alive client then lets go.
          for (const socket of http1Sockets) socket.end();
          const deadline = setTimeout(() => { for (const socket of sockets) socket.destroy(); }, graceMs);
          await closed;
          clearTimeout(deadline);
        },
      });
    });
  });
}
