import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { TcpProxy } from './proxy.js';
import type { ChunkSink, Stream, ToxicKind, ToxicStage } from './toxic.js';
import { parseStream, type ToxicRecord } from './toxic-list.js';

/** Helpers for tests of the proxy on real sockets (127.0.0.1, port 0). */

export const silentLogger = pino({ level: 'silent' });

/** Polls `check` every 10 ms until true; fails naming `what` after `timeoutMs`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** A client socket and everything it has received. */
export interface Received {
  socket: Socket;
  /** How many bytes have arrived (cheap to poll, unlike bytes()). */
  length(): number;
  bytes(): Buffer;
  text(): string;
  /** Resolves when the socket is fully closed (by either side). */
  closed: Promise<void>;
  ended(): boolean;
}

export function receive(socket: Socket): Received {
  const chunks: Buffer[] = [];
  let length = 0;
  let ended = false;
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    length += chunk.length;
  });
  socket.on('end', () => {
    ended = true;
  });
  socket.on('error', () => undefined);
  // Not events.once: it would reject (unhandled, when nobody awaits) if the socket errors first.
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, length: () => length, bytes: () => Buffer.concat(chunks), text: () => Buffer.concat(chunks).toString('latin1'), closed, ended: () => ended };
}

export async function connect(port: number): Promise<Received> {
  const socket = createConnection({ host: '127.0.0.1', port });
  const received = receive(socket);
  await once(socket, 'connect');
  return received;
}

/** True when nothing listens on the port any more. */
export async function refusesConnections(port: number): Promise<boolean> {
  const socket = createConnection({ host: '127.0.0.1', port });
  try {
    await once(socket, 'connect');
    socket.destroy();
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
  }
}

/** An upstream TCP server that keeps its sockets, so a test can write from the server side. */
export interface Upstream {
  port: number;
  address: string;
  sockets: Received[];
  close(): Promise<void>;
}

export async function startUpstream(onSocket: (socket: Socket) => void = () => undefined, port = 0): Promise<Upstream> {
  const sockets: Received[] = [];
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.push(receive(socket));
    onSocket(socket);
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    address: `127.0.0.1:${bound}`,
    sockets,
    close: async () => {
      for (const { socket } of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An upstream that echoes every byte back. */
export function startEchoUpstream(): Promise<Upstream> {
  return startUpstream((socket) => socket.pipe(socket));
}

/** A proxy without the HTTP API, listening on a free port, for tests that look inside it. */
export async function startTcpProxy(upstream: string, seed = 1, name = 'under-test'): Promise<TcpProxy> {
  const proxy = new TcpProxy({ name, listen: '127.0.0.1:0', upstream, seed, logger: silentLogger });
  await proxy.start();
  return proxy;
}

export function portOf(listen: string): number {
  return Number(listen.slice(listen.lastIndexOf(':') + 1));
}

export function toxicRecord(kind: ToxicKind, name: string, stream: Stream | string = 'downstream', toxicity = 1): ToxicRecord {
  const direction = parseStream(stream);
  if (direction === undefined) throw new Error(`bad stream ${stream}`);
  return { name, type: kind.type, stream, direction, toxicity, attributes: { ...kind.defaults }, kind };
}

/** A test-only stage that holds every chunk (and the end) until `release()`. */
export interface HoldingStage {
  heldBytes(): number;
  release(): void;
}

export function holdingKind(): { kind: ToxicKind; stages: HoldingStage[] } {
  const stages: HoldingStage[] = [];
  const kind: ToxicKind = {
    type: 'test_hold',
    defaults: {},
    validate() {},
    createStage(_context, _attributes, next): ToxicStage {
      let held: Buffer[] = [];
      let endHeld = false;
      let holding = true;
      const flush = (): void => {
        holding = false;
        for (const chunk of held) next.write(chunk);
        held = [];
        if (endHeld) next.end();
      };
      stages.push({ heldBytes: () => held.reduce((sum, chunk) => sum + chunk.length, 0), release: flush });
      return {
        write: (chunk) => (holding ? held.push(chunk) : next.write(chunk)),
        end: () => (holding ? (endHeld = true) : next.end()),
        remove: flush,
        destroy: () => {
          held = [];
        },
      };
    },
  };
  return { kind, stages };
}

/** A test-only stage that passes chunks on a turn later, in order: stages really hold data. */
export const deferringKind: ToxicKind = {
  type: 'test_defer',
  defaults: {},
  validate() {},
  createStage(_context, _attributes, next: ChunkSink): ToxicStage {
    const queue: (Buffer | 'end')[] = [];
    let timer: NodeJS.Immediate | undefined;
    const drain = (): void => {
      timer = undefined;
      for (const item of queue.splice(0)) {
        if (item === 'end') next.end();
        else next.write(item);
      }
    };
    const schedule = (): void => {
      timer ??= setImmediate(drain);
    };
    return {
      write: (chunk) => {
        queue.push(chunk);
        schedule();
      },
      end: () => {
        queue.push('end');
        schedule();
      },
      remove: () => {
        if (timer) clearImmediate(timer);
        drain();
      },
      destroy: () => {
        if (timer) clearImmediate(timer);
        queue.length = 0;
      },
    };
  },
};

/** A test-only stage that records the size of each chunk it sees and passes it on. */
export function recordingKind(): { kind: ToxicKind; sizes: number[] } {
  const sizes: number[] = [];
  const kind: ToxicKind = {
    type: 'test_record',
    defaults: {},
    validate() {},
    createStage: (_context, _attributes, next) => ({
      write: (chunk) => {
        sizes.push(chunk.length);
        next.write(chunk);
      },
      end: () => next.end(),
      remove() {},
      destroy() {},
    }),
  };
  return { kind, sizes };
}
