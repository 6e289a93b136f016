/**
 * The floor bench/service.ts measures the service against: a bare protocol-v1 chat server on
 * the same `ws` library, with the minimal REST the load pool needs (POST /v1/sessions), whose
 * turn makes only the dependency calls a hardened turn must make (bench/floor-turns.ts). Its
 * clients come from the service's own construction code, so SDK and connection settings match.
 * Started by bench/floor-process.ts; stops on SIGTERM or SIGINT.
 *
 *   node --import tsx bench/floor-server.ts --port P --redis URL --dynamodb URL --table NAME --bedrock URL
 *
 * GET /healthz answers 200 once Redis is connected; GET /stats returns the floor's counts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import WebSocket, { WebSocketServer } from 'ws';
import { loadServiceConfig } from '../service/config.js';
import { createBedrockClient } from '../service/llm/bedrock-calls.js';
import { createSessionDocumentClient, createSessionRedisClient } from '../service/memory/create-memory.js';
import { expiry } from '../service/memory/dynamo-items.js';
import { createDynamoStore } from '../service/memory/dynamo-memory.js';
import type { MemoryTelemetry } from '../service/memory/memory-telemetry.js';
import { hmacSigner } from '../service/memory/turn-signing.js';
import { wsPath } from '../service/ws/ws-server.js';
import { testSigningSecret } from '../test/service-deps.js';
import { createFloor, type FloorFrame } from './floor-turns.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string' }, redis: { type: 'string' }, dynamodb: { type: 'string' }, table: { type: 'string' }, bedrock: { type: 'string' },
  },
});
const required = (name: keyof typeof values): string => {
  const value = values[name];
  if (!value) {
    process.stderr.write(`floor server: --${name} is required\n`);
    process.exit(2);
  }
  return value;
};
const port = Number(required('port'));

// The service's own settings (model ids, window, timeouts, TTLs), pointed at the bench's stack.
const config = loadServiceConfig({
  SESSION_SIGNING_SECRET: testSigningSecret, REDIS_URL: required('redis'), DYNAMODB_ENDPOINT: required('dynamodb'),
  DYNAMODB_TABLE: required('table'), BEDROCK_ENDPOINT: required('bedrock'),
});
const logger = pino({ level: 'warn', base: { name: 'floor-server' } });
// Counting and logging what a store read finds is the service's work, not a dependency call.
const silentTelemetry: MemoryTelemetry = {
  forged: () => undefined, forgedSummary: () => undefined, cacheHit: () => undefined, cacheMiss: () => undefined,
  cacheFailed: () => undefined, stats: () => ({ forgedTurnsDropped: 0, cacheHits: 0, cacheMisses: 0 }),
};
const documents = createSessionDocumentClient(config);
const redis = createSessionRedisClient(config, logger);
const bedrock = createBedrockClient(config.bedrock);
const signer = hmacSigner(config.signingSecret);
const store = createDynamoStore({
  documents, table: config.dynamodb.table, signer, expiry: expiry(config.sessionTtlSeconds, true), telemetry: silentTelemetry,
});
const floor = createFloor({ config, store, redis, bedrock, signer, logger });

function reply(response: ServerResponse, status: number, body?: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(body === undefined ? undefined : JSON.stringify(body));
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  return typeof parsed === 'object' && parsed !== null ? parsed as Record<string, unknown> : {};
}

async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method === 'POST' && request.url === '/v1/sessions') {
    const { customerId } = await readJson(request);
    if (typeof customerId !== 'string') return reply(response, 400, { code: 'FLOOR_ERR_BAD_REQUEST', message: 'customerId must be a string' });
    return reply(response, 201, await floor.createSession(customerId));
  }
  if (request.method === 'GET' && request.url === '/healthz') return reply(response, redis.status === 'ready' ? 200 : 503, { redis: redis.status });
  if (request.method === 'GET' && request.url === '/stats') return reply(response, 200, floor.stats());
  return reply(response, 404, { code: 'FLOOR_ERR_NOT_FOUND', message: `${request.method} ${request.url}` });
}

function serve(socket: WebSocket, sessionId: string, turnCount: number): void {
  let busy = false;
  const send = (frame: FloorFrame | { type: string; [key: string]: unknown }) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  };
  socket.on('error', () => undefined);
  socket.once('close', () => floor.closed(sessionId));
  socket.on('message', (data: WebSocket.RawData) => {
    let frame: { type?: unknown; messageId?: unknown; text?: unknown };
    try {
      frame = JSON.parse(data.toString()) as typeof frame;
    } catch {
      send({ type: 'error', code: 'FLOOR_ERR_MALFORMED', message: 'the frame is not JSON' });
      return;
    }
    // Pongs need no answer; the floor sends no pings (a heartbeat is per socket, not per message).
    if (frame.type !== 'message') return;
    const messageId = String(frame.messageId);
    if (busy) {
      send({ type: 'error', messageId, code: 'FLOOR_ERR_CONCURRENT_TURN', message: 'a turn is already in flight' });
      return;
    }
    busy = true;
    floor.turn(sessionId, messageId, String(frame.text), send)
      .catch((error: unknown) => {
        logger.warn({ err: error, sessionId, messageId }, 'floor turn failed');
        send({ type: 'error', messageId, code: 'FLOOR_ERR_TURN', message: error instanceof Error ? error.message : String(error) });
      })
      .finally(() => { busy = false; });
  });
  send({ type: 'ready', sessionId, turnCount });
}

const refuse = (stream: NodeJS.WritableStream, status: string) =>
  stream.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);

const wss = new WebSocketServer({ noServer: true });
const server = createServer((request, response) => {
  route(request, response).catch((error: unknown) => {
    logger.warn({ err: error, url: request.url }, 'floor request failed');
    if (!response.headersSent) reply(response, 500, { code: 'FLOOR_ERR_INTERNAL', message: String(error) });
  });
});
server.on('upgrade', (request: IncomingMessage, stream, head: Buffer) => {
  stream.on('error', () => undefined);
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname !== wsPath) return refuse(stream, '404 Not Found');
  const sessionId = url.searchParams.get('sessionId') ?? '';
  floor.authenticate(sessionId, url.searchParams.get('token') ?? '').then(
    (owned) => {
      if (!owned) return refuse(stream, '403 Forbidden');
      wss.handleUpgrade(request, stream, head, (socket) => serve(socket, sessionId, owned.turnCount));
    },
    (error: unknown) => {
      logger.warn({ err: error, sessionId }, 'floor authentication failed');
      refuse(stream, '503 Service Unavailable');
    },
  );
});

const stop = () => {
  for (const socket of wss.clients) socket.terminate();
  server.close();
  redis.disconnect();
  documents.destroy();
  bedrock.destroy();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
server.listen({ host: '127.0.0.1', port });
