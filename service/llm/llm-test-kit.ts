import { pino, type Logger } from 'pino';
import { loadServiceConfig, type ServiceConfig } from '../config.js';
import { createMetrics, type ServiceMetrics } from '../metrics.js';
import type { LlmRequest } from './types.js';

/** Shared by the model and context tests: a config pointed at an emulator, captured logs, metric reads. */

export type ConfigOverrides = { [K in keyof ServiceConfig]?: ServiceConfig[K] extends object ? Partial<ServiceConfig[K]> : ServiceConfig[K] };

export function testConfig(endpoint: string, overrides: ConfigOverrides = {}, env: Record<string, string> = {}): ServiceConfig {
  return withOverrides(loadServiceConfig({ SESSION_SIGNING_SECRET: 'test-secret-of-32-characters-xx', BEDROCK_ENDPOINT: endpoint, ...env }), overrides);
}

/** A copy of `base` with some settings changed, one level deep (e.g. `{ timeouts: { streamGapMs: 300 } }`). */
export function withOverrides(base: ServiceConfig, overrides: ConfigOverrides): ServiceConfig {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = (base as unknown as Record<string, unknown>)[key];
    merged[key] = typeof value === 'object' && value !== null && typeof current === 'object' ? { ...current, ...value } : value;
  }
  return merged as unknown as ServiceConfig;
}

export interface LogLine { level: number; msg: string; code?: string; [key: string]: unknown }

export function capturedLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => { lines.push(JSON.parse(line) as LogLine); } });
  return { logger, lines };
}

export const errorLevel = 50;

export function testMetrics(): ServiceMetrics {
  return createMetrics({ defaultMetrics: false });
}

/** The value of one labelled series, 0 when it was never touched. */
export async function metricValue(metric: { get(): Promise<{ values: Array<{ value: number; labels: object }> }> },
  labels: Record<string, string> = {}): Promise<number> {
  const { values } = await metric.get();
  const match = values.find((entry) => Object.entries(labels).every(([key, value]) => (entry.labels as Record<string, unknown>)[key] === value));
  return match?.value ?? 0;
}

/** A customer's first question to Sonnet, as the model layer's tests send it. */
export const sonnetQuestion: LlmRequest = {
  model: 'sonnet',
  system: 'あなたはマンガストアのアシスタントです。',
  messages: [{ role: 'user', text: '質問: ホラー漫画のおすすめを教えて' }],
  maxTokens: 400,
  timeoutMs: 25_000,
};
