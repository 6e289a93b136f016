import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expiry } from '../service/memory/dynamo-items.js';
import { createDynamoStore } from '../service/memory/dynamo-memory.js';
import { memoryTelemetry } from '../service/memory/memory-telemetry.js';
import { hmacSigner } from '../service/memory/turn-signing.js';
import type { CallRecord } from '../stack/bedrock/records.js';
import { type RunningBedrockProcess, startBedrockProcess } from '../stack/bedrock-process.js';
import { connectChat, createSession } from '../test/chat-client.js';
import { inheritedEnv } from '../test/config.js';
import { type ServiceDeps, startServiceDeps, testObservability } from '../test/service-deps.js';
import { type RunningFloor, startFloorProcess } from './floor-process.js';

let deps: ServiceDeps;
let bedrock: RunningBedrockProcess;
let floor: RunningFloor;

beforeAll(async () => {
  deps = await startServiceDeps();
  bedrock = await startBedrockProcess({ dir: deps.tempDir('gameday-floor-bedrock-'), seed: 3, timeScale: 0.02, env: inheritedEnv });
  floor = await startFloorProcess({
    dir: deps.tempDir('gameday-floor-'), redisUrl: deps.redis.url, dynamodbEndpoint: deps.dynamodb.endpoint, table: deps.table,
    bedrockEndpoint: bedrock.endpoint, env: inheritedEnv,
  });
});
afterAll(async () => {
  await floor?.stop();
  await bedrock?.stop();
  await deps?.stop();
});

async function records(): Promise<CallRecord[]> {
  const response = await fetch(`${bedrock.admin}/records?since=0&limit=1000`);
  return ((await response.json()) as { records: CallRecord[] }).records;
}

describe('the floor server bench/service compares the service with', () => {
  it('answers protocol v1 from one stream per turn and summarises, after the done, once the window slides', async () => {
    const { sessionId, token } = await createSession(floor.baseUrl, 'floor-test-customer');
    const client = connectChat(floor.wsUrl, sessionId, token);
    expect(await client.ready).toEqual({ turnCount: 0 });
    const dones = [];
    for (let turn = 1; turn <= 9; turn += 1) {
      let chunks = 0;
      dones.push(await client.turn(`floor-${turn}`, turn === 1 ? 'おすすめの少年漫画を教えて' : '2番目のやつについてもっと教えて', () => { chunks += 1; }));
      expect(chunks).toBeGreaterThan(1);
    }
    client.close();
    expect(dones.map((done) => done.turnCount)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);

    // The first exchange and 10 turns fit through turn 7; from its done on, each done folds what the next window drops.
    const deadline = Date.now() + 10_000;
    while ((await floor.stats()).summaries < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await floor.stats()).toEqual({ turns: 9, failedTurns: 0, copyMisses: 0, summaries: 3, failedSummaries: 0 });
    const calls = await records();
    expect(calls.filter((call) => call.operation === 'InvokeModelWithResponseStream')).toHaveLength(9);
    expect(calls.filter((call) => call.operation === 'InvokeModel').map((call) => call.family)).toEqual(['haiku', 'haiku', 'haiku']);
    expect(dones.at(-1)).toMatchObject({ summarised: true, usage: { inputTokens: calls.at(-2)?.inputTokens } });
  });

  it('stores turns in the service\'s shapes and signatures, so the service\'s store reads them back', async () => {
    const { sessionId, token } = await createSession(floor.baseUrl, 'floor-test-reader');
    const client = connectChat(floor.wsUrl, sessionId, token);
    await client.ready;
    await client.turn('floor-read-1', 'おすすめの少年漫画を教えて');
    client.close();
    const fleetConfig = deps.config();
    const { logger, metrics } = testObservability();
    const store = createDynamoStore({
      documents: deps.documents, table: deps.table, signer: hmacSigner(fleetConfig.signingSecret),
      expiry: expiry(fleetConfig.sessionTtlSeconds, true), telemetry: memoryTelemetry(logger, metrics),
    });
    const { turns } = await store.listTurns(sessionId, { limit: 10 });
    expect(turns.map((turn) => [turn.idx, turn.role, turn.messageId])).toEqual([[0, 'user', 'floor-read-1'], [1, 'assistant', 'floor-read-1']]);
    expect(store.stats().forgedTurnsDropped).toBe(0);
  });
});
