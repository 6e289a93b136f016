import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adminCall } from '../../stack/bedrock/emulator-test-kit.js';
import { type RunningEmulator, startBedrockEmulator } from '../../stack/bedrock/server.js';
import type { ServiceConfig } from '../config.js';
import { ServiceError } from '../errors.js';
import type { ServiceMetrics } from '../metrics.js';
import { type BedrockLlm, createBedrockLlm } from './bedrock-llm.js';
import { capturedLogger, errorLevel, metricValue, sonnetQuestion, testConfig, testMetrics, type LogLine } from './llm-test-kit.js';
import { modelTimeoutMs } from './model-timeout.js';

let emulator: RunningEmulator;
const clients: BedrockLlm[] = [];

beforeAll(async () => { emulator = await startBedrockEmulator({ timeScale: 0.05, seed: 7 }); });
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await adminCall(emulator.adminUrl, 'POST', '/reset');
});
afterAll(async () => { await emulator?.close(); });

interface Harness { llm: BedrockLlm; metrics: ServiceMetrics; lines: LogLine[]; config: ServiceConfig }

function harness(overrides: Parameters<typeof testConfig>[1] = {}): Harness {
  const config = testConfig(emulator.url, { retries: { baseDelayMs: 5, maxDelayMs: 20 }, ...overrides });
  const metrics = testMetrics();
  const { logger, lines } = capturedLogger();
  const llm = createBedrockLlm({ config, logger, metrics });
  clients.push(llm);
  return { llm, metrics, lines, config };
}

const request = sonnetQuestion;

async function records(): Promise<Array<{ requestId: string; family: string; status: number; errorType?: string; outputTokens: number; inputTokens: number }>> {
  return (await adminCall(emulator.adminUrl, 'GET', '/records?limit=10000')).body.records;
}

async function drain(stream: AsyncIterable<string>): Promise<Array<{ text: string; atMs: number }>> {
  const start = performance.now();
  const deltas: Array<{ text: string; atMs: number }> = [];
  for await (const text of stream) deltas.push({ text, atMs: performance.now() - start });
  return deltas;
}

