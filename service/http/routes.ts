import type { FastifyInstance } from 'fastify';
import type { ChatTurns } from '../chat/chat-turn.js';
import { serviceErrors, type ServiceError } from '../errors.js';
import type { Memory } from '../memory/types.js';
import type { CatalogProduct, Retrieval } from '../retrieval/types.js';
import { operatorCheck, ownedSession } from './auth.js';
import {
  bearer, chatBody, chatReply, createdSession, createSessionBody, errorResponses, operator, operatorErrorResponses, productChangeBody,
  productChanged, productIdParam, sessionIdParam, turnsPage, turnsQuery,
} from './schemas.js';

export interface RouteDeps {
  memory: Memory;
  chatTurns: ChatTurns;
  retrieval: Retrieval;
  /** The response-cache invalidation a product change started: how many cached answers it dropped. */
  invalidationOf(productId: string): Promise<number>;
  /** The token catalog changes need; undefined refuses them all. */
  operatorToken: string | undefined;
}

/** Protocol v1's REST calls (DESIGN.md); each with a schema, which /openapi.json publishes. */
export function registerRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { memory, chatTurns, retrieval, invalidationOf } = deps;
  const requireOperator = operatorCheck(deps.operatorToken);

  app.post<{ Body: { customerId: string } }>('/v1/sessions', {
    schema: {
      summary: 'Create a chat session', tags: ['sessions'], body: createSessionBody,
      response: { 201: createdSession, ...errorResponses },
    },
  }, async (request, reply) => {
    const { meta, token } = await memory.createSession({ customerId: request.body.customerId });
    return reply.code(201).send({ sessionId: meta.sessionId, token, expiresAt: meta.expiresAt });
  });

  app.get<{ Params: { id: string }; Querystring: { limit: number; cursor?: string } }>('/v1/sessions/:id/turns', {
    schema: {
      summary: 'A session\'s turns, oldest first, a page at a time', tags: ['sessions'], security: bearer,
      params: sessionIdParam, querystring: turnsQuery, response: { 200: turnsPage, ...errorResponses },
    },
  }, async (request) => {
    await ownedSession(request, memory, request.params.id);
    const page = await memory.listTurns(request.params.id, {
      limit: request.query.limit, ...(request.query.cursor === undefined ? {} : { cursor: request.query.cursor }),
    });
    return { turns: page.turns, nextCursor: page.nextCursor };
  });

  app.delete<{ Params: { id: string } }>('/v1/sessions/:id', {
    schema: {
      summary: 'Delete a session and every turn of it (an explicit delete; the TTL is not enough)', tags: ['sessions'],
      security: bearer, params: sessionIdParam, response: { 204: { type: 'null', description: 'Deleted.' }, ...errorResponses },
    },
  }, async (request, reply) => {
    await ownedSession(request, memory, request.params.id);
    await memory.deleteSession(request.params.id);
    return reply.code(204).send();
  });

  app.post<{ Body: { sessionId: string; messageId: string; text: string } }>('/v1/chat', {
    schema: {
      summary: 'One chat turn, not streamed (for API clients; chat users use the WebSocket)', tags: ['chat'], security: bearer,
      body: chatBody, response: { 200: chatReply, ...errorResponses },
    },
  }, async (request, reply) => {
    const { sessionId, messageId, text } = request.body;
    await ownedSession(request, memory, sessionId);
    try {
      const done = await chatTurns.run({ sessionId, messageId, text }, { onChunk: () => undefined });
      return { reply: done.reply, turnCount: done.turnCount, usage: done.usage, model: done.model, summarised: done.summarised };
    } catch (error) {
      // chatTurns has coded, logged and counted it; the error handler would count it twice.
      const coded = error as ServiceError;
      return reply.code(coded.status).send({ code: coded.code, message: coded.messageJa });
    }
  });

  app.post<{ Params: { id: string }; Body: Partial<Pick<CatalogProduct, 'priceYen' | 'inStock'>> }>('/v1/products/:id', {
    schema: {
      summary: 'A product changed (price, stock): drops every cached answer that mentioned it', tags: ['catalog'],
      security: operator, params: productIdParam, body: productChangeBody,
      response: { 200: productChanged, ...operatorErrorResponses, ...errorResponses },
    },
    // Before the body is validated: a caller without the token learns nothing about the route.
    onRequest: async (request) => requireOperator(request),
  }, async (request) => {
    const product = retrieval.updateProduct(request.params.id, request.body);
    if (!product) throw serviceErrors.productNotFound(request.params.id);
    // One credential, so "who" is the operator token's holder, from this address.
    request.log.info({ productId: product.id, change: request.body, from: request.ip }, 'the operator changed a product');
    const invalidatedResponses = await invalidationOf(product.id);
    return { product, invalidatedResponses };
  });
}
