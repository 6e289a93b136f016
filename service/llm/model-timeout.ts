import type { ServiceConfig } from '../config.js';

/**
 * Seed 004's adaptive model timeout: min(25 s, 10 s + 1 s per 1,000 estimated input tokens).
 * The turn, the resilient client and the tests use this one formula.
 */
export function modelTimeoutMs(estimatedInputTokens: number, config: Pick<ServiceConfig, 'timeouts'>): number {
  const { modelMaxMs, modelBaseMs, modelPerThousandTokensMs } = config.timeouts;
  return Math.min(modelMaxMs, modelBaseMs + (modelPerThousandTokensMs * Math.max(0, estimatedInputTokens)) / 1_000);
}
