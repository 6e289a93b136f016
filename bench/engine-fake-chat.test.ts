import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { chunkPrefix, chunkTextStart } from '../engine/chat-frames.js';
import { desktopProfile, readings } from '../engine/engine-test-kit.js';
import { chatMetrics, RunMetrics } from '../engine/metrics/run-metrics.js';
import { runLoad } from '../engine/run-load.js';
import { type FakeChat, startFakeChat } from './engine-fake-chat.js';
import { chunksPerAnswer, chunkText } from './engine-workload.js';

let fake: FakeChat;

beforeAll(async () => {
  fake = await startFakeChat();
});

afterAll(async () => {
  await fake?.close();
});

async function createSession(): Promise<{ sessionId: string; token: string }> {
  const response = await fetch(`${fake.http}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"customerId":"c"}' });
  expect(response.status).toBe(201);
  return (await response.json()) as { sessionId: string; token: string };
}

describe('the fake chat server of bench/engine', () => {
  it('answers a message with ready, 20 chunks in the service\'s byte layout (the engine\'s fast path), then done with the turn count', async () => {
    const { sessionId, token } = await createSession();
    const socket = new WebSocket(`${fake.ws}?sessionId=${sessionId}&token=${token}`);
    const frames: Buffer[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        socket.on('error', reject);
        socket.on('message', (data: Buffer) => {
          frames.push(data);
          const frame = JSON.parse(data.toString('utf8')) as { type: string };
          if (frame.type === 'ready') socket.send(JSON.stringify({ type: 'message', messageId: 'turn-1', text: 'こんにちは' }));
          if (frame.type === 'done') resolve();
        });
      });
    } finally {
      socket.terminate();
    }
    const parsed = frames.map((frame) => JSON.parse(frame.toString('utf8')) as Record<string, unknown>);
    expect(parsed[0]).toMatchObject({ type: 'ready', sessionId, turnCount: 0 });
    const chunks = frames.slice(1, -1);
    expect(chunks).toHaveLength(chunksPerAnswer);
    for (const chunk of chunks) expect(chunkTextStart(chunk, chunkPrefix('turn-1'))).toBeGreaterThan(0);
    expect(parsed.slice(1, -1).map((frame) => frame.text)).toEqual(Array(chunksPerAnswer).fill(chunkText));
    expect(parsed.at(-1)).toMatchObject({ type: 'done', messageId: 'turn-1', turnCount: 1, summarised: false });
  });

  it('refuses a socket whose token is not the session\'s', async () => {
    const { sessionId } = await createSession();
    const socket = new WebSocket(`${fake.ws}?sessionId=${sessionId}&token=wrong`);
    const [code] = await new Promise<[number]>((resolve) => socket.on('close', (closeCode: number) => resolve([closeCode])));
    expect(code).toBe(4404);
  });

  it('carries runLoad sessions turn after turn with no error and no lost context', async () => {
    const before = fake.stats();
    const metrics = new RunMetrics(chatMetrics);
    const turn = { text: 'ホラー漫画は？', thinkBeforeMs: 20, expect: 'answer' as const };
    await runLoad({
      target: { http: fake.http, ws: fake.ws },
      shape: { arrivals: { kind: 'constant', perSecond: 100, durationMs: 100 }, maxConcurrentSessions: 20 },
      sessions: (index) => ({ client: desktopProfile, customerId: `c-${index}`, turns: [turn, turn, turn] }),
      seed: 1,
      metrics,
    });
    const read = readings(metrics.snapshot());
    expect(read.counter('chat_messages')).toBe(30);
    expect(read.trendCount('chat_ttft')).toBe(30);
    expect(read.rate('chat_errors').hits).toBe(0);
    expect(read.counter('session_context_lost')).toBe(0);
    const after = fake.stats();
    expect([after.sessions - before.sessions, after.messages - before.messages, after.answers - before.answers]).toEqual([10, 30, 30]);
  });
});
