import swagger from '@fastify/swagger';
import fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import { type ChatTurnDeps, createChatTurns } from './chat/chat-turn.js';
import { asServiceError, ServiceError, serviceErrors } from './errors.js';
import { registerOpsRoutes } from './http/ops-routes.js';
import { registerRoutes } from './http/routes.js';
import { attachWebSocket } from './ws/ws-server.js';

/** The app needs exactly what a chat turn needs: every dependency comes in. */
export type AppDeps = ChatTurnDeps;

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Stops taking new requests (503 ORCH_ERR_DRAINING) and sockets (close 1012), lets every
     * turn in flight stream to its durable `done`, closes the sockets, then resolves. SIGTERM.
     */
    drain(): Promise<void>;
  }
}

// Fastify's own errors (bad JSON, wrong content type, body too large) in the service's catalogue.
function fromFastify(error: FastifyError, request: FastifyRequest, bodyLimit: number): ServiceError {
  if (error.validation) return serviceErrors.badRequest(error.message);
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return serviceErrors.frameTooLarge(Number(request.headers['content-length'] ?? Number.NaN), bodyLimit);
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) return serviceErrors.badRequest(error.message);
  return asServiceError(error);
}

const idleConnectionTimeoutMs = 120_000;

/** The orchestrator as a fastify app (REST + WebSocket). It does not listen; the caller does. */
export function buildApp(deps: AppDeps): FastifyInstance {
  const { config, memory, retrieval, responseCache, metrics, logger } = deps;
  // Room for a chat body whose text is refused by size with the coded Japanese error.
  const bodyLimit = config.ws.maxFrameBytes * 4;
  const app = fastify({
    loggerInstance: logger,
    // A line per request at 100 msg/s is noise and cost; errors are logged with their code.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
    // A body trickled in a byte at a time must not hold a socket for ever (fastify's default is no
    // limit). Only receiving the request counts: a POST /v1/chat answer may take the turn's 25 s.
    requestTimeout: config.http.requestTimeoutMs,
    // Node 20 takes the request timeout only at the server's construction (fastify sets it after,
    // which does nothing), and checks it on this interval (30 s by default): both go in here.
    http: {
      requestTimeout: config.http.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, Math.max(50, Math.floor(config.http.requestTimeoutMs / 4))),
    },
    // An HTTP socket silent this long is closed; WebSocket upgrades clear it (ws sets no timeout).
    connectionTimeout: idleConnectionTimeoutMs,
    ajv: { customOptions: { removeAdditional: false } },
    // Typed with pino's Logger, the instance is a FastifyInstance<…, Logger>; callers hold the plain one.
  }) as unknown as FastifyInstance;
  const chatTurns = createChatTurns(deps);
  const ws = attachWebSocket(app.server, { config, memory, chatTurns, metrics, logger });
  let draining = false;

  // Every product change, whoever makes it, drops the cached answers that saw the product;
  // POST /v1/products waits for its own change's invalidation to report it.
  const invalidations = new Map<string, Promise<number>>();
  retrieval.onProductChange((product) => {
    const work = responseCache.invalidateProduct(product.id);
    invalidations.set(product.id, work);
    // invalidateProduct has logged and counted a failure; the route that awaits it reports it too.
    work.catch(() => undefined).finally(() => {
      if (invalidations.get(product.id) === work) invalidations.delete(product.id);
    });
  });
  const invalidationOf = (productId: string) => invalidations.get(productId) ?? responseCache.invalidateProduct(productId);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const coded = error instanceof ServiceError ? error : fromFastify(error, request, bodyLimit);
    metrics.errors.inc({ code: coded.code });
    // The path only: a query may carry a credential (GET /v1/ws?sessionId=…&token=… without an upgrade lands here).
    const log = { code: coded.code, method: request.method, path: request.url.split('?')[0], err: error };
    // A draining worker refusing work is the plan working, not a fault.
    if (coded.status >= 500 && coded.code !== 'ORCH_ERR_DRAINING') request.log.error(log, coded.detail);
    else request.log.warn(log, coded.detail);
    return reply.code(coded.status).send({ code: coded.code, message: coded.messageJa });
  });
  app.setNotFoundHandler((request) => {
    throw serviceErrors.routeNotFound(`${request.method} ${request.url.split('?')[0]}`);
  });
  app.addHook('onRequest', async (request) => {
    if (draining && request.url !== '/healthz' && request.url !== '/metrics') throw serviceErrors.draining();
  });
  app.addHook('onSend', async (request, reply) => {
    // Seed 001 s4: a CDN cached chat answers for an hour; nothing under /v1 is cacheable.
    if (request.url.startsWith('/v1/')) reply.header('cache-control', 'no-store');
  });

  void app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'MangaAssist orchestrator', version: '1.0.0', description: 'Protocol v1. Streaming chat is the WebSocket at /v1/ws (see README).' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'The session token POST /v1/sessions returned.' },
          operator: { type: 'http', scheme: 'bearer', description: 'The operator token, from the service\'s GAMEDAY_OPERATOR_TOKEN.' },
        },
      },
    },
  });
  void app.register(async (scope) => {
    registerRoutes(scope, { memory, chatTurns, retrieval, invalidationOf, operatorToken: config.operatorToken });
    registerOpsRoutes(scope, { memory, responseCache, metrics, isDraining: () => draining });
  });

  app.decorate('drain', async () => {
    draining = true;
    logger.info({ inFlight: chatTurns.inFlight() }, 'draining: no new work; finishing turns in flight');
    await Promise.all([ws.drain(), chatTurns.settled()]);
    logger.info('drained');
  });
  app.addHook('onClose', async () => {
    await ws.close();
  });
  return app;
}
