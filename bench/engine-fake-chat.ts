import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket, { WebSocketServer } from 'ws';
import { loopback } from '../stack/ports.js';
import { chunkGapMs, chunksPerAnswer, chunkText } from './engine-workload.js';

/**
 * A protocol-v1 chat server that answers at once, for measuring a load generator and nothing
 * else: POST /v1/sessions, WS /v1/ws (ready; each message answered with 20 chunk frames 10 ms
 * apart, the first one at once, then done with turnCount/usage/model). No storage, no model,
 * no app-level pings. Frames are laid out byte for byte as the service writes them.
 */
export interface FakeChatStats {
  sessions: number;
  socketsOpen: number;
  messages: number;
  answers: number;
  /** From the first session created to the last socket opened: how long the load took to open its sessions. */
  openingMs: number;
  /** The fake's own event-loop delay: a late fake would be charged to the generator. */
  eventLoopP99Ms: number;
}

export interface FakeChat {
  http: string;
  ws: string;
  stats(): FakeChatStats;
  close(): Promise<void>;
}

export interface FakeChatOptions {
  port?: number;
  /** Called once, when the first session is created (the load has begun). */
  onFirstSession?: () => void;
}

interface Session { token: string; turnCount: number }

interface Answer {
  socket: WebSocket;
  session: Session;
  prefix: string;
  messageId: string;
  startedAt: number;
  sent: number;
}

const wsPath = '/v1/ws';
const model = 'anthropic.claude-3-sonnet-20240229-v1:0';
const maxFrameBytes = 64 * 1024;
// The stats endpoint is for the bench; the real service has nothing under this path.
const statsPath = '/_bench/stats';
const escapedChunk = JSON.stringify(chunkText).slice(1, -1);
const usage = `{"inputTokens":${chunkText.length * 3},"outputTokens":${chunkText.length * chunksPerAnswer}}`;

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function errorFrame(code: string, message: string, messageId?: string): string {
  return JSON.stringify({ type: 'error', ...(messageId === undefined ? {} : { messageId }), code, message });
}

export async function startFakeChat(options: FakeChatOptions = {}): Promise<FakeChat> {
  const sessions = new Map<string, Session>();
  const counts = { messages: 0, answers: 0 };
  let answers: Answer[] = [];
  let firstSessionAt: number | null = null;
  let lastOpenedAt: number | null = null;
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();

  const onRequest = (request: IncomingMessage, response: ServerResponse) => {
    if (request.method === 'GET' && request.url === statsPath) return sendJson(response, 200, stats());
    if (request.method !== 'POST' || request.url !== '/v1/sessions') return sendJson(response, 404, { code: 'NOT_FOUND', message: 'not found' });
    // The body is the customer id, which a fake without storage has no use for.
    request.resume();
    request.once('end', () => {
      const sessionId = randomBytes(16).toString('base64url');
      const token = randomBytes(24).toString('base64url');
      sessions.set(sessionId, { token, turnCount: 0 });
      if (firstSessionAt === null) {
        firstSessionAt = performance.now();
        options.onFirstSession?.();
      }
      sendJson(response, 201, { sessionId, token, expiresAt: new Date(Date.now() + 86_400_000).toISOString() });
    });
  };

  const server = createServer(onRequest);
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxFrameBytes, skipUTF8Validation: true });
  const sockets = new Set<WebSocket>();

  server.on('upgrade', (request, stream, head) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    if (url.pathname !== wsPath) {
      stream.destroy();
      return;
    }
    const session = sessions.get(url.searchParams.get('sessionId') ?? '');
    wss.handleUpgrade(request, stream, head, (socket) => {
      if (!session || session.token !== url.searchParams.get('token')) {
        socket.send(errorFrame('ORCH_ERR_SESSION_NOT_FOUND', 'セッションが見つかりません'));
        socket.close(4404, 'ORCH_ERR_SESSION_NOT_FOUND');
        return;
      }
      serve(socket, session, url.searchParams.get('sessionId') as string);
    });
  });

  const serve = (socket: WebSocket, session: Session, sessionId: string) => {
    sockets.add(socket);
    lastOpenedAt = performance.now();
    let inFlight: Answer | null = null;
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      if (inFlight) inFlight.sent = Number.POSITIVE_INFINITY;
    });
    socket.on('message', (data: Buffer) => {
      let frame: { type?: unknown; messageId?: unknown };
      try {
        frame = JSON.parse(data.toString('utf8')) as typeof frame;
      } catch {
        return;
      }
      if (frame.type !== 'message' || typeof frame.messageId !== 'string') return;
      counts.messages += 1;
      if (inFlight && inFlight.sent <= chunksPerAnswer) {
        socket.send(errorFrame('ORCH_ERR_CONCURRENT_TURN', '前のメッセージに回答中です', frame.messageId));
        return;
      }
      const answer: Answer = {
        socket, session, messageId: frame.messageId, startedAt: performance.now(), sent: 0,
        prefix: `{"type":"chunk","messageId":${JSON.stringify(frame.messageId)},"seq":`,
      };
      inFlight = answer;
      sendDue(answer, answer.startedAt);
      answers.push(answer);
    });
    socket.send(JSON.stringify({ type: 'ready', sessionId, turnCount: session.turnCount }));
  };

  /** Writes every frame of `answer` that is due by `now`; true once done has gone out. */
  const sendDue = (answer: Answer, now: number): boolean => {
    if (answer.socket.readyState !== WebSocket.OPEN) return true;
    while (answer.sent < chunksPerAnswer && answer.startedAt + answer.sent * chunkGapMs <= now) {
      answer.socket.send(`${answer.prefix}${answer.sent},"text":"${escapedChunk}"}`);
      answer.sent += 1;
    }
    if (answer.sent < chunksPerAnswer || answer.startedAt + chunksPerAnswer * chunkGapMs > now) return false;
    answer.session.turnCount += 1;
    counts.answers += 1;
    answer.socket.send(`{"type":"done","messageId":${JSON.stringify(answer.messageId)},"turnCount":${answer.session.turnCount},`
      + `"usage":${usage},"model":"${model}","summarised":false}`);
    answer.sent = Number.POSITIVE_INFINITY;
    return true;
  };

  // One timer for every answer in flight, not one per chunk: at 5,000 sessions that is ~45,000 frames a second.
  const ticker = setInterval(() => {
    const now = performance.now();
    answers = answers.filter((answer) => answer.sent !== Number.POSITIVE_INFINITY && !sendDue(answer, now));
  }, chunkGapMs / 2);

  const stats = (): FakeChatStats => ({
    sessions: sessions.size, socketsOpen: sockets.size, messages: counts.messages, answers: counts.answers,
    openingMs: firstSessionAt === null || lastOpenedAt === null ? 0 : lastOpenedAt - firstSessionAt,
    eventLoopP99Ms: delay.count > 0 ? delay.percentile(99) / 1e6 : 0,
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: loopback, port: options.port ?? 0, backlog: 8_192 }, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    http: `http://${loopback}:${port}`,
    ws: `ws://${loopback}:${port}${wsPath}`,
    stats,
    async close() {
      clearInterval(ticker);
      delay.disable();
      for (const socket of sockets) socket.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
