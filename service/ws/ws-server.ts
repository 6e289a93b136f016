import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import WebSocket, { WebSocketServer } from 'ws';
import type { ChatTurns } from '../chat/chat-turn.js';
import type { ServiceConfig } from '../config.js';
import { asServiceError, serviceErrors, type ServiceError } from '../errors.js';
import { sessionIdPattern } from '../memory/session-ids.js';
import type { Memory, SessionMeta } from '../memory/types.js';
import type { ServiceMetrics } from '../metrics.js';
import { serveConnection, type Connection } from './connection.js';
import { closeCodes, errorFrame } from './protocol.js';

export const wsPath = '/v1/ws';

export interface WsDeps {
  config: ServiceConfig;
  memory: Memory;
  chatTurns: ChatTurns;
  metrics: ServiceMetrics;
  logger: Logger;
}

export interface WsEndpoint {
  /** New sockets are closed with 1012; open ones close once their turn in flight is done. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

// ws refuses (close 1009) a message past maxPayload before buffering it; below that the
// connection answers an over-size frame with a coded error frame first.
const payloadHeadroom = 4;

async function authenticate(url: URL, memory: Memory): Promise<SessionMeta> {
  const sessionId = url.searchParams.get('sessionId') ?? '';
  const token = url.searchParams.get('token') ?? '';
  if (!sessionIdPattern.test(sessionId)) throw serviceErrors.invalidSessionId();
  if (token.length === 0) throw serviceErrors.unauthenticated();
  // META alone: a refused token costs one read, never a turn query or the session's cached copy.
  const meta = await memory.loadMeta(sessionId);
  // Someone else's session is refused exactly as an unknown one, so ids cannot be probed.
  if (!meta || !memory.verifyOwner(meta, token)) throw serviceErrors.sessionNotFound();
  return meta;
}

/** Protocol v1 over `ws`, on the same HTTP server as the REST routes. */
export function attachWebSocket(server: Server, deps: WsDeps): WsEndpoint {
  const { config, memory, metrics, logger } = deps;
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.ws.maxFrameBytes * payloadHeadroom });
  const connections = new Set<Connection>();
  let draining = false;

  const refuseAtDoor = (socket: WebSocket, error: ServiceError, code: number) => {
    metrics.errors.inc({ code: error.code });
    logger.warn({ code: error.code }, error.detail);
    socket.send(JSON.stringify(errorFrame(error)));
    socket.close(code, error.code);
  };

  const onUpgrade = (request: IncomingMessage, stream: Duplex, head: Buffer) => {
    // A client that resets while its session is looked up must not crash the worker.
    stream.on('error', (error) => logger.debug({ err: error }, 'websocket upgrade stream error'));
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== wsPath) {
      stream.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const accepted = draining ? Promise.reject(serviceErrors.draining()) : authenticate(url, memory);
    accepted.then(
      (meta) => wss.handleUpgrade(request, stream, head, (socket) => {
        if (draining) {
          refuseAtDoor(socket, serviceErrors.draining(), closeCodes.serviceRestart);
          return;
        }
        const connection = serveConnection(socket, { sessionId: meta.sessionId, turnCount: meta.turnCount }, deps);
        connections.add(connection);
        void connection.closed.then(() => connections.delete(connection));
      }),
      (error: unknown) => wss.handleUpgrade(request, stream, head, (socket) => {
        const coded = asServiceError(error);
        const code = coded.code === 'ORCH_ERR_DRAINING' ? closeCodes.serviceRestart
          : coded.status >= 500 ? closeCodes.tryAgainLater : closeCodes.refused(coded);
        refuseAtDoor(socket, coded, code);
      }),
    );
  };
  server.on('upgrade', onUpgrade);

  return {
    async drain() {
      draining = true;
      for (const connection of connections) connection.closeWhenIdle();
      await Promise.all([...connections].map((connection) => connection.closed));
    },
    async close() {
      server.off('upgrade', onUpgrade);
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