describe('the Bedrock model client against the emulator, through the real SDK', () => {
  it('streams several deltas over time and reports the usage, model, request id, tokens and cost', async () => {
    const { llm, metrics } = harness();
    const stream = llm.stream(request);
    const deltas = await drain(stream);
    const result = await stream.result;
    expect(deltas.length).toBeGreaterThanOrEqual(5);
    expect((deltas.at(-1)?.atMs ?? 0) - (deltas[0]?.atMs ?? 0)).toBeGreaterThan(5);
    expect(deltas.map((delta) => delta.text).join('')).toMatch(/^ホラーのおすすめを3作品ご紹介します。\n1\. 『/);
    const [record] = await records();
    expect(result).toMatchObject({ model: 'sonnet', modelId: 'anthropic.claude-3-sonnet-20240229-v1:0', stopReason: 'end_turn',
      requestId: record?.requestId, usage: { inputTokens: record?.inputTokens, outputTokens: record?.outputTokens } });
    expect(await metricValue(metrics.llmTokens, { model: 'sonnet', direction: 'output' })).toBe(record?.outputTokens);
    const cost = ((record?.inputTokens ?? 0) * 3 + (record?.outputTokens ?? 0) * 15) / 1_000_000;
    expect(await metricValue(metrics.llmCostUsd, { model: 'sonnet' })).toBeCloseTo(cost, 10);
  });

  it('completes without streaming (InvokeModel) with the usage Bedrock reports', async () => {
    const { llm } = harness();
    const reply = await llm.complete({ ...request, model: 'haiku' });
    const [record] = await records();
    expect(reply.text.length).toBeGreaterThan(0);
    expect(reply).toMatchObject({ model: 'haiku', usage: { inputTokens: record?.inputTokens, outputTokens: record?.outputTokens } });
  });

  it('retries a throttled Sonnet with backoff, then falls back to Haiku', async () => {
    await adminCall(emulator.adminUrl, 'PUT', '/quotas', { sonnet: { requestsPerMinute: 0 } });
    const { llm, metrics, lines, config } = harness();
    const stream = llm.stream(request);
    const deltas = await drain(stream);
    const result = await stream.result;
    expect(deltas.length).toBeGreaterThan(0);
    expect(result.model).toBe('haiku');
    const calls = await records();
    expect(calls.map((call) => [call.family, call.status])).toEqual([
      ...Array.from({ length: config.retries.throttleAttempts }, () => ['sonnet', 429]), ['haiku', 200],
    ]);
    expect(await metricValue(metrics.modelFallbacks, { reason: 'throttled' })).toBe(1);
    expect(lines.filter((line) => line.msg === 'model throttled; retrying')).toHaveLength(config.retries.throttleAttempts - 1);
    expect(await metricValue(metrics.errors)).toBe(0);
  });

  it('retries a throttle that arrives in the stream before any text', async () => {
    await adminCall(emulator.adminUrl, 'PUT', '/faults', { midStreamError: { afterChunks: 0, type: 'ThrottlingException' }, models: ['sonnet'] });
    const { llm, metrics } = harness();
    const stream = llm.stream(request);
    await drain(stream);
    expect((await stream.result).model).toBe('haiku');
    expect(await metricValue(metrics.modelFallbacks, { reason: 'throttled' })).toBe(1);
  });

  it('turns an error after text was streamed into a coded error, logged and counted, without retry, for a caller that cannot restart', async () => {
    await adminCall(emulator.adminUrl, 'PUT', '/faults', { midStreamError: { afterChunks: 3, type: 'ThrottlingException' } });
    const { llm, metrics, lines } = harness();
    const stream = llm.stream(request);
    const seen: string[] = [];
    const failure = await (async () => {
      try {
        for await (const text of stream) seen.push(text);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(failure).toBeInstanceOf(ServiceError);
    expect((failure as ServiceError).code).toBe('ORCH_ERR_MODEL_THROTTLED');
    await expect(stream.result).rejects.toBe(failure);
    expect((await records()).length).toBe(1);
    expect(await metricValue(metrics.errors, { code: 'ORCH_ERR_MODEL_THROTTLED' })).toBe(1);
    expect(lines.some((line) => line.level === errorLevel && line.code === 'ORCH_ERR_MODEL_THROTTLED')).toBe(true);
  });

  it('surfaces AccessDeniedException as a coded error and a metric, never swallowed and not retried (seed 004 s5)', async () => {
    await adminCall(emulator.adminUrl, 'PUT', '/faults', { errorRate: 1, errorType: 'AccessDeniedException' });
    const { llm, metrics, lines } = harness();
    const stream = llm.stream(request);
    await expect(drain(stream)).rejects.toMatchObject({ code: 'ORCH_ERR_MODEL_FAILED', detail: expect.stringMatching(/AccessDeniedException/) });
    await expect(stream.result).rejects.toBeInstanceOf(ServiceError);
    expect((await records()).map((call) => call.errorType)).toEqual(['AccessDeniedException']);
    expect(await metricValue(metrics.errors, { code: 'ORCH_ERR_MODEL_FAILED' })).toBe(1);
    const logged = lines.find((line) => line.level === errorLevel);
    expect(logged).toMatchObject({ code: 'ORCH_ERR_MODEL_FAILED', model: 'sonnet' });
    expect(JSON.stringify(logged?.err)).toMatch(/AccessDeniedException/);
    await expect(llm.complete(request)).rejects.toMatchObject({ code: 'ORCH_ERR_MODEL_FAILED' });
  });

  it('falls back to Haiku when Sonnet sends no token within its timeout', async () => {
    await adminCall(emulator.adminUrl, 'PUT', '/faults', { extraTtftMs: 5_000, models: ['sonnet'] });
    const { llm, metrics } = harness({ timeouts: { modelBaseMs: 400, modelMaxMs: 400 } });
    const started = performance.now();
    const stream = llm.stream(request);
    await drain(stream);
    expect((await stream.result).model).toBe('haiku');
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(await metricValue(metrics.modelFallbacks, { reason: 'timeout' })).toBe(1);
  });

  it('reports a timeout as ORCH_ERR_MODEL_TIMEOUT when neither model answers within the budget', async () => {
    await adminCall(emulator.adminUrl, 'PUT', '/faults', { extraTtftMs: 5_000 });
    const { llm, metrics } = harness({ timeouts: { modelBaseMs: 300, modelMaxMs: 300 } });
    await expect(llm.complete(request)).rejects.toMatchObject({ code: 'ORCH_ERR_MODEL_TIMEOUT' });
    expect(await metricValue(metrics.errors, { code: 'ORCH_ERR_MODEL_TIMEOUT' })).toBe(1);
  });

  it('stops the model call when the caller stops reading, without counting an error', async () => {
    const { llm, metrics } = harness();
    const stream = llm.stream(request);
    for await (const text of stream) {
      expect(text.length).toBeGreaterThan(0);
      break;
    }
    await expect(stream.result).rejects.toMatchObject({ code: 'ORCH_ERR_MODEL_FAILED' });
    expect(await metricValue(metrics.errors)).toBe(0);
  });
});

describe('modelTimeoutMs (seed 004: min(25 s, 10 s + 1 s per 1K input tokens))', () => {
  const config = testConfig('http://127.0.0.1:1');
  it.each([[0, 10_000], [1_000, 11_000], [6_000, 16_000], [2_500, 12_500], [15_000, 25_000], [200_000, 25_000]])(
    '%i tokens → %i ms', (tokens, ms) => {
      expect(modelTimeoutMs(tokens, config)).toBe(ms);
    });
});
