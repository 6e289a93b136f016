import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { fleetMetricsReader } from './fleet-metrics.js';

/** The service's Prometheus metrics; one registry per worker, served on /metrics. */
export interface ServiceMetrics {
  registry: Registry;
  /** The text /metrics serves: in a fleet, every worker's metrics summed (fleet-metrics.ts). */
  read(): Promise<string>;
  /** Seconds from a message's arrival to its first streamed token. */
  ttft: Histogram<'model'>;
  turnDuration: Histogram<'model' | 'outcome'>;
  llmTokens: Counter<'model' | 'direction'>;
  llmCostUsd: Counter<'model'>;
  cacheHits: Counter<'cache'>;
  cacheMisses: Counter<'cache'>;
  summaries: Counter;
  summaryBehind: Counter;
  contextInputTokens: Histogram<'model'>;
  errors: Counter<'code'>;
  liveSockets: Gauge;
  forgedTurnsDropped: Counter;
  responseCacheForged: Counter;
  modelFallbacks: Counter<'reason'>;
  modelStreamRestarts: Counter<'reason'>;
}

const latencyBuckets = [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10, 15, 20, 25, 30];
const tokenBuckets = [250, 500, 1_000, 2_000, 4_000, 6_000, 8_000, 16_000, 32_000, 64_000, 100_000, 150_000, 200_000];

export function createMetrics(options: { defaultMetrics?: boolean } = {}): ServiceMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    read: fleetMetricsReader(registry),
    ttft: new Histogram({ name: 'chat_ttft_seconds', help: 'Message received to first streamed token.', labelNames: ['model'], buckets: latencyBuckets, registers }),
    turnDuration: new Histogram({ name: 'chat_turn_duration_seconds', help: 'Message received to the durable done.', labelNames: ['model', 'outcome'], buckets: latencyBuckets, registers }),
    llmTokens: new Counter({ name: 'llm_tokens_total', help: 'Model tokens by model and direction (input, output).', labelNames: ['model', 'direction'], registers }),
    llmCostUsd: new Counter({ name: 'llm_cost_usd_total', help: 'Model cost in USD at list prices.', labelNames: ['model'], registers }),
    cacheHits: new Counter({ name: 'cache_hits_total', help: 'Cache hits by cache (session, response).', labelNames: ['cache'], registers }),
    cacheMisses: new Counter({ name: 'cache_misses_total', help: 'Cache misses by cache (session, response).', labelNames: ['cache'], registers }),
    summaries: new Counter({ name: 'context_summaries_total', help: 'Summaries made of turns dropped from the context window.', registers }),
    summaryBehind: new Counter({
      name: 'context_summary_behind_total',
      help: 'Turns whose window dropped turns no summary covered yet (it was still being made); they went in whole as far as the budget allowed.',
      registers,
    }),
    contextInputTokens: new Histogram({ name: 'context_input_tokens', help: 'Estimated input tokens sent to the model per turn.', labelNames: ['model'], buckets: tokenBuckets, registers }),
    errors: new Counter({ name: 'errors_total', help: 'Errors by stable code.', labelNames: ['code'], registers }),
    liveSockets: new Gauge({ name: 'ws_live_sockets', help: 'Open WebSocket connections.', registers }),
    forgedTurnsDropped: new Counter({ name: 'forged_turns_dropped_total', help: 'Stored turns dropped because their signature was missing or wrong.', registers }),
    responseCacheForged: new Counter({
      name: 'response_cache_forged_total',
      help: 'Response cache entries deleted unserved because their signature was missing or wrong.',
      registers,
    }),
    modelFallbacks: new Counter({ name: 'model_fallbacks_total', help: 'Turns answered by Haiku after Sonnet failed, by reason.', labelNames: ['reason'], registers }),
    modelStreamRestarts: new Counter({
      name: 'model_stream_restarts_total',
      help: 'Answers started again on Haiku after their stream failed with text already sent, by reason.',
      labelNames: ['reason'],
      registers,
    }),
  };
}
