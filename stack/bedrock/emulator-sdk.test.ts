import {
  type BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand, InvokeModelCommand, InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicBody, bedrockClient, collect, decodeChunk, recordOf, transports } from './emulator-test-kit.js';
import { modelIds } from './models.js';
import { type RunningEmulator, startBedrockEmulator } from './server.js';
import { countConversationTokens, countTokens } from './tokens.js';

const question = 'ホラー漫画のおすすめを教えて';
const system = 'あなたは漫画ストアの店員です。';
const expectedInputTokens = countConversationTokens(system, [{ role: 'user', text: question }]);

let emulator: RunningEmulator;

// A quarter-speed world: streams last about half a second, long enough to see them spread out.
beforeAll(async () => { emulator = await startBedrockEmulator({ timeScale: 0.25, seed: 11 }); });
afterAll(async () => { await emulator?.close(); });

/**
 * Text deltas must come in several chunks, at several moments, and none before the planned
 * TTFT (times are from just before the client sent the request).
 */
function expectSpreadOverTime(deltaTimes: number[], plannedTtftMs: number | null): void {
  expect(deltaTimes.length).toBeGreaterThanOrEqual(3);
  expect(new Set(deltaTimes.map((atMs) => Math.round(atMs / 10))).size).toBeGreaterThanOrEqual(3);
  expect((deltaTimes.at(-1) ?? 0) - (deltaTimes[0] ?? 0)).toBeGreaterThan(40);
  expect(deltaTimes[0]).toBeGreaterThanOrEqual((plannedTtftMs ?? 0) - 2);
}

describe.each(transports)('Bedrock Runtime through the real SDK over %s', (transport) => {
  let client: BedrockRuntimeClient;
  beforeAll(() => { client = bedrockClient(emulator.url, transport); });
  afterAll(() => client?.destroy());

  it('InvokeModel answers with the Anthropic Messages body and usage equal to the token count', async () => {
    const response = await client.send(new InvokeModelCommand({
      modelId: modelIds.sonnet, contentType: 'application/json', body: anthropicBody(question, { system }),
    }));
    const body = decodeChunk(response.body);
    const text = (body.content as { type: string; text: string }[])[0]?.text ?? '';
    expect(body).toMatchObject({ type: 'message', role: 'assistant', model: 'claude-3-sonnet-20240229', stop_sequence: null });
    expect(body.id).toMatch(/^msg_bdrk_/);
    expect(text.length).toBeGreaterThan(0);
    expect(body.usage).toEqual({ input_tokens: expectedInputTokens, output_tokens: countTokens(text) });
    const record = await recordOf(emulator.adminUrl, response.$metadata.requestId);
    expect(record).toMatchObject({ operation: 'InvokeModel', family: 'sonnet', status: 200, outcome: 'ok',
      inputTokens: expectedInputTokens, outputTokens: countTokens(text) });
  });

  it('InvokeModelWithResponseStream sends the Anthropic events with text spread over time and exact metrics', async () => {
    const sentAt = performance.now();
    const response = await client.send(new InvokeModelWithResponseStreamCommand({
      modelId: modelIds.sonnet, contentType: 'application/json', body: anthropicBody(question, { system }),
    }));
    const events = (await collect(response.body, sentAt)).map(({ atMs, event }) => ({ atMs, data: decodeChunk(event.chunk?.bytes) }));
    const types = events.map((event) => event.data.type);
    expect(types.slice(0, 2)).toEqual(['message_start', 'content_block_start']);
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    const deltas = events.filter((event) => event.data.type === 'content_block_delta');
    const text = deltas.map((event) => (event.data.delta as { text: string }).text).join('');
    const outputTokens = countTokens(text);
    expect((events[0]?.data.message as { usage: { input_tokens: number } }).usage.input_tokens).toBe(expectedInputTokens);
    expect(events.at(-2)?.data).toMatchObject({ delta: { stop_reason: 'end_turn' }, usage: { output_tokens: outputTokens } });
    const metrics = events.at(-1)?.data['amazon-bedrock-invocationMetrics'] as Record<string, number>;
    expect(metrics).toMatchObject({ inputTokenCount: expectedInputTokens, outputTokenCount: outputTokens });
    expect(metrics.firstByteLatency).toBeLessThanOrEqual(metrics.invocationLatency as number);

    const record = await recordOf(emulator.adminUrl, response.$metadata.requestId);
    expect(record).toMatchObject({ operation: 'InvokeModelWithResponseStream', outcome: 'ok', outputTokens });
    expect(record.ttftMs).toBeGreaterThanOrEqual((record.plannedTtftMs ?? 0) - 1);
    expect(Math.abs((record.ttftMs ?? 0) - metrics.firstByteLatency!)).toBeLessThanOrEqual(1);
    expectSpreadOverTime(deltas.map((event) => event.atMs), record.plannedTtftMs);
  });

  it('Converse answers with output.message, stopReason, usage and latency', async () => {
    const response = await client.send(new ConverseCommand({
      modelId: modelIds.haiku,
      system: [{ text: system }],
      messages: [{ role: 'user', content: [{ text: question }] }],
      inferenceConfig: { maxTokens: 800 },
    }));
    const text = response.output?.message?.content?.[0]?.text ?? '';
    expect(response.output?.message?.role).toBe('assistant');
    expect(response.stopReason).toBe('end_turn');
    expect(response.usage).toEqual({ inputTokens: expectedInputTokens, outputTokens: countTokens(text),
      totalTokens: expectedInputTokens + countTokens(text) });
    expect(response.metrics?.latencyMs).toBeGreaterThan(0);
    const record = await recordOf(emulator.adminUrl, response.$metadata.requestId);
    expect(record).toMatchObject({ operation: 'Converse', family: 'haiku', outputTokens: countTokens(text) });
  });

  it('ConverseStream sends messageStart, deltas over time, contentBlockStop, messageStop and metadata', async () => {
    const sentAt = performance.now();
    const response = await client.send(new ConverseStreamCommand({
      modelId: `us.${modelIds.sonnet}`,
      system: [{ text: system }],
      messages: [{ role: 'user', content: [{ text: question }] }],
    }));
    const events = await collect(response.stream, sentAt);
    const kinds = events.map(({ event }) => Object.keys(event).find((key) => key !== '$unknown'));
    expect(kinds[0]).toBe('messageStart');
    expect(kinds.slice(-3)).toEqual(['contentBlockStop', 'messageStop', 'metadata']);
    const deltas = events.filter(({ event }) => event.contentBlockDelta);
    const text = deltas.map(({ event }) => event.contentBlockDelta?.delta?.text ?? '').join('');
    const metadata = events.at(-1)?.event.metadata;
    expect(metadata?.usage).toEqual({ inputTokens: expectedInputTokens, outputTokens: countTokens(text),
      totalTokens: expectedInputTokens + countTokens(text) });
    expect(events.at(-2)?.event.messageStop?.stopReason).toBe('end_turn');
    const record = await recordOf(emulator.adminUrl, response.$metadata.requestId);
    expect(record).toMatchObject({ operation: 'ConverseStream', modelId: `us.${modelIds.sonnet}`, family: 'sonnet' });
    expectSpreadOverTime(deltas.map(({ atMs }) => atMs), record.plannedTtftMs);
  });

  it('stops at max_tokens and says so', async () => {
    const response = await client.send(new InvokeModelCommand({
      modelId: modelIds.haiku, body: anthropicBody(question, { maxTokens: 7 }),
    }));
    const body = decodeChunk(response.body);
    expect(body.stop_reason).toBe('max_tokens');
    expect(body.usage).toMatchObject({ output_tokens: 7 });
  });
});
