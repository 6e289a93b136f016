import { type BedrockRuntimeClient, InvokeModelCommand, InvokeModelWithResponseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adminCall, anthropicBody, bedrockClient, decodeChunk, recordOf } from './emulator-test-kit.js';
import { modelIds } from './models.js';
import { type RunningEmulator, startBedrockEmulator } from './server.js';

let emulator: RunningEmulator;
let client: BedrockRuntimeClient;

beforeAll(async () => {
  emulator = await startBedrockEmulator({ timeScale: 0.05, seed: 5, quotas: { sonnet: { requestsPerMinute: 77, tokensPerMinute: 88_000 } } });
  client = bedrockClient(emulator.url);
});
afterAll(async () => {
  client?.destroy();
  await emulator?.close();
});
afterEach(async () => { await adminCall(emulator.adminUrl, 'POST', '/reset'); });

const admin = (method: string, path: string, body?: unknown) => adminCall(emulator.adminUrl, method, path, body);
const invoke = (text: string, modelId = modelIds.haiku) =>
  client.send(new InvokeModelCommand({ modelId, body: anthropicBody(text) }));

describe('admin API', () => {
  it('reports health with the number of open streams', async () => {
    const { status, body } = await admin('GET', '/health');
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', activeStreams: 0 });
    expect(body.uptimeMs).toBeGreaterThanOrEqual(0);
  });

  it('merges faults on PUT, shows them on GET, clears them on DELETE', async () => {
    await admin('PUT', '/faults', { extraTtftMs: 200 });
    const merged = await admin('PUT', '/faults', { errorRate: 0.5, models: ['sonnet'] });
    expect(merged.body).toMatchObject({ extraTtftMs: 200, errorRate: 0.5, models: ['sonnet'], latencyFactor: 1 });
    expect((await admin('GET', '/faults')).body).toEqual(merged.body);
    const cleared = await admin('DELETE', '/faults');
    expect(cleared.body).toMatchObject({ extraTtftMs: 0, errorRate: 0, models: null, midStreamError: null });
  });

  it('refuses a bad fault with 400 and a message naming the field', async () => {
    const { status, body } = await admin('PUT', '/faults', { throttleRate: 2 });
    expect(status).toBe(400);
    expect(body.message).toContain('"throttleRate"');
    const notJson = await fetch(`${emulator.adminUrl}/faults`, { method: 'PUT', body: '{' });
    expect(notJson.status).toBe(400);
    expect((await admin('GET', '/faults')).body.throttleRate).toBe(0);
  });

  it('adds latency to the first token of the models it names only', async () => {
    await admin('PUT', '/faults', { extraTtftMs: 300, models: ['haiku'] });
    const slowed = await client.send(new InvokeModelWithResponseStreamCommand({ modelId: modelIds.haiku, body: anthropicBody('a') }));
    for await (const _event of slowed.body ?? []) { /* drain */ }
    const untouched = await invoke('a', modelIds.sonnet);
    const slowRecord = await recordOf(emulator.adminUrl, slowed.$metadata.requestId);
    expect(slowRecord.plannedTtftMs).toBeGreaterThanOrEqual(300);
    expect(slowRecord.ttftMs).toBeGreaterThanOrEqual(299);
    expect((await recordOf(emulator.adminUrl, untouched.$metadata.requestId)).plannedTtftMs).toBeLessThan(300);
  });

  it('shows and changes quotas at run time, and refuses bad ones', async () => {
    const start = await admin('GET', '/quotas');
    expect(start.body).toMatchObject({
      sonnet: { requestsPerMinute: 77, tokensPerMinute: 88_000 },
      haiku: { requestsPerMinute: 10_000, tokensPerMinute: 10_000_000 },
      windowMs: 3_000,
    });
    const changed = await admin('PUT', '/quotas', { haiku: { tokensPerMinute: 1234 } });
    expect(changed.body.haiku).toEqual({ requestsPerMinute: 10_000, tokensPerMinute: 1234 });
    await invoke('a');
    expect((await admin('GET', '/quotas')).body.usage.haiku.requests).toBe(1);
    const bad = await admin('PUT', '/quotas', { haiku: { requestsPerMinute: 'many' } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('"haiku.requestsPerMinute"');
    expect((await admin('PUT', '/quotas', { opus: {} })).body.message).toContain('unknown field "opus"');
  });

  it('pages records with since and limit, in the order calls finished', async () => {
    for (const text of ['a', 'b', 'c']) await invoke(text);
    const first = await admin('GET', '/records?limit=2');
    expect(first.body.records.map((record: { seq: number }) => record.seq)).toEqual([1, 2]);
    const rest = await admin('GET', `/records?since=${first.body.nextSince}`);
    expect(rest.body.records).toHaveLength(1);
    expect(rest.body.records[0]).toMatchObject({ seq: 3, operation: 'InvokeModel', family: 'haiku', status: 200 });
    expect((await admin('GET', '/records?since=abc')).status).toBe(400);
  });

  it('totals calls by model, status and outcome in stats', async () => {
    await invoke('a');
    await invoke('b', modelIds.sonnet);
    await invoke('c', 'anthropic.unknown').catch(() => undefined);
    const { body } = await admin('GET', '/stats');
    expect(body).toMatchObject({ total: 3, byStatus: { 200: 2, 400: 1 }, byOutcome: { ok: 2, error: 1 }, activeStreams: 0 });
    expect(Object.keys(body.byModel).sort()).toEqual(['haiku', 'sonnet', 'unknown']);
  });

  it('records a client that leaves mid-stream, and frees its stream', async () => {
    await admin('PUT', '/faults', { latencyFactor: 100 });
    const controller = new AbortController();
    const response = await client.send(new InvokeModelWithResponseStreamCommand({ modelId: modelIds.haiku, body: anthropicBody('a') }),
      { abortSignal: controller.signal });
    expect((await admin('GET', '/health')).body.activeStreams).toBe(1);
    controller.abort();
    let record;
    for (let attempt = 0; attempt < 100 && !record; attempt += 1) {
      record = (await admin('GET', '/records')).body.records.find((candidate: { requestId: string }) => candidate.requestId === response.$metadata.requestId);
      if (!record) await sleep(50);
    }
    expect(record).toMatchObject({ outcome: 'client_closed' });
    expect((await admin('GET', '/health')).body.activeStreams).toBe(0);
  });

  it('reset brings back the start: no faults, start quotas, no records, and the same answers again', async () => {
    const before = decodeChunk((await invoke('ホラーのおすすめ')).body);
    await admin('PUT', '/faults', { errorRate: 1 });
    await admin('PUT', '/quotas', { sonnet: { requestsPerMinute: 1 } });
    expect((await admin('POST', '/reset')).body).toEqual({ status: 'reset' });
    expect((await admin('GET', '/faults')).body.errorRate).toBe(0);
    expect((await admin('GET', '/quotas')).body.sonnet.requestsPerMinute).toBe(77);
    expect((await admin('GET', '/records')).body.records).toEqual([]);
    const after = decodeChunk((await invoke('ホラーのおすすめ')).body);
    expect({ ...after, id: undefined }).toEqual({ ...before, id: undefined });
    expect(after.id).toBe(before.id);
  });

  it('answers unknown endpoints with 404 and wrong methods with 405', async () => {
    expect((await admin('GET', '/nope')).status).toBe(404);
    const wrong = await admin('POST', '/health');
    expect(wrong.status).toBe(405);
    expect(wrong.body.message).toContain('GET');
  });
});
