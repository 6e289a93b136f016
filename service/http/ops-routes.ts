import type { FastifyInstance } from 'fastify';
import { serviceErrors } from '../errors.js';
import type { Memory } from '../memory/types.js';
import type { ServiceMetrics } from '../metrics.js';
import type { ResponseCache } from '../response-cache.js';
import { cachedReadinessCheck } from './readiness-check.js';
import { errorResponses, status } from './schemas.js';

export interface OpsDeps {
  memory: Memory;
  responseCache: ResponseCache;
  metrics: ServiceMetrics;
  isDraining(): boolean;
}

// Well-formed and never issued (ids come from crypto random), so the lookup reaches the store and finds nothing.
const probeSessionId = 'readyz-probe-never-issued-0000';
// A load balancer that probes every few seconds sees a change within a second; a probe storm costs one check a second.
export const readinessTtlMs = 1_000;

export function registerOpsRoutes(app: FastifyInstance, deps: OpsDeps): void {
  const { memory, responseCache, metrics, isDraining } = deps;
  const checkDependencies = cachedReadinessCheck(async () => {
    await Promise.all([responseCache.ping(), memory.loadSession(probeSessionId, { recentTurns: 1 })]);
  }, { ttlMs: readinessTtlMs });

  app.get('/healthz', {
    schema: { summary: 'The worker is alive', tags: ['ops'], response: { 200: status } },
  }, async () => ({ status: 'ok' }));

  app.get('/readyz', {
    schema: { summary: 'The worker and its stores answer', tags: ['ops'], response: { 200: status, ...errorResponses } },
  }, async () => {
    if (isDraining()) throw serviceErrors.draining();
    try {
      await checkDependencies();
    } catch (error) {
      throw serviceErrors.notReady(`a dependency did not answer: ${String(error)}`);
    }
    return { status: 'ready' };
  });

  app.get('/metrics', {
    schema: {
      summary: 'Prometheus metrics of the fleet (every worker summed)', tags: ['ops'], produces: ['text/plain'],
      response: { 200: { type: 'string' }, ...errorResponses },
    },
  }, async (_request, reply) => {
    let text: string;
    try {
      text = await metrics.read();
    } catch (error) {
      throw serviceErrors.notReady((error as Error).message);
    }
    return reply.type(metrics.registry.contentType).send(text);
  });

  app.get('/openapi.json', {
    schema: {
      summary: 'This API\'s OpenAPI document, generated from the route schemas', tags: ['ops'],
      response: { 200: { type: 'object', additionalProperties: true } },
    },
  }, async () => app.swagger());
}
