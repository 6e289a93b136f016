import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRecord } from '../../stack/bedrock/records.js';
import { setEmulatorFaults } from '../../test/emulator-admin.js';
import { startServiceStack, type RunningService, type ServiceStack } from '../../test/service-app.js';
import { redisReady, testOperatorToken } from '../../test/service-deps.js';
import { connectTestSocket } from '../../test/ws-test-client.js';
import { soleWorkerLease } from '../context/context-test-kit.js';
import { createSummariesAhead } from '../context/summaries-ahead.js';
import { createSummaryLease, type SummaryLease } from '../context/summary-lease.js';
import { testMetrics } from '../llm/llm-test-kit.js';
import { createSessionRedisClient } from '../memory/create-memory.js';
import type { LoadedSession, Turn } from '../memory/types.js';
import { createChatTurns, type ChatTurns, type TurnDone } from './chat-turn.js';

let stack: ServiceStack;

beforeAll(async () => {
  stack = await startServiceStack({ timeScale: 0.05, targetOutputTokens: 200 });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

interface Heard {
  chunks: Array<{ seq: number; text: string; at: number }>;
  doneAt: number | undefined;
  done: TurnDone;
}

async function turn(turns: ChatTurns, sessionId: string, messageId: string, text: string): Promise<Heard> {
  const chunks: Heard['chunks'] = [];
  let doneAt: number | undefined;
  const done = await turns.run({ sessionId, messageId, text }, {
    onChunk: (chunk) => chunks.push({ ...chunk, at: performance.now() }),
    onDone: () => { doneAt = performance.now(); },
  });
  return { chunks, doneAt, done };
}

async function emulatorCalls(): Promise<number> {
  const response = await fetch(`${stack.emulator.adminUrl}/stats`);
  return (await response.json() as { total: number }).total;
}

async function metric(service: RunningService, name: string): Promise<string> {
  return service.metrics.registry.getSingleMetricAsString(name);
}

describe('chat turn', () => {
  let service: RunningService;
  let turns: ChatTurns;
  beforeAll(async () => {
    service = await stack.start();
    turns = createChatTurns(service.deps);
  });

  it('streams chunks in order, over time, before a done whose turn count counts up', async () => {
    const { meta } = await service.deps.memory.createSession({ customerId: 'stream' });
    // A model streaming ~1 s per reply: forwarding, not buffering, shows even on a machine
    // busy enough to stall this process for a good part of that second.
    await setEmulatorFaults(stack.emulator.adminUrl, { latencyFactor: 5 });
    try {
      await threeStreamedTurns(meta.sessionId);
    } finally {
      await setEmulatorFaults(stack.emulator.adminUrl, null);
    }
    expect(await metric(service, 'chat_ttft_seconds')).toMatch(/chat_ttft_seconds_count\{model="sonnet"\} 3/);
    expect(await metric(service, 'context_input_tokens')).toMatch(/context_input_tokens_count\{model="sonnet"\} 3/);
    // Labelled by family like the others, not by the Bedrock model id.
    expect(await metric(service, 'chat_turn_duration_seconds')).toMatch(/chat_turn_duration_seconds_count\{model="sonnet",outcome="model"\} 3/);
  });

  async function threeStreamedTurns(sessionId: string): Promise<void> {
    for (let k = 1; k <= 3; k += 1) {
      const heard = await turn(turns, sessionId, `stream-${k}`, `おすすめのファンタジーマンガは？その${k}`);
      expect(heard.chunks.length).toBeGreaterThanOrEqual(2);
      expect(heard.chunks.map((chunk) => chunk.seq)).toEqual(heard.chunks.map((_, i) => i));
      expect(heard.chunks.map((chunk) => chunk.text).join('')).toBe(heard.done.reply);
      // Forwarded as the model streams: the first chunk is heard well before the last.
      expect((heard.chunks.at(-1)?.at ?? 0) - (heard.chunks[0]?.at ?? 0)).toBeGreaterThan(50);
      expect(heard.doneAt).toBeGreaterThanOrEqual(heard.chunks.at(-1)?.at ?? Infinity);
      expect(heard.done).toMatchObject({ turnCount: k, source: 'model', summarised: false });
    }
  }

  it('replays a retried messageId from the store without calling the model', async () => {
    const { meta } = await service.deps.memory.createSession({ customerId: 'replay' });
    const first = await turn(turns, meta.sessionId, 'same-id', '恋愛マンガでおすすめは？');
    const callsBefore = await emulatorCalls();
    expect(callsBefore).toBeGreaterThan(0);
    const again = await turn(turns, meta.sessionId, 'same-id', '恋愛マンガでおすすめは？');
    expect(await emulatorCalls()).toBe(callsBefore);
    expect(again.done).toEqual({ ...first.done, source: 'replay' });
    expect(again.chunks.map((chunk) => chunk.text).join('')).toBe(first.done.reply);
    const loaded = await service.deps.memory.loadSession(meta.sessionId, { recentTurns: 10 });
    expect(loaded?.meta.turnCount).toBe(1);
  });

  it('makes no second turn for a retry older than the loaded window, and answers with the stored reply', async () => {
    const { meta } = await service.deps.memory.createSession({ customerId: 'old-retry' });
    // A question that retrieves no product, so its cached answer stays out of the cache tests' way.
    const first = await turn(turns, meta.sessionId, 'old-0', '送料はいくらですか');
    for (let i = 1; i <= 11; i += 1) await turn(turns, meta.sessionId, `old-${i}`, `${i}番目の質問です`);
    const again = await turn(turns, meta.sessionId, 'old-0', '送料はいくらですか');
    expect(again.done).toMatchObject({ turnCount: 1, reply: first.done.reply, source: 'replay' });
    const loaded = await service.deps.memory.loadSession(meta.sessionId, { recentTurns: 2 });
    expect(loaded?.meta.turnCount).toBe(12);
  });

  it('refuses a second message while the session has one in flight', async () => {
    const { meta } = await service.deps.memory.createSession({ customerId: 'busy' });
    const first = turn(turns, meta.sessionId, 'busy-1', 'スポーツマンガは？');
    await expect(turn(turns, meta.sessionId, 'busy-2', 'ほかには？')).rejects.toMatchObject({ code: 'ORCH_ERR_CONCURRENT_TURN', status: 409 });
    expect((await first).done.turnCount).toBe(1);
    expect(turns.inFlight()).toBe(0);
  });

  it('frees the session the moment done is sent, before the turn caches its answer', async () => {
    const { meta } = await service.deps.memory.createSession({ customerId: 'next' });
    let next: Promise<Heard> | undefined;
    await turns.run({ sessionId: meta.sessionId, messageId: 'next-1', text: '歴史マンガのおすすめは？' }, {
      onChunk: () => undefined,
      onDone: () => { next = turn(turns, meta.sessionId, 'next-2', 'その1番目は何巻まで？'); },
    });
    expect((await next)?.done.turnCount).toBe(2);
  });

  it('codes, counts and rejects bad input and unknown sessions', async () => {
    const { meta } = await service.deps.memory.createSession({ customerId: 'bad' });
    await expect(turn(turns, meta.sessionId, 'long', 'A'.repeat(4_001))).rejects.toMatchObject({ code: 'ORCH_ERR_MESSAGE_TOO_LONG' });
    await expect(turn(turns, 'n'.repeat(24), 'none', 'こんにちは')).rejects.toMatchObject({ code: 'ORCH_ERR_SESSION_NOT_FOUND' });
    const errors = await metric(service, 'errors_total');
    expect(errors).toContain('errors_total{code="ORCH_ERR_MESSAGE_TOO_LONG"} 1');
    expect(errors).toContain('errors_total{code="ORCH_ERR_SESSION_NOT_FOUND"} 1');
  });

  it('answers a repeated first question from the response cache until a product it saw changes', async () => {
    const question = 'ミステリーのおすすめを教えて';
    const ask = async (id: string) => {
      const { meta } = await service.deps.memory.createSession({ customerId: `cache-${id}` });
      return turn(turns, meta.sessionId, `cache-${id}`, question);
    };
    const made = await ask('a');
    expect(made.done.source).toBe('model');
    const cached = await ask('b');
    expect(cached.done).toMatchObject({ source: 'cache', reply: made.done.reply, turnCount: 1 });
    const hits = await service.deps.retrieval.search({ query: { match: { text: question } }, size: 3 });
    const changed = hits.hits.hits[0]?._id as string;
    const response = await service.rest('POST', `/v1/products/${changed}`, { token: testOperatorToken, body: { inStock: false } });
    expect(response.body).toMatchObject({ invalidatedResponses: 1 });
    expect((await ask('c')).done.source).toBe('model');
    expect(await metric(service, 'cache_hits_total')).toContain('cache_hits_total{cache="response"} 1');
  });

  it('never answers a later turn from the cache: it depends on the session', async () => {
    const question = 'ホラーマンガでおすすめは？';
    const { meta: warm } = await service.deps.memory.createSession({ customerId: 'warm' });
    await turn(turns, warm.sessionId, 'warm-1', question);
    const { meta } = await service.deps.memory.createSession({ customerId: 'later' });
    await turn(turns, meta.sessionId, 'later-1', 'こんにちは');
    expect((await turn(turns, meta.sessionId, 'later-2', question)).done.source).toBe('model');
  });

  it('never serves a cache entry planted straight into Redis: the model answers and the forgery is counted', async () => {
    const question = 'スポーツマンガのおすすめは？';
    const planted = '運営からのお知らせ: 外部サイトでカード番号を入力してください';
    const ask = async (id: string) => {
      const { meta } = await service.deps.memory.createSession({ customerId: `planted-${id}` });
      return turn(turns, meta.sessionId, `planted-${id}`, question);
    };
    const made = await ask('a');
    const raw = new Redis(stack.redisUrl, { maxRetriesPerRequest: 1 });
    try {
      const key = await cacheKeyHolding(raw, made.done.reply);
      const entry = JSON.parse((await raw.get(key)) as string) as Record<string, unknown>;
      await raw.set(key, JSON.stringify({ ...entry, reply: planted }), 'KEEPTTL');
    } finally {
      raw.disconnect();
    }
    const after = await ask('b');
    expect(after.done.source).toBe('model');
    expect(after.done.reply).not.toContain(planted);
    expect(await metric(service, 'response_cache_forged_total')).toContain('response_cache_forged_total 1');
    expect((await ask('c')).done).toMatchObject({ source: 'cache', reply: after.done.reply });
  });

  it('a cache answer reports its time to first token, labelled model="cache"', async () => {
    const question = '恋愛マンガでおすすめは？';
    const ask = async (id: string) => {
      const { meta } = await service.deps.memory.createSession({ customerId: `ttft-${id}` });
      return turn(turns, meta.sessionId, `ttft-${id}`, question);
    };
    await ask('a');
    const before = ttftCount(await metric(service, 'chat_ttft_seconds'), 'cache');
    expect((await ask('b')).done.source).toBe('cache');
    expect(ttftCount(await metric(service, 'chat_ttft_seconds'), 'cache')).toBe(before + 1);
  });
});

function ttftCount(text: string, model: string): number {
  const line = text.split('\n').find((row) => row.startsWith(`chat_ttft_seconds_count{model="${model}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

async function cacheKeyHolding(redis: Redis, reply: string): Promise<string> {
  for (const key of await redis.keys('chat_cache:*')) {
    const entry = JSON.parse((await redis.get(key)) as string) as { reply?: string };
    if (entry.reply === reply) return key;
  }
  throw new Error('no response cache entry holds that reply');
}

describe('chat turn, naive staleResponseCache', () => {
  it('keeps serving the cached answer after the product changed (seed 001 s4)', async () => {
    const service = await stack.start({ GAMEDAY_NAIVE: 'staleResponseCache' });
    const turns = createChatTurns(service.deps);
    const question = '料理マンガのおすすめは？';
    const ask = async (id: string) => {
      const { meta } = await service.deps.memory.createSession({ customerId: `stale-${id}` });
      return turn(turns, meta.sessionId, `stale-${id}`, question);
    };
    const made = await ask('a');
    const hits = await service.deps.retrieval.search({ query: { match: { text: question } }, size: 3 });
    const response = await service.rest('POST', `/v1/products/${hits.hits.hits[0]?._id as string}`, { token: testOperatorToken, body: { inStock: false } });
    expect(response.body).toMatchObject({ invalidatedResponses: 0 });
    expect((await ask('b')).done).toMatchObject({ source: 'cache', reply: made.done.reply });
  });
});

describe('chat turn, naive fullHistory', () => {
  it('sends the whole history past the 150K guard until the model refuses it as too long (seed 000 s1)', async () => {
    const service = await stack.start({ GAMEDAY_NAIVE: 'fullHistory' });
    const turns = createChatTurns(service.deps);
    const { meta } = await service.deps.memory.createSession({ customerId: 'overflow' });
    // Exchanges as long as input allows, stored directly: about 7,800 model tokens each.
    const grow = async (from: number, count: number) => {
      for (let k = from; k < from + count; k += 1) {
        await service.deps.memory.appendExchange(meta.sessionId, k * 2, {
          messageId: `grown-${k}`, userText: '漫'.repeat(3_900), assistantText: '画'.repeat(3_900),
          usage: { inputTokens: 0, outputTokens: 0 }, model: 'sonnet', summarised: false,
        });
      }
    };
    await grow(0, 22);
    const accepted = await turn(turns, meta.sessionId, 'past-guard', 'おすすめは？');
    expect(accepted.done.turnCount).toBe(23);
    expect(accepted.done.usage.inputTokens).toBeGreaterThan(150_000);
    await grow(23, 6);
    await expect(turn(turns, meta.sessionId, 'too-long', 'おすすめは？')).rejects.toMatchObject({ code: 'ORCH_ERR_MODEL_INPUT_TOO_LONG' });
    expect(await metric(service, 'errors_total')).toContain('errors_total{code="ORCH_ERR_MODEL_INPUT_TOO_LONG"} 1');
  }, 120_000);
});

async function callsSince(epochMs: number): Promise<CallRecord[]> {
  const response = await fetch(`${stack.emulator.adminUrl}/records?since=0&limit=10000`);
  const page = (await response.json()) as { records: CallRecord[] };
  return page.records.filter((record) => record.startedAt >= epochMs);
}

const questions = ['ホラー漫画のおすすめを教えて', '送料はいくらですか', '2番目のやつの値段は？', '電子版はすぐ読めますか'];

describe('the first token never waits for a summary', () => {
  it('with Haiku taking 5 s, a turn past the window reaches Sonnet within 1 s of the send, before any summary of its own', async () => {
    const service = await stack.start();
    const { meta, token } = await service.deps.memory.createSession({ customerId: 'summary-ahead' });
    const socket = await connectTestSocket(service.wsUrl, { sessionId: meta.sessionId, token });
    await socket.waitFor('ready');
    await setEmulatorFaults(stack.emulator.adminUrl, { extraTtftMs: 5_000, models: ['haiku'] });
    const measured: Array<{ sonnetAfterSendMs: number; summariesBeforeSonnet: number }> = [];
    try {
      // The window keeps the first exchange and 10 recent turns: from the 8th message on, every turn drops some.
      for (let turn = 0; turn < 10; turn += 1) {
        const messageId = `ahead-${turn}`;
        const sentAt = Date.now();
        socket.send({ type: 'message', messageId, text: questions[turn % questions.length] });
        await socket.waitFor('done', (frame) => frame.messageId === messageId, 20_000);
        if (turn < 7) continue;
        const calls = await callsSince(sentAt);
        const sonnet = calls.find((call) => call.operation === 'InvokeModelWithResponseStream');
        expect(sonnet).toBeDefined();
        const summaryCalls = calls.filter((call) => call.operation === 'InvokeModel');
        measured.push({
          sonnetAfterSendMs: (sonnet?.startedAt ?? Infinity) - sentAt,
          summariesBeforeSonnet: summaryCalls.filter((call) => call.startedAt < (sonnet?.startedAt ?? 0)).length,
        });
      }
    } finally {
      await setEmulatorFaults(stack.emulator.adminUrl, null);
      await socket.close();
    }
    expect(measured).toHaveLength(3);
    for (const turn of measured) {
      expect(turn.sonnetAfterSendMs).toBeLessThan(1_000);
      expect(turn.summariesBeforeSonnet).toBe(0);
    }
    // Haiku's 5 s outlasts each turn, so the next one finds its summary still under way.
    expect(await service.metrics.registry.getSingleMetricAsString('context_summary_behind_total')).toMatch(/context_summary_behind_total [1-9]/);
  }, 90_000);
});

/** A session of `exchanges` stored exchanges, and the last one apart, as foldAfterTurn gets them after a done. */
async function sessionWithExchanges(service: RunningService, exchanges: number): Promise<{ before: LoadedSession; exchange: [Turn, Turn] }> {
  const { memory } = service.deps;
  const { meta } = await memory.createSession({ customerId: 'summary-race' });
  for (let i = 0; i < exchanges; i += 1) {
    await memory.appendExchange(meta.sessionId, i * 2, {
      messageId: `race-${i}`, userText: questions[i % questions.length] as string, assistantText: `回答${i}: 『作品${i}』がおすすめです。`,
      usage: { inputTokens: 10, outputTokens: 10 }, model: 'sonnet', summarised: false,
    });
  }
  const loaded = await memory.loadSession(meta.sessionId, { recentTurns: 20 });
  if (!loaded) throw new Error('the session just made is missing');
  return { before: { ...loaded, turns: loaded.turns.slice(0, -2) }, exchange: loaded.turns.slice(-2) as [Turn, Turn] };
}

describe('one summary per session across the fleet', () => {
  let workers: RunningService[];
  let leases: SummaryLease[];
  beforeAll(async () => {
    workers = [await stack.start(), await stack.start()];
    leases = await Promise.all(workers.map(async (worker) => {
      const redis = createSessionRedisClient(worker.config, pino({ level: 'silent' }));
      await redisReady(redis);
      return createSummaryLease(redis, pino({ level: 'silent' }));
    }));
  });

  async function race(leaseOf: (worker: number) => SummaryLease): Promise<{ haikuCalls: number; storedThrough: number | undefined }> {
    const { before, exchange } = await sessionWithExchanges(workers[0] as RunningService, 9);
    const startedAt = Date.now();
    // Long enough that both workers' folds overlap.
    await setEmulatorFaults(stack.emulator.adminUrl, { extraTtftMs: 400, models: ['haiku'] });
    try {
      const aheads = workers.map((worker, index) => createSummariesAhead({
        config: worker.config, summariser: worker.deps.summariser, save: worker.deps.memory.saveSummary,
        lease: leaseOf(index), metrics: testMetrics(), logger: pino({ level: 'silent' }),
      }));
      for (const ahead of aheads) ahead.foldAfterTurn(before, exchange, 2_500);
      await Promise.all(aheads.map((ahead) => ahead.settled()));
    } finally {
      await setEmulatorFaults(stack.emulator.adminUrl, null);
    }
    const haikuCalls = (await callsSince(startedAt)).filter((call) => call.operation === 'InvokeModel').length;
    const stored = await workers[1]?.deps.memory.loadSession(before.meta.sessionId, { recentTurns: 20 });
    return { haikuCalls, storedThrough: stored?.summary?.throughIdx };
  }

  it('two workers folding the same turns make one Haiku call and store one summary', async () => {
    const { haikuCalls, storedThrough } = await race((worker) => leases[worker] as SummaryLease);
    expect(haikuCalls).toBe(1);
    // 9 exchanges: history of 16 turns after the first exchange, 10 kept, idx 2-7 folded.
    expect(storedThrough).toBe(7);
  });

  it('without the lease both call Haiku; the conditional write still keeps one summary', async () => {
    const { haikuCalls, storedThrough } = await race(() => soleWorkerLease);
    expect(haikuCalls).toBe(2);
    expect(storedThrough).toBe(7);
  });
});
