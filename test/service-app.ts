import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { buildApp, type AppDeps } from '../service/app.js';
import type { ServiceConfig } from '../service/config.js';
import { createSummariser } from '../service/context/summariser.js';
import { createSummaryLease } from '../service/context/summary-lease.js';
import { createBedrockLlm } from '../service/llm/bedrock-llm.js';
import { createMemory, createSessionDocumentClient, createSessionRedisClient } from '../service/memory/create-memory.js';
import { createMetrics, type ServiceMetrics } from '../service/metrics.js';
import { createResponseCache } from '../service/response-cache.js';
import { createCatalogRetrieval } from '../service/retrieval/load-catalog.js';
import { startBedrockEmulator, type RunningEmulator } from '../stack/bedrock/server.js';
import { contractFrom, type Contract } from './openapi-contract.js';
import { startServiceDeps, type ServiceDeps } from './service-deps.js';

/**
 * Test support for the service's edge: real redis-server, DynamoDB Local and the Bedrock
 * emulator (time-compressed), started once per test file; any number of apps on port 0 over them.
 */
export interface ServiceStack {
  /** `logger` lets a test read the app's log lines; silent by default. */
  start(env?: Record<string, string>, options?: { logger?: Logger }): Promise<RunningService>;
  stop(): Promise<void>;
  emulator: RunningEmulator;
  redisUrl: string;
}

export interface RestResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

export interface RunningService {
  app: FastifyInstance;
  deps: AppDeps;
  config: ServiceConfig;
  metrics: ServiceMetrics;
  baseUrl: string;
  wsUrl: string;
  /** A REST call whose response must conform to the service's own /openapi.json, or it throws. */
  rest(method: string, path: string, options?: { body?: unknown; token?: string; rawBody?: string }): Promise<RestResponse>;
  /** Every REST response `rest` has checked so far (the contract test counts them). */
  checkedResponses: number;
  close(): Promise<void>;
}

export async function startServiceStack(options: { timeScale?: number; targetOutputTokens?: number } = {}): Promise<ServiceStack> {
  const services = new Set<RunningService>();
  let deps: ServiceDeps | undefined;
  let emulator: RunningEmulator | undefined;
  const stopAll = async () => {
    for (const service of [...services]) await service.close();
    await emulator?.close();
    await deps?.stop();
  };
  try {
    // The emulator runs in this process and starts at once; the deps are real processes.
    const startedEmulator = await startBedrockEmulator({ timeScale: options.timeScale ?? 0.02, targetOutputTokens: options.targetOutputTokens ?? 60 });
    emulator = startedEmulator;
    const startedDeps = await startServiceDeps();
    deps = startedDeps;
    const { config: configFor, redis } = startedDeps;
    const emulatorUrl = startedEmulator.url;

    const start = async (env: Record<string, string> = {}, appOptions: { logger?: Logger } = {}): Promise<RunningService> => {
      const config = configFor({ BEDROCK_ENDPOINT: emulatorUrl, AWS_REGION: 'us-east-1', ...env });
      const logger = appOptions.logger ?? pino({ level: 'silent' });
      const metrics = createMetrics({ defaultMetrics: false });
      const redisClient = createSessionRedisClient(config, logger);
      const dynamoClient = createSessionDocumentClient(config);
      const memory = createMemory({ config, dynamo: dynamoClient, redis: redisClient, logger, metrics });
      const llm = createBedrockLlm({ config, logger, metrics });
      const retrieval = await createCatalogRetrieval(config);
      const summariser = createSummariser({ llm, config, metrics });
      const summaryLease = createSummaryLease(redisClient, logger);
      const responseCache = createResponseCache({ config, redis: redisClient, metrics, logger });
      const app = buildApp({ config, memory, llm, retrieval, summariser, summaryLease, responseCache, metrics, logger });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const address = app.server.address();
      if (address === null || typeof address === 'string') throw new Error('the app is not listening on TCP');
      const baseUrl = `http://127.0.0.1:${address.port}`;
      const contract: Contract = contractFrom(await (await fetch(`${baseUrl}/openapi.json`)).json());
      let closing: Promise<void> | undefined;
      const service: RunningService = {
        app, config, metrics, baseUrl,
        deps: { config, memory, llm, retrieval, summariser, summaryLease, responseCache, metrics, logger },
        wsUrl: `ws://127.0.0.1:${address.port}/v1/ws`,
        checkedResponses: 0,
        async rest(method, path, options = {}) {
          const headers: Record<string, string> = {};
          if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
          const payload = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
          if (payload !== undefined) headers['content-type'] = 'application/json';
          const response = await fetch(`${baseUrl}${path}`, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
          const text = await response.text();
          const contentType = response.headers.get('content-type');
          const body = contentType?.startsWith('application/json') ? JSON.parse(text) as unknown : text;
          const problems = contract.check({ method, path, status: response.status, contentType: text === '' ? null : contentType, body: text === '' ? undefined : body });
          if (problems.length > 0) throw new Error(`response breaks the OpenAPI contract:\n${problems.join('\n')}`);
          service.checkedResponses += 1;
          return { status: response.status, headers: response.headers, body };
        },
        close: () => {
          closing ??= (async () => {
            services.delete(service);
            await app.close();
            await memory.close();
            llm.close();
            redisClient.disconnect();
            dynamoClient.destroy();
          })();
          return closing;
        },
      };
      services.add(service);
      return service;
    };
    return { start, stop: stopAll, emulator: startedEmulator, redisUrl: redis.url };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
