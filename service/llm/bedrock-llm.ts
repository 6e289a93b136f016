import type { Logger } from 'pino';
import type { ServiceConfig } from '../config.js';
import type { ServiceMetrics } from '../metrics.js';
import { createBedrockClient, createBedrockTransport } from './bedrock-calls.js';
import { createResilientLlm } from './resilient-llm.js';
import type { Llm } from './types.js';

export interface BedrockLlm extends Llm {
  /** Closes the worker's client and its HTTP/2 sessions. */
  close(): void;
}

/**
 * The service's model client: the real Bedrock Runtime SDK (HTTP/2, streaming), behind the
 * adaptive timeouts, throttling retries and Haiku fallback of the resilient layer.
 */
export function createBedrockLlm(deps: { config: ServiceConfig; logger: Logger; metrics: ServiceMetrics; random?: () => number }): BedrockLlm {
  const transport = createBedrockTransport(createBedrockClient(deps.config.bedrock));
  const llm = createResilientLlm({ ...deps, transport });
  return { stream: llm.stream, complete: llm.complete, close: transport.close };
}
