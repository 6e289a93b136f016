import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from './app.js';
import type { ServiceConfig } from './config.js';
import { createSummariser } from './context/summariser.js';
import { createSummaryLease } from './context/summary-lease.js';
import { createBedrockLlm } from './llm/bedrock-llm.js';
import { createMemory, createSessionDocumentClient, createSessionRedisClient } from './memory/create-memory.js';
import { createMetrics } from './metrics.js';
import { createResponseCache } from './response-cache.js';
import { createCatalogRetrieval } from './retrieval/load-catalog.js';

export interface RunningWorker {
  app: FastifyInstance;
  /** Drains (no new work, streams in flight finish durably), then closes every client. */
  shutdown(): Promise<void>;
}

/** One worker of the fleet: builds every dependency from config, serves, and drains on request. */
export async function startWorker(config: ServiceConfig, logger: Logger): Promise<RunningWorker> {
  const metrics = createMetrics();
  const redis = createSessionRedisClient(config, logger);
  const dynamo = createSessionDocumentClient(config);
  const llm = createBedrockLlm({ config, logger, metrics });
  const memory = createMemory({ config, dynamo, redis, logger, metrics });
  const retrieval = await createCatalogRetrieval(config);
  const summariser = createSummariser({ llm, config, metrics });
  const summaryLease = createSummaryLease(redis, logger);
  const responseCache = createResponseCache({ config, redis, metrics, logger });
  const app = buildApp({ config, memory, llm, retrieval, summariser, summaryLease, responseCache, metrics, logger });
  await app.listen({ host: config.http.host, port: config.http.port });
  return {
    app,
    async shutdown() {
      await app.drain();
      await app.close();
      await memory.close();
      llm.close();
      dynamo.destroy();
      redis.disconnect();
    },
  };
}
