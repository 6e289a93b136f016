import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallRecord } from '../../stack/bedrock/records.js';
import { startServiceStack, type RunningService, type ServiceStack } from '../../test/service-app.js';
import { redisReady } from '../../test/service-deps.js';
import { connectTestSocket } from '../../test/ws-test-client.js';
import { soleWorkerLease } from '../context/context-test-kit.js';
import { createSummariesAhead } from '../context/summaries-ahead.js';
import { createSummaryLease, type SummaryLease } from '../context/summary-lease.js';
import { testMetrics } from '../llm/llm-test-kit.js';
import { createSessionRedisClient } from '../memory/create-memory.js';
import type { LoadedSession, Turn } from '../memory/types.js';

let stack: ServiceStack;

beforeAll(async () => {
  stack = await startServiceStack({ timeScale: 0.05, targetOutputTokens: 200 });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

async function setEmulatorFaults(faults: Record<string, unknown> | null): Promise<void> {
  const response = await fetch(`${stack.emulator.adminUrl}/faults`, {
    method: faults ? 'PUT' : 'DELETE', headers: { 'content-type': 'application/json' }, body: faults ? JSON.stringify(faults) : undefined,
  });
  expect(response.status).toBe(200);
}

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
    await setEmulatorFaults({ extraTtftMs: 5_000, models: ['haiku'] });
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
      await setEmulatorFaults(null);
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
    await setEmulatorFaults({ extraTtftMs: 400, models: ['haiku'] });
    try {
      const aheads = workers.map((worker, index) => createSummariesAhead({
        config: worker.config, summariser: worker.deps.summariser, save: worker.deps.memory.saveSummary,
        lease: leaseOf(index), metrics: testMetrics(), logger: pino({ level: 'silent' }),
      }));
      for (const ahead of aheads) ahead.foldAfterTurn(before, exchange, 2_500);
      await Promise.all(aheads.map((ahead) => ahead.settled()));
    } finally {
      await setEmulatorFaults(null);
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
