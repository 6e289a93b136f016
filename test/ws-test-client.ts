import WebSocket from 'ws';
import type { ServerFrame } from '../service/ws/protocol.js';

/** A protocol v1 client for tests: records every frame with its arrival time, and how the socket closed. */
export interface TestSocket {
  socket: WebSocket;
  frames: Array<ServerFrame & { at: number }>;
  /** The first recorded frame (from now or earlier) that matches; rejects after timeoutMs. */
  waitFor<T extends ServerFrame['type']>(type: T, match?: (frame: Extract<ServerFrame, { type: T }> & { at: number }) => boolean, timeoutMs?: number):
    Promise<Extract<ServerFrame, { type: T }> & { at: number }>;
  closed: Promise<{ code: number; reason: string }>;
  send(frame: unknown): void;
  close(): Promise<void>;
}

export function connectTestSocket(wsUrl: string, params: Record<string, string>, options: { answerPings?: boolean } = {}): Promise<TestSocket> {
  const url = new URL(wsUrl);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  const socket = new WebSocket(url);
  const frames: TestSocket['frames'] = [];
  const waiters = new Set<() => void>();
  socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as ServerFrame;
    frames.push({ ...frame, at: performance.now() });
    if (frame.type === 'ping' && options.answerPings !== false) socket.send(JSON.stringify({ type: 'pong', ts: frame.ts }));
    for (const wake of waiters) wake();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const wake of waiters) wake();
    });
  });
  socket.on('error', () => undefined);

  const testSocket: TestSocket = {
    socket,
    frames,
    closed,
    waitFor(type, match = () => true, timeoutMs = 30_000) {
      type Wanted = Extract<ServerFrame, { type: typeof type }> & { at: number };
      const find = () => frames.find((frame): frame is Wanted => frame.type === type && match(frame as Wanted));
      return new Promise<Wanted>((resolve, reject) => {
        const check = () => {
          const found = find();
          if (found) finish(() => resolve(found));
          else if (socket.readyState === WebSocket.CLOSED) finish(() => reject(new Error(`closed before a ${type} frame; got ${JSON.stringify(frames)}`)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`no ${type} frame within ${timeoutMs} ms; got ${JSON.stringify(frames)}`))), timeoutMs);
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
    send(frame) {
      socket.send(typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame));
    },
    async close() {
      if (socket.readyState === WebSocket.CLOSED) return;
      socket.close();
      const timer = setTimeout(() => socket.terminate(), 2_000);
      await closed;
      clearTimeout(timer);
    },
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(testSocket));
    socket.once('unexpected-response', (_request, response) => reject(new Error(`upgrade refused: ${response.statusCode}`)));
    socket.once('error', reject);
  });
}
