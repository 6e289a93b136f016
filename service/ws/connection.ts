import type { Logger } from 'pino';
import WebSocket from 'ws';
import type { ChatTurns } from '../chat/chat-turn.js';
import type { ServiceConfig } from '../config.js';
import { serviceErrors, type ServiceError } from '../errors.js';
import type { ServiceMetrics } from '../metrics.js';
import { startHeartbeat, type Heartbeat } from './heartbeat.js';
import { closeCodes, errorFrame, parseClientFrame, type ServerFrame } from './protocol.js';

export interface ConnectionDeps {
  config: ServiceConfig;
  chatTurns: ChatTurns;
  metrics: ServiceMetrics;
  logger: Logger;
}

export interface Connection {
  /** Closes with 1012 now when idle, else right after the turn in flight is done (the drain). */
  closeWhenIdle(): void;
  closed: Promise<void>;
}

// A peer that stopped reading never completes the closing handshake either.
const terminateGraceMs = 1_000;

function asBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/** One authenticated socket of protocol v1: frames in, chunks and a durable `done` out. */
export function serveConnection(socket: WebSocket, session: { sessionId: string; turnCount: number }, deps: ConnectionDeps): Connection {
  const { config, chatTurns, metrics, logger } = deps;
  const log = logger.child({ sessionId: session.sessionId });
  let turnInFlight = false;
  let closeAfterTurn = false;
  let heartbeat: Heartbeat | undefined;

  const closeWith = (code: number, reason: string) => {
    if (socket.readyState !== WebSocket.OPEN && socket.readyState !== WebSocket.CONNECTING) return;
    socket.close(code, reason);
    setTimeout(() => socket.terminate(), terminateGraceMs).unref();
  };

  const report = (error: ServiceError) => {
    metrics.errors.inc({ code: error.code });
    log.warn({ code: error.code }, error.detail);
  };

  const send = (frame: ServerFrame) => {
    if (socket.readyState !== WebSocket.OPEN) return;
    socket.send(JSON.stringify(frame));
    // A slow reader would otherwise make the worker hold every chunk it cannot deliver.
    if (socket.bufferedAmount > config.ws.maxBufferedBytes) {
      report(serviceErrors.slowReader(socket.bufferedAmount, config.ws.maxBufferedBytes));
      closeWith(closeCodes.tryAgainLater, 'slow reader');
    }
  };

  const refuse = (error: ServiceError, messageId?: string) => {
    report(error);
    send(errorFrame(error, messageId));
  };

  const runTurn = (messageId: string, text: string) => {
    if (turnInFlight) {
      refuse(serviceErrors.concurrentTurn(), messageId);
      return;
    }
    turnInFlight = true;
    chatTurns.run({ sessionId: session.sessionId, messageId, text }, {
      onChunk: ({ seq, text: delta }) => send({ type: 'chunk', messageId, seq, text: delta }),
      onRestart: ({ reason }) => send({ type: 'restart', messageId, reason }),
      onDone: (done) => {
        turnInFlight = false;
        send({ type: 'done', messageId, turnCount: done.turnCount, usage: done.usage, model: done.model, summarised: done.summarised });
        if (closeAfterTurn) closeWith(closeCodes.serviceRestart, 'service restart');
      },
    }).catch((error: ServiceError) => {
      // chatTurns has already logged and counted it; the client still has to hear about it.
      send(errorFrame(error, messageId));
      turnInFlight = false;
      if (closeAfterTurn) closeWith(closeCodes.serviceRestart, 'service restart');
    });
  };

  socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => {
    // Once we are closing the socket, nothing it sends may start work we could not deliver.
    if (socket.readyState !== WebSocket.OPEN) return;
    heartbeat?.sawTraffic();
    const buffer = asBuffer(data);
    if (buffer.length > config.ws.maxFrameBytes) {
      refuse(serviceErrors.frameTooLarge(buffer.length, config.ws.maxFrameBytes));
      closeWith(closeCodes.tooLarge, 'frame too large');
      return;
    }
    if (isBinary) {
      refuse(serviceErrors.malformedFrame('binary frames are not part of protocol v1'));
      return;
    }
    const parsed = parseClientFrame(buffer.toString('utf8'));
    if (!parsed.ok) {
      refuse(parsed.error, parsed.messageId);
      return;
    }
    const frame = parsed.frame;
    if (frame.type === 'ping') send({ type: 'pong', ts: frame.ts });
    else if (frame.type === 'message') {
      if (closeAfterTurn) refuse(serviceErrors.draining(), frame.messageId);
      else runTurn(frame.messageId, frame.text);
    }
  });

  const closed = new Promise<void>((resolve) => {
    socket.once('close', () => {
      heartbeat?.stop();
      metrics.liveSockets.dec();
      resolve();
    });
  });
  socket.on('error', (error: Error & { code?: string }) => {
    // ws raises these for protocol violations (e.g. a frame past maxPayload) and has already closed the socket.
    const coded = serviceErrors.wsProtocol(`${error.code ?? 'ws'}: ${error.message}`);
    metrics.errors.inc({ code: coded.code });
    log.warn({ code: coded.code, err: error }, coded.detail);
  });

  metrics.liveSockets.inc();
  send({ type: 'ready', sessionId: session.sessionId, turnCount: session.turnCount });
  if (!config.naive.noAppPings) {
    heartbeat = startHeartbeat({
      intervalMs: config.ws.pingIntervalMs,
      timeoutMs: config.ws.pongTimeoutMs,
      sendPing: (ts) => send({ type: 'ping', ts }),
      onTimeout: () => {
        report(serviceErrors.heartbeatTimeout(config.ws.pongTimeoutMs));
        closeWith(closeCodes.heartbeatTimeout, 'heartbeat timeout');
      },
    });
  }

  return {
    closeWhenIdle() {
      closeAfterTurn = true;
      if (!turnInFlight) closeWith(closeCodes.serviceRestart, 'service restart');
    },
    closed,
  };
}
