import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { loopback } from '../stack/ports.js';

/** A round trip that has not come back in this long means the path is broken, not slow. */
const roundTripTimeoutMs = 5_000;
const transferChunkBytes = 64 * 1024;

export interface LoopbackServer {
  port: number;
  close(): Promise<void>;
}

async function listen(onSocket: (socket: Socket) => void): Promise<LoopbackServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // A proxy torn down under a live connection resets it; that is the bench ending, not a fault.
    socket.on('error', () => socket.destroy());
    onSocket(socket);
  });
  server.listen(0, loopback);
  await once(server, 'listening');
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Sends back every byte it reads, on every connection. */
export function startEchoServer(): Promise<LoopbackServer> {
  return listen((socket) => socket.on('data', (chunk: Buffer) => socket.write(chunk)));
}

/** Counts and discards what arrives, so one transfer at a time can see its bytes land. */
export class SinkServer {
  received = 0;
  lastByteAt = 0;
  private waiter: { bytes: number; resolve: () => void } | null = null;

  private constructor(readonly server: LoopbackServer) {}

  static async start(): Promise<SinkServer> {
    let sink: SinkServer | null = null;
    const server = await listen((socket) => socket.on('data', (chunk: Buffer) => sink?.count(chunk.length)));
    sink = new SinkServer(server);
    return sink;
  }

  private count(bytes: number): void {
    this.received += bytes;
    this.lastByteAt = performance.now();
    if (this.waiter && this.received >= this.waiter.bytes) {
      this.waiter.resolve();
      this.waiter = null;
    }
  }

  reset(): void {
    this.received = 0;
    this.waiter = null;
  }

  /** Resolves once `bytes` have arrived since the last reset; false if they did not within `timeoutMs`. */
  async arrived(bytes: number, timeoutMs: number): Promise<boolean> {
    if (this.received >= bytes) return true;
    let timer: NodeJS.Timeout | undefined;
    const landed = new Promise<boolean>((resolve) => {
      this.waiter = { bytes, resolve: () => resolve(true) };
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const outcome = await landed;
    clearTimeout(timer);
    this.waiter = null;
    return outcome;
  }
}

async function connectTo(port: number): Promise<Socket> {
  const socket = connect({ host: loopback, port, noDelay: true });
  await once(socket, 'connect');
  return socket;
}

/** One persistent connection to an echo server that sends a fixed-size message and times its return. */
export interface RoundTripper {
  /** Microseconds from write to the last byte of the echo. */
  roundTrip(): Promise<number>;
  close(): void;
}

export async function openRoundTripper(port: number, messageBytes: number, label: string): Promise<RoundTripper> {
  const socket = await connectTo(port);
  const message = Buffer.alloc(messageBytes, 0x61);
  let received = 0;
  let pending: { resolve: () => void; reject: (error: Error) => void } | null = null;
  const fail = (error: Error) => {
    pending?.reject(error);
    pending = null;
  };
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received >= messageBytes && pending) {
      received -= messageBytes;
      const waiting = pending;
      pending = null;
      waiting.resolve();
    }
  });
  socket.on('error', (error) => fail(new Error(`${label}: ${error.message}`)));
  socket.on('close', () => fail(new Error(`${label}: the connection closed during a round trip`)));
  return {
    roundTrip: async () => {
      let timer: NodeJS.Timeout | undefined;
      let startedAt = 0;
      const returned = new Promise<void>((resolve, reject) => {
        pending = { resolve, reject };
        timer = setTimeout(() => fail(new Error(`${label}: no echo within ${roundTripTimeoutMs} ms`)), roundTripTimeoutMs);
      });
      startedAt = performance.now();
      socket.write(message);
      try {
        await returned;
        return (performance.now() - startedAt) * 1_000;
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => {
      socket.removeAllListeners('close');
      socket.destroy();
    },
  };
}

export interface TransferResult {
  bytes: number;
  seconds: number;
  megabytesPerSecond: number;
}

/**
 * Writes up to `totalBytes` as fast as the path takes them (honouring backpressure), stopping
 * early at `maxMs`, and times until the sink has them all.
 */
export async function transfer(sink: SinkServer, port: number, totalBytes: number, maxMs: number, label: string): Promise<TransferResult> {
  sink.reset();
  const socket = await connectTo(port);
  const failed = new Promise<never>((_, reject) => socket.once('error', (error) => reject(new Error(`${label}: ${error.message}`))));
  failed.catch(() => undefined);
  const chunk = Buffer.alloc(transferChunkBytes, 0x62);
  const startedAt = performance.now();
  let written = 0;
  try {
    while (written < totalBytes && performance.now() - startedAt < maxMs) {
      written += chunk.length;
      if (!socket.write(chunk)) await Promise.race([once(socket, 'drain'), failed]);
    }
    if (!(await Promise.race([sink.arrived(written, maxMs), failed]))) {
      throw new Error(`${label}: only ${sink.received} of ${written} bytes arrived within ${maxMs} ms of the last write`);
    }
    const seconds = (sink.lastByteAt - startedAt) / 1_000;
    return { bytes: written, seconds, megabytesPerSecond: written / 1e6 / seconds };
  } finally {
    socket.destroy();
  }
}
