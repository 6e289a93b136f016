import { createServer, connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adminCall } from '../../stack/bedrock/emulator-test-kit.js';
import { type RunningEmulator, startBedrockEmulator } from '../../stack/bedrock/server.js';
import { ServiceError } from '../errors.js';
import type { ServiceMetrics } from '../metrics.js';
import { type BedrockLlm, createBedrockLlm } from './bedrock-llm.js';
import { capturedLogger, metricValue, sonnetQuestion, testConfig, testMetrics, type ConfigOverrides, type LogLine } from './llm-test-kit.js';
import type { LlmRequest, LlmRestart } from './types.js';

/**
 * The model layer's three timeouts (first token, gap between deltas, the call's budget) and the
 * one restart on Haiku of a stream that failed after text, against the emulator through the real SDK.
 */

let emulator: RunningEmulator;
const clients: BedrockLlm[] = [];

// Reset after each test: the seeded emulator then plans the same answers and timings for each.
beforeAll(async () => { emulator = await startBedrockEmulator({ timeScale: 0.05, seed: 7 }); });
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await streamsEnded();
  await adminCall(emulator.adminUrl, 'POST', '/reset');
});

/** An aborted stream is recorded when its reset reaches the emulator: wait, or its record lands in the next test. */
async function streamsEnded(): Promise<void> {
  for (let waited = 0; waited < 2_000; waited += 20) {
    if ((await adminCall(emulator.adminUrl, 'GET', '/stats')).body.activeStreams === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
afterAll(async () => { await emulator?.close(); });

const warnLevel = 40;

function harness(overrides: ConfigOverrides = {}): { llm: BedrockLlm; metrics: ServiceMetrics; lines: LogLine[] } {
  const config = testConfig(emulator.url, { retries: { baseDelayMs: 5, maxDelayMs: 20 }, ...overrides });
  const metrics = testMetrics();
  const { logger, lines } = capturedLogger();
  const llm = createBedrockLlm({ config, logger, metrics });
  clients.push(llm);
  return { llm, metrics, lines };
}

const request = sonnetQuestion;

type Heard = { text: string; atMs: number } | { restart: LlmRestart; atMs: number };

/** Everything the caller hears, in order, with times from the call; the error if the stream threw. */
async function listen(llm: BedrockLlm, overrides: Partial<LlmRequest> = {}, options: { restartable?: boolean; onText?: (index: number) => void } = {}) {
  const heard: Heard[] = [];
  const start = performance.now();
  const stream = llm.stream({
    ...request, ...overrides,
    ...(options.restartable === false ? {} : { onRestart: (restart: LlmRestart) => { heard.push({ restart, atMs: performance.now() - start }); } }),
  });
  let error: unknown;
  try {
    for await (const text of stream) {
      options.onText?.(heard.length);
      heard.push({ text, atMs: performance.now() - start });
    }
  } catch (caught) {
    error = caught;
  }
  const result = await stream.result.catch(() => undefined);
  const restarts = heard.filter((entry) => 'restart' in entry);
  const after = heard.slice(heard.findIndex((entry) => 'restart' in entry) + 1);
  const text = (entries: Heard[]) => entries.map((entry) => ('text' in entry ? entry.text : '')).join('');
  return { heard, restarts, error, result, elapsedMs: performance.now() - start, answer: text(after) };
}

type CallRecord = { family: string; status: number; outcome: string; errorType?: string };

/** The emulator's records, once there are at least `count`: an aborted stream is recorded when its reset arrives. */
async function calls(count: number): Promise<CallRecord[]> {
  for (let waited = 0; ; waited += 20) {
    const records = (await adminCall(emulator.adminUrl, 'GET', '/records?limit=100')).body.records as CallRecord[];
    if (records.length >= count || waited >= 2_000) return records;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A TCP relay to the emulator whose connections can be cut (reset) at once, as a network failure would. */
async function startRelay(): Promise<{ url: string; cut(): void; close(): Promise<void> }> {
  const target = new URL(emulator.url);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the relay is not listening on TCP');
  return {
    url: `http://127.0.0.1:${address.port}`,
    cut: () => { for (const socket of sockets) socket.resetAndDestroy(); },
    close: () => new Promise((resolve) => { server.close(() => resolve()); for (const socket of sockets) socket.destroy(); }),
  };
}

describe('a stream that fails after text restarts once on Haiku', () => {
  it('after a mid-stream exception: text, the restart, then Haiku\'s whole answer', async () => {
    await adminCall(emulator.adminUrl, 'PUT', '/faults', { midStreamError: { afterChunks: 2, type: 'ModelStreamErrorException' }, models: ['sonnet'] });
    const { llm, metrics, lines } = harness();
    const { heard, restarts, error, result, answer } = await listen(llm);
    expect(error).toBeUndefined();
    expect(heard.findIndex((entry) => 'restart' in entry)).toBe(2);
    expect(restarts.map((entry) => 'restart' in entry && entry.restart)).toEqual([{ reason: 'model_error', from: 'sonnet', to: 'haiku' }]);
    expect(result?.model).toBe('haiku');
    expect(answer).toMatch(/^ホラーのおすすめを3作品ご紹介します。/);
    expect((await calls(2)).map((call) => [call.family, call.outcome])).toEqual([['sonnet', 'mid_stream_error'], ['haiku', 'ok']]);
    expect(await metricValue(metrics.modelStreamRestarts, { reason: 'model_error' })).toBe(1);
    expect(await metricValue(metrics.errors)).toBe(0);
    expect(lines.find((line) => line.msg.startsWith('model stream failed after text'))).toMatchObject({ level: warnLevel, reason: 'model_error', model: 'sonnet' });
  });

  it.each([['ThrottlingException', 'throttled'], ['ServiceUnavailableException', 'unavailable']])(
    'after a mid-stream %s, counted by its reason', async (type, reason) => {
      await adminCall(emulator.adminUrl, 'PUT', '/faults', { midStreamError: { afterChunks: 1, type }, models: ['sonnet'] });
      const { llm, metrics } = harness();
      const { restarts, result } = await listen(llm);
      expect(restarts).toHaveLength(1);
      expect(result?.model).toBe('haiku');
      expect(await metricValue(metrics.modelStreamRestarts, { reason })).toBe(1);
    });

  it('after a silence past the gap timeout, well before the stream would have gone on', async () => {
    await adminCall(emulator.adminUrl, 'PUT', '/faults', { midStreamPause: { afterChunks: 1, ms: 4_000 }, models: ['sonnet'] });
    const { llm, metrics } = harness({ timeouts: { streamGapMs: 300 } });
    const { heard, restarts, result, elapsedMs } = await listen(llm);
    const restartAt = heard.findIndex((entry) => 'restart' in entry);
    expect(restartAt).toBe(1);
    expect(restarts.map((entry) => 'restart' in entry && entry.restart.reason)).toEqual(['stream_gap']);
    const silence = (heard[1]?.atMs ?? 0) - (heard[0]?.atMs ?? 0);
    expect(silence).toBeGreaterThanOrEqual(295);
    expect(silence).toBeLessThan(1_500);
    expect(result?.model).toBe('haiku');
    expect(elapsedMs).toBeLessThan(4_000);
    expect((await calls(2)).map((call) => [call.family, call.outcome])).toEqual([['sonnet', 'client_closed'], ['haiku', 'ok']]);
    expect(await metricValue(metrics.modelStreamRestarts, { reason: 'stream_gap' })).toBe(1);
  });

  it('after a cut connection, on a connection of its own', async () => {
    const relay = await startRelay();
    try {
      const { llm, metrics } = harness({ bedrock: { endpoint: relay.url } });
      const { heard, restarts, error, result } = await listen(llm, {}, { onText: (index) => { if (index === 0) relay.cut(); } });
      expect(error).toBeUndefined();
      expect(heard.findIndex((entry) => 'restart' in entry)).toBeGreaterThanOrEqual(1);
      expect(restarts.map((entry) => 'restart' in entry && entry.restart.reason)).toEqual(['connection_lost']);
      expect(result?.model).toBe('haiku');
      expect(await metricValue(metrics.modelStreamRestarts, { reason: 'connection_lost' })).toBe(1);
    } finally {
      await relay.close();
    }
  });

  it('restarts only once: a Haiku stream that fails too is a coded error', async () => {
    await adminCall(emulator.adminUrl, 'PUT', '/faults', { midStreamError: { afterChunks: 1, type: 'ModelStreamErrorException' } });
    const { llm, metrics } = harness();
    const { restarts, error } = await listen(llm);
    expect(restarts).toHaveLength(1);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).code).toBe('ORCH_ERR_MODEL_FAILED');
    expect((await calls(2)).map((call) => call.family)).toEqual(['sonnet', 'haiku']);
    expect(await metricValue(metrics.errors, { code: 'ORCH_ERR_MODEL_FAILED' })).toBe(1);
  });

  it('not when too little of the budget is left: a coded timeout, and Haiku is never called', async () => {
    await adminCall(emulator.adminUrl, 'PUT', '/faults', { midStreamPause: { afterChunks: 1, ms: 5_000 }, models: ['sonnet'] });
    const { llm, metrics } = harness({ timeouts: { streamGapMs: 1_000, restartMinBudgetMs: 1_000 } });
    // The gap timeout fires about 1 s into a 1.6 s budget: 0.6 s left, under the 1 s a restart needs.
    const { restarts, error, elapsedMs } = await listen(llm, { timeoutMs: 1_600 });
    expect(restarts).toHaveLength(0);
    expect((error as ServiceError).code).toBe('ORCH_ERR_MODEL_TIMEOUT');
    expect(elapsedMs).toBeLessThan(1_600);
    expect((await calls(1)).map((call) => call.family)).toEqual(['sonnet']);
    expect(await metricValue(metrics.modelStreamRestarts, { reason: 'stream_gap' })).toBe(0);
  });

  it('not for a caller that cannot take text back (no onRestart): a coded error, as before restarts', async () => {
    await adminCall(emulator.adminUrl, 'PUT', '/faults', { midStreamError: { afterChunks: 2, type: 'ModelStreamErrorException' } });
    const { llm } = harness();
    const { heard, error } = await listen(llm, {}, { restartable: false });
    expect(heard.length).toBe(2);
    expect((error as ServiceError).code).toBe('ORCH_ERR_MODEL_FAILED');
    expect((await calls(1)).map((call) => call.family)).toEqual(['sonnet']);
  });
});

describe('the first-token timeout covers only the opening', () => {
  it('a slow stream that flows past it completes on Sonnet', async () => {
    await adminCall(emulator.adminUrl, 'PUT', '/faults', { latencyFactor: 20 });
    const firstTokenMs = 1_000;
    const { llm, metrics } = harness({ timeouts: { modelBaseMs: firstTokenMs, modelMaxMs: firstTokenMs, streamGapMs: 1_000 } });
    const { heard, restarts, error, result, elapsedMs } = await listen(llm);
    expect(error).toBeUndefined();
    expect(restarts).toHaveLength(0);
    expect(result?.model).toBe('sonnet');
    // The proof: one timer over the whole stream, as before, would have cut it.
    expect(heard[0]?.atMs).toBeLessThan(firstTokenMs);
    expect(elapsedMs).toBeGreaterThan(firstTokenMs * 1.5);
    expect(await metricValue(metrics.modelFallbacks)).toBe(0);
  });

  it('the call\'s budget still bounds a stream that flows: past it, a coded timeout and no restart', async () => {
    await adminCall(emulator.adminUrl, 'PUT', '/faults', { latencyFactor: 20 });
    const { llm } = harness({ timeouts: { restartMinBudgetMs: 0 } });
    const { heard, restarts, error, elapsedMs } = await listen(llm, { timeoutMs: 1_000 });
    expect(heard.length).toBeGreaterThan(0);
    expect(restarts).toHaveLength(0);
    expect((error as ServiceError).code).toBe('ORCH_ERR_MODEL_TIMEOUT');
    expect(elapsedMs).toBeGreaterThanOrEqual(995);
    expect(elapsedMs).toBeLessThan(1_500);
  });
});
